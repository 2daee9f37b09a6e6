import { describe, it, expect } from "vitest";
import { Random, log } from "../../src/util/random.js";
import { ConfigError } from "../../src/errors.js";

describe("Random", () => {
  it("xoshiro128** matches the reference output for state (1, 2, 3, 4)", () => {
    const r = Random.fromState([1, 2, 3, 4]);
    expect([r.uint32(), r.uint32(), r.uint32(), r.uint32()]).toEqual([11520, 0, 5927040, 70819200]);
  });

  it("is deterministic by seed and differs across seeds (including seeds above 2^32)", () => {
    const a = new Random(42),
      b = new Random(42),
      c = new Random(43),
      d = new Random(42 + 2 ** 32);
    const sa = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(sa);
    expect(Array.from({ length: 8 }, () => d.next())).not.toEqual(sa);
  });

  it("pins the stream of seed 0 (cross-platform reproducibility)", () => {
    const r = new Random(0);
    const got = Array.from({ length: 4 }, () => r.uint32());
    const again = new Random(0);
    expect(Array.from({ length: 4 }, () => again.uint32())).toEqual(got);
    // Values recorded from this implementation; a change here changes every seeded split and dataset.
    expect(got).toEqual([3809008728, 1133695204, 53579671, 2891528803]);
  });

  it("pins next/normal/int of seed 0 (integer and IEEE-exact arithmetic only, so every engine agrees)", () => {
    const r = new Random(0);
    expect([r.next(), r.normal(), r.normal(), r.int(1000)]).toEqual([
      0.8868539502021594, -0.294640093267637, 0.06958012972138387, 208,
    ]);
  });

  it("rejects seeds that are not safe integers", () => {
    expect(() => new Random(1.5)).toThrow(ConfigError);
    expect(() => new Random(2 ** 60)).toThrow(ConfigError);
  });

  it("next() is uniform in [0, 1)", () => {
    const r = new Random(1);
    const n = 200_000;
    const bins = new Array(10).fill(0);
    let min = 1,
      max = 0,
      sum = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      bins[Math.floor(u * 10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(5 * Math.sqrt(n / 10));
  });

  it("int(n) stays in range and is unbiased, also for n > 2^32", () => {
    const r = new Random(2);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(2 ** 40 + 3);
      expect(Number.isInteger(v) && v >= 0 && v < 2 ** 40 + 3).toBe(true);
    }
    expect(() => r.int(0)).toThrow(ConfigError);
  });

  it("normal() has mean 0 and variance 1, and scales", () => {
    const r = new Random(3);
    const n = 200_000;
    let s = 0,
      s2 = 0,
      s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1); // Gaussian kurtosis
    const z = new Random(4).normal(10, 0.001);
    expect(Math.abs(z - 10)).toBeLessThan(0.01);
  });

  it("shuffle is an in-place permutation; permutation(n) covers 0..n-1; seeds reproduce", () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const r = new Random(5);
    expect(r.shuffle(a)).toBe(a);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const p = new Random(6).permutation(50);
    expect(p).toBeInstanceOf(Int32Array);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Random(6).permutation(50)).toEqual(p);
  });

  it("shuffle puts each element everywhere with equal chance", () => {
    const r = new Random(7);
    const pos = new Array(4).fill(0);
    for (let t = 0; t < 40_000; t++) pos[r.shuffle([0, 1, 2, 3]).indexOf(0)]++;
    for (const c of pos) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it("sample(n, k) gives k distinct values in range", () => {
    const s = new Random(8).sample(1000, 100);
    expect(new Set(s).size).toBe(100);
    expect(s.every((v) => v >= 0 && v < 1000)).toBe(true);
    expect(new Random(8).sample(5, 5).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => new Random(8).sample(3, 4)).toThrow(ConfigError);
  });

  it("state round-trips and fork gives an independent stream", () => {
    const r = new Random(9);
    r.next();
    const copy = Random.fromState(r.getState());
    expect(copy.next()).toBe(r.next());
    const f = r.fork();
    expect(f.next()).not.toBe(r.next());
  });

  it("log() (fdlibm port) equals Math.log on a wide range", () => {
    const r = new Random(10);
    for (let i = 0; i < 20_000; i++) {
      const x = Math.exp((r.next() - 0.5) * 1400) * (1 + r.next());
      expect(Math.abs(log(x) - Math.log(x))).toBeLessThanOrEqual(Math.abs(Math.log(x)) * 2.3e-16);
    }
    expect(log(1)).toBe(0);
    expect(log(0)).toBe(-Infinity);
    expect(log(-1)).toBeNaN();
    expect(log(5e-324)).toBeCloseTo(-744.44007192138, 10);
  });
});
