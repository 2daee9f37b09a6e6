// Train/validation splits: partition, stratification, determinism.
import { describe, it, expect } from "vitest";
import { stratifiedSplit, randomSplit } from "../../src/data/split.js";
import { classCounts } from "../../src/data/dataset.js";
import { ConfigError } from "../../src/errors.js";

function expectPartition(n: number, a: Int32Array, b: Int32Array) {
  const seen = new Uint8Array(n);
  for (const i of [...a, ...b]) seen[i]++;
  expect(seen.every((c) => c === 1)).toBe(true);
  for (const s of [a, b]) for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
}

// 59/71/48 like Wine, plus a class of 2 and a class of 1.
const y = Int32Array.from([...Array(59).fill(0), ...Array(71).fill(1), ...Array(48).fill(2), 3, 3, 4]);

describe("stratifiedSplit", () => {
  it("partitions the samples, sorted, with the requested total", () => {
    const { train, validation } = stratifiedSplit(y, 0.2, 1);
    expectPartition(y.length, train, validation);
    expect(validation.length).toBe(Math.round(0.2 * y.length));
  });

  it("keeps class proportions (within one sample per class)", () => {
    const { validation } = stratifiedSplit(y, 0.25, 2);
    const vc = classCounts(
      Array.from(validation, (i) => y[i]),
      5,
    );
    const all = classCounts(y, 5);
    for (let c = 0; c < 3; c++) expect(Math.abs(vc[c] - 0.25 * all[c])).toBeLessThanOrEqual(1);
    expect(vc[3]).toBe(1); // a 2-sample class appears on both sides
    expect(vc[4]).toBe(0); // a single sample stays in training
  });

  it("is deterministic by seed and changes with it", () => {
    const a = stratifiedSplit(y, 0.3, 7);
    expect(stratifiedSplit(y, 0.3, 7)).toEqual(a);
    expect(stratifiedSplit(y, 0.3, 8).validation).not.toEqual(a.validation);
  });

  it("every class with >= 2 samples appears in both parts, even for tiny fractions", () => {
    const { train, validation } = stratifiedSplit(y, 0.01, 3);
    for (const part of [train, validation]) {
      const c = classCounts(
        Array.from(part, (i) => y[i]),
        5,
      );
      for (let k = 0; k < 4; k++) expect(c[k]).toBeGreaterThan(0);
    }
  });

  it("rejects fractions outside (0, 1) and impossible splits", () => {
    expect(() => stratifiedSplit(y, 0, 1)).toThrow(ConfigError);
    expect(() => stratifiedSplit(y, 1, 1)).toThrow(ConfigError);
    expect(() => stratifiedSplit([0], 0.5, 1)).toThrow(ConfigError);
    expect(() => stratifiedSplit([0, -1], 0.5, 1)).toThrow(ConfigError);
  });
});

describe("randomSplit", () => {
  it("partitions n samples and is deterministic", () => {
    const s = randomSplit(100, 0.3, 5);
    expectPartition(100, s.train, s.validation);
    expect(s.validation.length).toBe(30);
    expect(randomSplit(100, 0.3, 5)).toEqual(s);
    expect(() => randomSplit(1, 0.3, 5)).toThrow(ConfigError);
  });
});
