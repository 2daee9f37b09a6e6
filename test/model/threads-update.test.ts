// The parameter update shared by the training threads: each worker sums the gradients of its range
// of the parameter block and takes the optimizer step there while thread 0 does the rest (the
// pinned parameters, L1 and clip, among them). The weights must be the bits of thread 0 doing the
// whole update alone, which is what an optimizer that does not say it is elementwise gets.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Adam, type Optimizer, SGD } from "../../src/optim/optimizer.js";
import type { WasmKernels } from "../../src/runtime/abi.js";
import {
  complementRanges,
  ThreadPool,
  threadRuntime,
  UPDATE_SHARE_MIN_FLOATS,
  updateRanges,
} from "../../src/runtime/threads.js";
import { randn, rng } from "../util/wasm.js";

/** The same optimizer, without the elementwise declaration: thread 0 keeps the whole update. */
class Opaque implements Optimizer {
  readonly className: string;
  readonly slots: number;
  readonly clearsGradients?: boolean;
  constructor(private readonly inner: Optimizer) {
    this.className = inner.className;
    this.slots = inner.slots;
    this.clearsGradients = inner.clearsGradients;
  }
  get learningRate(): number {
    return this.inner.learningRate;
  }
  set learningRate(v: number) {
    this.inner.learningRate = v;
  }
  step(k: WasmKernels, params: number, grads: number, slots: readonly number[], N: number, t: number): void {
    this.inner.step(k, params, grads, slots, N, t);
  }
  getConfig(): Record<string, unknown> {
    return this.inner.getConfig();
  }
}

// about 67.8k floats, above UPDATE_SHARE_MIN_FLOATS; gates (L1 and clip: pinned to thread 0)
// first and between the dense layers
const layers = () => [
  new BSF({ penalty: 0.01, init: 0.7 }),
  new Dense({ units: 254, activation: "relu" }),
  new BSF({ penalty: 0.01 }),
  new Dense({ units: 63, activation: "relu" }),
  new BSF({ penalty: 0.01 }),
  new Dense({ units: 3, activation: "softmax" }),
];

async function trained(optimizer: Optimizer, threads: number) {
  const m = new Sequential(layers(), { inputShape: [201] });
  m.compile({ seed: 9, optimizer });
  await m.build(undefined, (await threadRuntime()).rt);
  const n = 70;
  const x = randn(rng(4), n * 201);
  const y = Int32Array.from({ length: n }, (_, i) => (i * 5) % 3);
  const history = await m.fit(x, y, { epochs: 3, batchSize: 32, threads, verbose: 0 });
  const after = m.getWeights().map((w) => w.values);
  m.dispose();
  return { after, history };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the update shared by the training threads", () => {
  it("gives the weights of thread 0 updating alone, bit for bit (Adam; SGD with momentum, which leaves gradients to clear)", async () => {
    const make = [() => new Adam({ learningRate: 0.01 }), () => new SGD({ learningRate: 0.05, momentum: 0.9 })];
    for (const opt of make) {
      const begin = vi.spyOn(ThreadPool.prototype, "beginUpdate");
      const shared = await trained(opt(), 2);
      const calls = begin.mock.calls.length;
      begin.mockClear();
      const alone = await trained(new Opaque(opt()), 2);
      const name = opt().className;
      expect(calls, `${name}: the workers took part (3 epochs of 3 steps)`).toBe(9);
      expect(begin.mock.calls.length, `${name}: not elementwise, thread 0 alone`).toBe(0);
      expect(shared.history.loss, name).toEqual(alone.history.loss);
      shared.after.forEach((w, i) => {
        expect(Array.from(w), `${name} weight ${i}`).toEqual(Array.from(alone.after[i]));
      });
      begin.mockRestore();
    }
  }, 60_000);
});

describe("updateRanges", () => {
  const p = (offset: number, floats: number, pinned = false) => ({ offset, floats, pinned });

  it("gives each worker about F / T floats, 4-aligned, inside the longest run without pinned parameters", () => {
    const params = [p(0, 204, true), p(204, 51_000), p(51_204, 256), p(51_460, 256, true), p(51_716, 16_000)];
    const F = 67_716;
    const r = updateRanges(params, F, 2)!;
    expect(r).toHaveLength(1);
    const [lo, hi] = r[0];
    expect(lo % 4 === 0 && hi % 4 === 0).toBe(true);
    // the longest unpinned run is [204, 51460); the share is F / 2 rounded down to 4 floats
    expect(hi).toBe(51_460);
    expect(hi - lo).toBe(Math.floor(F / 2 / 4) * 4);
    expect(lo).toBeGreaterThanOrEqual(204);
    expect(complementRanges(r, F)).toEqual([
      [0, lo],
      [hi, F],
    ]);
  });

  it("three threads: two disjoint ranges; the complement covers the rest once", () => {
    const F = 300_000;
    const r = updateRanges([p(0, 8, true), p(8, F - 8)], F, 3)!;
    expect(r).toHaveLength(2);
    const pieces = [...r, ...complementRanges(r, F)].sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [lo, hi] of pieces) {
      expect(lo).toBe(at);
      at = hi;
    }
    expect(at).toBe(F);
    for (const [lo, hi] of r) expect(hi - lo).toBeGreaterThan(F / 3 - 8);
  });

  it("keeps the update on thread 0 for a small block, one thread, or no unpinned run long enough", () => {
    expect(updateRanges([p(0, 1000)], 1000, 2)).toBeUndefined();
    expect(updateRanges([p(0, UPDATE_SHARE_MIN_FLOATS)], UPDATE_SHARE_MIN_FLOATS, 1)).toBeUndefined();
    const F = 2 * UPDATE_SHARE_MIN_FLOATS;
    expect(updateRanges([p(0, F, true)], F, 2)).toBeUndefined();
    expect(updateRanges([p(0, 4000), p(4000, F - 4000, true)], F, 2)).toBeUndefined();
  });
});
