// Node-only CSV file reading (node:fs, node:zlib). Gzip input is recognised by its magic bytes
// (1f 8b), whatever the file name; a ".gz" name without them is an error.
import { createReadStream, openSync, readSync, closeSync, readFileSync } from "node:fs";
import { createGunzip, gunzipSync } from "node:zlib";
import { DataError } from "../errors.js";
import { CsvParser, parseCsv, type CsvDataset, type CsvOptions } from "./csv.js";
import { modelRows, type ModelRows, type ModelRowsOptions } from "./csv-model.js";
import type { ModelMeta } from "../model/meta.js";

function isGzipFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new DataError(`cannot open: ${(err as Error).message}`, { file: path });
  }
  try {
    const head = new Uint8Array(2);
    let got: number;
    try {
      got = readSync(fd, head, 0, 2, 0);
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new DataError(code === "EISDIR" ? "is a directory, not a file" : `cannot read: ${(err as Error).message}`, {
        file: path,
      });
    }
    const gz = got === 2 && head[0] === 0x1f && head[1] === 0x8b;
    if (!gz && /\.gz$/i.test(path))
      throw new DataError("named .gz but not gzip data (no 1f 8b magic bytes)", { file: path });
    return gz;
  } finally {
    closeSync(fd);
  }
}

/** Standard input, whole (gunzipped when it starts with the gzip magic bytes). */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (err) {
      throw new DataError(`cannot decompress: ${(err as Error).message}`, { file: "<stdin>" });
    }
  }
  return bytes;
}

/** Reads a CSV/TSV file (optionally gzip'd), streaming: memory holds the parsed arrays, not the
 * text. The path "-" reads standard input. */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvDataset> {
  if (path === "-") return parseCsv(await readStdin(), { ...options, source: options.source ?? "<stdin>" });
  const gz = isGzipFile(path);
  const parser = new CsvParser({ ...options, source: options.source ?? path });
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = gz ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  if (gz) file.on("error", (err) => stream.destroy(err));
  try {
    for await (const chunk of stream) parser.push(chunk as Uint8Array);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${gz ? "cannot decompress" : "cannot read"}: ${(err as Error).message}`, { file: path });
  } finally {
    file.destroy();
  }
  return parser.finish();
}

/** A file's bytes ("-": standard input), gunzipped when they start with the gzip magic bytes. */
export async function readInputBytes(path: string): Promise<Uint8Array> {
  if (path === "-") return readStdin();
  const gz = isGzipFile(path);
  try {
    const bytes = readFileSync(path);
    return gz ? gunzipSync(bytes) : bytes;
  } catch (err) {
    throw new DataError(`${gz ? "cannot decompress" : "cannot read"}: ${(err as Error).message}`, { file: path });
  }
}

/** A CSV read as a trained model needs it (see modelRows): its columns by header name, in its order. */
export async function readModelRows(path: string, meta: ModelMeta, options: ModelRowsOptions = {}): Promise<ModelRows> {
  return modelRows(await readInputBytes(path), meta, {
    ...options,
    source: options.source ?? (path === "-" ? "<stdin>" : path),
  });
}

/** Synchronous readCsv: reads (and gunzips) the whole file into memory, then parses it. */
export function readCsvSync(path: string, options: CsvOptions = {}): CsvDataset {
  const gz = isGzipFile(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    if (gz) bytes = gunzipSync(bytes);
  } catch (err) {
    throw new DataError(`${gz ? "cannot decompress" : "cannot read"}: ${(err as Error).message}`, { file: path });
  }
  return parseCsv(bytes, { ...options, source: options.source ?? path });
}
