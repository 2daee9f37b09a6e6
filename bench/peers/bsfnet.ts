// bsfnet's and onnxruntime-node's side of the peer benchmark: training samples/s of a new model in
// its first steps (fresh) and after its whole run (steady), inference samples/s of bsfnet/infer
// and of onnxruntime-node on bsfnet's ONNX export of the same model; on two threads, bsfnet's
// `model.predict(x, { threads: 2 })` and an onnxruntime-node session of two intra-op threads.
// Warm-up is by time, not by a count of calls: V8 runs wasm on its baseline compiler for the
// first 0.2-0.3 s and swaps in optimized code from a background thread.
import * as ort from "onnxruntime-node";
import type { Runtime } from "../../src/runtime/runtime.js";
import { Sequential } from "../../src/index.js";
import { threadRuntime } from "../../src/runtime/threads.js";
import { InferenceModel } from "../../src/infer/index.js";
import { modelToBytes } from "../../src/io/file.js";
import { toOnnx } from "../../src/export/onnx.js";
import { bsfnetNet, type NetPlan } from "./nets.js";

/** Steps of one bsfnet `fit` run: whole epochs over n rows, at least plan.steps. */
export function trainSteps(plan: NetPlan, n: number, B: number): { epochs: number; steps: number } {
  const perEpoch = Math.ceil(n / B);
  const epochs = Math.max(1, Math.ceil(plan.steps / perEpoch));
  return { epochs, steps: epochs * perEpoch };
}

/** Fresh and steady samples/s from the end times of a run's steps (stamps[i]: step i ended).
 * Fresh: steps 1..window (step 0 also plans memory and uploads the data); steady: the last window. */
export function freshSteady(stamps: number[], B: number, window: number): { fresh: number; steady: number } {
  const n = stamps.length;
  if (n < window + 1) throw new Error(`${n} steps timed, fewer than the window ${window} + 1`);
  const fresh = (stamps[window] - stamps[0]) / window;
  const steady = (stamps[n - 1] - stamps[n - 1 - window]) / window;
  return { fresh: (B / fresh) * 1000, steady: (B / steady) * 1000 };
}

async function newModel(plan: NetPlan, rt: Runtime): Promise<Sequential> {
  const m = bsfnetNet(plan);
  await m.build(undefined, rt);
  return m;
}

export interface TrainOptions {
  threads?: number;
  warmupSeconds: number;
}

/** One training row: a throwaway model trains for warmupSeconds (the engine), then a new model's
 * whole run is timed step by step. */
export async function bsfnetTrain(
  plan: NetPlan,
  data: { x: Float32Array; y: Int32Array },
  B: number,
  rt: Runtime,
  o: TrainOptions,
): Promise<{ fresh: number; steady: number; steps: number }> {
  const extra = o.threads && o.threads > 1 ? { threads: o.threads } : {};
  const D = plan.inputs;
  const warm = await newModel(plan, rt);
  const wx = data.x.subarray(0, 4 * B * D);
  const wy = data.y.subarray(0, 4 * B);
  const t0 = performance.now();
  do await warm.fit(wx, wy, { epochs: 1, batchSize: B, verbose: 0, ...extra });
  while (performance.now() - t0 < o.warmupSeconds * 1000);
  warm.dispose();

  const model = await newModel(plan, rt);
  const { epochs } = trainSteps(plan, data.y.length, B);
  const stamps: number[] = [];
  // (one awaited callback per step: a microtask, ~1 µs against steps of 100 µs and more)
  await model.fit(data.x, data.y, {
    epochs,
    batchSize: B,
    verbose: 0,
    shuffle: true,
    callbacks: [{ onBatchEnd: () => void stamps.push(performance.now()) }],
    ...extra,
  });
  model.dispose();
  return { ...freshSteady(stamps, B, plan.window), steps: stamps.length };
}

export interface InferSide {
  model: Sequential;
  bsfnet: InferenceModel;
  ort: ort.InferenceSession | null;
  ortReason?: string;
  dispose(): Promise<void>;
}

/** A model of the net (seed 0, untrained: inference costs the same whatever the weights, but for
 * a one-row call's dense layers, which skip zero inputs from 40%: the MLPs' hidden layers see about
 * 50% on this data, the CNN's dense layer 30%, under its 50%; trained on MNIST, 80%:
 * bench/infer/zeros.ts) as bsfnet/infer on the given build and as an onnxruntime-node session
 * (one thread). */
export async function inferSide(plan: NetPlan, rt: Runtime, wasm: BufferSource): Promise<InferSide> {
  const model = await newModel(plan, rt);
  const bsfnet = await InferenceModel.load(wasm as Uint8Array, modelToBytes(model));
  let session: ort.InferenceSession | null = null;
  let ortReason: string | undefined;
  try {
    session = await ort.InferenceSession.create(toOnnx(model), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
    });
  } catch (e) {
    ortReason = `onnxruntime-node: ${(e as Error).message.split("\n")[0]}`;
  }
  return {
    model,
    bsfnet,
    ort: session,
    ortReason,
    async dispose() {
      await session?.release();
      model.dispose();
    },
  };
}

/** Median seconds of a call of each fn, the engines taking turns: after each one's warm-up, R
 * rounds in which every fn runs for seconds / R in turn, so a machine that slows down or speeds
 * up during the measurement (memory bandwidth shared with other VMs, a neighbour's burst) moves
 * every engine's figure alike and the ratios within the run stay fair. */
export async function interleavedSeconds(
  fns: (() => unknown)[],
  warmupSeconds: number,
  seconds: number,
  rounds = 5,
): Promise<number[]> {
  for (const fn of fns) {
    const t0 = performance.now();
    do await fn();
    while (performance.now() - t0 < warmupSeconds * 1000);
  }
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let e = 0; e < fns.length; e++) {
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < (seconds * 1000) / rounds || n < 1) {
        const s = performance.now();
        await fns[e]();
        samples[e].push(performance.now() - s);
        n++;
      }
    }
  }
  return samples.map((v) => {
    v.sort((a, b) => a - b);
    return v[v.length >> 1] / 1000;
  });
}

/** An engine's call at one batch size, and what it computes (to check it against bsfnet's). */
export interface InferCall {
  run: () => unknown;
  output: () => Promise<Float32Array>;
}

/** bsfnet/infer's predict on the first B rows. */
export function bsfnetCall(side: InferSide, x: Float32Array, B: number): InferCall {
  const xb = x.slice(0, B * side.bsfnet.inputSize);
  return { run: () => side.bsfnet.predict(xb), output: async () => side.bsfnet.predict(xb) };
}

/** An onnxruntime-node session's run on the first B rows. */
export function ortCall(sess: ort.InferenceSession, plan: NetPlan, x: Float32Array, B: number): InferCall {
  const shape = plan.kind === "cnn" ? [B, 28, 28, 1] : [B, plan.inputs];
  const feeds = { [sess.inputNames[0]]: new ort.Tensor("float32", x.slice(0, B * plan.inputs), shape) };
  return {
    run: () => sess.run(feeds),
    output: async () => (await sess.run(feeds))[sess.outputNames[0]].data as Float32Array,
  };
}

/** predict(x, { threads }) of a model on the shared-memory runtime (its pool kept across calls). */
export function threadsCall(
  side: InferSide,
  model: Sequential,
  x: Float32Array,
  B: number,
  threads: number,
): InferCall {
  const xb = x.slice(0, B * side.bsfnet.inputSize);
  return { run: () => model.predict(xb, { threads }), output: () => model.predict(xb, { threads }) };
}

/** The largest |a - b|. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** An onnxruntime-node session of the side's model on `threads` intra-op threads (parallel within
 * each operator: the only parallelism a sequential net has), or the reason it cannot start. */
export async function ortSession(
  side: InferSide,
  threads: number,
): Promise<{ session: ort.InferenceSession | null; reason?: string }> {
  try {
    const session = await ort.InferenceSession.create(toOnnx(side.model), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
    });
    return { session };
  } catch (e) {
    return { session: null, reason: `onnxruntime-node: ${(e as Error).message.split("\n")[0]}` };
  }
}

/** The side's model copied onto the shared-memory runtime, for `predict(x, { threads })`. */
export async function threadedModel(side: InferSide): Promise<Sequential> {
  return Sequential.fromSpec(side.model.toSpec(), (await threadRuntime()).rt);
}
