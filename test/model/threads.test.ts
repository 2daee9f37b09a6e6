// fit({ threads }): data-parallel training over one shared wasm memory. Same seed and thread count
// give bit-identical weights; one and two threads agree to rounding (the masks are the same, drawn
// at each row's index in the batch; only the order of the gradient sums differs).
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
import { ConfigError } from "../../src/errors.js";
import { registerLayer } from "../../src/layers/registry.js";
import { ProgressBar } from "../../src/model/callbacks.js";
import type { Layer } from "../../src/layers/layer.js";
import {
  chooseThreads,
  sliceOf,
  stepFlops,
  ThreadError,
  ThreadPool,
  threadRuntime,
} from "../../src/runtime/threads.js";
import { randn, rng } from "../util/wasm.js";

type Make = () => { layers: Layer[]; shape: number[] };

const MODELS: Record<string, Make> = {
  dense: () => ({
    layers: [new Dense({ units: 11, activation: "relu" }), new Dense({ units: 3, activation: "softmax" })],
    shape: [7],
  }),
  bsf: () => ({
    layers: [
      new BSF({ penalty: 0.01, init: 0.7 }),
      new Dense({ units: 9, activation: "tanh" }),
      new BSF({ penalty: 0.02, gate: "gaussian" }),
      new Dense({ units: 6, activation: "relu" }),
      new BSF({ penalty: 0.02, gate: "hard-concrete" }),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    shape: [7],
  }),
  dropout: () => ({
    layers: [
      new Dense({ units: 13, activation: "relu" }),
      new Dropout({ rate: 0.3 }),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    shape: [7],
  }),
  conv: () => ({
    layers: [
      new BSF({ shareAxis: "position", penalty: 0.01 }),
      new Conv2D({ filters: 5, kernelSize: 3, padding: "same", activation: "relu" }),
      new BSF({ shareAxis: "channel", penalty: 0.01 }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 4, kernelSize: [2, 3], activation: "tanh" }),
      new Dropout({ rate: 0.2 }),
      new Flatten({}),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    shape: [6, 7, 2],
  }),
};

function data(n: number, D: number, seed = 3) {
  const x = randn(rng(seed), n * D);
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3);
  return { x, y };
}

async function trained(
  make: Make,
  threads: number,
  o: { n?: number; batchSize?: number; epochs?: number; sgd?: boolean; seed?: number } = {},
) {
  const { layers, shape } = make();
  const m = new Sequential(layers, { inputShape: shape });
  m.compile({ seed: o.seed ?? 5, optimizer: o.sgd ? new SGD({ learningRate: 1 }) : new Adam({ learningRate: 0.01 }) });
  // both thread counts on the shared-memory build, so they run the same kernels
  await m.build(undefined, (await threadRuntime()).rt);
  const D = shape.reduce((a, b) => a * b, 1);
  const { x, y } = data(o.n ?? 45, D);
  const before = m.getWeights().map((w) => w.values);
  const history = await m.fit(x, y, {
    epochs: o.epochs ?? 2,
    batchSize: o.batchSize ?? 16,
    threads,
    verbose: 0,
    shuffle: true,
  });
  const after = m.getWeights().map((w) => w.values);
  m.dispose();
  return { before, after, history };
}

const maxDiff = (a: Float32Array[], b: Float32Array[]) =>
  Math.max(...a.map((t, i) => Math.max(0, ...t.map((v, j) => Math.abs(v - b[i][j])))));

describe("fit({ threads: 2 })", () => {
  it("same seed, two threads, twice: bit-identical weights (every model)", async () => {
    for (const [name, make] of Object.entries(MODELS)) {
      const a = await trained(make, 2);
      const b = await trained(make, 2);
      expect(a.history.threads, name).toBe(2);
      expect(maxDiff(a.after, b.after), name).toBe(0);
      expect(a.history.loss, name).toEqual(b.history.loss);
      expect(maxDiff(a.after, a.before), name).toBeGreaterThan(0); // it trained
    }
  }, 60_000);

  it("one step: the update (SGD, lr 1: minus the gradient) on two threads equals one thread's to 1e-6", async () => {
    for (const [name, make] of Object.entries(MODELS)) {
      const one = await trained(make, 1, { n: 16, batchSize: 16, epochs: 1, sgd: true });
      const two = await trained(make, 2, { n: 16, batchSize: 16, epochs: 1, sgd: true });
      expect(maxDiff(one.before, two.before), name).toBe(0);
      const g1 = one.after.map((t, i) => t.map((v, j) => v - one.before[i][j]));
      const g2 = two.after.map((t, i) => t.map((v, j) => v - two.before[i][j]));
      const scale = Math.max(...g1.map((t) => Math.max(...t.map(Math.abs))));
      expect(scale, name).toBeGreaterThan(1e-3);
      expect(maxDiff(g1, g2), name).toBeLessThan(1e-6 * Math.max(1, scale));
      expect(two.history.loss[0], name).toBeCloseTo(one.history.loss[0], 5);
    }
  }, 60_000);

  it("batches that do not split evenly: odd B, B smaller than the thread count, a short last batch", async () => {
    for (const [n, batchSize] of [
      [33, 11],
      [5, 1],
      [37, 16],
      [3, 3],
    ]) {
      const one = await trained(MODELS.bsf, 1, { n, batchSize, epochs: 2 });
      const two = await trained(MODELS.bsf, 2, { n, batchSize, epochs: 2 });
      expect(maxDiff(one.after, two.after), `n ${n}, batch ${batchSize}`).toBeLessThan(1e-4);
      expect(two.history.loss[1]).toBeCloseTo(one.history.loss[1], 4);
    }
  }, 60_000);

  it("a regression model (targets sliced with the rows)", async () => {
    const make = () => {
      const { layers, shape } = {
        layers: [new Dense({ units: 8, activation: "relu" }), new Dense({ units: 2 })],
        shape: [5],
      };
      const m = new Sequential(layers, { inputShape: shape });
      m.compile({ seed: 2, loss: "mse", optimizer: new SGD({ learningRate: 0.1 }) });
      return m;
    };
    const x = randn(rng(9), 21 * 5);
    const t = randn(rng(10), 21 * 2);
    const out: Float32Array[][] = [];
    for (const threads of [1, 2]) {
      const m = make();
      await m.build(undefined, (await threadRuntime()).rt);
      await m.fit(x, t, { epochs: 3, batchSize: 7, threads, verbose: 0 });
      out.push(m.getWeights().map((w) => w.values));
      m.dispose();
    }
    expect(maxDiff(out[0], out[1])).toBeLessThan(1e-5);
  }, 30_000);

  it("a model on the default runtime moves to the shared one, keeping weights and optimizer state", async () => {
    const m = new Sequential(
      [new Dense({ units: 4, activation: "relu" }), new Dense({ units: 3, activation: "softmax" })],
      {
        inputShape: [7],
      },
    );
    m.compile({ seed: 1 });
    const { x, y } = data(40, 7);
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const before = m.getWeights().map((w) => w.values);
    const rt0 = m.runtime;
    const h = await m.fit(x, y, { epochs: 0, threads: 2, verbose: 0 });
    expect(h.threads).toBe(2);
    expect(m.runtime).not.toBe(rt0);
    expect(
      maxDiff(
        before,
        m.getWeights().map((w) => w.values),
      ),
    ).toBe(0);
    await m.fit(x, y, { epochs: 1, threads: 2, verbose: 0 });
    expect(m.predictSync(x).length).toBe(40 * 3);
  }, 30_000);
});

describe("threads option and auto", () => {
  it("a bad threads value is a ConfigError naming the option", async () => {
    const m = new Sequential([new Dense({ units: 3, activation: "softmax" })], { inputShape: [7] });
    m.compile({});
    const { x, y } = data(8, 7);
    for (const bad of [0, 1.5, -1, "two", 10_000, Number.NaN]) {
      await expect(m.fit(x, y, { threads: bad as number, verbose: 0 })).rejects.toThrow(ConfigError);
      await expect(m.fit(x, y, { threads: bad as number, verbose: 0 })).rejects.toThrow(/fit: option threads must be/);
    }
  });

  it("auto keeps one thread for a small net and says why; takes two for a long step", async () => {
    const m = new Sequential(
      [new Dense({ units: 8, activation: "relu" }), new Dense({ units: 3, activation: "softmax" })],
      {
        inputShape: [7],
      },
    );
    m.compile({});
    const { x, y } = data(20, 7);
    const h = await m.fit(x, y, { threads: "auto", verbose: 0 });
    expect(h.threads).toBe(1);
    expect(h.threadsReason).toMatch(/auto: 1 thread/);
    // the Table 6 CNN's step at batch 128: about 3 GFLOP
    const cnn = chooseThreads(3e9, 1.2e6, 128, 2);
    expect(cnn.threads).toBe(2);
    expect(cnn.reason).toMatch(/auto: 2 threads/);
    expect(chooseThreads(3e9, 1.2e6, 128, 1).threads).toBe(1);
    expect(chooseThreads(1e5, 1e3, 32, 2).threads).toBe(1);
    // a 3 ms step over 1.2M parameters: the whole sum on thread 0 (about 1 ms) eats the gain; a
    // shared update (half of it each, one wake-up more) leaves enough
    expect(chooseThreads(9e7, 1.2e6, 128, 2, false).threads).toBe(1);
    expect(chooseThreads(9e7, 1.2e6, 128, 2, true).threads).toBe(2);
  });

  it("verbose output says which thread count was used", async () => {
    const m = new Sequential([new Dense({ units: 3, activation: "softmax" })], { inputShape: [7] });
    m.compile({});
    const { x, y } = data(20, 7);
    for (const [threads, want] of [
      ["auto", /^training threads: auto: 1 thread/],
      [2, /^training threads: 2\n/],
    ] as const) {
      const out: string[] = [];
      const bar = new ProgressBar({ isTTY: true, write: (s: string) => void out.push(s) });
      await m.fit(x, y, { threads, verbose: 0, callbacks: [bar] });
      expect(out[0]).toMatch(want);
    }
    const quiet: string[] = [];
    await m.fit(x, y, { verbose: 0, callbacks: [new ProgressBar({ isTTY: true, write: (s) => void quiet.push(s) })] });
    expect(quiet.some((s) => s.includes("threads"))).toBe(false);
  }, 30_000);

  it("auto on the paper's nets: two threads for the Table 6 CNN and the Musk2 MLP at batch 32, one for Wine's", async () => {
    const { table6Cnn } = await import("../../src/experiments/attention.js");
    const { bsfnetModel } = await import("../../bench/train/musk2.js");
    const wine = new Sequential(
      [13, 13, 26, 13]
        .map((units) => new Dense({ units, activation: "relu" }))
        .concat(new Dense({ units: 3, activation: "softmax" })),
      { inputShape: [13] },
    );
    const cases: [Sequential, number, number][] = [
      [table6Cnn(), 2, 2.3e9],
      [bsfnetModel(), 2, 32.6e6],
      [wine, 1, 202e3],
    ];
    for (const [m, want, flops] of cases) {
      await m.build();
      const f = stepFlops(m.layers, 32);
      expect(f / flops).toBeCloseTo(1, 2);
      const params = m.layers.reduce((a, l) => a + l.paramCount, 0);
      expect(chooseThreads(f, params, 32, 2).threads, m.name).toBe(want);
      m.dispose();
    }
  }, 30_000);

  it("stepFlops counts 2 per kernel weight per output position, 3x for forward and backward", () => {
    const d = new Dense({ units: 5 });
    d.build([4]);
    expect(stepFlops([d], 10)).toBe(3 * 10 * 2 * 20);
    const c = new Conv2D({ filters: 3, kernelSize: 3, padding: "same" });
    c.build([6, 6, 2]);
    expect(stepFlops([c], 1)).toBe(3 * 2 * (3 * 3 * 2 * 3) * 36);
  });

  it("slices are contiguous, cover the batch and differ by at most one row", () => {
    for (const [B, T] of [
      [1, 2],
      [7, 2],
      [8, 2],
      [10, 3],
      [2, 4],
    ]) {
      let next = 0;
      for (let t = 0; t < T; t++) {
        const s = sliceOf(B, T, t);
        expect(s.row0).toBe(next);
        expect(s.B).toBeGreaterThanOrEqual(Math.floor(B / T));
        expect(s.B).toBeLessThanOrEqual(Math.ceil(B / T));
        next += s.B;
      }
      expect(next).toBe(B);
    }
  });
});

describe("failures", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("no SharedArrayBuffer: threads 2 is a ConfigError saying so, auto falls back to one thread", async () => {
    const m = new Sequential([new Dense({ units: 3, activation: "softmax" })], { inputShape: [7] });
    m.compile({});
    const { x, y } = data(8, 7);
    vi.stubGlobal("SharedArrayBuffer", undefined);
    await expect(m.fit(x, y, { threads: 2, verbose: 0 })).rejects.toThrow(/SharedArrayBuffer/);
    const h = await m.fit(x, y, { threads: "auto", verbose: 0 });
    expect(h.threads).toBe(1);
    expect(h.threadsReason).toMatch(/SharedArrayBuffer/);
  });

  it("a layer the workers cannot rebuild: the error surfaces from fit, nothing hangs", async () => {
    class Twice extends Activation {}
    registerLayer("TwiceOnlyHere", Twice as never);
    const t = new Twice({ activation: "relu" });
    (t as unknown as { className: string }).className = "TwiceOnlyHere";
    const m = new Sequential([new Dense({ units: 4 }), t, new Dense({ units: 3, activation: "softmax" })], {
      inputShape: [7],
    });
    m.compile({});
    const { x, y } = data(8, 7);
    await expect(m.fit(x, y, { threads: 2, verbose: 0 })).rejects.toThrow(ThreadError);
    // the model still trains on one thread afterwards
    const h = await m.fit(x, y, { threads: 1, verbose: 0 });
    expect(h.threads).toBe(1);
  }, 30_000);

  it("a worker that traps mid-step: ThreadError from the step, the pool closes", async () => {
    // a plan whose first activation lies past the end of memory: the worker's kernel traps
    const { tr, m, stack, pool } = await denseOnPool((p) => ({ ...p, acts: p.acts.map(() => 0xfffffff0) }));
    const plan = stack.planBatch(tr.rt, 8) as { input: number; labels: number };
    pool.begin(8, plan.input, plan.labels, 7 * 4, 4, 1, 0);
    await expect(pool.end()).rejects.toThrow(/training thread 1: .*out of bounds/);
    await pool.close();
    m.dispose();
  }, 30_000);

  it("a worker that is gone: the next step fails with a ThreadError instead of waiting forever", async () => {
    const { tr, m, stack, pool } = await denseOnPool((p) => p);
    await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
    const plan = stack.planBatch(tr.rt, 8) as { input: number; labels: number };
    const step = async () => {
      pool.begin(8, plan.input, plan.labels, 7 * 4, 4, 1, 0);
      return pool.end();
    };
    await expect(step()).rejects.toThrow(/training thread 1 exited/);
    await pool.close();
    m.dispose();
  }, 30_000);
});

/** A dense model on the shared runtime and a two-thread pool over it, whose workers plan their
 * slice through `planOf` (a test's way to break one). */
async function denseOnPool(
  planOf: (p: { acts: number[]; input: number; labels: number } & Record<string, unknown>) => unknown,
) {
  const tr = await threadRuntime();
  const { layers, shape } = MODELS.dense();
  const m = new Sequential(layers, { inputShape: shape });
  m.compile({});
  await m.build(undefined, tr.rt);
  const stack = (
    m as unknown as {
      stack: {
        planBatch: (
          r: unknown,
          B: number,
        ) => { acts: number[]; input: number; labels: number } & Record<string, unknown>;
      };
    }
  ).stack;
  const block = (m as unknown as { block: { all: { ptr: number; grad: number }[]; grads: number; floats: number } })
    .block;
  const pool = await ThreadPool.start(tr, 2, {
    inputShape: shape,
    layers: m.getConfig().layers,
    regression: false,
    params: block.all.map((p) => ({ ptr: p.ptr, grad: p.grad })),
    grads: block.grads,
    floats: block.floats,
    plan: (r) => planOf(stack.planBatch(r, 4)) as never,
  });
  return { tr, m, stack, pool };
}
