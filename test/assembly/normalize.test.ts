// normalize_forward / normalize_backward: bit for bit the scalar reference (the layer's former
// TypeScript loop) on every tail size, also in place; backward against central finite differences.
import { describe, expect, it } from "vitest";
import { inverseStd, normalize, normalizeBackward } from "../reference/normalize.js";
import { centralDiff, dot64, get, put, randn, rng, runtime } from "../util/wasm.js";

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 2],
  [2, 3],
  [5, 4],
  [4, 5],
  [7, 13],
  [32, 168],
  [3, 41],
];

describe("normalize kernels", async () => {
  const rt = await runtime();

  function inputs(r: () => number, B: number, F: number) {
    const x = Float32Array.from(randn(r, B * F, 40), (v, i) => v + 100 * (i % F));
    const mean = Float32Array.from({ length: F }, (_, j) => 100 * j + 3 * (r() - 0.5));
    // every kind of variance: ordinary, tiny (below epsilon^2), zero (a constant column)
    const variance = Float32Array.from({ length: F }, (_, j) =>
      j % 7 === 5 ? 0 : j % 7 === 6 ? 1e-20 : 0.01 + 50 * r(),
    );
    return { x, mean, variance };
  }

  it("forward and backward equal the reference bit for bit, also in place", () => {
    const r = rng(41);
    for (const [B, F] of SHAPES) {
      const { x, mean, variance } = inputs(r, B, F);
      const px = put(rt, x),
        pm = put(rt, mean),
        pv = put(rt, variance);
      const pinv = put(rt, new Float32Array(F).fill(Number.NaN)),
        po = put(rt, new Float32Array(B * F).fill(Number.NaN));
      rt.k.normalize_forward(po, pinv, px, pm, pv, B, F);
      expect(Array.from(get(rt, pinv, F)), `inv B=${B} F=${F}`).toEqual(Array.from(inverseStd(variance)));
      expect(Array.from(get(rt, po, B * F)), `forward B=${B} F=${F}`).toEqual(
        Array.from(normalize(x, mean, variance, F)),
      );
      const d = randn(r, B * F);
      const pd = put(rt, d),
        pdi = put(rt, new Float32Array(B * F).fill(Number.NaN));
      rt.k.normalize_backward(pdi, pd, pinv, B, F);
      const ref = normalizeBackward(d, variance, F);
      expect(Array.from(get(rt, pdi, B * F)), `backward B=${B} F=${F}`).toEqual(Array.from(ref));
      rt.k.normalize_forward(px, pinv, px, pm, pv, B, F);
      expect(Array.from(get(rt, px, B * F)), `forward in place B=${B} F=${F}`).toEqual(
        Array.from(normalize(x, mean, variance, F)),
      );
      rt.k.normalize_backward(pd, pd, pinv, B, F);
      expect(Array.from(get(rt, pd, B * F)), `backward in place B=${B} F=${F}`).toEqual(Array.from(ref));
    }
  });

  it("backward is the gradient of L = sum(R * forward(x)) (central differences)", () => {
    const r = rng(42);
    const B = 3,
      F = 7;
    const x = randn(r, B * F),
      mean = randn(r, F),
      variance = Float32Array.from({ length: F }, () => 0.5 + r());
    const R = randn(r, B * F);
    const px = put(rt, x),
      pm = put(rt, mean),
      pv = put(rt, variance),
      pinv = put(rt, new Float32Array(F)),
      po = put(rt, new Float32Array(B * F)),
      pR = put(rt, R),
      pdx = put(rt, new Float32Array(B * F));
    const loss = () => {
      rt.k.normalize_forward(po, pinv, px, pm, pv, B, F);
      return dot64(get(rt, po, B * F), R);
    };
    loss();
    rt.k.normalize_backward(pdx, pR, pinv, B, F);
    const dx = get(rt, pdx, B * F);
    for (let i = 0; i < B * F; i++) {
      const fd = centralDiff(rt, px, i, 1e-2, loss);
      expect(Math.abs(fd - dx[i]), `dx[${i}]`).toBeLessThan(2e-3 * Math.max(1, Math.abs(dx[i])));
    }
  });
});
