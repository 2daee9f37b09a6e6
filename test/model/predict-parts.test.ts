// predict({ threads }) on calls too short to split by rows (fewer than 2 * PREDICT_MIN_PIECE): the
// layers that cut into parts (a convolution's output tiles, a one-row dense layer's columns) are
// shared by the threads, each part on its own workspace, written into thread 0's buffers. The
// outputs must be one thread's, bit for bit.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { DataError } from "../../src/errors.js";
import { availableThreads, choosePartsThreads, ThreadPool, threadRuntime } from "../../src/runtime/threads.js";
import { randn, rng } from "../util/wasm.js";

// C channels of 26 x 26 -> conv OC (16 F(6x6, 3x3) tiles) -> pool -> 144 OC -> dense `units` -> softmax.
// The default: conv 2.7 MFLOP a row, dense 1.5 MFLOP (both above PART_MIN_FLOPS).
function cnn(C = 8, OC = 32, units = 160, classes = 3): Sequential {
  return new Sequential(
    [
      new Conv2D({ filters: OC, kernelSize: 3, activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten({}),
      new Dense({ units, activation: "relu" }),
      new Dense({ units: classes, activation: "softmax" }),
    ],
    { inputShape: [26, 26, C] },
  );
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("predict({ threads: 2 }) on a few rows: the layers shared", () => {
  it("gives one thread's outputs bit for bit, at 1, 3 and 17 rows", async () => {
    const m = cnn();
    m.compile({ seed: 3 });
    await m.build(undefined, (await threadRuntime()).rt);
    const begin = vi.spyOn(ThreadPool.prototype, "beginParts");
    const x = randn(rng(8), 17 * 26 * 26 * 8);
    for (const n of [1, 3, 17]) {
      const rows = x.subarray(0, n * 26 * 26 * 8);
      const one = await m.predict(rows);
      const calls = begin.mock.calls.length;
      const two = await m.predict(rows, { threads: 2 });
      expect(begin.mock.calls.length, `n=${n}: shared`).toBe(calls + 1);
      expect(bits(two), `n=${n}`).toEqual(bits(one));
      expect(one.every(Number.isFinite)).toBe(true);
    }
    await m.closeThreads();
    m.dispose();
  }, 60_000);

  it("a model on the default runtime moves to the shared one first, and gives the same bits", async () => {
    const m = cnn();
    m.compile({ seed: 5 });
    await m.build();
    const rt0 = m.runtime;
    const row = randn(rng(6), 26 * 26 * 8);
    const one = await m.predict(row);
    const two = await m.predict(row, { threads: 2 });
    expect(m.runtime).not.toBe(rt0);
    expect(bits(two)).toEqual(bits(one));
    expect(bits(m.predictSync(row))).toEqual(bits(one));
    await m.closeThreads();
    m.dispose();
  }, 60_000);

  it("a worker whose part traps: a ThreadError naming it, and the next call is whole and right", async () => {
    const m = cnn();
    m.compile({ seed: 3 });
    await m.build(undefined, (await threadRuntime()).rt);
    const row = randn(rng(9), 26 * 26 * 8);
    const want = await m.predict(row);
    const begin = ThreadPool.prototype.beginParts;
    const spy = vi.spyOn(ThreadPool.prototype, "beginParts").mockImplementationOnce(function (this: ThreadPool, table) {
      // step 0's output (the fifth field of its row) past the end of memory: the worker's kernel traps
      new Int32Array(m.runtime.memory.buffer, table, 9)[8] = 0x7ffffff0;
      return begin.call(this, table);
    });
    await expect(m.predict(row, { threads: 2 })).rejects.toThrow(/inference thread 1: .*out of bounds/);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(bits(await m.predict(row, { threads: 2 }))).toEqual(bits(want));
    await m.closeThreads();
    m.dispose();
  }, 60_000);

  it("a net with nothing worth sharing stays on one thread; a bad row fails before the workers wake", async () => {
    const small = new Sequential(
      [new Dense({ units: 40, activation: "relu" }), new Dense({ units: 3, activation: "softmax" })],
      { inputShape: [7] },
    );
    small.compile({ seed: 1 });
    await small.build(undefined, (await threadRuntime()).rt);
    const begin = vi.spyOn(ThreadPool.prototype, "beginParts");
    const x = randn(rng(2), 7);
    expect(bits(await small.predict(x, { threads: 2 }))).toEqual(bits(await small.predict(x)));
    expect(begin).not.toHaveBeenCalled();
    small.dispose();

    const m = cnn();
    m.compile({ seed: 3 });
    await m.build(undefined, (await threadRuntime()).rt);
    const row = randn(rng(4), 26 * 26 * 8);
    const want = await m.predict(row);
    const bad = row.slice();
    bad[5 * 8 + 2] = Number.NaN;
    await expect(m.predict(bad, { threads: 2 })).rejects.toThrow(DataError);
    await expect(m.predict(bad, { threads: 2 })).rejects.toThrow(/row 0, column 42/);
    // the workers were never left waiting on a step: the next call is whole and right
    expect(bits(await m.predict(row, { threads: 2 }))).toEqual(bits(want));
    await m.closeThreads();
    m.dispose();
  }, 60_000);
});

describe("autoPredictThreads", () => {
  it("says two for a few rows of a net whose layers are worth sharing, one where nothing is", async () => {
    // the Table 6 CNN's conv2 and dense layer: 21 and 2.4 MFLOP a row
    const m = cnn(32, 64, 128, 10);
    m.compile({ seed: 3 });
    await m.build();
    const small = new Sequential([new Dense({ units: 3, activation: "softmax" })], { inputShape: [7] });
    small.compile({});
    await small.build();
    const two = (await availableThreads()) >= 2 ? 2 : 1;
    expect(await m.autoPredictThreads(1)).toBe(two);
    expect(await small.autoPredictThreads(1)).toBe(1);
    expect(await small.autoPredictThreads(31)).toBe(1);
    m.dispose();
    small.dispose();
  });
});

describe("choosePartsThreads", () => {
  it("takes two threads where the shared layers are most of a long call, one where a call is short", () => {
    // the Table 6 CNN at one row: 24 MFLOP by forwardFlops, its conv2 21 and dense 2.4 shared
    expect(choosePartsThreads(24e6, [21.2e6, 2.4e6], 2).threads).toBe(2);
    expect(choosePartsThreads(24e6, [21.2e6, 2.4e6], 1).threads).toBe(1);
    // 3 MFLOP, a third of it shareable: the wake-ups eat the gain
    const c = choosePartsThreads(3e6, [1.2e6], 2);
    expect(c.threads).toBe(1);
    expect(c.reason).toMatch(/auto: 1 thread/);
  });
});
