// The regression head (mse_forward / mse_backward) against float64 references on odd sizes (the
// SIMD body and the scalar tail), and the backward pass against central finite differences.
import { describe, expect, it } from "vitest";
import { mseBackward, mseLoss } from "../reference/loss.js";
import { centralDiff, get, maxAbsDiff, put, randn, rng, runtime } from "../util/wasm.js";

const SHAPES: [number, number][] = [
  [1, 1],
  [1, 3],
  [3, 5],
  [7, 1],
  [17, 3],
  [128, 1],
  [33, 7],
  [5, 2],
];

describe("mean squared error", async () => {
  const rt = await runtime();

  it("mse_forward returns the batch sum of the per-sample mean over outputs", () => {
    const r = rng(41);
    for (const [B, V] of SHAPES) {
      const p = randn(r, B * V, 3),
        t = randn(r, B * V, 3);
      const loss = rt.k.mse_forward(put(rt, p), put(rt, t), B, V);
      const want = mseLoss(p, t, B, V);
      expect(Math.abs(loss - want), `${B}x${V}: ${loss} vs ${want}`).toBeLessThan(1e-9 * Math.max(1, want));
    }
    // Keras: mean_squared_error([[1, 2]], [[0, 0]]) = (1 + 4) / 2
    expect(rt.k.mse_forward(put(rt, [1, 2]), put(rt, [0, 0]), 1, 2)).toBe(2.5);
  });

  it("mse_backward matches the reference for several scales, also in place over pred", () => {
    const r = rng(42);
    for (const [B, V] of SHAPES) {
      for (const scale of [1, 1 / B, 0.37]) {
        const p = randn(r, B * V, 3),
          t = randn(r, B * V, 3);
        const pp = put(rt, p),
          pt = put(rt, t),
          pd = put(rt, new Float32Array(B * V));
        const want = mseBackward(p, t, B, V, scale);
        rt.k.mse_backward(pd, pp, pt, B, V, scale);
        expect(maxAbsDiff(get(rt, pd, B * V), want)).toBeLessThan(1e-5);
        rt.k.mse_backward(pp, pp, pt, B, V, scale);
        expect(maxAbsDiff(get(rt, pp, B * V), want)).toBeLessThan(1e-5);
      }
    }
  });

  it("mse_backward equals central finite differences of mse_forward", () => {
    const r = rng(43);
    let worst = 0;
    for (const [B, V] of [
      [3, 5],
      [7, 1],
      [5, 3],
    ] as [number, number][]) {
      const p = randn(r, B * V, 2),
        t = randn(r, B * V, 2);
      const pp = put(rt, p),
        pt = put(rt, t),
        pd = put(rt, new Float32Array(B * V));
      const loss = () => rt.k.mse_forward(pp, pt, B, V);
      rt.k.mse_backward(pd, pp, pt, B, V, 1);
      const g = get(rt, pd, B * V);
      for (let i = 0; i < B * V; i++) {
        const fd = centralDiff(rt, pp, i, 1e-2, loss);
        worst = Math.max(worst, Math.abs(fd - g[i]));
        expect(Math.abs(fd - g[i]), `dpred[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(1e-4);
      }
    }
    console.log(`mse_backward vs finite differences: max abs err ${worst.toExponential(2)}`);
  });
});
