// dropout_forward/backward: the mask is exactly (u >= rate) * 1/(1-rate) with u the PRNG values
// rng_uniform gives for (seed, stream); the keep rate is right; masks are reproducible; backward
// is dout * mask (checked against the reference and finite differences).
import { describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.js";
import { dropoutForward } from "../reference/dropout.js";
import { get, maxAbsDiff, put, randn, rng, runtime, worstFiniteDiff } from "../util/wasm.js";

function fwd(rt: Runtime, x: Float32Array, rate: number, seed: number, stream: number) {
  const px = put(rt, x),
    pout = rt.alloc(x.length * 4),
    pmask = rt.alloc(x.length * 4);
  rt.k.dropout_forward(pout, pmask, px, x.length, rate, seed, stream);
  return { out: get(rt, pout, x.length), mask: get(rt, pmask, x.length), pmask };
}

function uniforms(rt: Runtime, n: number, seed: number, stream: number): Float32Array {
  const p = rt.alloc(n * 4);
  rt.k.rng_uniform(p, n, seed, stream);
  return get(rt, p, n);
}

describe("dropout", () => {
  it("matches the reference mask drawn from rng_uniform (odd N, several rates)", async () => {
    const rt = await runtime();
    const r = rng(1);
    for (const rate of [0.1, 0.5, 0.73]) {
      const x = randn(r, 1003);
      const got = fwd(rt, x, rate, 42, 7);
      const ref = dropoutForward(x, uniforms(rt, x.length, 42, 7), rate);
      expect(maxAbsDiff(got.mask, ref.mask)).toBe(0);
      expect(maxAbsDiff(got.out, ref.out)).toBe(0);
    }
  });

  it("keeps a fraction 1 - rate, scaled by 1/(1 - rate), so the mean is preserved", async () => {
    const rt = await runtime();
    const n = 200_000;
    for (const rate of [0.2, 0.5]) {
      const { mask } = fwd(rt, new Float32Array(n).fill(1), rate, 3, 1);
      let kept = 0,
        sum = 0,
        wrongScale = 0;
      for (const m of mask) {
        if (m !== 0) {
          kept++;
          if (Math.abs(m - 1 / (1 - rate)) > 1e-6) wrongScale++;
        }
        sum += m;
      }
      expect(wrongScale).toBe(0);
      // binomial sd = sqrt(r(1-r)/n) ~ 0.0011; allow 5 sd
      expect(Math.abs(kept / n - (1 - rate))).toBeLessThan(0.006);
      expect(Math.abs(sum / n - 1)).toBeLessThan(0.012);
    }
  });

  it("is reproducible for (seed, stream) and differs across streams and seeds", async () => {
    const rt = await runtime();
    const x = new Float32Array(500).fill(1);
    const a = fwd(rt, x, 0.5, 9, 1).mask,
      b = fwd(rt, x, 0.5, 9, 1).mask;
    const c = fwd(rt, x, 0.5, 9, 2).mask,
      d = fwd(rt, x, 0.5, 10, 1).mask;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0);
    expect(maxAbsDiff(a, d)).toBeGreaterThan(0);
  });

  it("rate 0 is the identity", async () => {
    const rt = await runtime();
    const x = randn(rng(2), 37);
    expect(maxAbsDiff(fwd(rt, x, 0, 1, 1).out, x)).toBe(0);
  });

  it("backward is dout * mask, and matches finite differences for a fixed mask", async () => {
    const rt = await runtime();
    const r = rng(5);
    const x = randn(r, 41),
      R = randn(r, 41);
    const { pmask, mask } = fwd(rt, x, 0.4, 77, 3);
    const pdx = rt.alloc(41 * 4);
    rt.k.dropout_backward(pdx, put(rt, R), pmask, 41);
    const dx = get(rt, pdx, 41);
    expect(
      maxAbsDiff(
        dx,
        R.map((v, i) => v * mask[i]),
      ),
    ).toBe(0);
    const loss = () => fwd(rt, x, 0.4, 77, 3).out.reduce((a, v, i) => a + v * R[i], 0);
    expect(worstFiniteDiff(x, dx, 1e-2, loss)).toBeLessThan(1e-3);
    // in place: dinp == dout
    const pd = put(rt, R);
    rt.k.dropout_backward(pd, pd, pmask, 41);
    expect(maxAbsDiff(get(rt, pd, 41), dx)).toBe(0);
  });
});
