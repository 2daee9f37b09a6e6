// relu and tanh: forward against Math, backward against the reference formula and against central
// finite differences of L = sum(R * forward(x)).
import { describe, expect, it } from "vitest";
import { relu, reluBackward, tanh, tanhBackward } from "../reference/act.js";
import { expfLut, softmaxRowBits } from "../reference/expf.js";
import { centralDiff, dot64, get, maxAbsDiff, put, randn, rng, runtime, sampleIndices } from "../util/wasm.js";

const SIZES = [1, 3, 4, 5, 7, 17, 33, 1000];

describe("activations", async () => {
  const rt = await runtime();

  it("relu forward/backward match the reference, also in place", () => {
    const r = rng(21);
    for (const n of SIZES) {
      const x = randn(r, n, 3),
        d = randn(r, n);
      const px = put(rt, x),
        po = put(rt, new Float32Array(n).fill(NaN));
      rt.k.relu_forward(po, px, n);
      const out = get(rt, po, n);
      expect(maxAbsDiff(out, relu(x)), `relu_forward n=${n}`).toBe(0);
      const pd = put(rt, d),
        pdi = put(rt, new Float32Array(n).fill(NaN));
      rt.k.relu_backward(pdi, pd, po, n);
      expect(maxAbsDiff(get(rt, pdi, n), reluBackward(d, out)), `relu_backward n=${n}`).toBe(0);
      rt.k.relu_forward(px, px, n);
      expect(maxAbsDiff(get(rt, px, n), relu(x)), `relu_forward in place n=${n}`).toBe(0);
      rt.k.relu_backward(pd, pd, po, n);
      expect(maxAbsDiff(get(rt, pd, n), reluBackward(d, out)), `relu_backward in place n=${n}`).toBe(0);
    }
  });

  // exp_forward runs the softmax's four-lane exponential on whole vectors and Mathf.exp on the tail:
  // both must give the scalar reference's bits, including the special cases (|x| >= 88, NaN, inf).
  it("exp forward has the bits of Mathf.exp (the scalar reference), vector lanes and tail alike", () => {
    const r = rng(41);
    const special = [0, -0, 1e-30, -1e-30, -87.9, -88.1, -103.9, -104, -110, -Infinity, Infinity, NaN, 88.7, 88.73, 89];
    const x = Float32Array.from([...special, ...Array.from({ length: 4001 }, () => (r() - 0.85) * 130)]);
    for (const n of [x.length, x.length - 1, x.length - 2, 3, 1]) {
      const px = put(rt, x),
        po = put(rt, new Float32Array(n).fill(7));
      rt.k.exp_forward(po, px, n);
      const got = new Uint32Array(get(rt, po, n).buffer);
      const want = new Uint32Array(Float32Array.from(x.subarray(0, n), expfLut).buffer);
      expect(Array.from(got), `n=${n}`).toEqual(Array.from(want));
    }
    // and the reference is exp: within 1 ulp where the result is a normal float
    for (const v of x.subarray(special.length)) {
      const e = expfLut(v);
      if (e > 1e-37) expect(Math.abs(e - Math.exp(v)) / e).toBeLessThan(1.2e-7);
    }
  });

  it("softmax_forward rows have the bits of max, Mathf.exp, an in-order sum and one scale", () => {
    const r = rng(43);
    // B = 9: two groups of four rows and one row alone; scale 40 puts gaps past 88 below the max
    // (exp4's per-lane path, in the four-wide part and in the 1-3 tail)
    for (const [V, scale] of [
      [1, 6],
      [2, 6],
      [3, 6],
      [4, 6],
      [5, 6],
      [6, 6],
      [7, 6],
      [10, 6],
      [23, 6],
      [7, 40],
      [23, 40],
    ]) {
      const B = 9;
      const x = randn(r, B * V, scale);
      const pp = put(rt, new Float32Array(B * V).fill(NaN));
      rt.k.softmax_forward(pp, put(rt, x), B, V);
      const got = new Uint32Array(get(rt, pp, B * V).buffer);
      for (let b = 0; b < B; b++) {
        const want = new Uint32Array(softmaxRowBits(x.subarray(b * V, (b + 1) * V)).buffer);
        expect(Array.from(got.subarray(b * V, (b + 1) * V)), `V=${V} row ${b}`).toEqual(Array.from(want));
      }
    }
  });

  it("softmax_forward: a NaN logit makes its row NaN and leaves the other rows alone", () => {
    // four rows' exponentials run as one stream of 4V floats whose vectors span rows, and exp4 takes
    // a vector with a NaN lane lane by lane: at V = 23 a NaN at column 0 of row 2 shares its vector
    // with row 1, one at column 22 with row 3, and those rows must keep their bits
    const r = rng(44);
    for (const [V, at] of [
      [23, 0],
      [23, 5],
      [23, 22],
      [9, 7],
      [5, 4],
    ]) {
      const B = 8;
      const x = randn(r, B * V, 6);
      x[2 * V + at] = NaN; // row 2 of the first group of four, row 6 of the second
      x[6 * V + at] = NaN;
      const pp = put(rt, new Float32Array(B * V));
      rt.k.softmax_forward(pp, put(rt, x), B, V);
      const got = get(rt, pp, B * V);
      for (let b = 0; b < B; b++) {
        const row = Array.from(got.subarray(b * V, (b + 1) * V));
        if (b === 2 || b === 6) expect(row.every(Number.isNaN), `V=${V} NaN at ${at} row ${b}`).toBe(true);
        else expect(new Float32Array(row), `V=${V} row ${b}`).toEqual(softmaxRowBits(x.subarray(b * V, (b + 1) * V)));
      }
    }
  });

  it("tanh forward is within 1e-6 of Math.tanh over [-12, 12] and saturates", () => {
    const n = 24001;
    const x = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const px = put(rt, x),
      po = put(rt, new Float32Array(n));
    rt.k.tanh_forward(po, px, n);
    const err = maxAbsDiff(get(rt, po, n), tanh(x));
    console.log(`tanh_forward: max abs err vs Math.tanh ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-6);
    const big = put(rt, [1e30, -1e30, 50, -50, 0]);
    rt.k.tanh_forward(big, big, 5);
    expect(Array.from(get(rt, big, 5))).toEqual([1, -1, 1, -1, 0]);
  });

  it("tanh forward/backward match the reference on every tail size, also in place", () => {
    const r = rng(22);
    for (const n of SIZES) {
      const x = randn(r, n, 3),
        d = randn(r, n);
      const px = put(rt, x),
        po = put(rt, new Float32Array(n));
      rt.k.tanh_forward(po, px, n);
      const out = get(rt, po, n);
      expect(maxAbsDiff(out, tanh(x)), `tanh_forward n=${n}`).toBeLessThan(1e-6);
      const pd = put(rt, d),
        pdi = put(rt, new Float32Array(n));
      rt.k.tanh_backward(pdi, pd, po, n);
      expect(maxAbsDiff(get(rt, pdi, n), tanhBackward(d, out)), `tanh_backward n=${n}`).toBeLessThan(1e-6);
      rt.k.tanh_backward(pd, pd, po, n);
      expect(maxAbsDiff(get(rt, pd, n), tanhBackward(d, out)), `tanh_backward in place n=${n}`).toBeLessThan(1e-6);
    }
  });

  for (const name of ["relu", "tanh"] as const) {
    it(`${name}_backward equals central finite differences`, () => {
      const r = rng(23);
      const n = 37;
      // Keep relu's inputs away from the kink, where the difference quotient is meaningless.
      const x = randn(r, n, 2).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
      const R = randn(r, n);
      const px = put(rt, x),
        po = put(rt, new Float32Array(n)),
        pR = put(rt, R),
        pdi = put(rt, new Float32Array(n));
      const fwd = name === "relu" ? rt.k.relu_forward : rt.k.tanh_forward;
      const loss = () => {
        fwd(po, px, n);
        return dot64(get(rt, po, n), R);
      };
      loss();
      (name === "relu" ? rt.k.relu_backward : rt.k.tanh_backward)(pdi, pR, po, n);
      const g = get(rt, pdi, n);
      let worst = 0;
      for (const i of sampleIndices(r, n, n)) {
        const fd = centralDiff(rt, px, i, 1e-2, loss);
        worst = Math.max(worst, Math.abs(fd - g[i]));
        expect(Math.abs(fd - g[i]), `${name} grad[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
      }
      console.log(`${name}_backward vs finite differences: max abs err ${worst.toExponential(2)}`);
    });
  }
});
