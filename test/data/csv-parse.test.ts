// parseCsv: header, label selection, quoting, line ends, delimiters, streaming.
import { describe, it, expect } from "vitest";
import { parseCsv, CsvParser, detectDelimiter } from "../../src/data/csv.js";
import { DataError, ConfigError } from "../../src/errors.js";

const f32 = (a: number[]) => Float32Array.from(a);

describe("parseCsv basics", () => {
  it("reads a header file with the label last by default", () => {
    const ds = parseCsv("a,b,label\n1,2,x\n3,4.5,y\n-1e2,.25,x\n");
    expect(ds.n).toBe(3);
    expect(ds.d).toBe(2);
    expect(ds.featureNames).toEqual(["a", "b"]);
    expect(ds.x).toEqual(f32([1, 2, 3, 4.5, -100, 0.25]));
    expect(ds.classNames).toEqual(["x", "y"]);
    expect(Array.from(ds.y)).toEqual([0, 1, 0]);
    expect(ds.labelColumn).toBe("label");
    expect(ds.columns).toEqual(["a", "b", "label"]);
    expect(ds.delimiter).toBe(",");
    expect(ds.categories).toEqual([]);
  });

  it("reads a file without header; names are c0.. (0-based, like label indices)", () => {
    const ds = parseCsv("1,0.5,7\n2,1.5,8\n1,2.5,9\n", { header: false, label: 0 });
    expect(ds.n).toBe(3);
    expect(ds.featureNames).toEqual(["c1", "c2"]);
    expect(ds.labelColumn).toBe("c0");
    expect(ds.x).toEqual(f32([0.5, 7, 1.5, 8, 2.5, 9]));
    expect(ds.classNames).toEqual(["1", "2"]);
    expect(Array.from(ds.y)).toEqual([0, 1, 0]);
  });

  it("takes column names from options.names when there is no header", () => {
    const ds = parseCsv("1,2,a\n3,4,b\n", { header: false, names: ["p", "q", "cls"], label: "cls" });
    expect(ds.featureNames).toEqual(["p", "q"]);
  });

  it("options.names replaces a header's names", () => {
    const ds = parseCsv("x1,x2,x3\n1,2,a\n3,4,b\n", { names: ["p", "q", "cls"], label: "cls" });
    expect(ds.featureNames).toEqual(["p", "q"]);
    expect(ds.n).toBe(2);
  });

  it("selects the label by name, index, negative index and numeric string", () => {
    const text = "k,a,b,c\n0,1,2,u\n1,3,4,v\n0,5,6,u\n";
    const byName = parseCsv(text, { label: "k" });
    const byIndex = parseCsv(text, { label: 0 });
    const byNeg = parseCsv(text, { label: -4 });
    const byStr = parseCsv(text, { label: "0" });
    for (const ds of [byName, byIndex, byNeg, byStr]) {
      expect(ds.labelColumn).toBe("k");
      expect(ds.featureNames).toEqual(["a", "b", "c"]);
      expect(Array.from(ds.y)).toEqual([0, 1, 0]);
    }
    const last = parseCsv(text, { label: -1 });
    expect(last.labelColumn).toBe("c");
    expect(last.classNames).toEqual(["u", "v"]);
    const second = parseCsv(text, { label: -2 });
    expect(second.labelColumn).toBe("b");
  });

  it("sorts class names numerically when all are numbers, keeps KDD's trailing dots", () => {
    const ds = parseCsv("a,y\n1,10\n2,9\n3,100\n4,9\n", {});
    expect(ds.classNames).toEqual(["9", "10", "100"]);
    expect(Array.from(ds.y)).toEqual([1, 0, 2, 0]);
    const kdd = parseCsv("0,tcp,smurf.\n1,udp,normal.\n", { header: false });
    expect(kdd.classNames).toEqual(["normal.", "smurf."]);
  });

  it("drops columns by name and by negative index", () => {
    const ds = parseCsv("id,a,b,y,difficulty\n7,1,2,p,20\n8,3,4,q,21\n", { drop: ["id", -1], label: "y" });
    expect(ds.featureNames).toEqual(["a", "b"]);
    expect(ds.dropped).toEqual(["id", "difficulty"]);
    expect(ds.x).toEqual(f32([1, 2, 3, 4]));
  });

  it("dropped columns are not type-checked", () => {
    const ds = parseCsv("a,junk,y\n1,,p\n2,zz,q\n", { drop: ["junk"] });
    expect(ds.x).toEqual(f32([1, 2]));
  });

  it("source names the dataset", () => {
    expect(parseCsv("a,y\n1,p\n2,q\n", { source: "my.csv" }).source).toBe("my.csv");
  });
});

describe("quoting, line ends, blanks", () => {
  it("parses RFC 4180 quoted fields: delimiters, escaped quotes, newlines inside", () => {
    const text = 'name,v,y\n"a, b",1,"x"\n"say ""hi""",2,y\n"two\nlines",3,x\n';
    const ds = parseCsv(text, { categorical: ["name"] });
    expect(ds.n).toBe(3);
    expect(ds.categories[0].values).toEqual(["a, b", 'say "hi"', "two\nlines"]);
    expect(ds.x).toEqual(f32([0, 1, 1, 2, 2, 3]));
    expect(ds.classNames).toEqual(["x", "y"]);
  });

  it("quoted numbers are numbers", () => {
    const ds = parseCsv('"a","b","y"\n"1.5","2",p\n"3",4,q\n');
    expect(ds.featureNames).toEqual(["a", "b"]);
    expect(ds.x).toEqual(f32([1.5, 2, 3, 4]));
  });

  it("CRLF and LF give the same result; so do trailing newline or none", () => {
    const lf = parseCsv("a,b,y\n1,2,p\n3,4,q\n");
    const crlf = parseCsv("a,b,y\r\n1,2,p\r\n3,4,q\r\n");
    const none = parseCsv("a,b,y\r\n1,2,p\r\n3,4,q");
    for (const ds of [crlf, none]) {
      expect(ds.x).toEqual(lf.x);
      expect(ds.y).toEqual(lf.y);
      expect(ds.classNames).toEqual(lf.classNames);
      expect(ds.featureNames).toEqual(lf.featureNames);
    }
  });

  it("skips blank lines, trims blanks around fields, ignores a UTF-8 BOM", () => {
    const ds = parseCsv("\uFEFFa , b,y\n\n 1 , 2 ,p\n   \n3,4, q \n\n\n");
    expect(ds.featureNames).toEqual(["a", "b"]);
    expect(ds.x).toEqual(f32([1, 2, 3, 4]));
    expect(ds.classNames).toEqual(["p", "q"]);
  });

  it("counts rows as file lines (blank lines and quoted newlines included) in errors", () => {
    expect(() => parseCsv('a,b,y\n"x\ny",1,p\n\n2,oops,q\n', { categorical: ["a"] })).toThrow(
      /row 5, column b: 'oops' is not a number/,
    );
  });
});

describe("delimiter detection", () => {
  const expectSame = (text: string, delimiter: string) => {
    const ds = parseCsv(text);
    expect(ds.delimiter).toBe(delimiter);
    expect(ds.featureNames).toEqual(["a", "b"]);
    expect(ds.x).toEqual(f32([1, 2, 3, 4]));
  };
  it("detects comma, tab, semicolon and runs of spaces", () => {
    expectSame("a,b,y\n1,2,p\n3,4,q\n", ",");
    expectSame("a\tb\ty\n1\t2\tp\n3\t4\tq\n", "\t");
    expectSame("a;b;y\n1;2;p\n3;4;q\n", ";");
    expectSame("a   b  y\n  1 2     p\n3  4 q\n", "whitespace");
  });

  it("prefers the delimiter that splits every line consistently", () => {
    // Commas inside a categorical column's values would fool a naive count; semicolons are consistent.
    expectSame("a;b;y\n1;2;x,z\n3;4;w\n", ";");
    // Spaces inside values do not make it whitespace-delimited.
    const ds = parseCsv("a,b,y\n1,2,new york\n3,4,la\n");
    expect(ds.delimiter).toBe(",");
    expect(ds.classNames).toEqual(["la", "new york"]);
  });

  it("ignores delimiters inside quotes when detecting", () => {
    const b = new TextEncoder().encode('"a,b,c,d";e\n"1,2,3,4";5\n');
    expect(detectDelimiter(b, 0, b.length)).toBe(59);
  });

  it("honours an explicit delimiter", () => {
    const ds = parseCsv("a,x;b;y\n1;2;p\n3;4;q\n", { delimiter: ";" });
    expect(ds.featureNames).toEqual(["a,x", "b"]);
    expect(() => parseCsv("a\n", { delimiter: "|" as never })).toThrow(ConfigError);
  });
});

describe("streaming", () => {
  it("gives the same dataset whatever the chunk boundaries", () => {
    let text = "id,name,v,y\n";
    for (let i = 0; i < 300; i++)
      text += `${i},"n""${i % 7}\r\nz",${(i * 0.37).toFixed(3)},${i % 3 === 0 ? "cat" : "dog"}\r\n`;
    const bytes = new TextEncoder().encode(text);
    const whole = parseCsv(bytes, { categorical: ["name"] });
    expect(whole.n).toBe(300);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const p = new CsvParser({ categorical: ["name"] });
      for (let s = 0; s < bytes.length; s += size) p.push(bytes.subarray(s, s + size));
      const ds = p.finish();
      expect(ds.x).toEqual(whole.x);
      expect(ds.y).toEqual(whole.y);
      expect(ds.categories).toEqual(whole.categories);
    }
  });

  it("reports errors with the right line across chunk boundaries", () => {
    const bytes = new TextEncoder().encode("a,y\n1,p\n2,q\nbad,p\n");
    const p = new CsvParser({ source: "s.csv" });
    expect(() => {
      for (let s = 0; s < bytes.length; s += 3) p.push(bytes.subarray(s, s + 3));
      p.finish();
    }).toThrow(/s\.csv, row 4, column a: 'bad' is not a number/);
  });

  it("a long quoted field split over many chunks parses (and stays linear)", () => {
    const big = "x".repeat(200_000);
    const bytes = new TextEncoder().encode(`a,t,y\n1,"${big}",p\n2,"",q\n`);
    const p = new CsvParser({ categorical: ["t"] });
    for (let s = 0; s < bytes.length; s += 100) p.push(bytes.subarray(s, s + 100));
    const ds = p.finish();
    expect(ds.categories[0].values[0].length).toBe(200_000);
    expect(ds.categories[0].values[1]).toBe("");
  });

  it("removes a byte-order mark split over the first chunks", () => {
    const bytes = new TextEncoder().encode("\uFEFFa,y\n1,p\n2,q\n");
    const p = new CsvParser();
    for (let s = 0; s < bytes.length; s += 1) p.push(bytes.subarray(s, s + 1));
    expect(p.finish().featureNames).toEqual(["a"]);
  });

  it("push after finish is refused", () => {
    const p = new CsvParser();
    p.push(new TextEncoder().encode("a,y\n1,p\n2,q\n"));
    p.finish();
    expect(() => p.push(new Uint8Array(1))).toThrow(ConfigError);
  });
});

it("a DataError carries file, row and column fields", () => {
  try {
    parseCsv("a,b,y\n1,2,p\n3,zz,q\n", { source: "t.csv" });
    expect.unreachable();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    const err = e as DataError;
    expect([err.file, err.row, err.column]).toEqual(["t.csv", 3, "b"]);
  }
});
