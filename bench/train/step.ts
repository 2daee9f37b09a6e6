// Anatomy of a bsfnet training step of the Musk2-shaped network: the real `fit` (bench/train/train.ts's
// model and data) on a tracing runtime (bench/lib/trace.ts) that times every kernel call of every
// step; per kernel, its µs per step (median over the steps, after a few warm-up steps). The sum is
// the step's wasm time; the rest of a measured fit step (bench/train/train.ts) is JavaScript: fit's
// loop, the layer calls, the wasm boundary, and per-fit work (copying the data in, shuffling).
// The table is timed on a fresh model (fresh Adam moments). Adam is timed again in the steady state,
// after PRETRAIN_STEPS steps of the same fit: by then two thirds of the gradient entries of a batch
// are exactly zero (the first-layer rows behind closed gates, units a ReLU silenced for the whole
// batch), and each zero multiplies m by beta1, so many moments pass through the subnormal range,
// where x86 float arithmetic is many times slower (wasm has no flush-to-zero mode).
// Run alone: npx tsx bench/train/step.ts [--quick]
import { pathToFileURL } from "node:url";
import { load } from "../lib/measure.js";
import { KernelTrace, type StepPart } from "../lib/trace.js";
import { BATCHES, INPUTS, bsfnetModel, randomData } from "./musk2.js";
import { PRETRAIN_STEPS } from "./train.js";

export type { StepPart } from "../lib/trace.js";

export interface StepAnatomy {
  B: number;
  parts: StepPart[];
  /** µs per step, wasm kernels only, with fresh Adam moments */
  kernelsUs: number;
  /** µs per step of adam_step in the steady state (after `pretrainSteps` steps: subnormal moments) */
  adamSubnormalUs: number;
  /** traced steps the figures are medians of */
  steps: number;
}

export interface StepResults {
  params: number;
  /** training steps before the steady-state Adam figure */
  pretrainSteps: number;
  steps: StepAnatomy[];
  load: { before: number[]; after: number[] };
}

/** Traced steps at the start of each fit that are not counted (JIT warm-up, first touches of memory). */
const WARMUP_STEPS = 4;

export async function benchStep(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<StepResults> {
  const log = opts.log ?? (() => {});
  const before = load();
  const trace = await KernelTrace.load();
  const n = opts.quick ? 1024 : 4096; // as bench/train/train.ts
  const pretrainSteps = opts.quick ? 256 : PRETRAIN_STEPS;
  const { x, y } = randomData(n, 3);
  const fit = { shuffle: true, verbose: 0 as const, callbacks: [trace.callback()] };
  let params = 0;
  const steps: StepAnatomy[] = [];
  for (const B of BATCHES) {
    const model = bsfnetModel(0);
    await model.build([INPUTS], trace.runtime);
    params = model.paramCount;
    // fresh model: one epoch, every step traced
    trace.clear();
    await model.fit(x, y, { ...fit, epochs: 1, batchSize: B });
    const parts = trace.parts(WARMUP_STEPS);
    const counted = trace.steps.length - WARMUP_STEPS;
    // steady state: train on to pretrainSteps, then one more traced epoch
    await model.fit(x, y, { ...fit, epochs: Math.max(0, Math.ceil((pretrainSteps * B) / n) - 1), batchSize: B });
    trace.clear();
    await model.fit(x, y, { ...fit, epochs: 1, batchSize: B });
    const adam = trace.parts(WARMUP_STEPS).find((p) => p.name === "adam_step");
    if (!adam) throw new Error("no adam_step in the traced steps");
    model.dispose();
    const kernelsUs = parts.reduce((s, p) => s + p.us, 0);
    steps.push({ B, parts, kernelsUs, adamSubnormalUs: adam.us, steps: counted });
    log(
      `  B=${B}: kernels ${kernelsUs.toFixed(0)} µs per step (median of ${counted} steps); ` +
        parts.map((p) => `${p.name} ${p.us.toFixed(1)}`).join(", ") +
        `; adam_step after ${pretrainSteps} steps ${adam.us.toFixed(0)}`,
    );
  }
  return { params, pretrainSteps, steps, load: { before, after: load() } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchStep({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(`params ${r.params}; load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}`);
}
