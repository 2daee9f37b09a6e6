// predict({ threads }): rows split over worker threads against one shared copy of the weights.
// Each row's forward pass is independent of the other rows' values, and the split puts every row
// in the same place of a kernel call as one thread does (predictPieces), so the outputs must equal
// one thread's bit for bit; the workers persist between calls, follow weight changes, and never
// keep the process alive. On the relaxed-SIMD build (enabled below where the engine can), whose
// GEMM edge tiles round differently from its full tiles: the build where a careless split shows.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Dropout } from "../../src/layers/dropout.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Activation } from "../../src/layers/activation.js";
import { Adam, SGD } from "../../src/optim/optimizer.js";
import { ConfigError, DataError } from "../../src/errors.js";
import { registerLayer } from "../../src/layers/registry.js";
import type { Layer } from "../../src/layers/layer.js";
import { ready } from "../../src/runtime/runtime.js";
import {
  choosePredictThreads,
  forwardFlops,
  PREDICT_ALIGN,
  PREDICT_MIN_PIECE,
  predictPieces,
  predictPlanRows,
  ThreadError,
  ThreadPool,
  threadRuntime,
} from "../../src/runtime/threads.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";

const relaxed = await enableRelaxedSimd();
import { randn, rng } from "../util/wasm.js";

type Make = () => { layers: Layer[]; shape: number[] };

const MODELS: Record<string, Make> = {
  dense: () => ({
    layers: [new Dense({ units: 37, activation: "relu" }), new Dense({ units: 3, activation: "softmax" })],
    shape: [19],
  }),
  bsf: () => ({
    layers: [
      new BSF({ penalty: 0.01, init: 0.7 }),
      new Dense({ units: 9, activation: "tanh" }),
      new BSF({ penalty: 0.02, gate: "gaussian" }),
      new Dense({ units: 6, activation: "relu" }),
      new Dropout({ rate: 0.3 }),
      new Dense({ units: 5, activation: "softmax" }),
    ],
    shape: [7],
  }),
  conv: () => ({
    layers: [
      new BSF({ shareAxis: "position", penalty: 0.01 }),
      new Conv2D({ filters: 8, kernelSize: 3, activation: "relu" }),
      new Conv2D({ filters: 4, kernelSize: 3, padding: "same", activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten({}),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    shape: [8, 9, 2],
  }),
  regression: () => ({ layers: [new Dense({ units: 8, activation: "relu" }), new Dense({ units: 2 })], shape: [5] }),
  // 400 x 400: the GEMM's packed path (K, N >= 256, K N >= 128 K) from 16 rows
  wide: () => ({
    layers: [new Dense({ units: 400, activation: "relu" }), new Dense({ units: 3, activation: "softmax" })],
    shape: [400],
  }),
};

/** A model with random weights (not the initial ones: gates half open, biases nonzero). */
async function model(make: Make, seed = 3): Promise<{ m: Sequential; D: number }> {
  const { layers, shape } = make();
  const m = new Sequential(layers, { inputShape: shape });
  m.compile({ seed, loss: make === MODELS.regression ? "mse" : undefined });
  await m.build(undefined, (await threadRuntime()).rt);
  const r = rng(seed + 100);
  m.setWeights(m.getWeights().map((w) => ({ values: w.values.map(() => r() - 0.3) })));
  return { m, D: shape.reduce((a, b) => a * b, 1) };
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("predict({ threads: 2 }): the one-thread outputs, bit for bit", () => {
  it("runs on the relaxed-SIMD build where the engine has it", () => {
    // Node 20 gets it by a V8 flag (enableRelaxedSimd); an engine without it tests SIMD128
    if (typeof process.versions.node === "string") expect(relaxed).toBe(true);
  });

  it("every model, row counts that do not split evenly, small, odd and default batch sizes", async () => {
    for (const [name, make] of Object.entries(MODELS)) {
      const { m, D } = await model(make);
      // batch sizes outside: a new batch size starts a new pool
      for (const batchSize of [256, 37, 5, 1]) {
        for (const n of [2, 3, 7, 33, 70, 301, 530]) {
          if (batchSize < 5 && n > 70) continue; // a row per call: slow, and covered at small n
          const x = randn(rng(n), n * D);
          const one = m.predictSync(x, { batchSize });
          expect(one.length).toBe(n * m.classes);
          expect(new Set(one).size, `${name}: the outputs vary`).toBeGreaterThan(1);
          const two = await m.predict(x, { threads: 2, batchSize });
          expect(same(one, two), `${name} n ${n} batch ${batchSize}`).toBe(true);
        }
      }
      await m.closeThreads();
      m.dispose();
    }
  }, 120_000);

  it("predictPieces: every row once, pieces aligned within the one-thread calls, thread 0 leads", () => {
    const A = PREDICT_ALIGN;
    for (const [n, bs, T, lead] of [
      [1, 256, 2, 0],
      [7, 256, 2, 3],
      [33, 256, 2, 0],
      [256, 256, 2, 0],
      [256, 256, 2, 54],
      [1024, 256, 2, 54],
      [530, 37, 2, 5],
      [1000, 256, 3, 10],
      [20, 5, 2, 1],
      [300, 256, 2, 400],
    ]) {
      const pieces = predictPieces(n, bs, T, lead);
      expect(pieces).toHaveLength(T);
      const seen = new Uint8Array(n);
      for (const [t, list] of pieces.entries()) {
        for (const p of list) {
          const start = Math.floor(p.row0 / bs) * bs;
          const end = Math.min(n, start + bs);
          const tag = `n ${n} bs ${bs} T ${T} thread ${t} piece ${p.row0}+${p.B}`;
          expect(p.B, tag).toBeGreaterThan(0);
          expect(p.row0 + p.B, tag).toBeLessThanOrEqual(end); // inside one one-thread call
          expect((p.row0 - start) % A, tag).toBe(0);
          const last = p.row0 + p.B === end;
          if (!last) expect((p.row0 + p.B - start) % A, tag).toBe(0);
          if (!(p.row0 === start && last)) expect(p.B, tag).toBeGreaterThanOrEqual(PREDICT_MIN_PIECE);
          expect(p.B, tag).toBeLessThanOrEqual(predictPlanRows(bs, T, t === 0 ? lead : 0));
          for (let r = p.row0; r < p.row0 + p.B; r++) seen[r]++;
        }
      }
      expect(
        [...seen].every((v) => v === 1),
        `n ${n} bs ${bs}`,
      ).toBe(true);
    }
    // an even call splits in half; a lead moves rows to thread 0, a little
    expect(predictPieces(256, 256, 2, 0).map((l) => l.map((p) => p.B))).toEqual([[128], [128]]);
    expect(predictPieces(256, 256, 2, 54).map((l) => l.map((p) => p.B))).toEqual([[156], [100]]);
    expect(predictPieces(1024, 256, 2, 54)[0].map((p) => p.B)).toEqual([156, 128, 128, 128]);
    // fewer than twice the smallest piece: one thread
    expect(predictPieces(31, 256, 2, 0).map((l) => l.length)).toEqual([1, 0]);
    expect(predictPieces(32, 256, 2, 0).map((l) => l.map((p) => p.B))).toEqual([[16], [16]]);
  });

  it("the same outputs as the model on the default (unshared) build", async () => {
    const { m, D } = await model(MODELS.conv);
    const onDefault = Sequential.fromSpec(m.toSpec(), await ready());
    const x = randn(rng(4), 40 * D);
    expect(same(onDefault.predictSync(x), await m.predict(x, { threads: 2 }))).toBe(true);
    onDefault.dispose();
    m.dispose();
  }, 30_000);

  it("a model on the default runtime moves to the shared one", async () => {
    const { layers, shape } = MODELS.dense();
    const m = new Sequential(layers, { inputShape: shape });
    m.compile({ seed: 1 });
    await m.build();
    const rt0 = m.runtime;
    const x = randn(rng(8), 40 * 19);
    const one = m.predictSync(x);
    const two = await m.predict(x, { threads: 2 });
    expect(m.runtime).not.toBe(rt0);
    expect(same(one, two)).toBe(true);
    m.dispose();
  }, 30_000);
});

describe("the predict pool", () => {
  it("persists between calls; a new batch size or closeThreads starts another", async () => {
    const start = vi.spyOn(ThreadPool, "start");
    const { m, D } = await model(MODELS.dense);
    const x = randn(rng(2), 50 * D);
    for (let i = 0; i < 4; i++) await m.predict(x, { threads: 2 });
    expect(start).toHaveBeenCalledTimes(1);
    await m.predict(x, { threads: 2, batchSize: 40 });
    expect(start).toHaveBeenCalledTimes(2);
    await m.closeThreads();
    await m.predict(x, { threads: 2, batchSize: 40 });
    expect(start).toHaveBeenCalledTimes(3);
    // one thread and calls too short to split never need it
    await m.predict(x, { threads: 1 });
    await m.predict(x.subarray(0, 31 * D), { threads: 2 });
    expect(start).toHaveBeenCalledTimes(3);
    m.dispose();
  }, 30_000);

  it("sees new weights: setWeights, fit (one and two training threads), a compile that moves the block", async () => {
    const { m, D } = await model(MODELS.bsf);
    const x = randn(rng(6), 40 * D);
    const y = Int32Array.from({ length: 40 }, (_, i) => i % 5);
    const check = async (what: string) => {
      expect(same(m.predictSync(x), await m.predict(x, { threads: 2 })), what).toBe(true);
    };
    await check("start");
    const before = m.predictSync(x);
    m.setWeights(m.getWeights().map((w) => ({ values: w.values.map((v) => v * 0.5) })));
    expect(same(before, m.predictSync(x))).toBe(false);
    await check("setWeights");
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    await check("fit");
    await m.fit(x, y, { epochs: 1, batchSize: 8, threads: 2, verbose: 0 });
    await check("fit on two threads");
    m.compile({ optimizer: new SGD({ learningRate: 0.1 }) }); // one optimizer slot fewer: a new block
    await check("compile");
    m.compile({ optimizer: new Adam() });
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    await check("fit after compile");
    m.dispose();
  }, 60_000);

  it("concurrent calls on one model each get their own rows back", async () => {
    const { m, D } = await model(MODELS.dense);
    const xs = [3, 40, 17, 64].map((n, i) => randn(rng(20 + i), n * D));
    const got = await Promise.all(xs.map((x) => m.predict(x, { threads: 2 })));
    for (const [i, g] of got.entries()) expect(same(g, m.predictSync(xs[i])), `call ${i}`).toBe(true);
    m.dispose();
  }, 30_000);

  it("an idle pool does not keep the process alive", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const script = `
      import { Sequential } from "./src/model/sequential.ts";
      import { Dense } from "./src/layers/dense.ts";
      const m = new Sequential([new Dense({ units: 4, activation: "softmax" })], { inputShape: [3] });
      m.compile({});
      await m.build();
      const p = await m.predict(new Float32Array(30), { threads: 2 });
      console.log("rows", p.length / 4);`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.error, "the process did not exit").toBeUndefined();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("rows 10");
    expect(r.status).toBe(0);
  }, 70_000);
});

describe("threads option, auto and failures", () => {
  it("bad threads and batchSize values are ConfigErrors naming the option", async () => {
    const { m, D } = await model(MODELS.dense);
    const x = randn(rng(1), 4 * D);
    for (const bad of [0, 1.5, -1, "two", 10_000, Number.NaN]) {
      await expect(m.predict(x, { threads: bad as number })).rejects.toThrow(ConfigError);
      await expect(m.predict(x, { threads: bad as number })).rejects.toThrow(/predict: option threads must be/);
    }
    for (const bad of [0, 2.5, -3])
      await expect(m.predict(x, { threads: 2, batchSize: bad })).rejects.toThrow(/predict: option batchSize/);
    m.dispose();
  });

  it("a non-finite value is a DataError naming its row in the whole input, on any thread's rows", async () => {
    const { m, D } = await model(MODELS.dense);
    const n = 256;
    // batch 64: four one-thread calls, each cut between thread 0 and the worker; rows 5 and 70 lie
    // in thread 0's pieces (70 in its second), row 200 in the worker's
    for (const row of [5, 70, 200, 255]) {
      const x = randn(rng(row), n * D);
      x[row * D + 3] = Number.NaN;
      const one = (() => {
        try {
          m.predictSync(x, { batchSize: 64 });
        } catch (e) {
          return e;
        }
      })();
      expect(one).toBeInstanceOf(DataError);
      const two = await m.predict(x, { threads: 2, batchSize: 64 }).catch((e) => e);
      expect(two, `row ${row}`).toBeInstanceOf(DataError);
      expect((two as Error).message, `row ${row}`).toBe((one as Error).message);
      expect((two as Error).message).toContain(`row ${row}`);
    }
    // the pool still answers after the refused calls
    const x = randn(rng(1), n * D);
    expect(same(await m.predict(x, { threads: 2, batchSize: 64 }), m.predictSync(x, { batchSize: 64 }))).toBe(true);
    await m.closeThreads();
    m.dispose();
  });

  it("choosePredictThreads: one thread for short calls or one core, two where the work pays", () => {
    expect(choosePredictThreads(1e5, 32, 2).threads).toBe(1);
    expect(choosePredictThreads(1e5, 32, 2).reason).toMatch(/auto: 1 thread \(32 rows estimated at/);
    const big = choosePredictThreads(1e8, 256, 2);
    expect(big.threads).toBe(2);
    expect(big.saving).toBeGreaterThan(0);
    expect(big.reason).toMatch(/auto: 2 threads/);
    expect(choosePredictThreads(1e8, 256, 1).threads).toBe(1);
    expect(choosePredictThreads(1e8, 1, 2).threads).toBe(1);
    const d = new Dense({ units: 5 });
    d.build([4]);
    expect(forwardFlops([d], 10)).toBe(10 * 2 * 20);
  });

  it("auto: a small net stays on one thread; a large call starts the pool once the forgone savings pay for it", async () => {
    const start = vi.spyOn(ThreadPool, "start");
    const small = await model(MODELS.bsf);
    const xs = randn(rng(3), 300 * small.D);
    for (let i = 0; i < 5; i++)
      expect(same(await small.m.predict(xs, { threads: "auto" }), small.m.predictSync(xs))).toBe(true);
    expect(start).not.toHaveBeenCalled();
    small.m.dispose();
    // the Musk2 MLP at 1024 rows: about 87 MFLOP, a few ms saved per call
    const { bsfnetModel } = await import("../../bench/train/musk2.js");
    const musk = bsfnetModel();
    await musk.build(undefined, (await threadRuntime()).rt);
    const x = randn(rng(4), 1024 * 168);
    const one = musk.predictSync(x);
    const c = choosePredictThreads(forwardFlops(musk.layers, 1024), 1024, 2);
    expect(c.threads).toBe(2);
    const { PREDICT_START_SECONDS } = await import("../../src/runtime/threads.js");
    const calls = Math.ceil(PREDICT_START_SECONDS / c.saving);
    for (let i = 0; i < calls + 2; i++) {
      expect(same(await musk.predict(x, { threads: "auto" }), one)).toBe(true);
      expect(start).toHaveBeenCalledTimes(i + 1 < calls ? 0 : 1);
    }
    musk.dispose();
  }, 60_000);

  it("no SharedArrayBuffer: threads 2 is a ConfigError saying so, auto runs on one thread", async () => {
    const m = new Sequential([new Dense({ units: 3, activation: "softmax" })], { inputShape: [7] });
    m.compile({});
    await m.build();
    const x = randn(rng(1), 5000 * 7);
    vi.stubGlobal("SharedArrayBuffer", undefined);
    try {
      await expect(m.predict(x, { threads: 2 })).rejects.toThrow(/SharedArrayBuffer/);
      expect(same(await m.predict(x, { threads: "auto" }), m.predictSync(x))).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
    m.dispose();
  });

  it("a layer the workers cannot rebuild: ThreadError from predict, one thread still works", async () => {
    class Twice extends Activation {}
    registerLayer("TwiceOnlyHereToo", Twice as never);
    const t = new Twice({ activation: "relu" });
    (t as unknown as { className: string }).className = "TwiceOnlyHereToo";
    const m = new Sequential([new Dense({ units: 4 }), t, new Dense({ units: 3, activation: "softmax" })], {
      inputShape: [7],
    });
    m.compile({});
    await m.build();
    const x = randn(rng(1), 40 * 7);
    await expect(m.predict(x, { threads: 2 })).rejects.toThrow(ThreadError);
    await expect(m.predict(x, { threads: 2 })).rejects.toThrow(/inference thread 1/);
    expect(m.predictSync(x).length).toBe(120);
    m.dispose();
  }, 30_000);
});
