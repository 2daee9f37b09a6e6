// makeClassification: shapes, ground truth, determinism, and informative > noise separation.
import { describe, it, expect } from "vitest";
import { makeClassification } from "../../src/data/synthetic.js";
import { validateDataset, classCounts } from "../../src/data/dataset.js";
import { ConfigError } from "../../src/errors.js";

/** |mean(class 1) - mean(class 0)| / pooled std, per column. */
function separation(x: Float32Array, y: Int32Array, n: number, d: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < d; j++) {
    const s = [0, 0],
      s2 = [0, 0],
      c = [0, 0];
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j];
      s[y[i]] += v;
      s2[y[i]] += v * v;
      c[y[i]]++;
    }
    const m = [s[0] / c[0], s[1] / c[1]];
    const v = (s2[0] - c[0] * m[0] ** 2 + s2[1] - c[1] * m[1] ** 2) / (n - 2);
    out.push(Math.abs(m[1] - m[0]) / Math.sqrt(v));
  }
  return out;
}

describe("makeClassification", () => {
  it("has the default shape, names and ground truth", () => {
    const ds = makeClassification({ seed: 1 });
    expect([ds.n, ds.d]).toEqual([1000, 50]);
    expect(ds.informative).toEqual([0, 1, 2, 3, 4]);
    expect(ds.redundant).toEqual([5, 6, 7, 8, 9]);
    expect(ds.noise).toEqual(Array.from({ length: 40 }, (_, j) => 10 + j));
    expect(ds.featureNames.slice(0, 6)).toEqual(["inf0", "inf1", "inf2", "inf3", "inf4", "red0"]);
    expect(ds.featureNames[49]).toBe("noise39");
    expect(ds.classNames).toEqual(["0", "1"]);
    validateDataset(ds);
    const counts = classCounts(ds.y, 2);
    expect(Math.abs(counts[0] - 500)).toBeLessThan(20); // balanced up to label flips
  });

  it("is deterministic given the seed", () => {
    const a = makeClassification({ seed: 5, nSamples: 200 });
    const b = makeClassification({ seed: 5, nSamples: 200 });
    const c = makeClassification({ seed: 6, nSamples: 200 });
    expect(b.x).toEqual(a.x);
    expect(b.y).toEqual(a.y);
    expect(c.x).not.toEqual(a.x);
  });

  it("pins the data of seed 0 (a change here changes every synthetic experiment)", () => {
    const ds = makeClassification({ seed: 0, nSamples: 20 });
    expect(Array.from(ds.x.slice(0, 4))).toEqual([
      2.373425245285034, 2.484060049057007, 1.2399438619613647, 1.2843984365463257,
    ]);
    expect(Array.from(ds.y.slice(0, 10))).toEqual([1, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
  });

  it("informative features separate the classes better than noise features", () => {
    const ds = makeClassification({ seed: 2, nSamples: 2000, flipY: 0 });
    const sep = separation(ds.x, ds.y, ds.n, ds.d);
    const inf = ds.informative.map((j) => sep[j]);
    const noise = ds.noise.map((j) => sep[j]);
    const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
    expect(Math.max(...inf)).toBeGreaterThan(3 * Math.max(...noise));
    expect(mean(inf)).toBeGreaterThan(3 * mean(noise));
    expect(Math.max(...noise)).toBeLessThan(0.15); // 2000 samples: noise separation ~ N(0, 0.045)
  });

  it("redundant features are exact linear combinations of the informative ones", () => {
    const ds = makeClassification({ seed: 3, nSamples: 60, nInformative: 3, nRedundant: 2, nNoise: 1 });
    // Solve red0 = X_inf b on 3 rows, check it on every other row.
    const d = ds.d;
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => ds.x[i * d + j]));
    const rhs = [0, 1, 2].map((i) => ds.x[i * d + 3]);
    const det = (m: number[][]) =>
      m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
      m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
      m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    const D = det(A);
    const b = [0, 1, 2].map((c) => det(A.map((r, i) => r.map((v, j) => (j === c ? rhs[i] : v)))) / D);
    for (let i = 3; i < ds.n; i++) {
      const pred = b[0] * ds.x[i * d] + b[1] * ds.x[i * d + 1] + b[2] * ds.x[i * d + 2];
      expect(pred).toBeCloseTo(ds.x[i * d + 3], 3);
    }
  });

  it("shuffleFeatures permutes columns and reports where each kind went", () => {
    const plain = makeClassification({ seed: 4, nSamples: 100 });
    const sh = makeClassification({ seed: 4, nSamples: 100, shuffleFeatures: true });
    const p = sh.featurePermutation!;
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, j) => j));
    for (let j = 0; j < 50; j++) {
      expect(sh.featureNames[j]).toBe(plain.featureNames[p[j]]);
      expect(sh.x[7 * 50 + j]).toBe(plain.x[7 * 50 + p[j]]);
    }
    expect(sh.informative.map((j) => sh.featureNames[j]).sort()).toEqual(["inf0", "inf1", "inf2", "inf3", "inf4"]);
    expect(sh.noise.every((j) => sh.featureNames[j].startsWith("noise"))).toBe(true);
    expect(sh.redundant.every((j) => sh.featureNames[j].startsWith("red"))).toBe(true);
  });

  it("supports more classes and flips the requested fraction of labels", () => {
    const ds = makeClassification({
      seed: 5,
      nClasses: 4,
      nClustersPerClass: 1,
      nInformative: 3,
      nSamples: 400,
      flipY: 0,
    });
    expect(classCounts(ds.y, 4)).toEqual([100, 100, 100, 100]);
    const a = makeClassification({ seed: 6, flipY: 0, shuffle: false });
    const b = makeClassification({ seed: 6, flipY: 0.5, shuffle: false });
    let diff = 0;
    for (let i = 0; i < a.n; i++) diff += a.y[i] !== b.y[i] ? 1 : 0;
    expect(diff / a.n).toBeGreaterThan(0.18); // half flipped, half of those to the other class
    expect(diff / a.n).toBeLessThan(0.32);
  });

  it("rejects impossible configurations", () => {
    expect(() => makeClassification({ nInformative: 1, nClasses: 2, nClustersPerClass: 2 })).toThrow(ConfigError);
    expect(() => makeClassification({ nSamples: 0 })).toThrow(ConfigError);
    expect(() => makeClassification({ flipY: 2 })).toThrow(ConfigError);
  });
});
