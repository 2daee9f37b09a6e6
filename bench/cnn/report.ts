// The Table 6 CNN section of the benchmark (issue 3): runs bench/cnn/cnn.ts (training and inference
// samples/s), bench/cnn/conv.ts (conv kernels, GFLOP/s) and bench/cnn/step.ts (anatomy of a bsfnet
// step), and renders their tables for bench/run.ts (RESULTS.md section, console, results.json key
// "cnn").
import { benchCnn, CNN_IMPLS, GATE, TABLE6_PARAMS, type CnnImpl, type CnnResults } from "./cnn.js";
import { benchConv, type ConvResults } from "./conv.js";
import { benchCnnStep, type CnnStepResults } from "./step.js";
import { load } from "../lib/measure.js";
import { callsPerStep } from "../lib/trace.js";

/** Quoted from the project's issue 3: measured earlier on these machines, not by this script. */
export const CNN_REFERENCE = {
  source: "quoted from issue 3: measured earlier on these 2-core machines, one thread, batch 32, not by this script",
  trainBatch32: { "pytorch-cpu": 700, "tfjs-wasm-with-fallback": 26 },
  aimBatch32: 700,
};

export interface CnnSection {
  train: CnnResults;
  conv: ConvResults;
  step: CnnStepResults;
  load: { before: number[]; after: number[] };
  seconds: number;
}

export async function benchCnnSection(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<CnnSection> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const before = load();
  log("Table 6 CNN, training and inference (samples/s):");
  const train = await benchCnn(opts);
  log("Table 6 CNN, conv kernels (GFLOP/s):");
  const conv = await benchConv(opts);
  log("Table 6 CNN, training step anatomy (µs):");
  const step = await benchCnnStep(opts);
  return { train, conv, step, load: { before, after: load() }, seconds: (performance.now() - t0) / 1000 };
}

const fmt = (v: number, d = 0) => v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const sig = (v: number) => fmt(v, v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3);
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${sig(a / b)}×` : "n/a");

const LABEL: Record<CnnImpl, string> = {
  bsfnet: "bsfnet",
  "bsfnet-gated": `bsfnet with the input gate (784 weights, penalty ${GATE.penalty}, init ${GATE.init})`,
  "tfjs-wasm": "tfjs-wasm",
  "tfjs-wasm+fallback": "tfjs-wasm + fallback Conv2DBackpropFilter (bench/cnn/conv.ts)",
  "tfjs-cpu": "tfjs-cpu",
};

export function cnnTrainTable(t: CnnResults): string[] {
  const out = [
    "| implementation | training samples/s | best sample | bsfnet / it | bsfnet gated / it | inference samples/s | bsfnet / it, inference |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const plain = t.train.bsfnet?.samplesPerSecond,
    gated = t.train["bsfnet-gated"]?.samplesPerSecond,
    inf = t.infer.bsfnet?.samplesPerSecond;
  for (const impl of CNN_IMPLS) {
    const e = t.train[impl],
      i = t.infer[impl];
    const train = e ? `${sig(e.samplesPerSecond)} | ${sig(e.bestSamplesPerSecond)}` : `${t.notes[impl] ?? "n/a"} | `;
    out.push(
      `| ${LABEL[impl]} | ${train} | ${ratio(plain, e?.samplesPerSecond)} | ${ratio(gated, e?.samplesPerSecond)} | ${i ? sig(i.samplesPerSecond) : "(as tfjs-wasm)"} | ${ratio(inf, i?.samplesPerSecond)} |`,
    );
  }
  return out;
}

export function convTable(c: ConvResults): string[] {
  const out = [
    "| layer | input → output | pass | in a plain step | bsfnet GFLOP/s | tfjs-wasm | tfjs-wasm + fallback | tfjs-cpu | bsfnet / tfjs-wasm | bsfnet / tfjs-cpu | bsfnet µs |",
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of c.rows) {
    const s = r.shape,
      g = r.gflops;
    const cpu =
      g["tfjs-cpu"] === null
        ? "n/a"
        : `${sig(g["tfjs-cpu"])}${r.batch["tfjs-cpu"] !== c.B ? ` (batch ${r.batch["tfjs-cpu"]})` : ""}`;
    const wasm = g["tfjs-wasm"] ?? r.wasmFallback?.gflops ?? null;
    const mark = g["tfjs-wasm"] === null && r.wasmFallback ? " (fallback)" : "";
    out.push(
      `| ${r.layer}${r.winograd ? " (Winograd)" : ""} | ${s.H}×${s.W}×${s.C} → ${s.H - s.K + 1}×${s.W - s.K + 1}×${s.OC} | ${r.pass} | ${r.inPlainStep ? "yes" : "no"} | ` +
        `${sig(g.bsfnet!)} | ${g["tfjs-wasm"] === null ? "n/a" : sig(g["tfjs-wasm"])} | ${r.wasmFallback ? sig(r.wasmFallback.gflops) : ""} | ${cpu} | ` +
        `${ratio(g.bsfnet, wasm)}${mark} | ${ratio(g.bsfnet, g["tfjs-cpu"])} | ${fmt(r.timing.bsfnet!.ms * 1000)} |`,
    );
  }
  return out;
}

export function cnnStepTable(st: CnnStepResults, t: CnnResults): string[] {
  const out = ["| part of a step (plain network, batch 32) | calls | µs | share |", "|---|---:|---:|---:|"];
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  for (const p of st.parts)
    out.push(`| ${p.name} | ${callsPerStep(p.calls)} | ${fmt(p.us)} | ${pct(p.us, st.kernelsUs)} |`);
  out.push(`| **all wasm kernels** | | **${fmt(st.kernelsUs)}** | 100% |`);
  const fit = t.train.bsfnet;
  if (fit) {
    const med = (fit.timing.ms * 1000 * st.B) / fit.samplesPerOp,
      best = (fit.timing.minMs * 1000 * st.B) / fit.samplesPerOp;
    out.push(`| measured \`fit\` step, median (training table) | | ${fmt(med)} | |`);
    out.push(`| measured \`fit\` step, best sample | | ${fmt(best)} | |`);
    out.push(
      `| best \`fit\` step − kernels (JavaScript, the timer, per-fit work, disturbance) | | ${fmt(best - st.kernelsUs)} | ${pct(best - st.kernelsUs, best)} of the step |`,
    );
  }
  out.push(`| samples/s if a step were its kernels alone | | ${fmt((st.B / st.kernelsUs) * 1e6)} | |`);
  return out;
}

/** The RESULTS.md section; `others`: cores other processes used during it (from bench/run.ts). */
export function cnnMarkdown(r: CnnSection, others: number): string[] {
  const t = r.train,
    c = r.conv;
  const plain = t.train.bsfnet!.samplesPerSecond,
    gated = t.train["bsfnet-gated"]!.samplesPerSecond;
  const noisy = others > 0.2;
  const diffs = Object.entries(c.maxAbsDiff)
    .map(([k, v]) => `${k} ${v.toExponential(1)}`)
    .join("; ");
  return [
    "## Table 6 CNN (issue 3)",
    "",
    "The paper's MNIST CNN: 28×28×1 → conv 3×3×32 ReLU → conv 3×3×64 ReLU → max-pool 2×2 → flatten → dense 128 ReLU → " +
      "dropout 0.5 → dense 10 softmax; Adam (lr 0.001); sparse categorical cross-entropy; batch 32; random [0, 1) images, labels 0..9. " +
      `Machine load during this section (${fmt(r.seconds)} s): other processes used ${others.toFixed(2)} cores on average, load average ` +
      `${r.load.before.join(", ")} before and ${r.load.after.join(", ")} after` +
      (noisy ? " — **busy: these numbers are noisy**." : " (quiet)."),
    "",
    "### Training and inference, samples/s",
    "",
    `bsfnet: \`model.fit\` for one epoch over ${fmt(t.n)} samples, shuffled, timed whole (\`table6Cnn()\` of src/experiments/attention.ts; ` +
      "the gated network adds the per-pixel input gate of `bsfnet attention mnist`, which also makes conv_1 compute its input gradient). " +
      "tfjs: the same network from `tf.layers`, `model.trainOnBatch` on batches already held as tensors. " +
      `**tfjs-wasm cannot train it**: ${c.wasmMissing.join("; ") || "(no error: it trained)"} — tfjs 4.22's wasm backend has Conv2D and ` +
      "Conv2DBackpropInput but no Conv2DBackpropFilter. The fallback row registers one for the wasm backend made of its own kernels " +
      "(transposes and XNNPACK's Conv2D: the kernel gradient is a convolution of the transposed operands), about the best tfjs-wasm " +
      "can do without new native code. tfjs-cpu's Conv2DBackpropFilter is a scalar JavaScript loop (over a minute per step), so it is " +
      "timed over a single step. Inference: forward only, batch 32 (bsfnet `predictSync` over all samples; tfjs `predict` and `dataSync` per batch).",
    "",
    ...cnnTrainTable(t),
    "",
    `Parameters: bsfnet ${fmt(t.params.bsfnet)} (gated ${fmt(t.params.bsfnetGated)}), tfjs ${fmt(t.params.tfjs)}; the paper's Table 4: ${fmt(TABLE6_PARAMS)}.`,
    "",
    `Reference points, ${CNN_REFERENCE.source}: PyTorch's CPU build about ${fmt(CNN_REFERENCE.trainBatch32["pytorch-cpu"])} samples/s, ` +
      `tfjs-wasm about ${CNN_REFERENCE.trainBatch32["tfjs-wasm-with-fallback"]} samples/s with a fallback; the aim is at least ${fmt(CNN_REFERENCE.aimBatch32)}. ` +
      `Measured here, bsfnet: ${fmt(plain)} samples/s plain (${sig(plain / CNN_REFERENCE.aimBatch32)}× the aim and the quoted PyTorch figure), ` +
      `${fmt(gated)} gated (${sig(gated / CNN_REFERENCE.aimBatch32)}×).`,
    "",
    "### Conv kernels, GFLOP/s",
    "",
    `Batch ${c.B}, "valid" padding, stride 1. bsfnet: \`conv2d_forward\` / \`conv2d_backward\` called directly on wasm memory ` +
      "(scratch sized by `conv2d_scratch_bytes`); tfjs: `tf.fused.conv2d` with bias (what `tf.layers.conv2d` runs) and, for backward, " +
      "the kernels its gradient runs: Conv2DBackpropFilter, Conv2DBackpropInput (with dinp) and the bias sum. " +
      "**Effective** GFLOP/s: direct-convolution FLOPs (2·B·OH·OW·KH·KW·C·OC per convolution; backward one convolution for the kernel " +
      "gradient and one more for dinp) over the median time. bsfnet runs conv_2 (3×3, C and OC multiples of 4) with Winograd F(4×4, 3×3), " +
      "which does fewer multiplies than that count, and conv_1 (C = 1) directly. conv_1 needs no dinp in the plain network (the gated one " +
      "computes it). tfjs-cpu's Conv2DBackpropFilter is timed at the smaller batch shown (its cost is linear in the batch; a GFLOP/s rate " +
      `does not depend on it). Max abs diff of one call's outputs: ${diffs}.`,
    "",
    ...convTable(c),
    "",
    "tfjs-wasm's own backward kernel, Conv2DBackpropInput alone: " +
      Object.entries(c.wasmDinpAlone)
        .map(([layer, d]) => `${layer} ${sig(d.gflops)} GFLOP/s (${fmt(d.timing.ms * 1000)} µs)`)
        .join(", ") +
      " (one convolution's FLOPs): it, not the fallback, bounds the tfjs-wasm + fallback backward rows of conv_2.",
    "",
    "### Anatomy of a bsfnet training step",
    "",
    `Every kernel call of the real training step of the plain network: the model's own \`fit\` on a runtime whose kernels are wrapped ` +
      `in a timer (bench/lib/trace.ts); per kernel and layer shape, its µs per step, the median over ${r.step.steps} steps after 2 ` +
      "warm-up steps (bench/cnn/step.ts). The kernels run in sequence as in any step, so each finds the caches the previous ones " +
      "left (the dense 9216 → 128 weights alone are 4.7 MB); a V8 profile of `fit` puts over 98% of its time in wasm.",
    "",
    ...cnnStepTable(r.step, t),
    "",
  ];
}

export function cnnConsole(r: CnnSection): string[] {
  return [
    "Table 6 CNN, training:",
    ...cnnTrainTable(r.train),
    "",
    "Table 6 CNN, conv kernels:",
    ...convTable(r.conv),
    "",
    "Table 6 CNN, step anatomy:",
    ...cnnStepTable(r.step, r.train),
  ];
}
