// Channel BSF gates on NHWC [B,P,C]: one mask per (sample, channel) shared over the P positions.
import { describe, expect, it } from "vitest";
import { bsfApply, bsfBackward, bsfInfer, bsfMask } from "../reference/bsf.js";
import { centralDiff, dot64, get, maxAbsDiff, put, randn, rng, runtime } from "../util/wasm.js";

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 5],
  [3, 7, 17],
  [5, 9, 3],
  [4, 16, 32],
  [2, 1, 33],
];

describe("bsf channel gates", async () => {
  const rt = await runtime();

  it("bsf_channel_forward: mask[B,C] from the PRNG, shared over positions", () => {
    const r = rng(51);
    for (const [B, P, C] of SHAPES) {
      const inp = randn(r, B * P * C),
        w = Float32Array.from({ length: C }, () => r());
      const pi = put(rt, inp),
        pw = put(rt, w),
        pm = put(rt, new Float32Array(B * C)),
        po = put(rt, new Float32Array(B * P * C));
      rt.k.bsf_channel_forward(po, pm, pi, pw, B, P, C, 42, 3);
      const mask = bsfMask(w, B, C, 42, 3);
      expect(maxAbsDiff(get(rt, pm, B * C), mask), `mask ${B}x${P}x${C}`).toBe(0);
      expect(maxAbsDiff(get(rt, po, B * P * C), bsfApply(inp, mask, B, P, C)), `out ${B}x${P}x${C}`).toBe(0);
    }
  });

  for (const scaled of [0, 1]) {
    it(`bsf_channel_backward (scaled=${scaled}) matches the reference; dw accumulates; dinp 0 is skipped`, () => {
      const r = rng(52 + scaled);
      for (const [B, P, C] of SHAPES) {
        const inp = randn(r, B * P * C),
          dout = randn(r, B * P * C),
          w = Float32Array.from({ length: C }, () => r());
        const dw0 = randn(r, C);
        const mask = bsfMask(w, B, C, 8, 9);
        const pi = put(rt, inp),
          pd = put(rt, dout),
          pm = put(rt, mask),
          pw = put(rt, w);
        const pdi = put(rt, new Float32Array(B * P * C).fill(NaN)),
          pdw = put(rt, dw0);
        rt.k.bsf_channel_backward(pdi, pdw, pd, pi, pm, pw, B, P, C, scaled);
        const ref = bsfBackward(dout, inp, mask, w, B, P, C, scaled === 1);
        expect(maxAbsDiff(get(rt, pdi, B * P * C), ref.dinp), `dinp ${B}x${P}x${C}`).toBe(0);
        const err = maxAbsDiff(
          get(rt, pdw, C),
          ref.dw.map((x, i) => x + dw0[i]),
        );
        expect(err, `dw ${B}x${P}x${C}: err ${err}`).toBeLessThan(2e-6 * (B * P + 1));
        const pdw2 = put(rt, new Float32Array(C));
        rt.k.bsf_channel_backward(0, pdw2, pd, pi, pm, pw, B, P, C, scaled);
        expect(maxAbsDiff(get(rt, pdw2, C), ref.dw)).toBeLessThan(2e-6 * (B * P + 1));
      }
    });
  }

  it("with the mask fixed, dinp equals finite differences and dw = sum_b sum_p dy*x", () => {
    const r = rng(54);
    const [B, P, C] = [3, 4, 5];
    const n = B * P * C;
    const inp = randn(r, n),
      R = randn(r, n),
      w = Float32Array.from({ length: C }, () => 0.3 + 0.4 * r());
    const pi = put(rt, inp),
      pw = put(rt, w),
      pm = put(rt, new Float32Array(B * C)),
      po = put(rt, new Float32Array(n));
    const pR = put(rt, R);
    const loss = () => {
      rt.k.bsf_channel_forward(po, pm, pi, pw, B, P, C, 5, 5);
      return dot64(get(rt, po, n), R);
    };
    loss();
    const pdi = put(rt, new Float32Array(n)),
      pdw = put(rt, new Float32Array(C));
    rt.k.bsf_channel_backward(pdi, pdw, pR, pi, pm, pw, B, P, C, 0);
    const g = get(rt, pdi, n);
    for (let i = 0; i < n; i++) {
      const fd = centralDiff(rt, pi, i, 1e-2, loss);
      expect(Math.abs(fd - g[i]), `dinp[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(1e-4);
    }
    const dw = get(rt, pdw, C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) s += R[(b * P + p) * C + c] * inp[(b * P + p) * C + c];
      expect(Math.abs(dw[c] - s), `dw[${c}]`).toBeLessThan(1e-5);
    }
  });

  it("bsf_channel_infer: threshold step and expectation modes", () => {
    const r = rng(55);
    for (const [B, P, C] of SHAPES) {
      const inp = randn(r, B * P * C),
        w = Float32Array.from({ length: C }, () => r());
      const pi = put(rt, inp),
        pw = put(rt, w),
        po = put(rt, new Float32Array(B * P * C));
      for (const expectation of [0, 1]) {
        rt.k.bsf_channel_infer(po, pi, pw, B, P, C, 0.5, expectation);
        const want = bsfInfer(inp, w, B * P, C, 0.5, expectation === 1);
        expect(maxAbsDiff(get(rt, po, B * P * C), want), `${B}x${P}x${C} expectation=${expectation}`).toBeLessThan(
          1e-7,
        );
      }
    }
  });
});
