import { describe, it, expect } from "vitest";
import { Standardizer } from "../../src/data/standardize.js";
import { fromArrays } from "../../src/data/dataset.js";
import { ConfigError, ShapeError } from "../../src/errors.js";

describe("Standardizer", () => {
  // 4 rows x 3 columns; column 2 is constant.
  const x = Float32Array.from([1, 10, 5, 3, 20, 5, 5, 30, 5, 100, -40, 5]);

  it("fits mean and population std per column; constant columns get std 1 and map to 0", () => {
    const st = Standardizer.fit(x.subarray(0, 9), 3); // first 3 rows
    expect(Array.from(st.mean)).toEqual([3, 20, 5]);
    expect(st.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(st.std[1]).toBeCloseTo(Math.sqrt(200 / 3), 12);
    expect(st.std[2]).toBe(1);
    const z = st.transform(x.subarray(0, 9));
    for (let j = 0; j < 3; j++) {
      const col = [z[j], z[3 + j], z[6 + j]];
      expect(col.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
      if (j < 2) expect(col.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 5);
      else expect(col).toEqual([0, 0, 0]);
    }
  });

  it("fits on the training rows only, and applies those statistics to other rows", () => {
    const train = [0, 1, 2];
    const st = Standardizer.fit(x, 3, train);
    const all = Standardizer.fit(x, 3);
    expect(Array.from(st.mean)).toEqual([3, 20, 5]); // not influenced by row 3's 100 / -40
    expect(all.mean[0]).toBe(27.25);
    const z = st.transform(x);
    expect(z[9]).toBeCloseTo((100 - 3) / Math.sqrt(8 / 3), 4); // the held-out row uses train statistics
    expect(z[11]).toBe(0); // constant in train -> 0 even for other rows with that value
    expect(z).not.toBe(x);
    expect(x[0]).toBe(1); // input untouched
  });

  it("fitDataset / transformDataset keep everything but x", () => {
    const ds = fromArrays(x, [0, 1, 0, 1], { d: 3 });
    const st = Standardizer.fitDataset(ds, [0, 1, 2]);
    const t = st.transformDataset(ds);
    expect(t.y).toBe(ds.y);
    expect(t.featureNames).toEqual(ds.featureNames);
    expect(t.x[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 5);
  });

  it("inverseTransform undoes transform", () => {
    const st = Standardizer.fit(x, 3);
    const back = st.inverseTransform(st.transform(x));
    for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 4);
  });

  it("round-trips through JSON and selects columns", () => {
    const st = Standardizer.fit(x, 3, [0, 1, 2]);
    const back = Standardizer.fromJSON(JSON.parse(JSON.stringify(st)));
    expect(back.transform(x)).toEqual(st.transform(x));
    const sel = st.select([1]);
    expect(Array.from(sel.mean)).toEqual([20]);
    expect(() => Standardizer.fromJSON({ mean: [1], std: [0] })).toThrow(ConfigError);
    expect(() => Standardizer.fromJSON({ mean: [1, 2], std: [1] })).toThrow(ShapeError);
  });

  it("rejects shape mismatches and empty fits", () => {
    expect(() => Standardizer.fit(x, 5)).toThrow(ShapeError);
    expect(() => Standardizer.fit(x, 3, [])).toThrow(ShapeError);
    expect(() => Standardizer.fit(x, 3, [4])).toThrow(ShapeError);
    expect(() => Standardizer.fit(x, 3).transform(new Float32Array(4))).toThrow(ShapeError);
  });
});
