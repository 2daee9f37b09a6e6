// CIFAR-10 binary loader: synthetic records (layout, scaling, corrupt files) made here, then the
// subset in the data directory (skipped with a notice when absent, failing when CI=true).
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { CIFAR_RECORD, loadCifar10Subset, parseCifar10, readCifar10 } from "../../src/data/cifar.js";
import { describeWithData } from "../util/data.js";

function record(
  label: number,
  r: (p: number) => number,
  g: (p: number) => number,
  b: (p: number) => number,
): Uint8Array {
  const rec = new Uint8Array(CIFAR_RECORD);
  rec[0] = label;
  for (let p = 0; p < 1024; p++) {
    rec[1 + p] = r(p);
    rec[1 + 1024 + p] = g(p);
    rec[1 + 2048 + p] = b(p);
  }
  return rec;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("CIFAR-10 binary (synthetic)", () => {
  it("turns label + R,G,B planes into NHWC floats in [0,1]", () => {
    const bytes = concat([
      record(
        3,
        (p) => p % 256,
        () => 255,
        () => 0,
      ),
      record(
        9,
        () => 51,
        (p) => (p * 3) % 256,
        (p) => 255 - (p % 256),
      ),
    ]);
    const ds = parseCifar10(bytes, "two.bin");
    expect(ds.n).toBe(2);
    expect(ds.shape).toEqual([32, 32, 3]);
    expect(Array.from(ds.y)).toEqual([3, 9]);
    // image 0, pixel (row 1, col 2) = p 34: r = 34, g = 255, b = 0
    const at = (i: number, row: number, col: number, ch: number) => ds.x[((i * 32 + row) * 32 + col) * 3 + ch];
    expect(at(0, 1, 2, 0)).toBeCloseTo(34 / 255, 7);
    expect(at(0, 1, 2, 1)).toBe(1);
    expect(at(0, 1, 2, 2)).toBe(0);
    // image 1, pixel (31, 31) = p 1023
    expect(at(1, 31, 31, 0)).toBeCloseTo(51 / 255, 7);
    expect(at(1, 31, 31, 1)).toBeCloseTo(((1023 * 3) % 256) / 255, 7);
    expect(at(1, 31, 31, 2)).toBeCloseTo((255 - (1023 % 256)) / 255, 7);
  });

  it("throws DataError naming the file on partial records, empty files and bad labels", async () => {
    const one = record(
      1,
      () => 0,
      () => 0,
      () => 0,
    );
    const two = concat([one, one]);
    for (const [bytes, re] of [
      [two.subarray(0, two.length - 1), /truncated last record/],
      [new Uint8Array(0), /whole number/],
      [one.subarray(0, 100), /whole number/],
    ] as const) {
      let err: unknown;
      try {
        parseCifar10(bytes, "broken.bin");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch("broken.bin");
      expect((err as Error).message).toMatch(re);
    }
    const badLabel = concat([
      one,
      record(
        10,
        () => 0,
        () => 0,
        () => 0,
      ),
    ]);
    expect(() => parseCifar10(badLabel, "labels.bin")).toThrow(/labels.bin, row 2: label 10/);
    await expect(readCifar10("/nonexistent/cifar.bin")).rejects.toThrow(DataError);
  });
});

describeWithData(
  "CIFAR-10 subset (real files)",
  ["cifar10-subset/data_batch_1_first4000.bin", "cifar10-subset/test_batch_first1000.bin"],
  (trainFile) => {
    const dir = dirname(trainFile);
    it("matches the published facts of the subset (MANIFEST)", async () => {
      const train = await loadCifar10Subset("train", { dir });
      expect(train.n).toBe(4000);
      expect(Array.from(train.y.subarray(0, 10))).toEqual([6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
      const red0 = [0, 1, 2, 3, 4, 5].map((p) => Math.round(train.x[p * 3] * 255));
      expect(red0).toEqual([59, 43, 50, 68, 98, 119]);
      const counts = new Array(10).fill(0);
      for (const v of train.y) counts[v]++;
      expect(counts).toEqual([396, 366, 420, 384, 422, 393, 414, 385, 407, 413]);
      const mean = [0, 0, 0];
      for (let i = 0; i < train.x.length; i++) mean[i % 3] += train.x[i];
      expect(mean.map((m) => +(m / (train.n * 1024)).toFixed(3))).toEqual([0.492, 0.482, 0.445]);
      const test = await loadCifar10Subset("test", { dir });
      expect(test.n).toBe(1000);
      expect(Array.from(test.y.subarray(0, 10))).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
      expect([0, 1, 2, 3, 4, 5].map((p) => Math.round(test.x[p * 3] * 255))).toEqual([158, 159, 165, 166, 160, 156]);
    });
  },
);
