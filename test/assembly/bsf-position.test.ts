// bsf_position_forward/backward/infer (one gate per position of [B,P,C], shared over channels)
// against the scalar reference (test/reference/bsf_position.ts); the straight-through dw against finite
// differences of the expectation gate (y = x * w, whose exact derivative it is); dinp against
// finite differences of the forward with its (reproducible) mask.
import { describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.js";
import { bsfPositionBackward, bsfPositionForward, bsfPositionInfer } from "../reference/bsf_position.js";
import { get, maxAbsDiff, put, randn, rng, runtime } from "../util/wasm.js";

const SEED = 1234,
  STREAM = 5;

function fwd(rt: Runtime, x: Float32Array, w: Float32Array, B: number, P: number, C: number) {
  const pout = rt.alloc(x.length * 4),
    pmask = rt.alloc(B * P * 4);
  rt.k.bsf_position_forward(pout, pmask, put(rt, x), put(rt, w), B, P, C, SEED, STREAM);
  return { out: get(rt, pout, x.length), mask: get(rt, pmask, B * P), pmask };
}

function infer(
  rt: Runtime,
  x: Float32Array,
  w: Float32Array,
  B: number,
  P: number,
  C: number,
  thr: number,
  exp: number,
) {
  const pout = rt.alloc(x.length * 4);
  rt.k.bsf_position_infer(pout, put(rt, x), put(rt, w), B, P, C, thr, exp);
  return get(rt, pout, x.length);
}

function uniforms(rt: Runtime, n: number): Float32Array {
  const p = rt.alloc(n * 4);
  rt.k.rng_uniform(p, n, SEED, STREAM);
  return get(rt, p, n);
}

const shapes: [number, number, number][] = [
  [3, 7, 5],
  [2, 13, 1],
  [4, 5, 8],
  [1, 28 * 28, 1],
  [2, 9, 3],
];

describe("bsf_position", () => {
  for (const [B, P, C] of shapes) {
    it(`B${B} P${P} C${C}: forward, backward (both gradients), infer vs reference`, async () => {
      const rt = await runtime();
      const r = rng(B * 1000 + P * 10 + C);
      const x = randn(r, B * P * C),
        dout = randn(r, B * P * C);
      const w = Float32Array.from({ length: P }, () => r());
      const got = fwd(rt, x, w, B, P, C);
      const ref = bsfPositionForward(x, w, uniforms(rt, B * P), B, P, C);
      expect(maxAbsDiff(got.mask, ref.mask)).toBe(0);
      expect(maxAbsDiff(got.out, ref.out)).toBe(0);
      for (const scaled of [0, 1]) {
        const dw0 = randn(r, P); // dw accumulates
        const pdx = put(rt, new Float32Array(x.length).fill(Number.NaN)),
          pdw = put(rt, dw0);
        rt.k.bsf_position_backward(pdx, pdw, put(rt, dout), put(rt, x), got.pmask, put(rt, w), B, P, C, scaled);
        const g = bsfPositionBackward(dout, x, ref.mask, w, B, P, C, scaled === 1);
        expect(maxAbsDiff(get(rt, pdx, x.length), g.dx)).toBe(0);
        const e = maxAbsDiff(
          get(rt, pdw, P),
          g.dw.map((v, i) => v + dw0[i]),
        );
        expect(e).toBeLessThan(1e-5 * Math.max(1, C));
      }
      for (const [thr, exp] of [
        [0.1, 0],
        [0.5, 0],
        [0.5, 1],
      ]) {
        expect(maxAbsDiff(infer(rt, x, w, B, P, C, thr, exp), bsfPositionInfer(x, w, B, P, C, thr, exp === 1))).toBe(0);
      }
    });
  }

  it("keeps position p with probability w[p], the same mask for every channel", async () => {
    const rt = await runtime();
    const B = 4000,
      P = 3,
      C = 2;
    const w = Float32Array.from([0.1, 0.5, 0.9]);
    const { out, mask } = fwd(rt, new Float32Array(B * P * C).fill(1), w, B, P, C);
    for (let p = 0; p < P; p++) {
      let k = 0;
      for (let b = 0; b < B; b++) k += mask[b * P + p];
      expect(Math.abs(k / B - w[p])).toBeLessThan(0.04); // sd <= 0.008
    }
    for (let i = 0; i < B * P; i++) expect(out[i * C]).toBe(out[i * C + 1]);
  });

  it("dinp and the straight-through dw match finite differences; dinp 0 is skipped", async () => {
    const rt = await runtime();
    const B = 3,
      P = 6,
      C = 3;
    const r = rng(77);
    const x = randn(r, B * P * C),
      R = randn(r, B * P * C);
    const w = Float32Array.from({ length: P }, () => 0.2 + 0.6 * r());
    const { pmask } = fwd(rt, x, w, B, P, C);
    const pdx = rt.alloc(x.length * 4),
      pdw = rt.alloc(P * 4);
    rt.k.bsf_position_backward(pdx, pdw, put(rt, R), put(rt, x), pmask, put(rt, w), B, P, C, 0);
    const dx = get(rt, pdx, x.length),
      dw = get(rt, pdw, P);
    const dot = (o: Float32Array) => o.reduce((a, v, i) => a + v * R[i], 0);
    const eps = 1e-2;
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const keep = x[i];
      x[i] = keep + eps;
      const lp = dot(fwd(rt, x, w, B, P, C).out);
      x[i] = keep - eps;
      const lm = dot(fwd(rt, x, w, B, P, C).out);
      x[i] = keep;
      worst = Math.max(worst, Math.abs((lp - lm) / (2 * eps) - dx[i]));
    }
    for (let p = 0; p < P; p++) {
      const keep = w[p];
      w[p] = keep + eps;
      const lp = dot(infer(rt, x, w, B, P, C, 0, 1));
      w[p] = keep - eps;
      const lm = dot(infer(rt, x, w, B, P, C, 0, 1));
      w[p] = keep;
      worst = Math.max(worst, Math.abs((lp - lm) / (2 * eps) - dw[p]));
    }
    console.log(`bsf_position FD: max abs error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-3);
    // dinp = 0: dw still accumulated
    const pdw2 = rt.alloc(P * 4);
    rt.k.bsf_position_backward(0, pdw2, put(rt, R), put(rt, x), pmask, put(rt, w), B, P, C, 0);
    expect(maxAbsDiff(get(rt, pdw2, P), dw)).toBe(0);
  });
});
