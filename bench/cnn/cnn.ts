// Training throughput (samples/s) of the paper's Table 6 CNN at batch 32, one thread:
// 28x28x1 → conv 3x3x32 ReLU → conv 3x3x64 ReLU → max-pool 2x2 → flatten → dense 128 ReLU →
// dropout 0.5 → dense 10 softmax; Adam; sparse categorical cross-entropy; random [0, 1) images,
// labels 0..9.
// bsfnet: `model.fit` for one epoch over N samples (shuffled), timed whole, the network as
// `table6Cnn()` builds it (src/experiments/attention.ts), plain and with the per-pixel input gate
// of the attention experiment. tfjs: the same network from tf.layers, `trainOnBatch` on batches
// already held as tensors, on the wasm and cpu backends.
// tfjs 4.22's wasm backend cannot train it: it has no Conv2DBackpropFilter kernel. The table gives
// the error, then tfjs-wasm with the fallback kernel of bench/cnn/conv.ts (built from the backend's own
// Conv2D), and tfjs-cpu, whose Conv2DBackpropFilter is a scalar JavaScript loop (about a minute
// per step: timed over one step). Inference (forward only, batch 32) is timed for all three.
// Run alone: npx tsx bench/cnn/cnn.ts [--quick]
import { pathToFileURL } from "node:url";
import type * as tfType from "@tensorflow/tfjs";
import { Adam, type Sequential } from "../../src/index.js";
import { table6Cnn } from "../../src/experiments/attention.js";
import { initTf, tf, useBackend, type TfBackend } from "../lib/tfjs.js";
import { load, measureAsync, measureSync, type MeasureOptions, type Timing } from "../lib/measure.js";
import { registerWasmFilterGradFallback, uniform, unregisterWasmFilterGradFallback } from "./conv.js";

export const CNN_BATCH = 32;
export const IMAGE = [28, 28, 1] as const;
export const CLASSES = 10;
/** Trainable parameters of Table 6 (the paper's Table 4: 1,199,882). */
export const TABLE6_PARAMS = 1_199_882;
/** The input gate of the attention experiment (`bsfnet attention mnist`): one weight per pixel. */
export const GATE = { penalty: 0.0003, init: 0.9 };

/** The Table 6 CNN in bsfnet, plain or behind the per-pixel input gate; Adam with Keras defaults. */
export function bsfnetCnn(gated: boolean, seed = 0): Sequential {
  return table6Cnn(gated ? GATE : undefined).compile({ optimizer: new Adam(), seed });
}

/** The same network in tfjs (no gate: tfjs has none). */
export function tfjsCnn(tfm: typeof tfType): tfType.Sequential {
  const m = tfm.sequential();
  m.add(tfm.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", inputShape: [...IMAGE] }));
  m.add(tfm.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }));
  m.add(tfm.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfm.layers.flatten());
  m.add(tfm.layers.dense({ units: 128, activation: "relu" }));
  m.add(tfm.layers.dropout({ rate: 0.5 }));
  m.add(tfm.layers.dense({ units: CLASSES, activation: "softmax" }));
  m.compile({ optimizer: tfm.train.adam(0.001), loss: "sparseCategoricalCrossentropy" });
  return m;
}

/** n random images in [0, 1) and labels 0..9, reproducible. */
export function randomImages(n: number, seed = 1): { x: Float32Array; y: Int32Array } {
  const x = uniform(n * IMAGE[0] * IMAGE[1] * IMAGE[2], seed);
  const u = uniform(n, seed + 1);
  return { x, y: Int32Array.from(u, (v) => Math.floor(v * CLASSES)) };
}

export type CnnImpl = "bsfnet" | "bsfnet-gated" | "tfjs-wasm" | "tfjs-wasm+fallback" | "tfjs-cpu";
export const CNN_IMPLS: CnnImpl[] = ["bsfnet", "bsfnet-gated", "tfjs-wasm", "tfjs-wasm+fallback", "tfjs-cpu"];

export interface CnnEntry {
  /** samples per timed operation: N for a bsfnet fit or predict call, B for tfjs */
  samplesPerOp: number;
  timing: Timing;
  samplesPerSecond: number;
  /** samples/s of the fastest sample (the least disturbed on a shared machine) */
  bestSamplesPerSecond: number;
}

export interface CnnResults {
  B: number;
  /** samples per bsfnet fit / predict call */
  n: number;
  /** null: could not run (tfjs-wasm training), or not measured (--quick skips tfjs-cpu training) */
  train: Record<CnnImpl, CnnEntry | null>;
  /** forward only, inference mode (gate deterministic, dropout off) */
  infer: Partial<Record<CnnImpl, CnnEntry>>;
  /** why an entry is null */
  notes: Partial<Record<CnnImpl, string>>;
  params: { bsfnet: number; bsfnetGated: number; tfjs: number };
  load: { before: number[]; after: number[] };
  seconds: number;
}

const entry = (samplesPerOp: number, timing: Timing): CnnEntry => ({
  samplesPerOp,
  timing,
  samplesPerSecond: (samplesPerOp / timing.ms) * 1000,
  bestSamplesPerSecond: (samplesPerOp / timing.minMs) * 1000,
});

export async function benchCnn(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<CnnResults> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const before = load();
  await initTf();
  const B = CNN_BATCH;
  const n = opts.quick ? 256 : 512;
  const mo: MeasureOptions = opts.quick ? { warmup: 200, time: 600 } : { warmup: 1000, time: 4000 };
  // tfjs steps of a second: one warmup call, three timed
  const slow: MeasureOptions = { warmup: 0, warmupIterations: 1, time: 0, iterations: opts.quick ? 1 : 3 };
  const { x, y } = randomImages(n, 3);
  const px = IMAGE[0] * IMAGE[1] * IMAGE[2];

  const train: Partial<Record<CnnImpl, CnnEntry | null>> = {};
  const infer: Partial<Record<CnnImpl, CnnEntry>> = {};
  const notes: Partial<Record<CnnImpl, string>> = {};
  const params = { bsfnet: 0, bsfnetGated: 0, tfjs: 0 };
  const show = (what: string, impl: CnnImpl, e: CnnEntry | null) =>
    log(
      `  ${what} ${impl.padEnd(18)} ${e ? `${e.samplesPerSecond.toFixed(1)} samples/s (best sample ${e.bestSamplesPerSecond.toFixed(1)})` : notes[impl]}`,
    );

  for (const gated of [false, true]) {
    const impl: CnnImpl = gated ? "bsfnet-gated" : "bsfnet";
    const model = bsfnetCnn(gated, 0);
    await model.build();
    params[gated ? "bsfnetGated" : "bsfnet"] = model.paramCount;
    train[impl] = entry(
      n,
      await measureAsync(
        `${impl} fit`,
        () => model.fit(x, y, { epochs: 1, batchSize: B, shuffle: true, verbose: 0 }),
        mo,
      ),
    );
    show("train", impl, train[impl]!);
    infer[impl] = entry(
      n,
      await measureSync(`${impl} predict`, () => model.predictSync(x, { batchSize: B }), { ...mo, time: mo.time / 4 }),
    );
    show("infer", impl, infer[impl]!);
    model.dispose();
  }

  for (const backend of ["wasm", "cpu"] as TfBackend[]) {
    await useBackend(backend);
    const impl: CnnImpl = backend === "wasm" ? "tfjs-wasm" : "tfjs-cpu";
    const m = tfjsCnn(tf);
    params.tfjs = m.countParams();
    const pool: [tfType.Tensor, tfType.Tensor][] = [];
    for (let s = 0; s + B <= n && pool.length < 8; s += B) {
      pool.push([
        tf.tensor4d(x.subarray(s * px, (s + B) * px), [B, ...IMAGE]),
        tf.tensor2d(Float32Array.from(y.subarray(s, s + B)), [B, 1]),
      ]);
    }
    let i = 0;
    const step = () => {
      const [xb, yb] = pool[i++ % pool.length];
      return m.trainOnBatch(xb, yb);
    };
    const predict = () => {
      const [xb] = pool[i++ % pool.length];
      const p = m.predict(xb) as tfType.Tensor;
      p.dataSync();
      p.dispose();
    };
    infer[impl] = entry(
      B,
      await measureSync(`${impl} predict`, predict, backend === "wasm" ? { ...mo, time: mo.time / 4 } : slow),
    );
    show("infer", impl, infer[impl]!);

    if (backend === "wasm") {
      try {
        await step();
        train[impl] = entry(B, await measureAsync(`${impl} trainOnBatch`, step, slow));
      } catch (e) {
        train[impl] = null;
        notes[impl] = `cannot train: ${(e as Error).message}`;
      }
      show("train", impl, train[impl]!);
      registerWasmFilterGradFallback();
      try {
        train["tfjs-wasm+fallback"] = entry(B, await measureAsync(`tfjs-wasm+fallback trainOnBatch`, step, slow));
      } finally {
        unregisterWasmFilterGradFallback();
      }
      show("train", "tfjs-wasm+fallback", train["tfjs-wasm+fallback"]!);
    } else if (opts.quick) {
      train[impl] = null;
      notes[impl] = "not measured with --quick (about a minute per step)";
      show("train", impl, null);
    } else {
      // one step is about a minute (Conv2DBackpropFilter in scalar JavaScript): one timed call
      train[impl] = entry(
        B,
        await measureAsync(`${impl} trainOnBatch`, step, { warmup: 0, warmupIterations: 0, time: 0, iterations: 1 }),
      );
      show("train", impl, train[impl]!);
    }
    for (const [a, b] of pool) tf.dispose([a, b]);
    m.optimizer.dispose();
    m.dispose();
  }
  return {
    B,
    n,
    train: train as Record<CnnImpl, CnnEntry | null>,
    infer,
    notes,
    params,
    load: { before, after: load() },
    seconds: (performance.now() - t0) / 1000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchCnn({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(`params: bsfnet ${r.params.bsfnet}, gated ${r.params.bsfnetGated}, tfjs ${r.params.tfjs}`);
  console.log(`load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}; ${r.seconds.toFixed(1)} s`);
}
