// takeColumns, the one column gather, against a plain double loop on odd shapes.
import { describe, expect, it } from "vitest";
import { takeColumns } from "../../src/util/columns.js";
import { ShapeError } from "../../src/errors.js";
import { rng } from "./wasm.js";

function reference(x: ArrayLike<number>, width: number, cols: number[], rows?: number[]): number[] {
  const n = x.length / width;
  const out: number[] = [];
  for (const r of rows ?? Array.from({ length: n }, (_, i) => i)) for (const c of cols) out.push(x[r * width + c]);
  return out;
}

describe("takeColumns", () => {
  it("equals the double loop for every row or a row list, columns in any order and repeated", () => {
    const r = rng(7);
    for (let t = 0; t < 40; t++) {
      const width = 1 + Math.floor(r() * 13);
      const n = 1 + Math.floor(r() * 9);
      const x = Float32Array.from({ length: n * width }, () => r() * 2 - 1);
      const cols = Array.from({ length: 1 + Math.floor(r() * 7) }, () => Math.floor(r() * width));
      const rows = Array.from({ length: Math.floor(r() * 11) }, () => Math.floor(r() * n));
      expect(Array.from(takeColumns(x, width, cols))).toEqual(reference(x, width, cols));
      expect(Array.from(takeColumns(x, width, cols, rows))).toEqual(reference(x, width, cols, rows));
    }
  });

  it("names a column or row out of range, and a matrix that is not whole rows", () => {
    const x = new Float32Array(12);
    expect(() => takeColumns(x, 4, [4])).toThrow(/column index 4 out of range 0..3/);
    expect(() => takeColumns(x, 4, [0], [3])).toThrow(/row index 3 out of range 0..2/);
    expect(() => takeColumns(x, 5, [0])).toThrow(ShapeError);
  });
});
