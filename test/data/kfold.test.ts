// k-fold cross-validation index sets: every sample validated exactly once, stratification, determinism.
import { describe, it, expect } from "vitest";
import { stratifiedKFold, kFold, groupKFold, type Split } from "../../src/data/split.js";
import { classCounts } from "../../src/data/dataset.js";
import { Random } from "../../src/util/random.js";
import { ConfigError } from "../../src/errors.js";

function expectFolds(n: number, folds: Split[], k: number) {
  expect(folds.length).toBe(k);
  const times = new Uint8Array(n);
  for (const { train, validation } of folds) {
    expect(train.length + validation.length).toBe(n);
    const inVal = new Uint8Array(n);
    for (const i of validation) {
      times[i]++;
      inVal[i] = 1;
    }
    for (const i of train) expect(inVal[i]).toBe(0);
    for (const s of [train, validation]) for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
  }
  expect(times.every((t) => t === 1)).toBe(true);
  const sizes = folds.map((f) => f.validation.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
}

const rng = new Random(99);
const y = Int32Array.from({ length: 503 }, () => (rng.next() < 0.6 ? 0 : rng.next() < 0.7 ? 1 : 2));
const yTiny = Int32Array.from([...y, 3, 3, 4]); // classes of 2 and 1 (like KDD99's spy/perl)

describe("stratifiedKFold", () => {
  it("puts every sample in exactly one validation fold; folds differ in size by <= 1", () => {
    for (const k of [2, 5, 10]) expectFolds(y.length, stratifiedKFold(y, k, 1), k);
  });

  it("per class, the folds' counts differ by at most 1", () => {
    for (const k of [3, 10]) {
      const folds = stratifiedKFold(yTiny, k, 2);
      const per = folds.map((f) =>
        classCounts(
          Array.from(f.validation, (i) => yTiny[i]),
          5,
        ),
      );
      for (let c = 0; c < 5; c++) {
        const counts = per.map((p) => p[c]);
        expect(Math.max(...counts) - Math.min(...counts), `class ${c}, k ${k}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it("spreads a class smaller than k as far as it goes (no error)", () => {
    const folds = stratifiedKFold(yTiny, 10, 3);
    expectFolds(yTiny.length, folds, 10);
    const withClass3 = folds.filter((f) => Array.from(f.validation).some((i) => yTiny[i] === 3));
    expect(withClass3.length).toBe(2);
  });

  it("is deterministic by seed", () => {
    expect(stratifiedKFold(y, 5, 4)).toEqual(stratifiedKFold(y, 5, 4));
    expect(stratifiedKFold(y, 5, 4)[0].validation).not.toEqual(stratifiedKFold(y, 5, 5)[0].validation);
  });

  it("rejects k < 2, non-integer k, k > n", () => {
    expect(() => stratifiedKFold(y, 1, 0)).toThrow(ConfigError);
    expect(() => stratifiedKFold(y, 2.5, 0)).toThrow(ConfigError);
    expect(() => stratifiedKFold([0, 1], 3, 0)).toThrow(ConfigError);
  });
});

describe("kFold", () => {
  it("partitions n samples into k folds, deterministically", () => {
    expectFolds(101, kFold(101, 10, 1), 10);
    expect(kFold(101, 10, 1)).toEqual(kFold(101, 10, 1));
    expect(kFold(101, 10, 1)[0].validation).not.toEqual(kFold(101, 10, 2)[0].validation);
    expect(() => kFold(3, 4, 0)).toThrow(ConfigError);
  });
});

describe("groupKFold", () => {
  it("never splits a group across train and validation", () => {
    const groups = Int32Array.from({ length: 300 }, (_, i) => Math.floor(i / 7) % 23);
    const folds = groupKFold(groups, 5, 1);
    expect(folds.length).toBe(5);
    const times = new Uint8Array(300);
    for (const f of folds) {
      for (const i of f.validation) times[i]++;
      const vg = new Set(Array.from(f.validation, (i) => groups[i]));
      for (const i of f.train) expect(vg.has(groups[i])).toBe(false);
    }
    expect(times.every((t) => t === 1)).toBe(true);
    expect(() => groupKFold([1, 1, 2], 3, 0)).toThrow(ConfigError);
  });
});
