// The categorical rule: forced columns, first-row inference, typo detection, code order.
import { describe, it, expect } from "vitest";
import { parseCsv } from "../../src/data/csv.js";
import { DataError } from "../../src/errors.js";

describe("categorical columns", () => {
  it("encodes non-numeric columns in order of first appearance and records the mapping", () => {
    const ds = parseCsv(
      "dur,proto,flag,y\n0,tcp,SF,normal.\n1,udp,S0,smurf.\n2,tcp,REJ,normal.\n3,icmp,SF,smurf.\n",
      {},
    );
    expect(ds.featureNames).toEqual(["dur", "proto", "flag"]);
    expect(Array.from(ds.x)).toEqual([0, 0, 0, 1, 1, 1, 2, 0, 2, 3, 2, 0]);
    expect(ds.categories).toEqual([
      { feature: 1, column: "proto", values: ["tcp", "udp", "icmp"] },
      { feature: 2, column: "flag", values: ["SF", "S0", "REJ"] },
    ]);
  });

  it("forces numeric-looking columns to be categorical (codes, not values)", () => {
    const ds = parseCsv("zip,v,y\n90210,1,a\n10001,2,b\n90210,3,a\n", { categorical: ["zip"] });
    expect(Array.from(ds.x)).toEqual([0, 1, 1, 2, 0, 3]);
    expect(ds.categories[0].values).toEqual(["90210", "10001"]);
  });

  it("forced by index and by negative index", () => {
    const a = parseCsv("5,1,a\n6,2,b\n", { header: false, categorical: [0] });
    const b = parseCsv("5,1,a\n6,2,b\n", { header: false, categorical: [-3] });
    expect(a.categories[0].column).toBe("c0");
    expect(b.categories).toEqual(a.categories);
  });

  it("a categorical column may contain numbers and empty cells after its first row", () => {
    const ds = parseCsv("svc,v,y\nhttp,1,a\n80,2,b\n,3,a\nhttp,4,b\n");
    expect(ds.categories[0].values).toEqual(["http", "80", ""]);
    expect(Array.from(ds.x.filter((_, i) => i % 2 === 0))).toEqual([0, 1, 2, 0]);
  });

  it("a typo in a numeric column (first row numeric) is an error naming row and column", () => {
    const text = "a,b,y\n1,2,p\n3,4,q\n5,4..2,p\n";
    expect(() => parseCsv(text, { source: "typo.csv" })).toThrow(DataError);
    expect(() => parseCsv(text, { source: "typo.csv" })).toThrow(
      /^typo\.csv, row 4, column b: '4\.\.2' is not a number \(the column is numeric because row 2 is; to treat it as categorical, pass categorical: \["b"\]\)$/,
    );
  });

  it("a typo in the first row of a mostly numeric column is caught too (rule 3)", () => {
    let text = "a,b,y\n1,x7,p\n";
    for (let i = 0; i < 10; i++) text += `${i},${i * 2},${i % 2 ? "p" : "q"}\n`;
    expect(() => parseCsv(text, { source: "t.csv" })).toThrow(
      /^t\.csv, row 2, column b: 'x7' is not a number, but 10 of 11 cells in this column are numbers/,
    );
    // Forcing the column keeps it categorical.
    const ds = parseCsv(text, { categorical: ["b"] });
    expect(ds.categories[0].values.length).toBe(11);
  });

  it("a column that is half numbers and half text stays categorical (not a majority)", () => {
    const ds = parseCsv("a,b,y\n1,x,p\n2,3,q\n3,y,p\n4,5,q\n");
    expect(ds.categories[0].values).toEqual(["x", "3", "y", "5"]);
  });

  it("categorical columns keep non-ASCII text", () => {
    const ds = parseCsv("città,v,y\nMünchen,1,a\nZürich,2,b\nMünchen,3,a\n");
    expect(ds.featureNames[0]).toBe("città");
    expect(ds.categories[0].values).toEqual(["München", "Zürich"]);
  });
});

describe("encoding: reading a test file like its training file", () => {
  const train = parseCsv("proto,v,y\ntcp,1,normal.\nudp,2,smurf.\ntcp,3,normal.\n");
  it("keeps category codes and class indices, appends unseen ones", () => {
    const test = parseCsv("proto,v,y\nicmp,5,snmpgetattack.\nudp,6,normal.\ntcp,7,apache2.\n", { encoding: train });
    expect(test.categories).toEqual([{ feature: 0, column: "proto", values: ["tcp", "udp", "icmp"] }]);
    expect(Array.from(test.x)).toEqual([2, 5, 1, 6, 0, 7]);
    expect(test.classNames).toEqual(["normal.", "smurf.", "apache2.", "snmpgetattack."]);
    expect(Array.from(test.y)).toEqual([3, 0, 2]);
  });

  it("makes an encoded column categorical even when the test file's first value is numeric", () => {
    const t = parseCsv("proto,v,y\n6,1,normal.\ntcp,2,normal.\n", { encoding: train });
    expect(t.categories[0].values).toEqual(["tcp", "udp", "6"]);
    expect(t.classNames).toEqual(["normal.", "smurf."]); // one class present, but the known classes remain
  });

  it("names a missing encoded column", () => {
    expect(() => parseCsv("protocol,v,y\ntcp,1,normal.\n", { encoding: train, source: "test.csv" })).toThrow(
      /^test\.csv: encoding's categorical column "proto" not found/,
    );
  });
});
