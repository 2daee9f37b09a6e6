// Adam and SGD steps against float64 references over several steps (moments carried along).
import { describe, expect, it } from "vitest";
import { adamStep, sgdStep } from "../reference/optim.js";
import { get, maxAbsDiff, put, randn, rng, runtime } from "../util/wasm.js";

const SIZES = [1, 3, 4, 5, 7, 17, 33, 1001];

describe("optimizers", async () => {
  const rt = await runtime();

  it("adam_step follows Keras' Adam for 6 steps", () => {
    const r = rng(61);
    const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-7];
    for (const n of SIZES) {
      const p0 = randn(r, n);
      const ref = { p: Float64Array.from(p0), m: new Float64Array(n), v: new Float64Array(n) };
      const pp = put(rt, p0),
        pg = put(rt, new Float32Array(n)),
        pm = put(rt, new Float32Array(n)),
        pv = put(rt, new Float32Array(n));
      let worst = 0;
      for (let t = 1; t <= 6; t++) {
        const g = randn(r, n, 2);
        rt.f32(pg, n).set(g);
        const lrT = adamStep(ref, g, t, lr, b1, b2, eps);
        const clear = t % 2; // odd steps also zero the gradients
        rt.k.adam_step(pp, pg, pm, pv, n, lrT, b1, b2, eps, clear);
        expect(Array.from(get(rt, pg, n)), `grads n=${n} t=${t}`).toEqual(clear ? new Array(n).fill(0) : Array.from(g));
        worst = Math.max(worst, maxAbsDiff(get(rt, pp, n), ref.p));
        expect(maxAbsDiff(get(rt, pm, n), ref.m), `m n=${n} t=${t}`).toBeLessThan(1e-6);
        expect(maxAbsDiff(get(rt, pv, n), ref.v), `v n=${n} t=${t}`).toBeLessThan(1e-6);
      }
      expect(worst, `adam params n=${n}: err ${worst}`).toBeLessThan(1e-5);
      // The parameters did move (lr 0.01 for 6 steps).
      expect(maxAbsDiff(get(rt, pp, n), p0)).toBeGreaterThan(1e-3);
    }
  });

  it("flush_tiny zeroes exactly the values below the threshold, any length", () => {
    for (const n of SIZES) {
      const x = Float32Array.from({ length: n }, (_, i) => [1e-31, -1e-31, 2e-30, -5, 0, 1e-40, -1e-39][i % 7]);
      const p = put(rt, x);
      rt.k.flush_tiny(p, n, 1e-30);
      const want = Array.from(x, (v) => (Math.abs(v) < 1e-30 ? 0 : v));
      expect(Array.from(get(rt, p, n)).map((v) => (v === 0 ? 0 : v))).toEqual(want.map((v) => (v === 0 ? 0 : v)));
    }
  });

  for (const [momentum, nesterov] of [
    [0, 0],
    [0.9, 0],
    [0.9, 1],
    [0.5, 1],
  ]) {
    it(`sgd_step momentum=${momentum} nesterov=${nesterov} for 5 steps`, () => {
      const r = rng(62 + momentum * 10 + nesterov);
      const lr = 0.05;
      for (const n of SIZES) {
        const p0 = randn(r, n);
        const p = Float64Array.from(p0),
          vel = new Float64Array(n);
        const pp = put(rt, p0),
          pg = put(rt, new Float32Array(n));
        // momentum 0 never touches the velocity buffer, so pointer 0 is fine then.
        const pvel = momentum === 0 ? 0 : put(rt, new Float32Array(n));
        for (let t = 0; t < 5; t++) {
          const g = randn(r, n);
          rt.f32(pg, n).set(g);
          sgdStep(p, vel, g, lr, momentum, nesterov === 1);
          rt.k.sgd_step(pp, pg, pvel, n, lr, momentum, nesterov);
        }
        expect(maxAbsDiff(get(rt, pp, n), p), `params n=${n}`).toBeLessThan(1e-5);
        if (pvel) expect(maxAbsDiff(get(rt, pvel, n), vel), `velocity n=${n}`).toBeLessThan(1e-6);
      }
    });
  }
});
