// Anatomy of a bsfnet training step of the Table 6 CNN (plain, batch 32): the real `fit` of
// bench/cnn/cnn.ts's model on a tracing runtime (bench/lib/trace.ts) that times every kernel call of
// every step, as bench/train/step.ts does for the dense network. Convolutions and dense layers are
// told apart by their shapes (conv_1 and conv_2 run the same kernel with other arguments); per row,
// its µs per step is the median over the traced steps after a few warm-up steps. Kernels run in
// sequence as in any step, so each finds the caches the previous ones left. The sum is the step's
// wasm time; the rest of a measured fit step (bench/cnn/cnn.ts) is JavaScript and disturbance.
// Run alone: npx tsx bench/cnn/step.ts [--quick]
import { pathToFileURL } from "node:url";
import { load } from "../lib/measure.js";
import { KernelTrace, type StepPart, type TraceLabel } from "../lib/trace.js";
import { bsfnetCnn, CNN_BATCH, IMAGE, randomImages } from "./cnn.js";

export interface CnnStepResults {
  B: number;
  params: number;
  parts: StepPart[];
  /** µs per step, wasm kernels only */
  kernelsUs: number;
  /** traced steps the figures are medians of */
  steps: number;
  load: { before: number[]; after: number[] };
}

const WARMUP_STEPS = 2;

/** conv2d_* and dense_* calls labelled by their layer's shape (argument order of src/runtime/abi.ts). */
export const cnnLabel: TraceLabel = (name, a) => {
  switch (name) {
    case "conv2d_forward": // out, inp, kernel, bias, ws, B, H, W, C, OC, KH, KW, pad
      return `${name} ${a[6]}×${a[7]}×${a[8]} → ${a[9]}${a[10] === 3 && a[11] === 3 && a[8] % 4 === 0 && a[9] % 4 === 0 ? " (Winograd)" : ""}`;
    case "conv2d_backward": // dinp, dkernel, dbias, dout, inp, kernel, ws, B, H, W, C, OC, KH, KW, pad
      return `${name} ${a[8]}×${a[9]}×${a[10]} → ${a[11]}${a[12] === 3 && a[13] === 3 && a[10] % 4 === 0 && a[11] % 4 === 0 ? " (Winograd)" : ""}${a[0] ? "" : ", no dinp"}`;
    case "dense_forward": // out, inp, weight, bias, B, C, OC, relu
      return `${name} ${a[5]} → ${a[6]}`;
    case "dense_backward": // dinp, dweight, dbias, dout, inp, weight, B, C, OC
      return `${name} ${a[7]} → ${a[8]}${a[0] ? "" : ", no dinp"}`;
    case "dense_forward_train": // out, inp, weight, bias, ws, B, C, OC, relu
      return `${name} ${a[6]} → ${a[7]}`;
    case "dense_backward_train": // dinp, dweight, dbias, dout, inp, weight, ws, B, C, OC
      return `${name} ${a[8]} → ${a[9]}${a[0] ? "" : ", no dinp"}`;
    default:
      return name;
  }
};

export async function benchCnnStep(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<CnnStepResults> {
  const log = opts.log ?? (() => {});
  const before = load();
  const trace = await KernelTrace.load(cnnLabel);
  const B = CNN_BATCH;
  const counted = opts.quick ? 4 : 24;
  const model = bsfnetCnn(false);
  await model.build([...IMAGE], trace.runtime);
  const { x, y } = randomImages((WARMUP_STEPS + counted) * B, 2);
  trace.clear();
  await model.fit(x, y, { epochs: 1, batchSize: B, shuffle: true, verbose: 0, callbacks: [trace.callback()] });
  const params = model.paramCount;
  model.dispose();
  const parts = trace.parts(WARMUP_STEPS);
  const kernelsUs = parts.reduce((s, p) => s + p.us, 0);
  log(
    `  B=${B}: kernels ${kernelsUs.toFixed(0)} µs per step (median of ${counted} steps); ` +
      parts.map((p) => `${p.name} ${p.us.toFixed(0)}`).join(", "),
  );
  return { B, params, parts, kernelsUs, steps: counted, load: { before, after: load() } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchCnnStep({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(
    `params ${r.params}; ${((r.B / r.kernelsUs) * 1e6).toFixed(0)} samples/s if a step were its kernels; load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}`,
  );
}
