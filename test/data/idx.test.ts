// IDX / MNIST loader: synthetic buffers (plain, gzip'd, corrupt) made here, then the real MNIST
// files under the data directory (skipped with a notice when absent, failing when CI=true).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { decodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdx } from "../../src/data/idx.js";
import { dataDir } from "../../src/data/datadir.js";
import { loadMnist, loadMnistPaperSplit, mnistFromIdx, sampleIndices } from "../../src/data/mnist.js";
import { describeWithData } from "../util/data.js";

/** An IDX ubyte file: header for dims, then data (default: i mod 256). */
function idx(dims: number[], data?: Uint8Array): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const body = data ?? Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256);
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x0800 | dims.length, false);
  dims.forEach((d, i) => {
    v.setUint32(4 + 4 * i, d, false);
  });
  out.set(body, 4 + 4 * dims.length);
  return out;
}

function expectDataError(f: () => unknown, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  for (const p of parts) expect((err as Error).message).toMatch(p);
}

async function expectDataErrorAsync(p: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  for (const s of parts) expect((err as Error).message).toMatch(s);
}

describe("IDX parsing (synthetic)", () => {
  it("reads the big-endian header and the data, plain and gzip'd", async () => {
    const bytes = idx([3, 5, 4]);
    const a = parseIdx(bytes, "x.idx", IDX_IMAGES_MAGIC);
    expect(a.dims).toEqual([3, 5, 4]);
    expect(a.data.length).toBe(60);
    expect(a.data[59]).toBe((59 * 7) % 256);
    const g = await decodeIdx(gzipSync(bytes), "x.idx.gz", IDX_IMAGES_MAGIC);
    expect(g.dims).toEqual([3, 5, 4]);
    expect(Array.from(g.data)).toEqual(Array.from(a.data));
    // a dimension >= 256 exercises the big-endian read
    expect(parseIdx(idx([300]), "l", IDX_LABELS_MAGIC).dims).toEqual([300]);
  });

  it("throws DataError naming the file on bad magic, truncation, trailing bytes", async () => {
    const good = idx([2, 3, 3]);
    const bad = good.slice();
    bad[0] = 0x12;
    expectDataError(() => parseIdx(bad, "bad-magic.idx"), "bad-magic.idx", /magic/);
    expectDataError(() => parseIdx(good, "labels.idx", IDX_LABELS_MAGIC), "labels.idx", /2051, expected 2049/);
    const wrongType = good.slice();
    wrongType[2] = 0x0d;
    expectDataError(() => parseIdx(wrongType, "float.idx"), "float.idx", /element type/);
    expectDataError(() => parseIdx(good.subarray(0, good.length - 1), "short.idx"), "short.idx", /truncated IDX data/);
    expectDataError(() => parseIdx(good.subarray(0, 9), "hdr.idx"), "hdr.idx", /truncated IDX header/);
    expectDataError(() => parseIdx(good.subarray(0, 2), "tiny.idx"), "tiny.idx", /truncated/);
    const long = new Uint8Array(good.length + 3);
    long.set(good);
    expectDataError(() => parseIdx(long, "long.idx"), "long.idx", /mismatch/);
    const gz = gzipSync(good);
    await expectDataErrorAsync(decodeIdx(gz.subarray(0, gz.length - 10), "cut.idx.gz"), "cut.idx.gz", /gzip/);
  });

  it("reads files, and names missing ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-idx-"));
    writeFileSync(join(dir, "a.idx.gz"), gzipSync(idx([4])));
    expect((await readIdx(join(dir, "a.idx.gz"), IDX_LABELS_MAGIC)).dims).toEqual([4]);
    await expectDataErrorAsync(readIdx(join(dir, "missing.idx")), "missing.idx");
  });
});

describe("MNIST from IDX (synthetic)", () => {
  it("scales pixels to [0,1] in NHWC with shape [rows, cols, 1]", () => {
    const pix = Uint8Array.from({ length: 2 * 3 * 2 }, (_, i) => [0, 255, 51, 102][i % 4]);
    const ds = mnistFromIdx(parseIdx(idx([2, 3, 2], pix)), parseIdx(idx([2], Uint8Array.from([7, 0]))));
    expect(ds.n).toBe(2);
    expect(ds.d).toBe(6);
    expect(ds.shape).toEqual([3, 2, 1]);
    expect(Array.from(ds.x.subarray(0, 4))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(Array.from(ds.y)).toEqual([7, 0]);
  });

  it("throws on count mismatch, label out of range, wrong dimensionality", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-mnist-"));
    writeFileSync(join(dir, "train-images-idx3-ubyte"), idx([3, 2, 2]));
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([2])));
    await expectDataErrorAsync(
      loadMnist("train", { dir }),
      "train-labels-idx1-ubyte.gz",
      /count mismatch: 2 labels for 3 images/,
    );
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([3], Uint8Array.from([1, 12, 3]))));
    await expectDataErrorAsync(loadMnist("train", { dir }), "train-labels-idx1-ubyte.gz", /label 12/, /row 2/);
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idx([3], Uint8Array.from([1, 2, 3]))));
    const ok = await loadMnist("train", { dir });
    expect(ok.n).toBe(3);
    await expectDataErrorAsync(loadMnist("test", { dir }), "t10k-images-idx3-ubyte", /not found/);
    expectDataError(() => mnistFromIdx(parseIdx(idx([3, 4])), parseIdx(idx([3]))), /3 IDX dimensions/);
  });
});

describe("subset sampler", () => {
  it("draws disjoint, fixed-seed subsets of the requested sizes", () => {
    const [a, b] = sampleIndices(1000, [150, 50], 42);
    expect(a.length).toBe(150);
    expect(b.length).toBe(50);
    const all = new Set([...a, ...b]);
    expect(all.size).toBe(200);
    for (const i of all) expect(i >= 0 && i < 1000).toBe(true);
    const [a2] = sampleIndices(1000, [150, 50], 42);
    expect(Array.from(a2)).toEqual(Array.from(a));
    expect(Array.from(sampleIndices(1000, [150], 43)[0])).not.toEqual(Array.from(a));
    expectDataError(() => sampleIndices(10, [8, 3], 1), /cannot draw 11/);
  });
});

// ---- the real files (skipped with a notice when absent; failing when CI=true)
describeWithData(
  "MNIST (real files)",
  [
    "mnist/train-images-idx3-ubyte.gz",
    "mnist/train-labels-idx1-ubyte.gz",
    "mnist/t10k-images-idx3-ubyte.gz",
    "mnist/t10k-labels-idx1-ubyte.gz",
  ],
  (trainImages) => {
    const dir = dirname(trainImages);
    it("loads 60,000 training and 10,000 test images with the published class counts", async () => {
      const train = await loadMnist("train", { dir });
      expect(train.n).toBe(60000);
      expect(train.shape).toEqual([28, 28, 1]);
      expect(train.x.length).toBe(60000 * 784);
      const counts = new Array(10).fill(0);
      for (const v of train.y) counts[v]++;
      expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
      let lo = Infinity,
        hi = -Infinity;
      for (const v of train.x) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      expect([lo, hi]).toEqual([0, 1]);
      const test = await loadMnist("test", { dir });
      expect(test.n).toBe(10000);
      expect(Array.from(test.y.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    }, 30_000);

    it("gives the paper's split: 15,000 + 5,000 disjoint images, the same for the same seed", async () => {
      const s = await loadMnistPaperSplit({ seed: 1, dir });
      expect(s.train.n).toBe(15000);
      expect(s.validation.n).toBe(5000);
      expect(s.train.x.length).toBe(15000 * 784);
      const [ti, vi] = sampleIndices(60000, [15000, 5000], 1);
      const seen = new Set(ti);
      for (const i of vi) expect(seen.has(i)).toBe(false);
      // every class present in both
      for (const part of [s.train, s.validation]) expect(new Set(part.y).size).toBe(10);
    }, 30_000);

    it("finds the directory by itself (BSFNET_DATA or ../shared/data)", async () => {
      expect(dataDir()).toBe(dirname(dir));
    });
  },
);
