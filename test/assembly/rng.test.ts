// The counter-based PRNG: reproducible, equal to the BigInt reference, streams independent,
// uniform (moments and a chi-square test) and normal (moments).
import { describe, expect, it } from "vitest";
import { normal, uniform } from "../reference/rng.js";
import { get, maxAbsDiff, put, runtime } from "../util/wasm.js";

// chi-square with 63 (255) degrees of freedom exceeds 103.4 (330.5) with probability 0.001.
const CHI2_63_P001 = 103.4;
const CHI2_255_P001 = 330.5;

/** chi-square of the pairs (x[i], y[i]) over a 16 x 16 grid: independence and uniformity in 2-D. */
function chi2Pairs(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  const cells = new Float64Array(256);
  for (let i = 0; i < n; i++) cells[Math.floor(x[i] * 16) * 16 + Math.floor(y[i] * 16)]++;
  const e = n / 256;
  return cells.reduce((a, o) => a + ((o - e) * (o - e)) / e, 0);
}

describe("rng", async () => {
  const rt = await runtime();
  const draw = (n: number, seed: number, stream: number) => {
    const p = put(rt, new Float32Array(n));
    rt.k.rng_uniform(p, n, seed, stream);
    const out = get(rt, p, n);
    rt.release(p, n * 4);
    return out;
  };

  it("equals the reference and is reproducible; value i does not depend on n", () => {
    for (const [seed, stream] of [
      [0, 0],
      [1, 2],
      [0xffffffff, 0x80000000],
      [123456789, 42],
    ]) {
      const a = draw(37, seed, stream);
      expect(maxAbsDiff(a, uniform(37, seed, stream)), `seed ${seed} stream ${stream}`).toBe(0);
      expect(maxAbsDiff(draw(37, seed, stream), a)).toBe(0);
      expect(maxAbsDiff(draw(5, seed, stream), a.subarray(0, 5))).toBe(0);
    }
  });

  it("different streams and seeds give different, uncorrelated values", () => {
    const n = 10000;
    const base = draw(n, 7, 0);
    for (const other of [draw(n, 7, 1), draw(n, 8, 0), draw(n, 7, 2), draw(n, 0, 7)]) {
      let same = 0,
        cov = 0;
      for (let i = 0; i < n; i++) {
        if (other[i] === base[i]) same++;
        cov += (other[i] - 0.5) * (base[i] - 0.5);
      }
      expect(same).toBeLessThan(5);
      // correlation of independent uniforms: sd 1/sqrt(n) = 0.01
      expect(Math.abs(cov / n / (1 / 12))).toBeLessThan(0.05);
    }
  });

  it("uniform: in [0,1), mean 1/2, variance 1/12, chi-square over 64 buckets", () => {
    for (const [seed, stream] of [
      [1, 0],
      [2024, 17],
    ]) {
      const n = 200000;
      const u = draw(n, seed, stream);
      let s = 0,
        s2 = 0,
        mn = 1,
        mx = 0;
      const buckets = new Float64Array(64);
      for (const x of u) {
        s += x;
        s2 += x * x;
        mn = Math.min(mn, x);
        mx = Math.max(mx, x);
        buckets[Math.floor(x * 64)]++;
      }
      const mean = s / n,
        variance = s2 / n - mean * mean;
      const e = n / 64;
      const chi2 = buckets.reduce((a, o) => a + ((o - e) * (o - e)) / e, 0);
      console.log(
        `rng_uniform seed ${seed}: mean ${mean.toFixed(5)} var ${variance.toFixed(5)} chi2(63) ${chi2.toFixed(1)}`,
      );
      expect(mn).toBeGreaterThanOrEqual(0);
      expect(mx).toBeLessThan(1);
      expect(Math.abs(mean - 0.5)).toBeLessThan(4.5 * Math.sqrt(1 / 12 / n));
      expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
      expect(chi2).toBeLessThan(CHI2_63_P001);
    }
  });

  it("pairs are uniform in 2-D: consecutive values, neighbouring streams and seeds at one index", () => {
    const n = 100000;
    const u = draw(n + 1, 3, 0);
    const results: [string, number][] = [
      ["(u[i], u[i+1])", chi2Pairs(u.subarray(0, n), u.subarray(1))],
      ["(u[i], u[i+4])", chi2Pairs(u.subarray(0, n - 3), u.subarray(4))],
      ["stream s, s+1", chi2Pairs(draw(n, 3, 0), draw(n, 3, 1))],
      ["seed s, s+1", chi2Pairs(draw(n, 3, 0), draw(n, 4, 0))],
      ["stream 0 vs seed swap", chi2Pairs(draw(n, 0, 3), draw(n, 3, 0))],
    ];
    console.log(`rng 2-D chi2(255): ${results.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`);
    for (const [k, v] of results) expect(v, k).toBeLessThan(CHI2_255_P001);
  });

  it("rng_normal: Box-Muller pairs as the reference, with the requested mean and std", () => {
    const n = 100001; // odd: the last value uses only the cosine half of its pair
    const p = put(rt, new Float32Array(n));
    rt.k.rng_normal(p, n, 5, 6, 2, 3);
    const z = get(rt, p, n);
    expect(maxAbsDiff(z.subarray(0, 1001), normal(1001, 5, 6, 2, 3))).toBeLessThan(1e-5);
    expect(Math.abs(z[n - 1] - normal(n, 5, 6, 2, 3)[n - 1])).toBeLessThan(1e-5);
    let s = 0,
      s2 = 0;
    for (const x of z) {
      s += x;
      s2 += x * x;
    }
    const mean = s / n,
      sd = Math.sqrt(s2 / n - mean * mean);
    console.log(`rng_normal(2, 3): mean ${mean.toFixed(4)} sd ${sd.toFixed(4)}`);
    expect(Math.abs(mean - 2)).toBeLessThan(4.5 * (3 / Math.sqrt(n)));
    expect(Math.abs(sd - 3)).toBeLessThan(0.05);
    expect(z.every(Number.isFinite)).toBe(true);
  });
});
