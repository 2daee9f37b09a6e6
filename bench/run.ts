// The whole benchmark, in one process: issue 12's headline checks first (GEMM GFLOP/s of both
// builds, two-thread training, the peers — PyTorch on one and two threads and onnxruntime-node —
// on the paper's three nets, and the Worker under load); then dense kernels (GFLOP/s) and training
// (samples/s) of the Musk2-shaped network against TensorFlow.js (wasm and cpu backends), the
// anatomy of a bsfnet training step (µs per kernel), and the paper's Table 6 CNN (issue 3).
// What the machine's instruction sets allow comes right after the GEMM figures (bench/ceiling/: the
// wasm peak of one core, the peers' SGEMM, a ceiling for each ratio target).
// Prints the tables and writes bench/RESULTS.md, bench/results.json, bench/summary.json, bench/LOAD.md,
// bench/load-results.json, bench/CEILING.md and bench/ceiling-results.json (generated files: never edit them by hand; re-run `npm run bench`).
// `--quick` runs a short version and writes nothing; `--out DIR` writes the reports to DIR instead.
import os from "node:os";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { benchKernels, type KernelResults } from "./train/kernels.js";
import { benchTrain, type TrainResults } from "./train/train.js";
import { benchStep, type StepResults } from "./train/step.js";
import { callsPerStep } from "./lib/trace.js";
import { IMPLS, initTf, type TfInfo } from "./lib/tfjs.js";
import { cpuSnapshot, load, othersCores } from "./lib/measure.js";
import { inferMarkdown } from "./infer/summary.js";
import { benchCnnSection, cnnConsole, cnnMarkdown, CNN_REFERENCE } from "./cnn/report.js";
import { enableRelaxedSimd, loadedWasmBuild } from "../src/runtime/wasm.js";
import { ready } from "../src/runtime/runtime.js";
import { optionalExport } from "./lib/optional.js";
import { betterGemm, measureGemmFallback, type GemmFigures } from "./peers/gemm.js";
import type { ThreadsResult } from "./train/threads.js";
import { benchPeers, loadBuilds, type PeerResults } from "./peers/peers.js";
import { peersMarkdown } from "./peers/report.js";
import { assembleSummary, checksMarkdown, headlineChecks, type Maybe, type SummaryInput } from "./summary.js";
import { loadMarkdown, loadSummary, workerLoad, writeLoad, type LoadResults } from "./load/load.js";
import { ceilingMarkdown, measureCeiling, toMeasured, writeCeiling, type CeilingRun } from "./ceiling/ceiling.js";

// Before anything compiles: Node 20 validates the relaxed-SIMD build only behind this V8 flag
// (src/runtime/wasm.ts); the CLI sets it the same way. BSFNET_WASM=simd128 keeps it off.
const relaxedOn = await enableRelaxedSimd();

const quick = process.argv.includes("--quick");
// --out DIR: the reports go to DIR instead of bench/ (with --quick too: a smoke run of the writing)
const outArg = process.argv.indexOf("--out");
const outDir = outArg >= 0 ? process.argv[outArg + 1] : undefined;
const here = path.dirname(fileURLToPath(import.meta.url));

/** Quoted from the project's issue: measured earlier on these machines, not by this script. */
const REFERENCE = {
  source: "quoted from issue 2: measured earlier on these 2-core machines, one thread, not by this script",
  trainBatch32: { "tfjs-wasm": 2300, "pytorch-cpu": 28000 },
  aimBatch32: 34000,
  gemmGflops: { "assemblyscript-f32x4": 41, "tfjs-wasm-xnnpack": 31 },
};

function gitRev(): string {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "assembly"], { encoding: "utf8" }).trim();
    return dirty ? `${rev} (src/ or assembly/ modified)` : rev;
  } catch {
    return "unknown";
  }
}

const fmt = (v: number, d = 0) => v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const ratio = (a: number, b: number) => `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×`;

function trainTable(t: TrainResults): string[] {
  const out = [
    "| batch | bsfnet (samples/s) | tfjs-wasm | tfjs-cpu | bsfnet / tfjs-wasm | bsfnet / tfjs-cpu |",
    "|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of t.rows) {
    const s = r.samplesPerSecond;
    out.push(
      `| ${r.B} | ${fmt(s.bsfnet)} | ${fmt(s["tfjs-wasm"])} | ${fmt(s["tfjs-cpu"])} | ${ratio(s.bsfnet, s["tfjs-wasm"])} | ${ratio(s.bsfnet, s["tfjs-cpu"])} |`,
    );
  }
  // the fastest sample of each: on a shared machine, the least disturbed one
  for (const r of t.rows) {
    const s = Object.fromEntries(IMPLS.map((i) => [i, (r.samplesPerOp[i] / r.timing[i].minMs) * 1000])) as Record<
      string,
      number
    >;
    out.push(
      `| ${r.B}, best sample | ${fmt(s.bsfnet)} | ${fmt(s["tfjs-wasm"])} | ${fmt(s["tfjs-cpu"])} | ${ratio(s.bsfnet, s["tfjs-wasm"])} | ${ratio(s.bsfnet, s["tfjs-cpu"])} |`,
    );
  }
  return out;
}

function kernelTable(k: KernelResults): string[] {
  const out = [
    "| batch | layer (in → out) | layers | pass | bsfnet GFLOP/s | tfjs-wasm | tfjs-cpu | bsfnet / tfjs-wasm | bsfnet / tfjs-cpu | bsfnet µs | max abs diff |",
    "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of k.rows) {
    const g = r.gflops;
    out.push(
      `| ${r.B} | ${r.C} → ${r.OC} | ${r.layers} | ${r.pass} | ${g.bsfnet.toFixed(1)} | ${g["tfjs-wasm"].toFixed(1)} | ${g["tfjs-cpu"].toFixed(2)} | ` +
        `${ratio(g.bsfnet, g["tfjs-wasm"])} | ${ratio(g.bsfnet, g["tfjs-cpu"])} | ${(r.timing.bsfnet.ms * 1000).toFixed(1)} | ${r.maxAbsDiff.toExponential(1)} |`,
    );
  }
  return out;
}

function networkTable(k: KernelResults): string[] {
  const out = [
    "| batch | pass | bsfnet GFLOP/s | tfjs-wasm | tfjs-cpu | bsfnet / tfjs-wasm | bsfnet / tfjs-cpu |",
    "|---:|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of k.network) {
    const g = r.gflops;
    out.push(
      `| ${r.B} | ${r.pass} | ${g.bsfnet.toFixed(1)} | ${g["tfjs-wasm"].toFixed(1)} | ${g["tfjs-cpu"].toFixed(2)} | ${ratio(g.bsfnet, g["tfjs-wasm"])} | ${ratio(g.bsfnet, g["tfjs-cpu"])} |`,
    );
  }
  return out;
}

function stepTable(st: StepResults, t: TrainResults): string[] {
  const Bs = st.steps.map((s) => s.B);
  const out = [
    `| part of a step | calls | ${Bs.map((B) => `µs at batch ${B} | share`).join(" | ")} |`,
    `|---|---:|${Bs.map(() => "---:|---:").join("|")}|`,
  ];
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  // rows by kernel, in the order of their first calls (a kernel called every few steps, such as
  // Adam's moment flush, may be missing from a batch size's epoch)
  const names = [...new Set(st.steps.flatMap((s) => s.parts.map((p) => p.name)))];
  for (const name of names) {
    const calls = st.steps.map((s) => s.parts.find((x) => x.name === name)?.calls).find((c) => c !== undefined)!;
    const cells = st.steps.map((s) => {
      const q = s.parts.find((x) => x.name === name);
      return q ? `${q.us.toFixed(1)} | ${pct(q.us, s.kernelsUs)}` : "– | ";
    });
    out.push(`| ${name} | ${callsPerStep(calls)} | ${cells.join(" | ")} |`);
  }
  out.push(`| **all wasm kernels** | | ${st.steps.map((s) => `**${s.kernelsUs.toFixed(0)}** | 100%`).join(" | ")} |`);
  out.push(
    `| adam_step after ${fmt(st.pretrainSteps)} training steps (steady state: subnormal moments) | 1 | ${st.steps.map((s) => `${s.adamSubnormalUs.toFixed(1)} | `).join(" | ")} |`,
  );
  const fit = (B: number, best: boolean) => {
    const r = t.rows.find((x) => x.B === B)!;
    const ms = best ? r.timing.bsfnet.minMs : r.timing.bsfnet.ms;
    return (ms * 1000 * B) / r.samplesPerOp.bsfnet;
  };
  out.push(
    `| measured \`fit\` step, median (training table) | | ${Bs.map((B) => `${fit(B, false).toFixed(0)} | `).join(" | ")} |`,
  );
  out.push(`| measured \`fit\` step, best sample | | ${Bs.map((B) => `${fit(B, true).toFixed(0)} | `).join(" | ")} |`);
  out.push(
    `| best \`fit\` step − kernels (JavaScript, per-fit work, subnormals, disturbance) | | ${st.steps.map((s) => `${(fit(s.B, true) - s.kernelsUs).toFixed(0)} | ${pct(fit(s.B, true) - s.kernelsUs, fit(s.B, true))}`).join(" | ")} |`,
  );
  out.push(
    `| samples/s if a step were its kernels alone | | ${st.steps.map((s) => `${fmt((s.B / s.kernelsUs) * 1e6)} | `).join(" | ")} |`,
  );
  return out;
}

interface Machine {
  node: string;
  v8: string;
  platform: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
}

function report(
  m: Machine,
  tfi: TfInfo,
  k: KernelResults,
  t: TrainResults,
  st: StepResults,
  when: string,
  rev: string,
  busy: { others: number; loadBefore: number[]; loadAfter: number[] },
  seconds: number,
): string {
  const b32 = t.rows.find((r) => r.B === 32)!.samplesPerSecond.bsfnet;
  const noisy = busy.others > 0.2;
  return [
    "# bsfnet benchmarks",
    "",
    "Generated by `npm run bench` (bench/run.ts); do not edit by hand. Raw figures: `bench/results.json`.",
    "",
    `- date: ${when}`,
    `- commit: ${rev}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.platform}; Node ${m.node} (V8 ${m.v8})`,
    `- TensorFlow.js sections: one thread, bsfnet on its default build (${loadedWasmBuild() ?? "unknown"}). TensorFlow.js ${tfi.version} (tfjs-backend-wasm ${tfi.wasmVersion}): wasm backend with ` +
      `${tfi.wasmBinary} (SIMD ${tfi.simd ? "yes" : "no"}, multithreading support ${tfi.multithreadSupport ? "yes" : "no"}, ` +
      `getThreadsCount() = ${tfi.threads} after setThreadsCount(1)), loaded from node_modules; cpu backend (plain JavaScript); production mode.`,
    `- machine load: load average ${busy.loadBefore.join(", ")} before and ${busy.loadAfter.join(", ")} after; ` +
      `other processes used ${busy.others.toFixed(2)} cores on average during the ${fmt(seconds)} s run` +
      (noisy ? " — **the machine was busy: these numbers are noisy; re-run on a quiet machine**." : " (quiet)."),
    "- every figure is the median of tinybench samples after a warmup (training also shows the fastest sample, " +
      "the least disturbed on a shared machine).",
    "",
    "## Training step, Musk2-shaped network",
    "",
    "168 inputs → BSF gate → dense 168, 168, 336, 168 (ReLU) → 2 (softmax); cross-entropy; Adam (lr 0.001). " +
      "Random standardized inputs (N(0, 1)) with a learnable label (the sign of a fixed ±1 combination of the first " +
      "24 columns, so the gate keeps those open and closes the rest, as on real data). " +
      `bsfnet: \`model.fit\` for one epoch over ${fmt(t.n)} samples, shuffled, timed whole ` +
      `(a fresh model per batch size, first trained for ${fmt(t.pretrainSteps)} untimed steps to reach its steady state, ` +
      "see the subnormals below; the time includes copying the data into wasm memory, shuffling and gathering batches, the gate, its L1 penalty and clip). " +
      "tfjs: the same dense stack **without the gate** (tfjs has no BSF layer), `model.trainOnBatch` on batches already " +
      "held as tensors, no shuffling, timed from a fresh model (pretraining it would take minutes on the cpu backend). " +
      "These differences can only favour tfjs.",
    "",
    ...trainTable(t),
    "",
    `Parameters: bsfnet ${fmt(t.params.bsfnet)} (${t.params.bsfnetGate} of them the gate), tfjs ${fmt(t.params.tfjs)}.`,
    "",
    `Reference points, ${REFERENCE.source}: tfjs-wasm about ${fmt(REFERENCE.trainBatch32["tfjs-wasm"])} samples/s and ` +
      `PyTorch's CPU build about ${fmt(REFERENCE.trainBatch32["pytorch-cpu"])} samples/s at batch 32; the aim is at least ` +
      `${fmt(REFERENCE.aimBatch32)}. Measured here at batch 32, bsfnet: ${fmt(b32)} samples/s, ` +
      `${(b32 / REFERENCE.trainBatch32["pytorch-cpu"]).toFixed(2)}× the quoted PyTorch figure and ` +
      `${(b32 / REFERENCE.aimBatch32).toFixed(2)}× the aim.`,
    "",
    "## Anatomy of a bsfnet training step",
    "",
    "Every kernel call of the real training step: the model's own `fit` on a runtime whose kernels are wrapped in a " +
      "timer (bench/lib/trace.ts), on a fresh model; per kernel, its µs per step, the median over the epoch's steps " +
      "after 4 warm-up steps (bench/train/step.ts). The gap to the measured `fit` step is JavaScript (the loop, layer " +
      "calls, crossing into wasm, the timer itself), per-fit work (copying the data into wasm memory, shuffling), " +
      "subnormal Adam moments, and disturbance " +
      "from other processes. Subnormals: after ~1,000 steps on this data two thirds of a batch's gradient entries are " +
      "exactly zero (first-layer rows behind closed gates, units a ReLU silenced for the whole batch); each zero " +
      "multiplies an Adam first moment by β1, so moments decay toward the subnormal range, where x86 float " +
      "arithmetic is several times slower and wasm has no flush-to-zero mode: the optimizer clears moments below " +
      "1e-30 every 32 steps (`flush_tiny`), which keeps them out of it. The closed gates' inputs, zero in every row, " +
      "are left out of the first dense layer's products from then on (docs/design/dense-columns.md); this table's " +
      "fresh model has them all open.",
    "",
    ...stepTable(st, t),
    "",
    "## Dense kernels",
    "",
    "bsfnet: `dense_forward` (out = x W + b) and `dense_backward` (dx = dy Wᵀ, dW += xᵀ dy, db += Σ dy) called directly " +
      "on wasm memory. tfjs: `tf.fused.matMul` with bias (what `tf.layers.dense` runs) and, for backward, " +
      "`matMul(dy, W, false, true)`, `matMul(x, dy, true, false)`, `sum(dy, 0)` (the gradients tfjs computes for it). " +
      "GFLOP/s = 2·B·in·out (forward) or 4·B·in·out (backward) / median time. The max abs diff column compares one " +
      "call's outputs of bsfnet and tfjs-wasm.",
    "",
    ...kernelTable(k),
    "",
    "Whole network (all five dense layers, FLOPs over summed times):",
    "",
    ...networkTable(k),
    "",
    `Reference points, ${REFERENCE.source}: a register-blocked f32x4 GEMM in AssemblyScript about ` +
      `${REFERENCE.gemmGflops["assemblyscript-f32x4"]} GFLOP/s, tfjs-wasm's XNNPACK about ${REFERENCE.gemmGflops["tfjs-wasm-xnnpack"]}.`,
    "",
  ].join("\n");
}

const started = new Date();
const snap0 = cpuSnapshot();
const loadBefore = load();
const tfi = await initTf();
const machine: Machine = {
  node: process.version,
  v8: process.versions.v8,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model.trim() ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
};
console.log(
  `bsfnet bench${quick ? " (quick)" : ""}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${loadBefore.join(" ")}`,
);
console.log(`tfjs ${tfi.version}: wasm ${tfi.wasmBinary}, threads ${tfi.threads}; cpu backend`);
await ready();
const defaultBuild = loadedWasmBuild() ?? "unknown";
console.log(`bsfnet's default build (the CLI's, and the tfjs sections'): ${defaultBuild}`);

// --- issue 12: GEMM of both builds, two threads, peers, the Worker under load
const root = new URL("../", import.meta.url);
const { builds, relaxedReason } = await loadBuilds(root);
type GemmFn = (o: {
  quick: boolean;
  wasm: "simd128" | "relaxed";
}) => Promise<Partial<GemmFigures>> | Partial<GemmFigures>;
const gemmFn = await optionalExport<GemmFn>(
  new URL("train/gemm-speed.ts", import.meta.url),
  "measureGemm",
  "packed GEMM bench",
);
const gemm: SummaryInput["gemm"] = {
  simd128: { value: null, reason: "not measured" },
  relaxed: { value: null, reason: relaxedReason ?? "not measured" },
};
// Two rounds where measureGemm runs and not --quick: here and again near the end of the run, each
// figure the better of the two (the second round before the load test): a kernel's GFLOP/s is its undisturbed speed,
// and this VM's swings by a third within minutes (tn relaxed 41.4 in one run's first minute, 49.7
// in a run of measureGemm alone right after it).
const gemmRounds = gemmFn.fn && !quick ? 2 : 1;
const gemmSource = gemmFn.fn
  ? `bench/train/gemm-speed.ts measureGemm${gemmRounds === 2 ? ", the better of a round at the run's start and one near its end" : ""}`
  : `bench/peers/gemm.ts (${gemmFn.reason})`;
console.log(`GEMM GFLOP/s (${gemmSource}):`);
for (const b of builds) {
  try {
    const g = gemmFn.fn ? await gemmFn.fn({ quick, wasm: b.name }) : measureGemmFallback(b.rt, quick);
    gemm[b.name] = { value: g };
    console.log(`  ${b.name}: 512³ ${g["512"]?.toFixed(1)}, 1024³ ${g["1024"]?.toFixed(1)}, tn ${g.tn?.toFixed(1)}`);
  } catch (e) {
    gemm[b.name] = { value: null, reason: `GEMM bench failed: ${(e as Error).message.split("\n")[0]}` };
  }
}
console.log("what this machine's instruction sets allow (bench/ceiling/):");
let ceilingRun: Maybe<CeilingRun>;
try {
  ceilingRun = {
    value: await measureCeiling({ quick, log: console.log, gemm: { figures: gemm, source: gemmSource } }),
  };
} catch (e) {
  console.log(`  ceiling failed: ${(e as Error).stack}`);
  ceilingRun = { value: null, reason: `ceiling bench failed: ${(e as Error).message.split("\n")[0]}` };
}
type ThreadsFn = (o: { quick: boolean }) => Promise<ThreadsResult>;
const threadsFn = await optionalExport<ThreadsFn>(
  new URL("train/threads.ts", import.meta.url),
  "measureThreads",
  "threads: fit({threads})",
);
let threads: SummaryInput["threads"] = { value: null, reason: threadsFn.fn ? "not measured" : threadsFn.reason };
let threadsRaw: unknown = null;
if (threadsFn.fn) {
  console.log("two threads (bench/train/threads.ts measureThreads):");
  try {
    threadsRaw = await threadsFn.fn({ quick });
    const cnn = (threadsRaw as ThreadsResult).cnn;
    threads = { value: { cnn: { b32: cnn?.b32?.speedup, b128: cnn?.b128?.speedup } } };
    console.log(`  ${JSON.stringify(threadsRaw)}`);
  } catch (e) {
    threads = { value: null, reason: `measureThreads failed: ${(e as Error).message.split("\n")[0]}` };
  }
} else console.log(`two threads: ${threadsFn.reason}`);
console.log("peers, the paper's three nets (samples/s):");
const peersSnap0 = cpuSnapshot();
let peers: Maybe<PeerResults>;
try {
  peers = {
    value: await benchPeers({
      quick,
      log: console.log,
      builds,
      relaxedReason,
      twoThreads: threadsFn.fn ? true : threadsFn.reason,
    }),
  };
} catch (e) {
  console.log(`  peers failed: ${(e as Error).stack}`);
  peers = { value: null, reason: (e as Error).message.split("\n")[0] };
}
const peersOthers = othersCores(peersSnap0, cpuSnapshot());
// ---

console.log("training (samples/s):");
const train = await benchTrain({ quick, log: console.log });
console.log("dense kernels (GFLOP/s):");
const kernels = await benchKernels({ quick, log: console.log });
console.log("training step anatomy (µs):");
const step = await benchStep({ quick, log: console.log });
// --- Table 6 CNN (issue 3): its own section, load and results.json key
const cnnSnap0 = cpuSnapshot();
const cnn = await benchCnnSection({ quick, log: console.log });
const cnnOthers = othersCores(cnnSnap0, cpuSnapshot());
// ---
// GEMM, second round (gemmRounds): each figure the better of the two
if (gemmRounds === 2 && gemmFn.fn) {
  console.log("GEMM GFLOP/s, second round:");
  for (const b of builds) {
    const first = gemm[b.name].value;
    if (!first) continue;
    try {
      const g = await gemmFn.fn({ quick, wasm: b.name });
      console.log(`  ${b.name}: 512³ ${g["512"]?.toFixed(1)}, 1024³ ${g["1024"]?.toFixed(1)}, tn ${g.tn?.toFixed(1)}`);
      gemm[b.name] = { value: betterGemm(first, g) };
    } catch (e) {
      console.log(`  ${b.name}: second round failed (${(e as Error).message.split("\n")[0]}); the first round stands`);
    }
  }
}
// last: its clients and workerd take both cores
console.log("the Worker under load:");
const loadOpts = quick
  ? { clients: 4, seconds: 2, rows: 8, warmup: 1 }
  : { clients: 16, seconds: 10, rows: 8, warmup: 10 };
const loadCommand = `npm run bench:load -- --clients ${loadOpts.clients} --seconds ${loadOpts.seconds} --rows ${loadOpts.rows} --warmup ${loadOpts.warmup}`;
let loadRun: Maybe<LoadResults>;
try {
  loadRun = { value: await workerLoad(loadOpts, console.log) };
} catch (e) {
  loadRun = { value: null, reason: `load test failed: ${(e as Error).message.split("\n")[0]}` };
}
const snap1 = cpuSnapshot();
const wall = snap1.wall - snap0.wall;
const busy = {
  others: othersCores(snap0, snap1),
  loadBefore,
  loadAfter: load(),
};
const seconds = wall / 1000;
const when = started.toISOString().replace(/\.\d+Z$/, "Z");
const rev = gitRev();

console.log("");
console.log(
  [
    "Training:",
    ...trainTable(train),
    "",
    "Whole network, dense kernels:",
    ...networkTable(kernels),
    "",
    "Step anatomy:",
    ...stepTable(step, train),
  ].join("\n"),
);
console.log(["", ...cnnConsole(cnn)].join("\n"));
console.log(`\nother processes used ${busy.others.toFixed(2)} cores on average; ${seconds.toFixed(0)} s`);

const summary = assembleSummary({
  peers,
  threads,
  gemm,
  load: loadRun.value ? { value: loadSummary(loadRun.value) } : { value: null, reason: loadRun.reason },
  ceiling: ceilingRun.value ? { value: toMeasured(ceilingRun.value) } : { value: null, reason: ceilingRun.reason },
  commit: rev,
  date: when,
});
const checks = headlineChecks(summary, peers.value, loadRun.value?.rssStartMiB ?? null);
console.log(["", "Headline checks (issue 12):", ...checksMarkdown(checks)].join("\n"));

const out = outDir ?? here;
if (!quick || outDir) {
  const headline = [
    "## Issue 12: what it must show",
    "",
    `Measured in this run (the same figures as \`bench/summary.json\`). bsfnet's build: ${defaultBuild} by default ` +
      `(relaxed SIMD ${relaxedOn ? "enabled" : `not available: ${relaxedReason ?? "BSFNET_WASM=simd128"}`}); GEMM: ${gemmSource}; ` +
      `two threads: ${threadsFn.fn ? "bench/train/threads.ts measureThreads" : threadsFn.reason}. ` +
      "Last column: the best ratio one thread could reach if bsfnet's kernels ran at this core's measured wasm peak " +
      'while the peer stays as measured (see "What this machine\'s instruction sets allow" below); rows marked ' +
      "**two threads** are for reference beside the one-thread targets." +
      (busy.others > 0.2 ? " **The machine was busy: re-run on a quiet machine before quoting these.**" : ""),
    "",
    ...checksMarkdown(checks),
    "",
    ...(Object.keys(summary.reasons).length
      ? ["Missing figures:", "", ...Object.entries(summary.reasons).map(([k, v]) => `- \`${k}\`: ${v}`), ""]
      : []),
    ...(peers.value ? peersMarkdown(peers.value, peersOthers) : [`Peers: not measured (${peers.reason}).`, ""]),
    ...(ceilingRun.value
      ? ceilingMarkdown(ceilingRun.value, summary.ceiling, peers.value)
      : ["## What this machine's instruction sets allow (one thread)", "", `Not measured: ${ceilingRun.reason}.`, ""]),
    "## The Worker under load",
    "",
    ...(loadRun.value
      ? [
          `From bench/LOAD.md (written by this run; alone: \`${loadCommand}\`):`,
          "",
          ...loadMarkdown(loadRun.value, loadCommand).split("\n").slice(4),
        ]
      : [`Not measured: ${loadRun.reason}.`, ""]),
  ];
  const md = [
    report(machine, tfi, kernels, train, step, when, rev, busy, seconds).replace(
      "\n## Training step, Musk2-shaped network",
      `\n${headline.join("\n")}\n## Training step, Musk2-shaped network`,
    ),
    ...cnnMarkdown(cnn, cnnOthers),
    ...inferMarkdown(here),
    "",
  ].join("\n");
  writeFileSync(path.join(out, "RESULTS.md"), md);
  const json = {
    command: "npm run bench",
    date: when,
    commit: rev,
    machine,
    tfjs: tfi,
    load: busy,
    seconds,
    reference: REFERENCE,
    train,
    kernels,
    step,
    impls: IMPLS,
    cnn: { ...cnn, others: cnnOthers, reference: CNN_REFERENCE },
    defaultBuild,
    gemm: { source: gemmSource, ...gemm },
    threads: threadsRaw ?? threads,
    peers: peers.value ? { ...peers.value, others: peersOthers } : peers,
    ceiling: ceilingRun.value ?? ceilingRun,
    checks,
  };
  writeFileSync(path.join(out, "results.json"), `${JSON.stringify(json, null, 1)}\n`);
  writeFileSync(path.join(out, "summary.json"), `${JSON.stringify(summary, null, 1)}\n`);
  if (loadRun.value) writeLoad(loadRun.value, loadCommand, out);
  if (ceilingRun.value) writeCeiling(out, ceilingRun.value, summary.ceiling, peers.value, "npm run bench");
  console.log(
    `wrote ${out}/RESULTS.md, results.json, summary.json, LOAD.md, load-results.json, CEILING.md and ceiling-results.json`,
  );
}
