// dense_forward / dense_backward against the float64 reference, and the backward pass against
// central finite differences of L = sum(R * dense_forward(...)) (so dL/dout = R).
import { describe, expect, it } from "vitest";
import { denseBackward, denseForward } from "../reference/dense.js";
import { centralDiff, dot64, get, maxAbsDiff, put, randn, rng, runtime, sampleIndices } from "../util/wasm.js";

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [5, 17, 3],
  [7, 33, 2],
  [17, 9, 33],
  [32, 168, 336],
  [128, 336, 168],
  [128, 168, 2],
];

describe("dense", async () => {
  const rt = await runtime();

  it("forward matches the reference, with and without bias", () => {
    const r = rng(11);
    let worst = 0;
    for (const [B, C, OC] of SHAPES) {
      const inp = randn(r, B * C),
        w = randn(r, C * OC),
        bias = randn(r, OC);
      const pi = put(rt, inp),
        pw = put(rt, w),
        pbias = put(rt, bias),
        po = put(rt, new Float32Array(B * OC).fill(NaN));
      for (const withBias of [true, false]) {
        for (const relu of [0, 1]) {
          rt.k.dense_forward(po, pi, pw, withBias ? pbias : 0, B, C, OC, relu);
          const ref = denseForward(inp, w, withBias ? bias : null, B, C, OC);
          if (relu) for (let i = 0; i < ref.length; i++) ref[i] = Math.max(0, ref[i]);
          const err = maxAbsDiff(get(rt, po, B * OC), ref);
          expect(err, `dense_forward ${B}x${C}x${OC} bias=${withBias} relu=${relu}: err ${err}`).toBeLessThan(
            2e-6 * (C + 1),
          );
          worst = Math.max(worst, err);
        }
      }
    }
    console.log(`dense_forward: max abs err ${worst.toExponential(2)}`);
  });

  it("the fused ReLU gives the bits of dense_forward then relu_forward, NaN and -0 included", () => {
    const r = rng(13);
    for (const [B, C, OC] of [...SHAPES, [9, 41, 41], [6, 41, 23], [4, 7, 5]] as [number, number, number][]) {
      const inp = randn(r, B * C),
        w = randn(r, C * OC),
        bias = randn(r, OC);
      // a NaN weight column and a -0 output (zero inputs, -0 bias) reach the ReLU
      w[OC - 1] = Number.NaN;
      bias[0] = -0;
      for (let c = 0; c < C; c++) inp[c] = 0;
      const pi = put(rt, inp),
        pw = put(rt, w),
        pb = put(rt, bias),
        po = put(rt, new Float32Array(B * OC));
      for (const withBias of [true, false]) {
        rt.k.dense_forward(po, pi, pw, withBias ? pb : 0, B, C, OC, 0);
        rt.k.relu_forward(po, po, B * OC);
        const twoPasses = get(rt, po, B * OC).slice();
        rt.k.dense_forward(po, pi, pw, withBias ? pb : 0, B, C, OC, 1);
        const fused = get(rt, po, B * OC);
        expect(
          Buffer.from(fused.buffer, fused.byteOffset, fused.byteLength).equals(Buffer.from(twoPasses.buffer)),
        ).toBe(true);
        expect(Object.is(fused[0], 0)).toBe(true); // +0, not -0
      }
    }
  });

  it("backward matches the reference; dweight and dbias accumulate, dinp is overwritten", () => {
    const r = rng(12);
    let worst = 0;
    for (const [B, C, OC] of SHAPES) {
      const inp = randn(r, B * C),
        w = randn(r, C * OC),
        dout = randn(r, B * OC);
      const dw0 = randn(r, C * OC),
        db0 = randn(r, OC);
      const pi = put(rt, inp),
        pw = put(rt, w),
        pd = put(rt, dout);
      const pdi = put(rt, new Float32Array(B * C).fill(NaN)),
        pdw = put(rt, dw0),
        pdb = put(rt, db0);
      rt.k.dense_backward(pdi, pdw, pdb, pd, pi, pw, B, C, OC);
      const ref = denseBackward(dout, inp, w, B, C, OC);
      const e1 = maxAbsDiff(get(rt, pdi, B * C), ref.dinp);
      const e2 = maxAbsDiff(
        get(rt, pdw, C * OC),
        ref.dweight.map((x, i) => x + dw0[i]),
      );
      const e3 = maxAbsDiff(
        get(rt, pdb, OC),
        ref.dbias.map((x, i) => x + db0[i]),
      );
      const tol = 2e-6 * (Math.max(B, OC) + 1);
      expect(e1, `dinp ${B}x${C}x${OC}: err ${e1}`).toBeLessThan(tol);
      expect(e2, `dweight ${B}x${C}x${OC}: err ${e2}`).toBeLessThan(tol);
      expect(e3, `dbias ${B}x${C}x${OC}: err ${e3}`).toBeLessThan(tol);
      worst = Math.max(worst, e1, e2, e3);
    }
    console.log(`dense_backward: max abs err ${worst.toExponential(2)}`);
  });

  it("backward skips dinp and dbias when their pointers are 0", () => {
    const r = rng(13);
    const [B, C, OC] = [5, 7, 3];
    const inp = randn(r, B * C),
      w = randn(r, C * OC),
      dout = randn(r, B * OC);
    const pi = put(rt, inp),
      pw = put(rt, w),
      pd = put(rt, dout),
      pdw = put(rt, new Float32Array(C * OC));
    rt.k.dense_backward(0, pdw, 0, pd, pi, pw, B, C, OC);
    const err = maxAbsDiff(get(rt, pdw, C * OC), denseBackward(dout, inp, w, B, C, OC).dweight);
    expect(err).toBeLessThan(1e-5);
  });

  it("backward equals central finite differences of the forward kernel", () => {
    const r = rng(14);
    let worst = 0;
    for (const [B, C, OC] of [
      [3, 5, 7],
      [17, 9, 2],
      [32, 33, 17],
    ] as [number, number, number][]) {
      const inp = randn(r, B * C),
        w = randn(r, C * OC),
        bias = randn(r, OC),
        R = randn(r, B * OC);
      const pi = put(rt, inp),
        pw = put(rt, w),
        pb = put(rt, bias),
        po = put(rt, new Float32Array(B * OC));
      const loss = () => {
        rt.k.dense_forward(po, pi, pw, pb, B, C, OC, 0);
        return dot64(get(rt, po, B * OC), R);
      };
      const pR = put(rt, R);
      const pdi = put(rt, new Float32Array(B * C)),
        pdw = put(rt, new Float32Array(C * OC)),
        pdb = put(rt, new Float32Array(OC));
      rt.k.dense_backward(pdi, pdw, pdb, pR, pi, pw, B, C, OC);
      const grads: [number, number, number][] = [
        [pi, pdi, B * C],
        [pw, pdw, C * OC],
        [pb, pdb, OC],
      ];
      for (const [p, pg, n] of grads) {
        const g = get(rt, pg, n);
        for (const i of sampleIndices(r, n, 12)) {
          const fd = centralDiff(rt, p, i, 1e-2, loss);
          const err = Math.abs(fd - g[i]);
          expect(err, `dense ${B}x${C}x${OC} grad[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
          worst = Math.max(worst, err);
        }
      }
    }
    console.log(`dense_backward vs finite differences: max abs err ${worst.toExponential(2)}`);
  });
});
