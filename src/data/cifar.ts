// CIFAR-10 binary batches: records of 3073 bytes, a label byte (0-9) then the 32x32 red, green and
// blue planes (row-major). Converted to NHWC float in [0,1] (x[((i*32 + r)*32 + c)*3 + ch]).
import { DataError } from "../errors.js";
import { readBytes } from "./idx.js";
import { dataDir } from "./datadir.js";
import type { ImageDataset } from "./mnist.js";

export const CIFAR_RECORD = 3073;
export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

let names: string[] | undefined;
function pixelNames(): string[] {
  if (!names) {
    names = [];
    for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) for (const ch of "rgb") names.push(`px_${r}_${c}_${ch}`);
  }
  return names.slice();
}

/** Parses CIFAR-10 binary records; throws DataError naming `file` on a partial record or bad label. */
export function parseCifar10(bytes: Uint8Array, file = "array"): ImageDataset {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
    throw new DataError(
      `not CIFAR-10 binary: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD}-byte records` +
        (bytes.length > CIFAR_RECORD ? ` (truncated last record: ${bytes.length % CIFAR_RECORD} bytes)` : ""),
      { file },
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  const x = new Float32Array(n * 3072);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const rec = i * CIFAR_RECORD;
    const label = bytes[rec];
    if (label > 9) throw new DataError(`label ${label} out of range 0..9 (record ${i + 1})`, { file, row: i + 1 });
    y[i] = label;
    const out = i * 3072;
    for (let p = 0; p < 1024; p++) {
      x[out + p * 3] = bytes[rec + 1 + p] / 255;
      x[out + p * 3 + 1] = bytes[rec + 1 + 1024 + p] / 255;
      x[out + p * 3 + 2] = bytes[rec + 1 + 2048 + p] / 255;
    }
  }
  return {
    x,
    y,
    n,
    d: 3072,
    shape: [32, 32, 3],
    featureNames: pixelNames(),
    classNames: CIFAR10_CLASSES.slice(),
    source: file,
  };
}

/** Reads one CIFAR-10 binary batch file. */
export async function readCifar10(file: string): Promise<ImageDataset> {
  return parseCifar10(await readBytes(file), file);
}

/** The subset shipped in <dataDir()>/cifar10-subset: "train" = first 4,000 images of data_batch_1,
 * "test" = first 1,000 of test_batch. */
export async function loadCifar10Subset(
  split: "train" | "test",
  options: { dir?: string } = {},
): Promise<ImageDataset> {
  const dir = options.dir ?? `${dataDir()}/cifar10-subset`;
  return readCifar10(`${dir}/${split === "train" ? "data_batch_1_first4000.bin" : "test_batch_first1000.bin"}`);
}
