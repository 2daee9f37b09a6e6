// Every malformed-input case gives a DataError naming the file, the 1-based row and the column.
import { describe, it, expect } from "vitest";
import { parseCsv, type CsvOptions } from "../../src/data/csv.js";
import { DataError, ConfigError } from "../../src/errors.js";

function fail(text: string, options: CsvOptions = {}): DataError {
  try {
    parseCsv(text, { source: "bad.csv", ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}

describe("CSV errors", () => {
  it("ragged rows: too few and too many fields", () => {
    const few = fail("a,b,y\n1,2,p\n3,q\n");
    expect(few.message).toBe("bad.csv, row 3: expected 3 fields, found 2");
    expect([few.file, few.row]).toEqual(["bad.csv", 3]);
    const many = fail("1,2,p\n3,4,q,5\n", { header: false });
    expect(many.message).toBe("bad.csv, row 2: expected 3 fields, found 4");
  });

  it("NaN and Infinity in numeric columns", () => {
    for (const bad of ["NaN", "nan", "Infinity", "-inf", "+Inf"]) {
      const e = fail(`a,b,y\n1,2,p\n3,${bad},q\n`);
      expect(e.message).toBe(
        `bad.csv, row 3, column b: '${bad}' is not a finite number (NaN and Infinity are not allowed)`,
      );
      expect([e.row, e.column]).toEqual([3, "b"]);
    }
    // Also when it is the first data row (the column is then numeric, not categorical).
    expect(fail("a,b,y\n1,NaN,p\n3,4,q\n").message).toBe(
      "bad.csv, row 2, column b: 'NaN' is not a finite number (NaN and Infinity are not allowed)",
    );
  });

  it("values beyond float32 range", () => {
    expect(fail("a,y\n1,p\n1e39,q\n").message).toBe("bad.csv, row 3, column a: '1e39' is out of float32 range");
  });

  it("empty cells in numeric columns (also in the first row, also quoted)", () => {
    expect(fail("a,b,y\n1,2,p\n3,,q\n").message).toBe("bad.csv, row 3, column b: empty cell in a numeric column");
    expect(fail("a,b,y\n1, ,p\n3,4,q\n").message).toBe("bad.csv, row 2, column b: empty cell in a numeric column");
    expect(fail('a,b,y\n1,2,p\n3,"",q\n').message).toBe("bad.csv, row 3, column b: empty cell in a numeric column");
  });

  it("without a header the column is its 1-based number", () => {
    const e = fail("1,2,p\n3,x,q\n", { header: false });
    expect(e.message).toMatch(/^bad\.csv, row 2, column 2: 'x' is not a number/);
    expect(e.column).toBe(2);
  });

  it("an empty file, a blank file, a header with no rows", () => {
    expect(fail("").message).toBe("bad.csv: empty file (no rows)");
    expect(fail("\n \r\n\n").message).toBe("bad.csv: empty file (no rows)");
    const h = fail("a,b,y\n");
    expect(h.message).toBe("bad.csv, row 1: no data rows (only a header)");
  });

  it("an unknown label column lists the available ones", () => {
    const e = fail("a,b,y\n1,2,p\n3,4,q\n", { label: "target" });
    expect(e.message).toBe('bad.csv: label column "target" not found; available: "a", "b", "y"');
    expect(fail("a,b,y\n1,2,p\n", { label: 3 }).message).toMatch(
      /^bad\.csv: label column index 3 out of range: the file has 3 columns/,
    );
    expect(fail("a,b,y\n1,2,p\n", { label: -4 }).message).toMatch(/out of range/);
    expect(fail("a,b,y\n1,2,p\n", { drop: ["zz"] }).message).toMatch(/^bad\.csv: drop column "zz" not found/);
    expect(fail("a,b,y\n1,2,p\n", { categorical: ["zz"] }).message).toMatch(
      /^bad\.csv: categorical column "zz" not found/,
    );
  });

  it("an ambiguous label name", () => {
    expect(fail("a,a,y\n1,2,p\n", { label: "a" }).message).toMatch(/ambiguous/);
  });

  it("a label with a single class", () => {
    const e = fail("a,y\n1,normal.\n2,normal.\n");
    expect(e.message).toBe("bad.csv, column y: label column has a single class ('normal.'); need at least 2");
  });

  it("an empty label", () => {
    expect(fail("a,y\n1,p\n2,\n").message).toBe("bad.csv, row 3, column y: empty label");
  });

  it("an unterminated quote names the row where the field opened and its column", () => {
    const e = fail('a,b,y\n1,2,p\n3,"4,q\n5,6,p\n');
    expect(e.message).toBe(`bad.csv, row 3, column b: unterminated quoted field (no closing '"')`);
    expect(fail('a,"b,y\n').message).toBe(`bad.csv, row 1, column 2: unterminated quoted field (no closing '"')`);
  });

  it("text after a closing quote", () => {
    expect(fail('a,b,y\n1,"2"x,p\n').message).toBe("bad.csv, row 2, column b: unexpected 'x' after a closing quote");
  });

  it("options.names of the wrong length; no feature columns", () => {
    expect(fail("1,2,p\n", { header: false, names: ["a", "y"] }).message).toBe(
      "bad.csv, row 1: options.names has 2 names but the file has 3 columns",
    );
    expect(fail("a,y\n1,p\n", { drop: ["a"] }).message).toBe(
      "bad.csv: no feature columns (every column is the label or dropped)",
    );
  });

  it("the label cannot also be dropped (a configuration error)", () => {
    expect(() => parseCsv("a,y\n1,p\n", { drop: ["y"] })).toThrow(ConfigError);
  });

  it("defaults the file name to <csv>", () => {
    expect(() => parseCsv("a,y\n1,p\nx,q\n")).toThrow(/^<csv>, row 3, column a:/);
  });
});
