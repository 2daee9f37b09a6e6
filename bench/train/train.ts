// Training throughput (samples/s) of the Musk2-shaped network, one thread, batch 32 and 128, on
// random standardized inputs with a learnable label (bench/train/musk2.ts: randomData).
// bsfnet: model.fit for one epoch over N random standardized samples, after PRETRAIN_STEPS untimed
// steps so the model is in its steady state (shuffled; the time includes
// fit's own work: copying the data into wasm memory, shuffling, gathering each batch, the BSF gate
// and its L1 penalty and clip). tfjs: the same dense stack without a gate (tfjs has none), Adam and
// sparse categorical cross-entropy, one model.trainOnBatch per step on batches already held as
// tensors (tfjs' fastest path: no shuffling, no per-epoch work), on the wasm and cpu backends.
// Both choices only favour tfjs.
// Run alone: npx tsx bench/train/train.ts [--quick]
import { pathToFileURL } from "node:url";
import { BATCHES, INPUTS, bsfnetModel, randomData, tfjsModel } from "./musk2.js";
import { initTf, tf, useBackend, type Impl, type TfBackend } from "../lib/tfjs.js";
import { load, measureAsync, type MeasureOptions, type Timing } from "../lib/measure.js";

/** Untimed training steps of each bsfnet model before it is timed. */
export const PRETRAIN_STEPS = 2048;

export interface TrainRow {
  B: number;
  /** samples per timed operation: N for a bsfnet fit call, B for a tfjs trainOnBatch */
  samplesPerOp: Record<Impl, number>;
  timing: Record<Impl, Timing>;
  samplesPerSecond: Record<Impl, number>;
}

export interface TrainResults {
  /** samples per bsfnet fit call */
  n: number;
  /** untimed steps of each bsfnet model before timing (0 in quick mode) */
  pretrainSteps: number;
  rows: TrainRow[];
  params: { bsfnet: number; bsfnetGate: number; tfjs: number };
  load: { before: number[]; after: number[] };
  seconds: number;
}

export async function benchTrain(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<TrainResults> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const before = load();
  await initTf();
  const n = opts.quick ? 1024 : 4096;
  const mo: MeasureOptions = opts.quick ? { warmup: 100, time: 300 } : { warmup: 600, time: 2500 };
  const { x, y } = randomData(n, 3);

  const timing: Record<number, Partial<Record<Impl, Timing>>> = {};
  for (const B of BATCHES) timing[B] = {};

  // bsfnet: a fresh model (same seed) for each batch size, so both start from the same state
  const params = { bsfnet: 0, bsfnetGate: INPUTS, tfjs: 0 };
  for (const B of BATCHES) {
    const model = bsfnetModel(0);
    await model.build();
    params.bsfnet = model.paramCount;
    // steady state first: train PRETRAIN_STEPS steps (untimed), past the point where the Adam
    // moments of zero-gradient entries have decayed into the subnormal range (bench/train/step.ts)
    const pretrain = opts.quick ? 0 : Math.ceil((PRETRAIN_STEPS * B) / n);
    if (pretrain) await model.fit(x, y, { epochs: pretrain, batchSize: B, shuffle: true, verbose: 0 });
    timing[B].bsfnet = await measureAsync(
      `bsfnet fit B=${B}`,
      () => model.fit(x, y, { epochs: 1, batchSize: B, shuffle: true, verbose: 0 }),
      mo,
    );
    model.dispose();
    log(`  bsfnet     B=${String(B).padEnd(4)} ${((n / timing[B].bsfnet!.ms) * 1000).toFixed(0)} samples/s`);
  }

  // tfjs: a pool of batches, cycled
  for (const backend of ["wasm", "cpu"] as TfBackend[]) {
    await useBackend(backend);
    const impl: Impl = backend === "wasm" ? "tfjs-wasm" : "tfjs-cpu";
    for (const B of BATCHES) {
      const m = tfjsModel(tf);
      params.tfjs = m.countParams();
      const pool: [tf.Tensor, tf.Tensor][] = [];
      for (let s = 0; s + B <= n && pool.length < 16; s += B) {
        pool.push([
          tf.tensor2d(x.subarray(s * INPUTS, (s + B) * INPUTS), [B, INPUTS]),
          tf.tensor2d(Float32Array.from(y.subarray(s, s + B)), [B, 1]),
        ]);
      }
      let i = 0;
      timing[B][impl] = await measureAsync(
        `${impl} trainOnBatch B=${B}`,
        async () => {
          const [xb, yb] = pool[i++ % pool.length];
          return m.trainOnBatch(xb, yb);
        },
        mo,
      );
      for (const [a, b] of pool) tf.dispose([a, b]);
      log(`  ${impl.padEnd(10)} B=${String(B).padEnd(4)} ${((B / timing[B][impl]!.ms) * 1000).toFixed(0)} samples/s`);
      m.optimizer.dispose();
      m.dispose();
    }
  }

  const rows: TrainRow[] = BATCHES.map((B) => {
    const samplesPerOp = { bsfnet: n, "tfjs-wasm": B, "tfjs-cpu": B };
    const t = timing[B] as Record<Impl, Timing>;
    const sps = Object.fromEntries(
      (Object.keys(samplesPerOp) as Impl[]).map((i) => [i, (samplesPerOp[i] / t[i].ms) * 1000]),
    ) as Record<Impl, number>;
    return { B, samplesPerOp, timing: t, samplesPerSecond: sps };
  });
  return {
    n,
    pretrainSteps: opts.quick ? 0 : PRETRAIN_STEPS,
    rows,
    params,
    load: { before, after: load() },
    seconds: (performance.now() - t0) / 1000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchTrain({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(`params: bsfnet ${r.params.bsfnet} (gate ${r.params.bsfnetGate}), tfjs ${r.params.tfjs}`);
  console.log(`load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}; ${r.seconds.toFixed(1)} s`);
}
