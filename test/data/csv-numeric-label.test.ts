// numericLabel: a regression target read as a number per row, checked like a numeric cell.
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../src/data/csv.js";
import { modelRows } from "../../src/data/csv-model.js";
import { DataError } from "../../src/errors.js";

describe("CSV numeric label", () => {
  it("reads the label into target (float32), features as usual, no classes", () => {
    const ds = parseCsv("a,price,b\n1,2.5,x\n3,-1e3,y\n5,0.1,x\n", { label: "price", numericLabel: true });
    expect(Array.from(ds.target!)).toEqual([2.5, -1000, Math.fround(0.1)]);
    expect(ds.y.length).toBe(0);
    expect(ds.classNames).toEqual([]);
    expect(ds.featureNames).toEqual(["a", "b"]);
    expect(Array.from(ds.x)).toEqual([1, 0, 3, 1, 5, 0]);
    expect(ds.labelColumn).toBe("price");
    expect(ds.categories).toEqual([{ feature: 1, column: "b", values: ["x", "y"] }]);
  });

  it("many rows (the buffers grow) keep every value", () => {
    const lines = ["x,t", ...Array.from({ length: 3000 }, (_, i) => `${i},${i / 4}`)];
    const ds = parseCsv(lines.join("\n"), { numericLabel: true });
    expect(ds.n).toBe(3000);
    expect(ds.target![2999]).toBe(2999 / 4);
    expect(ds.x[2999]).toBe(2999);
  });

  it("a label cell that is not a finite number is an error naming the row and column", () => {
    const bad = (text: string) => () => parseCsv(text, { label: "t", numericLabel: true });
    expect(bad("a,t\n1,2\n2,abc\n")).toThrow(DataError);
    try {
      bad("a,t\n1,2\n2,abc\n")();
    } catch (e) {
      expect((e as DataError).message).toMatch(/row 3/);
      expect((e as DataError).message).toMatch(/column t/);
    }
    expect(bad("a,t\n1,NaN\n")).toThrow(/not a finite number/);
    expect(bad("a,t\n1,\n")).toThrow(/empty label/);
    // a quoted number is a number, as in a numeric feature column
    expect(parseCsv('a,t\n1,"2"\n', { label: "t", numericLabel: true }).target![0]).toBe(2);
  });

  it("modelRows reads a regression model's label as numbers", () => {
    const meta = { task: "regression" as const, columns: ["a", "b"], label: "t", csvColumns: ["a", "t", "b"] };
    const r = modelRows(new TextEncoder().encode("a,t,b\n1,0.5,2\n3,-2,4\n"), meta, { label: "t" });
    expect(Array.from(r.target!)).toEqual([0.5, -2]);
    expect(r.y).toBeUndefined();
    expect(Array.from(r.x)).toEqual([1, 2, 3, 4]);
    const noLabel = modelRows(new TextEncoder().encode("b,a\n2,1\n"), meta);
    expect(Array.from(noLabel.x)).toEqual([1, 2]);
  });
});
