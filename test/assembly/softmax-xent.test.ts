// softmax, the fused softmax + cross-entropy head and argmax_correct against float64
// references; the backward pass against central finite differences of the summed loss.
import { describe, expect, it } from "vitest";
import { argmaxRows, softmax, xentBackward, xentLoss } from "../reference/act.js";
import { centralDiff, get, maxAbsDiff, put, randn, rng, runtime } from "../util/wasm.js";

const SHAPES: [number, number][] = [
  [1, 1],
  [1, 2],
  [3, 5],
  [7, 10],
  [17, 3],
  [128, 2],
  [33, 7],
];

function labelsFor(r: () => number, B: number, V: number): Int32Array {
  return Int32Array.from({ length: B }, () => Math.floor(r() * V));
}

describe("softmax + cross-entropy", async () => {
  const rt = await runtime();

  it("softmax_forward matches the reference, rows sum to 1, large logits stay finite", () => {
    const r = rng(31);
    for (const [B, V] of SHAPES) {
      const x = randn(r, B * V, 8);
      x[0] += 80; // exp overflows in f32 without the max subtraction
      const px = put(rt, x),
        pp = put(rt, new Float32Array(B * V));
      rt.k.softmax_forward(pp, px, B, V);
      const p = get(rt, pp, B * V);
      const err = maxAbsDiff(p, softmax(x, B, V));
      expect(err, `softmax ${B}x${V}: err ${err}`).toBeLessThan(1e-6);
      for (let b = 0; b < B; b++) {
        const s = p.subarray(b * V, b * V + V).reduce((a, v) => a + v, 0);
        expect(Math.abs(s - 1)).toBeLessThan(1e-6);
      }
    }
  });

  it("softmax_xent_forward returns the summed loss and writes probs", () => {
    const r = rng(32);
    for (const [B, V] of SHAPES) {
      const x = randn(r, B * V, 4),
        y = labelsFor(r, B, V);
      const px = put(rt, x),
        py = put(rt, y, "i32"),
        pp = put(rt, new Float32Array(B * V));
      const loss = rt.k.softmax_xent_forward(pp, px, py, B, V);
      const pr = softmax(x, B, V);
      expect(maxAbsDiff(get(rt, pp, B * V), pr)).toBeLessThan(1e-6);
      const want = xentLoss(pr, y, B, V);
      expect(Math.abs(loss - want), `loss ${B}x${V}: ${loss} vs ${want}`).toBeLessThan(1e-5 * B);
    }
  });

  it("softmax_xent_forward floors the probability at 1e-7", () => {
    const px = put(rt, [0, 100, 0, 0]),
      py = put(rt, [0, 0], "i32"),
      pp = put(rt, new Float32Array(4));
    const loss = rt.k.softmax_xent_forward(pp, px, py, 2, 2);
    expect(loss).toBeCloseTo(-Math.log(1e-7) + Math.log(2), 4);
  });

  it("softmax_xent_backward matches the reference for several scales, also in place", () => {
    const r = rng(33);
    for (const [B, V] of SHAPES) {
      for (const scale of [1, 1 / B, 0.37]) {
        const x = randn(r, B * V, 3),
          y = labelsFor(r, B, V);
        const px = put(rt, x),
          py = put(rt, y, "i32"),
          pp = put(rt, new Float32Array(B * V)),
          pd = put(rt, new Float32Array(B * V));
        rt.k.softmax_xent_forward(pp, px, py, B, V);
        const p = get(rt, pp, B * V);
        rt.k.softmax_xent_backward(pd, pp, py, B, V, scale);
        expect(maxAbsDiff(get(rt, pd, B * V), xentBackward(p, y, B, V, scale))).toBeLessThan(1e-6);
        rt.k.softmax_xent_backward(pp, pp, py, B, V, scale);
        expect(maxAbsDiff(get(rt, pp, B * V), xentBackward(p, y, B, V, scale))).toBeLessThan(1e-6);
      }
    }
  });

  it("softmax_xent_backward equals central finite differences of the loss", () => {
    const r = rng(34);
    let worst = 0;
    for (const [B, V] of [
      [3, 5],
      [7, 2],
      [4, 10],
    ] as [number, number][]) {
      const x = randn(r, B * V, 2),
        y = labelsFor(r, B, V);
      const px = put(rt, x),
        py = put(rt, y, "i32"),
        pp = put(rt, new Float32Array(B * V)),
        pd = put(rt, new Float32Array(B * V));
      const loss = () => rt.k.softmax_xent_forward(pp, px, py, B, V);
      loss();
      rt.k.softmax_xent_backward(pd, pp, py, B, V, 1);
      const g = get(rt, pd, B * V);
      for (let i = 0; i < B * V; i++) {
        const fd = centralDiff(rt, px, i, 1e-2, loss);
        worst = Math.max(worst, Math.abs(fd - g[i]));
        expect(Math.abs(fd - g[i]), `dlogits[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(2e-3);
      }
    }
    console.log(`softmax_xent_backward vs finite differences: max abs err ${worst.toExponential(2)}`);
  });

  it("argmax_correct agrees with the reference; the first maximum wins", () => {
    const r = rng(35);
    for (const [B, V] of SHAPES) {
      const p = randn(r, B * V).map((v) => Math.round(v * 3) / 3); // ties are common
      const y = labelsFor(r, B, V);
      const pp = put(rt, p),
        py = put(rt, y, "i32");
      const correct = argmaxRows(p, B, V).reduce((n, a, b) => n + (a === y[b] ? 1 : 0), 0);
      expect(rt.k.argmax_correct(pp, py, B, V)).toBe(correct);
    }
    const tie = put(rt, [0.25, 0.5, 0.5, 0.25]);
    expect(rt.k.argmax_correct(tie, put(rt, [1], "i32"), 1, 4)).toBe(1);
    expect(rt.k.argmax_correct(tie, put(rt, [2], "i32"), 1, 4)).toBe(0);
  });
});
