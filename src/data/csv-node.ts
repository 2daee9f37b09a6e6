// Node-only CSV file reading (node:fs, node:zlib). Gzip input is recognised by its magic bytes
// (1f 8b), whatever the file name; a ".gz" name without them is an error.
import { createReadStream, openSync, readSync, closeSync, readFileSync } from "node:fs";
import { createGunzip, gunzipSync } from "node:zlib";
import { DataError } from "../errors.js";
import { CsvParser, parseCsv, type CsvDataset, type CsvOptions } from "./csv.js";

function isGzipFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new DataError(`cannot open: ${(err as Error).message}`, { file: path });
  }
  try {
    const head = new Uint8Array(2);
    const got = readSync(fd, head, 0, 2, 0);
    const gz = got === 2 && head[0] === 0x1f && head[1] === 0x8b;
    if (!gz && /\.gz$/i.test(path)) throw new DataError("named .gz but not gzip data (no 1f 8b magic bytes)", { file: path });
    return gz;
  } finally {
    closeSync(fd);
  }
}

/** Reads a CSV/TSV file (optionally gzip'd), streaming: memory holds the parsed arrays, not the text. */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvDataset> {
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
