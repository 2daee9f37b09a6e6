// IDX files (the MNIST format): a big-endian header, then the raw values.
//   bytes 0-1: 0; byte 2: element type (0x08 = unsigned byte, the only one MNIST uses);
//   byte 3: number of dimensions d; then d big-endian u32 sizes; then prod(sizes) values.
// So the magic number of an image file (ubyte, 3 dims) is 0x0803 = 2051, of a label file 2049.
// Files may be gzip'd (detected by the gzip magic 1f 8b, not by the name).
import { DataError } from "../errors.js";

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

export interface IdxArray {
  /** Sizes from the header, outermost first: [count, rows, cols] for MNIST images. */
  dims: number[];
  /** The values, row-major, length prod(dims). */
  data: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a gzip stream (DecompressionStream: Node 18+, browsers, Workers, Deno, Bun). */
export async function gunzip(bytes: Uint8Array, file = "array"): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(`corrupt or truncated gzip data (${(e as Error).message})`, { file });
  }
}

/**
 * Parses an (uncompressed) IDX buffer of unsigned bytes. Throws DataError naming `file` on a bad
 * magic number (or `expectMagic` mismatch), a truncated header or data, or trailing bytes.
 */
export function parseIdx(bytes: Uint8Array, file = "array", expectMagic?: number): IdxArray {
  if (bytes.length < 4) throw new DataError(`truncated IDX header (${bytes.length} bytes)`, { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2],
    nd = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || nd === 0) {
    throw new DataError(`not an IDX file: bad magic number ${magic} (0x${magic.toString(16).padStart(8, "0")})`, {
      file,
    });
  }
  if (type !== 0x08) {
    throw new DataError(`unsupported IDX element type 0x${type.toString(16)} (only unsigned bytes, 0x08)`, { file });
  }
  if (expectMagic !== undefined && magic !== expectMagic) {
    throw new DataError(`bad magic number ${magic}, expected ${expectMagic}`, { file });
  }
  const header = 4 + 4 * nd;
  if (bytes.length < header)
    throw new DataError(`truncated IDX header: ${nd} dimensions need ${header} bytes, file has ${bytes.length}`, {
      file,
    });
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < nd; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const have = bytes.length - header;
  if (have < count) {
    throw new DataError(`truncated IDX data: header [${dims.join(", ")}] needs ${count} bytes, file has ${have}`, {
      file,
    });
  }
  if (have > count) {
    throw new DataError(
      `IDX size mismatch: header [${dims.join(", ")}] gives ${count} bytes of data, file has ${have}`,
      { file },
    );
  }
  return { dims, data: bytes.subarray(header, header + count) };
}

/** parseIdx after gunzip when the bytes are gzip'd. */
export async function decodeIdx(bytes: Uint8Array, file = "array", expectMagic?: number): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, file) : bytes, file, expectMagic);
}

/** Reads a file (Node, Deno, Bun), throwing DataError naming it when it is missing or unreadable. */
export async function readBytes(file: string): Promise<Uint8Array> {
  const fs = await import("node:fs/promises");
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    throw new DataError(`cannot read: ${(e as Error).message}`, { file });
  }
}

/** Reads an IDX file, plain or gzip'd. */
export async function readIdx(file: string, expectMagic?: number): Promise<IdxArray> {
  return decodeIdx(await readBytes(file), file, expectMagic);
}
