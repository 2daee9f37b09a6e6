// Dense BSF gates: the mask is exactly the PRNG's values compared with w, its frequency is w, the
// backward pass is the straight-through (or scaled) estimator, and inference is deterministic.
import { describe, expect, it } from "vitest";
import { bsfApply, bsfBackward, bsfInfer, bsfMask } from "../reference/bsf.js";
import { centralDiff, dot64, get, maxAbsDiff, put, randn, rng, runtime, sampleIndices } from "../util/wasm.js";

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 5],
  [7, 17],
  [33, 3],
  [128, 168],
  [5, 33],
];

describe("bsf dense gates", async () => {
  const rt = await runtime();

  it("bsf_forward draws mask = (u(b*C + c) < w[c]) and writes out = inp * mask", () => {
    const r = rng(41);
    for (const [B, C] of SHAPES) {
      const inp = randn(r, B * C),
        w = Float32Array.from({ length: C }, () => r());
      const pi = put(rt, inp),
        pw = put(rt, w),
        pm = put(rt, new Float32Array(B * C).fill(NaN)),
        po = put(rt, new Float32Array(B * C));
      rt.k.bsf_forward(po, pm, pi, pw, B, C, 1234, 7);
      const mask = bsfMask(w, B, C, 1234, 7);
      expect(maxAbsDiff(get(rt, pm, B * C), mask), `mask ${B}x${C}`).toBe(0);
      expect(maxAbsDiff(get(rt, po, B * C), bsfApply(inp, mask, B, 1, C)), `out ${B}x${C}`).toBe(0);
      // Same seed and stream, same mask; another stream, another mask (for any sizeable tensor).
      rt.k.bsf_forward(po, pm, pi, pw, B, C, 1234, 7);
      expect(maxAbsDiff(get(rt, pm, B * C), mask)).toBe(0);
      if (B * C > 100) {
        rt.k.bsf_forward(po, pm, pi, pw, B, C, 1234, 8);
        expect(maxAbsDiff(get(rt, pm, B * C), mask)).toBe(1);
      }
    }
  });

  it("w = 0 closes every gate and w = 1 opens every gate", () => {
    const [B, C] = [9, 13];
    const inp = randn(rng(42), B * C);
    const pi = put(rt, inp),
      pm = put(rt, new Float32Array(B * C)),
      po = put(rt, new Float32Array(B * C));
    rt.k.bsf_forward(po, pm, pi, put(rt, new Float32Array(C)), B, C, 1, 1);
    expect(get(rt, pm, B * C).every((m) => m === 0)).toBe(true);
    rt.k.bsf_forward(po, pm, pi, put(rt, new Float32Array(C).fill(1)), B, C, 1, 1);
    expect(get(rt, pm, B * C).every((m) => m === 1)).toBe(true);
    expect(maxAbsDiff(get(rt, po, B * C), inp)).toBe(0);
  });

  it("the mask frequency of each unit is w (within 4.5 standard errors)", () => {
    const w = [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99];
    const C = w.length,
      B = 20000;
    const pw = put(rt, w),
      pm = put(rt, new Float32Array(B * C)),
      pi = put(rt, new Float32Array(B * C).fill(1));
    const po = put(rt, new Float32Array(B * C));
    rt.k.bsf_forward(po, pm, pi, pw, B, C, 99, 3);
    const m = get(rt, pm, B * C);
    const freq = w.map((_, c) => {
      let s = 0;
      for (let b = 0; b < B; b++) s += m[b * C + c];
      return s / B;
    });
    console.log(`bsf mask frequency for w=${w.join(",")}: ${freq.map((f) => f.toFixed(4)).join(",")}`);
    w.forEach((wc, c) => {
      const se = Math.sqrt((wc * (1 - wc)) / B);
      expect(Math.abs(freq[c] - wc), `unit ${c}: frequency ${freq[c]} vs w ${wc}`).toBeLessThan(4.5 * se);
    });
  });

  for (const scaled of [0, 1]) {
    it(`bsf_backward (scaled=${scaled}) matches the reference; dw accumulates; dinp 0 is skipped`, () => {
      const r = rng(43 + scaled);
      for (const [B, C] of SHAPES) {
        const inp = randn(r, B * C),
          dout = randn(r, B * C),
          w = Float32Array.from({ length: C }, () => r());
        const dw0 = randn(r, C);
        const mask = bsfMask(w, B, C, 5, 6);
        const pi = put(rt, inp),
          pd = put(rt, dout),
          pm = put(rt, mask),
          pw = put(rt, w);
        const pdi = put(rt, new Float32Array(B * C).fill(NaN)),
          pdw = put(rt, dw0);
        rt.k.bsf_backward(pdi, pdw, pd, pi, pm, pw, B, C, scaled);
        const ref = bsfBackward(dout, inp, mask, w, B, 1, C, scaled === 1);
        expect(maxAbsDiff(get(rt, pdi, B * C), ref.dinp), `dinp ${B}x${C}`).toBe(0);
        const err = maxAbsDiff(
          get(rt, pdw, C),
          ref.dw.map((x, i) => x + dw0[i]),
        );
        expect(err, `dw ${B}x${C}: err ${err}`).toBeLessThan(2e-6 * (B + 1));
        const pdw2 = put(rt, new Float32Array(C));
        rt.k.bsf_backward(0, pdw2, pd, pi, pm, pw, B, C, scaled);
        expect(maxAbsDiff(get(rt, pdw2, C), ref.dw)).toBeLessThan(2e-6 * (B + 1));
      }
    });
  }

  it("with the mask fixed (same seed), dinp equals finite differences and dw = sum dy*x (or w * sum dy*x)", () => {
    const r = rng(45);
    const [B, C] = [6, 11];
    const inp = randn(r, B * C),
      R = randn(r, B * C),
      w = Float32Array.from({ length: C }, () => 0.2 + 0.6 * r());
    const pi = put(rt, inp),
      pw = put(rt, w),
      pm = put(rt, new Float32Array(B * C)),
      po = put(rt, new Float32Array(B * C));
    const pR = put(rt, R);
    const loss = () => {
      rt.k.bsf_forward(po, pm, pi, pw, B, C, 77, 1);
      return dot64(get(rt, po, B * C), R);
    };
    loss();
    const pdi = put(rt, new Float32Array(B * C));
    for (const scaled of [0, 1]) {
      const pdw = put(rt, new Float32Array(C));
      rt.k.bsf_backward(pdi, pdw, pR, pi, pm, pw, B, C, scaled);
      const g = get(rt, pdi, B * C);
      let worst = 0;
      for (let i = 0; i < B * C; i++) {
        const fd = centralDiff(rt, pi, i, 1e-2, loss);
        worst = Math.max(worst, Math.abs(fd - g[i]));
        expect(Math.abs(fd - g[i]), `dinp[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(1e-4);
      }
      const dw = get(rt, pdw, C);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += R[b * C + c] * inp[b * C + c];
        const want = scaled ? w[c] * s : s;
        expect(Math.abs(dw[c] - want), `dw[${c}] scaled=${scaled}`).toBeLessThan(1e-5);
      }
      console.log(`bsf_backward scaled=${scaled} dinp vs finite differences: max abs err ${worst.toExponential(2)}`);
    }
  });

  it("bsf_infer: threshold step and expectation modes", () => {
    const r = rng(46);
    for (const [B, C] of SHAPES) {
      const inp = randn(r, B * C),
        w = Float32Array.from({ length: C }, () => r());
      w[0] = 0.1; // exactly at the threshold: closed (strict >)
      const pi = put(rt, inp),
        pw = put(rt, w),
        po = put(rt, new Float32Array(B * C));
      for (const expectation of [0, 1]) {
        rt.k.bsf_infer(po, pi, pw, B, C, 0.1, expectation);
        const want = bsfInfer(inp, w, B, C, Math.fround(0.1), expectation === 1);
        expect(maxAbsDiff(get(rt, po, B * C), want), `bsf_infer ${B}x${C} expectation=${expectation}`).toBeLessThan(
          1e-7,
        );
      }
    }
  });

  it("l1_backward adds lambda * sign(w) with sign(0) = 0; l1_value sums |w|; clip bounds w", () => {
    const r = rng(47);
    for (const n of [1, 3, 4, 5, 7, 17, 33]) {
      const w = randn(r, n, 1.5);
      w[n - 1] = 0;
      const dw0 = randn(r, n);
      const pw = put(rt, w),
        pdw = put(rt, dw0);
      rt.k.l1_backward(pdw, pw, n, 0.01);
      const want = Array.from(w, (x, i) => dw0[i] + 0.01 * Math.sign(x));
      expect(maxAbsDiff(get(rt, pdw, n), want), `l1_backward n=${n}`).toBeLessThan(1e-7);
      const sum = Array.from(w).reduce((s, x) => s + Math.abs(x), 0);
      expect(Math.abs(rt.k.l1_value(pw, n) - sum), `l1_value n=${n}`).toBeLessThan(1e-6);
      rt.k.clip(pw, n, 0, 1);
      expect(
        maxAbsDiff(
          get(rt, pw, n),
          w.map((x) => Math.min(Math.max(x, 0), 1)),
        ),
        `clip n=${n}`,
      ).toBe(0);
    }
  });

  it("l1_backward equals central finite differences of lambda * l1_value (away from w = 0)", () => {
    const r = rng(48);
    const n = 23,
      lambda = 0.03;
    const w = randn(r, n).map((x) => (Math.abs(x) < 0.05 ? x + 0.1 : x));
    const pw = put(rt, w),
      pdw = put(rt, new Float32Array(n));
    rt.k.l1_backward(pdw, pw, n, lambda);
    const g = get(rt, pdw, n);
    for (const i of sampleIndices(r, n, n)) {
      const fd = centralDiff(rt, pw, i, 1e-2, () => lambda * rt.k.l1_value(pw, n));
      expect(Math.abs(fd - g[i]), `dw[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(1e-6);
    }
  });
});
