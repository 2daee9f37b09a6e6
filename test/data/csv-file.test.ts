// readCsv / readCsvSync on files: plain, gzip (by magic bytes), errors naming the path.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readCsv, readCsvSync } from "../../src/data/csv-node.js";
import { DataError } from "../../src/errors.js";

let dir = "";
const text = "a\tb\tkind\n1\t2\tx\n3\t4\ty\n5\t6\tx\n";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bsfnet-csv-"));
  writeFileSync(join(dir, "plain.tsv"), text);
  writeFileSync(join(dir, "data.tsv.gz"), gzipSync(text));
  writeFileSync(join(dir, "gzipped-no-suffix.dat"), gzipSync(text));
  writeFileSync(join(dir, "fake.gz"), text);
  writeFileSync(join(dir, "corrupt.gz"), gzipSync(text).subarray(0, 20));
  writeFileSync(join(dir, "bad.csv"), "a,y\n1,p\n2,q\nz,p\n");
  // Two gzip members back to back (what `cat a.gz b.gz` gives) decompress to the concatenation.
  writeFileSync(join(dir, "multi.gz"), Buffer.concat([gzipSync("a,y\n1,p\n"), gzipSync("2,q\n")]));
  let big = "v,w,y\n";
  for (let i = 0; i < 50_000; i++) big += `${i},${(i % 97) / 8},${i % 3}\n`;
  writeFileSync(join(dir, "big.csv.gz"), gzipSync(big));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readCsv", () => {
  it("reads plain and gzip'd files (async and sync) to the same dataset", async () => {
    const plain = await readCsv(join(dir, "plain.tsv"));
    expect(plain.n).toBe(3);
    expect(plain.delimiter).toBe("\t");
    expect(plain.source).toBe(join(dir, "plain.tsv"));
    for (const f of ["data.tsv.gz", "gzipped-no-suffix.dat"]) {
      const a = await readCsv(join(dir, f));
      const b = readCsvSync(join(dir, f));
      for (const ds of [a, b]) {
        expect(ds.x).toEqual(plain.x);
        expect(ds.y).toEqual(plain.y);
        expect(ds.featureNames).toEqual(["a", "b"]);
        expect(ds.source).toBe(join(dir, f));
      }
    }
  });

  it("reads concatenated gzip members", async () => {
    expect((await readCsv(join(dir, "multi.gz"))).n).toBe(2);
    expect(readCsvSync(join(dir, "multi.gz")).n).toBe(2);
  });

  it("streams a larger gzip file in chunks with the same result as the sync path", async () => {
    const a = await readCsv(join(dir, "big.csv.gz"));
    const b = readCsvSync(join(dir, "big.csv.gz"));
    expect(a.n).toBe(50_000);
    expect(a.x).toEqual(b.x);
    expect(a.y).toEqual(b.y);
    expect(a.x[2 * 49_999 + 1]).toBe((49_999 % 97) / 8);
    expect(a.classNames).toEqual(["0", "1", "2"]);
  });

  it("errors name the file path", async () => {
    const bad = join(dir, "bad.csv");
    await expect(readCsv(bad)).rejects.toThrow(`${bad}, row 4, column a: 'z' is not a number`);
    expect(() => readCsvSync(bad)).toThrow(`${bad}, row 4, column a: 'z' is not a number`);
    await expect(readCsv(join(dir, "nope.csv"))).rejects.toThrow(DataError);
    await expect(readCsv(join(dir, "nope.csv"))).rejects.toThrow(/nope\.csv: cannot open/);
    await expect(readCsv(join(dir, "fake.gz"))).rejects.toThrow(/fake\.gz: named \.gz but not gzip data/);
    await expect(readCsv(join(dir, "corrupt.gz"))).rejects.toThrow(/corrupt\.gz: cannot decompress/);
    expect(() => readCsvSync(join(dir, "corrupt.gz"))).toThrow(/corrupt\.gz: cannot decompress/);
  });

  it("passes options through (label, header, source override)", async () => {
    const p = join(dir, "plain.tsv");
    const ds = await readCsv(p, { label: "a", source: "alias" });
    expect(ds.featureNames).toEqual(["b", "kind"]);
    expect(ds.source).toBe("alias");
    // Reading the header as data: the header's 'b' is a typo by rule 3 (3 of 4 cells are numbers).
    await expect(readCsv(p, { header: false, label: 0, source: "alias" })).rejects.toThrow(
      /^alias, row 1, column 2: 'b' is not a number, but 3 of 4 cells/,
    );
  });
});
