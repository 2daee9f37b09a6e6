// parseDecimal (bytes -> double) must agree with Number() on every decimal string and refuse the rest.
import { describe, it, expect } from "vitest";
import { parseDecimal } from "../../src/data/number.js";
import { Random } from "../../src/util/random.js";

const enc = new TextEncoder();
const parse = (s: string) => {
  const b = enc.encode(s);
  return parseDecimal(b, 0, b.length);
};

describe("parseDecimal", () => {
  it("parses the forms found in UCI/KDD files", () => {
    expect(parse("0")).toBe(0);
    expect(parse(".28")).toBe(0.28);
    expect(parse("46.0")).toBe(46);
    expect(parse("-108.0")).toBe(-108);
    expect(parse("0.00")).toBe(0);
    expect(parse("1065")).toBe(1065);
    expect(parse("+3.5e-2")).toBe(0.035);
    expect(parse("1.")).toBe(1);
    expect(parse("1E3")).toBe(1000);
    expect(Object.is(parse("-0"), -0)).toBe(true);
  });

  it("refuses everything that is not a decimal number", () => {
    for (const s of [
      "",
      "-",
      "+",
      ".",
      "e5",
      "1e",
      "1e+",
      "0x10",
      "1_000",
      "1,5",
      "abc",
      "1.2.3",
      "--1",
      "1 2",
      "NaN",
      "Infinity",
      "inf",
      " 1",
    ]) {
      expect(parse(s), s).toBeNaN();
    }
  });

  it("equals Number() on random decimal strings (fast and slow paths)", () => {
    const r = new Random(11);
    for (let t = 0; t < 50_000; t++) {
      const intDigits = r.int(20);
      const fracDigits = r.int(20);
      let s = r.next() < 0.3 ? "-" : "";
      for (let i = 0; i < intDigits; i++) s += String(r.int(10));
      if (fracDigits > 0 || intDigits === 0)
        s += `.${Array.from({ length: Math.max(1, fracDigits) }, () => r.int(10)).join("")}`;
      if (r.next() < 0.3) s += `e${r.next() < 0.5 ? "-" : ""}${String(r.int(330))}`;
      expect(parse(s), s).toBe(Number(s));
    }
  });

  it("is exact at the fast path's edges", () => {
    for (const s of [
      "123456789012345",
      "1234567890123456",
      "9007199254740993",
      "1e22",
      "1e23",
      "123456789012345e-22",
      "1.7976931348623157e308",
      "5e-324",
      "2.2250738585072011e-308",
    ]) {
      expect(parse(s), s).toBe(Number(s));
    }
  });
});
