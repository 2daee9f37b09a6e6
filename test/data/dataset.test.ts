import { describe, it, expect } from "vitest";
import {
  fromArrays,
  validateXY,
  subsetRows,
  selectColumns,
  classCounts,
  sortClassNames,
} from "../../src/data/dataset.js";
import { DataError, ShapeError } from "../../src/errors.js";

describe("Dataset helpers", () => {
  const ds = fromArrays(
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
    [0, 1, 0],
    { featureNames: ["a", "b", "c"], classNames: ["neg", "pos"], source: "t" },
  );

  it("fromArrays builds a row-major float32 dataset", () => {
    expect(ds.n).toBe(3);
    expect(ds.d).toBe(3);
    expect(Array.from(ds.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ds.y).toEqual(Int32Array.from([0, 1, 0]));
    expect(ds.classNames).toEqual(["neg", "pos"]);
  });

  it("fromArrays accepts a flat Float32Array and string labels (sorted class names)", () => {
    const f = fromArrays(Float32Array.from([1, 2, 3, 4]), ["b", "a"], { d: 2 });
    expect(f.n).toBe(2);
    expect(f.classNames).toEqual(["a", "b"]);
    expect(Array.from(f.y)).toEqual([1, 0]);
    expect(f.featureNames).toEqual(["x0", "x1"]);
    const g = fromArrays(Float32Array.from([1, 2]), ["10", "9"]);
    expect(g.classNames).toEqual(["9", "10"]);
  });

  it("fromArrays rejects ragged rows, bad labels and NaN", () => {
    expect(() => fromArrays([[1, 2], [3]], [0, 1])).toThrow(/array, row 2: row has 1 values, expected 2/);
    expect(() => fromArrays([[1], [2]], [0, 1.5])).toThrow(DataError);
    expect(() => fromArrays([[1], [2]], [0, -1])).toThrow(DataError);
    expect(() => fromArrays([[1], [NaN]], [0, 1])).toThrow(/array, row 2, column x0: feature value is NaN/);
  });

  it("validateXY checks lengths, finiteness (naming row and column) and label range", () => {
    expect(() => validateXY(new Float32Array(5), new Int32Array(2), 2, 3)).toThrow(ShapeError);
    expect(() => validateXY(new Float32Array(6), new Int32Array(3), 2, 3)).toThrow(ShapeError);
    const x = new Float32Array(6);
    x[4] = Infinity;
    expect(() => validateXY(x, new Int32Array(2), 2, 3, { source: "f.csv", featureNames: ["p", "q", "r"] })).toThrow(
      /^f\.csv, row 2, column q: feature value is Infinity/,
    );
    expect(() => validateXY(new Float32Array(6), Int32Array.from([0, 2]), 2, 3, { k: 2 })).toThrow(
      /row 2, column label: label 2 is not an integer in 0\.\.1/,
    );
    expect(() => validateXY(new Float32Array(6), Int32Array.from([0, 1]), 2, 3, { k: 2 })).not.toThrow();
  });

  it("subsetRows copies the chosen rows in order (repeats allowed)", () => {
    const s = subsetRows(ds, [2, 0, 2]);
    expect(s.n).toBe(3);
    expect(Array.from(s.x)).toEqual([7, 8, 9, 1, 2, 3, 7, 8, 9]);
    expect(Array.from(s.y)).toEqual([0, 0, 0]);
    expect(s.featureNames).toEqual(ds.featureNames);
    s.x[0] = 100;
    expect(ds.x[6]).toBe(7); // a copy
    expect(() => subsetRows(ds, [3])).toThrow(ShapeError);
  });

  it("selectColumns picks features and their names", () => {
    const s = selectColumns(ds, [2, 0]);
    expect(s.d).toBe(2);
    expect(Array.from(s.x)).toEqual([3, 1, 6, 4, 9, 7]);
    expect(s.featureNames).toEqual(["c", "a"]);
    expect(s.y).toEqual(ds.y);
    expect(() => selectColumns(ds, [3])).toThrow(ShapeError);
  });

  it("classCounts and sortClassNames", () => {
    expect(classCounts([0, 2, 2, 1, 2])).toEqual([1, 1, 3]);
    expect(classCounts([0, 0], 3)).toEqual([2, 0, 0]);
    expect(sortClassNames(["b", "a", "B"])).toEqual(["B", "a", "b"]);
    expect(sortClassNames(["2", "10", "1.5"])).toEqual(["1.5", "2", "10"]);
    expect(sortClassNames(["2", "x", "10"])).toEqual(["10", "2", "x"]);
  });
});
