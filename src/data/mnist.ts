// MNIST from its IDX files (plain or gzip'd) as NHWC float images in [0,1], and the fixed-seed
// subset sampler of the paper (15,000 training + 5,000 validation images drawn, disjoint, from the
// 60,000 training images).
import { DataError } from "../errors.js";
import type { Dataset } from "./dataset.js";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readBytes, decodeIdx, type IdxArray } from "./idx.js";
import { dataDir } from "./datadir.js";
import { Random } from "../util/random.js";

/** A Dataset of images: x is NHWC, sample i at x[i*d ... (i+1)*d), d = h*w*c. */
export interface ImageDataset extends Dataset {
  /** [height, width, channels] */
  shape: [number, number, number];
}

export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

function pixelNames(h: number, w: number, c: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) names.push(c === 1 ? `px_${i}_${j}` : `px_${i}_${j}_${k}`);
  return names;
}

/** Images [n, rows, cols] + labels [n] (IDX) -> an ImageDataset with pixels / 255 and shape [rows, cols, 1]. */
export function mnistFromIdx(
  images: IdxArray,
  labels: IdxArray,
  files: { images?: string; labels?: string } = {},
): ImageDataset {
  const fi = files.images ?? "images",
    fl = files.labels ?? "labels";
  if (images.dims.length !== 3)
    throw new DataError(`expected 3 IDX dimensions (count, rows, cols), got ${images.dims.length}`, { file: fi });
  if (labels.dims.length !== 1)
    throw new DataError(`expected 1 IDX dimension (count), got ${labels.dims.length}`, { file: fl });
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) {
    throw new DataError(`count mismatch: ${labels.dims[0]} labels for ${n} images in ${fi}`, { file: fl });
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i];
    if (v > 9) throw new DataError(`label ${v} out of range 0..9`, { file: fl, row: i + 1 });
    y[i] = v;
  }
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return {
    x,
    y,
    n,
    d: h * w,
    shape: [h, w, 1],
    featureNames: pixelNames(h, w, 1),
    classNames: MNIST_CLASSES.slice(),
    source: fi,
  };
}

async function findFile(dir: string, base: string): Promise<string> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  for (const name of [base, `${base}.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new DataError(`MNIST file not found (also tried ${base}.gz); set BSFNET_DATA or pass dir`, {
    file: path.join(dir, base),
  });
}

/** Loads MNIST "train" (60,000) or "test" (10,000) from `dir` (default: <dataDir()>/mnist). */
export async function loadMnist(split: "train" | "test", options: { dir?: string } = {}): Promise<ImageDataset> {
  const dir = options.dir ?? `${dataDir()}/mnist`;
  const stem = split === "train" ? "train" : "t10k";
  const fi = await findFile(dir, `${stem}-images-idx3-ubyte`);
  const fl = await findFile(dir, `${stem}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([
    readBytes(fi).then((b) => decodeIdx(b, fi, IDX_IMAGES_MAGIC)),
    readBytes(fl).then((b) => decodeIdx(b, fl, IDX_LABELS_MAGIC)),
  ]);
  return mnistFromIdx(images, labels, { images: fi, labels: fl });
}

/** The first sum(sizes) entries of a seeded Fisher-Yates permutation of 0..n-1, cut into
 * consecutive disjoint pieces of the given sizes (each piece sorted, so images keep file order). */
export function sampleIndices(n: number, sizes: number[], seed: number): Int32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (sizes.some((s) => !Number.isInteger(s) || s < 0))
    throw new DataError(`subset sizes must be non-negative integers: ${sizes.join(", ")}`);
  if (total > n) throw new DataError(`cannot draw ${total} disjoint samples from ${n}`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const r = new Random(seed);
  for (let i = 0; i < total; i++) {
    const j = i + r.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const out: Int32Array[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(perm.slice(at, at + s).sort());
    at += s;
  }
  return out;
}

/** The rows idx of an image set, as a new ImageDataset. */
export function takeImages(ds: ImageDataset, idx: ArrayLike<number>): ImageDataset {
  const d = ds.d;
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(ds.x.subarray(idx[i] * d, idx[i] * d + d), i * d);
    y[i] = ds.y[idx[i]];
  }
  return { ...ds, x, y, n: idx.length };
}

/** Disjoint fixed-seed subsets of ds with the given sizes. */
export function sampleSubsets(ds: ImageDataset, sizes: number[], seed: number): ImageDataset[] {
  return sampleIndices(ds.n, sizes, seed).map((idx) => takeImages(ds, idx));
}

/** The paper's split: `train` (15,000) and `validation` (5,000) images drawn without overlap from
 * the 60,000 MNIST training images with a fixed seed. */
export async function loadMnistPaperSplit(
  options: { dir?: string; seed?: number; train?: number; validation?: number } = {},
): Promise<{ train: ImageDataset; validation: ImageDataset }> {
  const all = await loadMnist("train", { dir: options.dir });
  const [train, validation] = sampleSubsets(
    all,
    [options.train ?? 15000, options.validation ?? 5000],
    options.seed ?? 0,
  );
  return { train, validation };
}
