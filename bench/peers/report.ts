// The "Peers in the same run" section of RESULTS.md: samples/s of every engine and the ratios
// bsfnet / peer, training (fresh and steady-state rows) and inference.
import type { PeerResults } from "./peers.js";

const fmt = (v: number | null) => (v === null ? "–" : v.toLocaleString("en-US", { maximumFractionDigits: 0 }));
const rat = (a: number | null, b: number | null) =>
  a === null || b === null || b <= 0 ? "–" : `${(a / b).toFixed(2)}×`;

const PEERS_TRAIN = ["torch 1t", "torch 2t"];
const PEERS_INFER = ["ort 1t", "torch 1t", "torch 2t"];

function trainTable(p: PeerResults): string[] {
  const engines = [...p.bsfnetEngines, ...PEERS_TRAIN];
  const e = p.defaultEngine;
  const twoT = `${e} 2t`;
  const has2t = p.bsfnetEngines.includes(twoT);
  const ratioCols = [`${e} / torch 1t`, `${e} / torch 2t`, ...(has2t ? [`${twoT} / torch 2t`] : [])];
  const out = [
    `| net | batch | state | ${engines.join(" | ")} | ${ratioCols.join(" | ")} |`,
    `|---|---:|---|${engines.map(() => "---:").join("|")}|${ratioCols.map(() => "---:").join("|")}|`,
  ];
  const get = (net: string, B: number, engine: string, k: "fresh" | "steady") =>
    p.train.find((r) => r.net === net && r.B === B && r.engine === engine)?.[k] ?? null;
  for (const net of ["musk2", "kdd99", "cnn"]) {
    for (const B of p.trainBatches) {
      for (const k of ["fresh", "steady"] as const) {
        const v = engines.map((en) => get(net, B, en, k));
        const ratios = [
          rat(get(net, B, e, k), get(net, B, "torch 1t", k)),
          rat(get(net, B, e, k), get(net, B, "torch 2t", k)),
        ];
        if (has2t) ratios.push(rat(get(net, B, twoT, k), get(net, B, "torch 2t", k)));
        out.push(`| ${net} | ${B} | ${k} | ${v.map(fmt).join(" | ")} | ${ratios.join(" | ")} |`);
      }
    }
  }
  return out;
}

function inferTable(p: PeerResults): string[] {
  const e = p.defaultEngine;
  const twoT = `${e} 2t`;
  // the two-thread engines (bsfnet's predict({ threads: 2 }), ort on two intra-op threads) where measured
  const has2t = p.infer.some((r) => r.engine === twoT);
  const bs = p.bsfnetEngines.filter((x) => !x.endsWith(" 2t"));
  const engines = [...bs, ...(has2t ? [twoT] : []), ...PEERS_INFER, ...(has2t ? ["ort 2t"] : [])];
  const ratioCols = [
    `${e} / ort 1t`,
    `${e} / torch 1t`,
    `${e} / torch 2t`,
    ...(has2t ? [`${twoT} / ort 2t`, `${twoT} / ${e}`] : []),
  ];
  const out = [
    `| net | batch | ${engines.join(" | ")} | ${ratioCols.join(" | ")} |`,
    `|---|---:|${engines.map(() => "---:").join("|")}|${ratioCols.map(() => "---:").join("|")}|`,
  ];
  const get = (net: string, B: number, engine: string) =>
    p.infer.find((r) => r.net === net && r.B === B && r.engine === engine)?.sps ?? null;
  for (const net of ["musk2", "kdd99", "cnn"]) {
    for (const B of p.inferBatches) {
      const v = engines.map((en) => get(net, B, en));
      const ratios = PEERS_INFER.map((peer) => rat(get(net, B, e), get(net, B, peer)));
      if (has2t) ratios.push(rat(get(net, B, twoT), get(net, B, "ort 2t")), rat(get(net, B, twoT), get(net, B, e)));
      out.push(`| ${net} | ${B} | ${v.map(fmt).join(" | ")} | ${ratios.join(" | ")} |`);
    }
  }
  return out;
}

/** Samples/s as GFLOP/s at the largest batch: how near each engine runs to its core's ceiling
 * (one wasm SIMD128 core: 4 lanes, about 48-58 GFLOP/s here; onnxruntime-node's native AVX-512
 * kernels: 16 lanes), which bounds the ratio more than any kernel does. */
function ceilingNote(p: PeerResults): string[] {
  const flops = p.forwardFlops;
  if (!flops) return [];
  const B = Math.max(...p.inferBatches);
  const e = p.defaultEngine;
  const at = (net: string, engine: string) => {
    const sps = p.infer.find((r) => r.net === net && r.B === B && r.engine === engine)?.sps;
    return sps ? ((sps * flops[net]) / 1e9).toFixed(1) : "–";
  };
  const nets = Object.keys(flops);
  return [
    `Forward work per sample, counted directly (2 FLOPs per multiply-add, convolutions in their direct form): ${nets.map((n) => `${n} ${(flops[n] / 1e6).toFixed(2)} MFLOP`).join(", ")}. At batch ${B} that is, in GFLOP/s, ${nets.map((n) => `${n}: ${e} ${at(n, e)}, ort 1t ${at(n, "ort 1t")}`).join("; ")}.`,
    "",
  ];
}

export function peersMarkdown(p: PeerResults, others: number): string[] {
  const torch =
    "python" in p.torch
      ? `PyTorch ${p.torch.version} (CPU build, ${p.torch.python}; \`torch.set_num_threads\` 1 and 2, one inter-op thread)`
      : `PyTorch: not run (${p.torch.reason})`;
  const diffs = p.infer.filter((r) => r.maxAbsDiff !== undefined).map((r) => r.maxAbsDiff as number);
  const steps = (net: string) => p.train.find((r) => r.net === net && r.engine === p.defaultEngine);
  const notes = Object.entries(p.notes).map(([k, v]) => `- ${k}: not measured — ${v}`);
  return [
    "## Peers in the same run: the paper's three nets",
    "",
    `Measured by bench/peers/ (bench/peers/peers.ts) in this run, ${p.seconds.toFixed(0)} s; other processes used ` +
      `${others.toFixed(2)} cores on average meanwhile${others > 0.2 ? " — **busy: noisy figures**" : ""}. Samples/s; ` +
      "ratios bsfnet / peer (above 1: bsfnet is faster).",
    "",
    "- nets: the Musk2 MLP (168 → BSF gate → 168, 168, 336, 168 ReLU → 2), the KDD99 MLP (41 → BSF gate → 41, 41, 82, 41 → 23), " +
      "the Table 6 CNN (28×28×1 → conv 32, conv 64 → pool → dense 128 → dropout 0.5 → 10); softmax cross-entropy, Adam lr 1e-3 " +
      "(β 0.9 / 0.999, ε 1e-7), glorot-uniform kernels. PyTorch builds the same layers and the same BSF gate " +
      "(Bernoulli mask u < w, straight-through gradient, L1 penalty 0.01, clip to [0, 1]; scripts/reference/bench_torch.py). " +
      "Random data of each net's shape with a learnable label (bench/peers/nets.ts), the same rows for both.",
    `- engines: ${p.bsfnetEngines.join(", ")} (\`${p.defaultEngine}\` is what the CLI runs: its ratios are the headline ones); ` +
      `${torch}; onnxruntime-node ${p.ort} (one intra-op thread, sequential; \`ort 2t\`: two intra-op threads) on bsfnet's ONNX export of the same model ` +
      `(its probabilities agree with bsfnet's to ${diffs.length ? Math.max(...diffs).toExponential(1) : "–"}).`,
    `- training: each engine first trains a throwaway model for ${p.warmupSeconds} s (V8 runs wasm on its baseline compiler ` +
      "for the first 0.2–0.3 s, so the warm-up is by time), then a new model is timed step by step: **fresh** is the mean over " +
      `its steps 1–${steps("musk2")?.window ?? "?"} (step 0 also plans memory and uploads the data), **steady** over the last ` +
      `${steps("musk2")?.window ?? "?"} of ${steps("musk2")?.steps ?? "?"} steps (MLPs at batch 32; whole epochs over 4,096 rows); ` +
      `the CNN over steps 1–${steps("cnn")?.window ?? "?"} and the last ${steps("cnn")?.window ?? "?"} of ${steps("cnn")?.steps ?? "?"} ` +
      "(2,000 CNN steps at batch 128 on four engines, twice, would take the whole budget). bsfnet: one `fit`, shuffled, with a step callback; " +
      "PyTorch: a loop over shuffled index batches.",
    `- inference: the median call; the node engines take turns at each batch size (after ${p.warmupSeconds} s of calls each, five rounds in which each runs for a fifth of its time), so a machine that drifts during the measurement moves them alike; PyTorch (a process per thread count, asked for one row at a time) measures each batch size right before and right after them, the better of the two. Training: each row in ${p.rounds} alternating round(s), every bsfnet engine and then PyTorch on one and two threads, each engine's fresh and steady figures the best of its rounds (so neither side's slow minute flatters the other). bsfnet/infer (\`InferenceModel.predict\`; two threads: \`model.predict(x, { threads: 2 })\` on the shared-memory build, the same outputs bit for bit), ` +
      "`session.run`, `torch.inference_mode()` with the softmax.",
    ...notes,
    "",
    "### Training (samples/s)",
    "",
    ...trainTable(p),
    "",
    "### Inference (samples/s)",
    "",
    ...inferTable(p),
    "",
    ...ceilingNote(p),
  ];
}
