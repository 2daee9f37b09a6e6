// The bsfnet model file: JSON topology and config, then float32 little-endian weights, with a
// format version and a CRC-32. Portable (no Node imports): the inference entry uses it too.
//
//   offset  size  field
//        0     4  magic "BSFN"
//        4     4  u32 format version (FORMAT_VERSION)
//        8     4  u32 header length J (bytes of UTF-8 JSON, padded with spaces to a multiple of 4)
//       12     4  u32 weights length W (bytes, a multiple of 4)
//       16     4  u32 CRC-32 of bytes [20, 20 + J + W)
//       20     J  header: { format, version, model: { name, inputShape, layers: [{ className, config }] },
//                           weights: [{ layer, name, shape, offset, length }], meta }
//   20 + J     W  weights, float32 little-endian; tensor i at float `offset`, `length` floats
//
// Decoding trusts nothing: sizes are checked against the bytes actually present before anything
// is allocated, every shape against the layers' own parameter shapes, and every failure is a
// ModelFileError.
import { ModelFileError } from "../errors.js";
import { crc32 } from "./crc32.js";

export const MAGIC = "BSFN";
export const FORMAT_VERSION = 1;
const PREFIX = 20;
/** Upper bounds that no real bsfnet model reaches; they keep a hostile header from exhausting memory. */
export const LIMITS = {
  headerBytes: 16 * 2 ** 20,
  layers: 4096,
  tensors: 16384,
  /** values per sample of any input (MNIST: 784, CIFAR: 3072) */
  inputSize: 2 ** 22,
  /** values per sample of any layer's output (the Table 6 CNN's largest: 36,864) */
  activationSize: 2 ** 24,
  dims: 8,
  configDepth: 6,
};

export interface FileTensor {
  layer: string;
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface FileLayer {
  className: string;
  config: Record<string, unknown>;
}

export interface ModelMeta {
  /** Input features the model reads, as indices into the full (unpruned) input row. */
  inputKeep?: number[];
  /** Width of the full input row when inputKeep is set. */
  fullInputSize?: number;
  classNames?: string[];
  [key: string]: unknown;
}

export interface ModelFile {
  version: number;
  name: string;
  inputShape: number[];
  layers: FileLayer[];
  /** in layer order, each layer's parameters in its own order */
  weights: FileTensor[];
  meta: ModelMeta;
}

const enc = new TextEncoder();

export function encodeModelFile(m: Omit<ModelFile, "version">): Uint8Array {
  let offset = 0;
  const index = m.weights.map((w) => {
    const e = { layer: w.layer, name: w.name, shape: [...w.shape], offset, length: w.values.length };
    offset += w.values.length;
    return e;
  });
  const header = {
    format: "bsfnet-model",
    version: FORMAT_VERSION,
    model: { name: m.name, inputShape: [...m.inputShape], layers: m.layers.map((l) => ({ className: l.className, config: l.config })) },
    weights: index,
    meta: m.meta ?? {},
  };
  let json = enc.encode(JSON.stringify(header));
  const J = (json.length + 3) & ~3;
  const W = offset * 4;
  const out = new Uint8Array(PREFIX + J + W);
  out.set(enc.encode(MAGIC), 0);
  out.fill(0x20, PREFIX + json.length, PREFIX + J);
  out.set(json, PREFIX);
  json = new Uint8Array(0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint32(8, J, true);
  dv.setUint32(12, W, true);
  let p = PREFIX + J;
  for (const w of m.weights) {
    for (let i = 0; i < w.values.length; i++, p += 4) dv.setFloat32(p, w.values[i], true);
  }
  dv.setUint32(16, crc32(out.subarray(PREFIX)), true);
  return out;
}

function fail(msg: string, file?: string): never {
  throw new ModelFileError(msg, file);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isDim = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 2 ** 31;

function depth(v: unknown, limit: number): boolean {
  if (limit < 0) return false;
  if (Array.isArray(v)) return v.length <= 65536 && v.every((x) => depth(x, limit - 1));
  if (isObj(v)) return Object.keys(v).length <= 256 && Object.values(v).every((x) => depth(x, limit - 1));
  return true;
}

function checkShape(s: unknown, what: string, file?: string): number[] {
  if (!Array.isArray(s) || s.length > LIMITS.dims || !s.every(isDim)) fail(`${what}: shape ${JSON.stringify(s)?.slice(0, 80)} is not a list of positive integers`, file);
  return s as number[];
}

/** Parse and check a model file's bytes (no wasm, no allocation beyond the weights present). */
export function decodeModelFile(bytes: Uint8Array, file?: string): ModelFile {
  if (!(bytes instanceof Uint8Array)) fail("expected the file's bytes", file);
  if (bytes.length < PREFIX) fail(`not a bsfnet model file: ${bytes.length} bytes is shorter than the ${PREFIX}-byte prefix (truncated?)`, file);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) fail(`not a bsfnet model file (starts with ${JSON.stringify(magic)}, expected "${MAGIC}")`, file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version > FORMAT_VERSION) {
    fail(`written by a newer bsfnet (format version ${version}; this version reads up to ${FORMAT_VERSION}): upgrade bsfnet`, file);
  }
  if (version < 1) fail(`invalid format version ${version}`, file);
  const J = dv.getUint32(8, true);
  const W = dv.getUint32(12, true);
  if (J % 4 || W % 4) fail(`corrupt prefix: section lengths ${J} and ${W} must be multiples of 4`, file);
  if (J > LIMITS.headerBytes) fail(`header of ${J} bytes exceeds the limit of ${LIMITS.headerBytes}`, file);
  const expected = PREFIX + J + W;
  if (bytes.length < expected) fail(`truncated: the file has ${bytes.length} bytes, its prefix announces ${expected}`, file);
  if (bytes.length > expected) fail(`${bytes.length - expected} unexpected bytes after the weights`, file);
  const crc = crc32(bytes.subarray(PREFIX));
  if (crc !== dv.getUint32(16, true)) {
    fail(`checksum mismatch (stored ${dv.getUint32(16, true).toString(16)}, computed ${crc.toString(16)}): the file is corrupt`, file);
  }
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + J)));
  } catch (e) {
    fail(`header is not valid JSON: ${(e as Error).message}`, file);
  }
  if (!isObj(h) || h.format !== "bsfnet-model") fail(`header is not a bsfnet model header`, file);
  if (h.version !== version) fail(`header version ${String(h.version)} disagrees with the prefix's ${version}`, file);
  const model = h.model;
  if (!isObj(model)) fail("header has no model", file);
  const name = typeof model.name === "string" ? model.name : "model";
  const inputShape = checkShape(model.inputShape, "model inputShape", file);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  if (inputSize > LIMITS.inputSize) fail(`input of ${inputSize} values per sample exceeds the limit of ${LIMITS.inputSize}`, file);
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail("the model has no layers", file);
  if (model.layers.length > LIMITS.layers) fail(`${model.layers.length} layers exceed the limit of ${LIMITS.layers}`, file);
  const layers: FileLayer[] = model.layers.map((l: unknown, i: number) => {
    if (!isObj(l) || typeof l.className !== "string" || !isObj(l.config)) fail(`layer ${i}: expected { className, config }`, file);
    if (!depth(l.config, LIMITS.configDepth)) fail(`layer ${i}: config is nested too deeply or too large`, file);
    return { className: l.className, config: l.config };
  });
  if (!Array.isArray(h.weights)) fail("header has no weights index", file);
  if (h.weights.length > LIMITS.tensors) fail(`${h.weights.length} tensors exceed the limit of ${LIMITS.tensors}`, file);
  const floats = W / 4;
  let next = 0;
  const wdv = new DataView(bytes.buffer, bytes.byteOffset + PREFIX + J, W);
  const weights: FileTensor[] = h.weights.map((e: unknown, i: number) => {
    if (!isObj(e) || typeof e.layer !== "string" || typeof e.name !== "string") fail(`weights[${i}]: expected { layer, name, shape, offset, length }`, file);
    const shape = checkShape(e.shape, `weights[${i}] (${e.layer}/${e.name})`, file);
    const size = shape.reduce((a, b) => a * b, 1);
    if (e.length !== size) fail(`weights[${i}] (${e.layer}/${e.name}): shape [${shape.join(", ")}] holds ${size} values, the index says ${String(e.length)}`, file);
    if (e.offset !== next) fail(`weights[${i}] (${e.layer}/${e.name}): offset ${String(e.offset)}, expected ${next}`, file);
    if (next + size > floats) fail(`weights[${i}] (${e.layer}/${e.name}) runs past the end of the weights (${floats} floats)`, file);
    const values = new Float32Array(size);
    for (let j = 0; j < size; j++) {
      const v = wdv.getFloat32((next + j) * 4, true);
      if (!Number.isFinite(v)) fail(`weights[${i}] (${e.layer}/${e.name})[${j}] is ${v}`, file);
      values[j] = v;
    }
    next += size;
    return { layer: e.layer, name: e.name, shape, values };
  });
  if (next !== floats) fail(`the weights section holds ${floats} floats, the index uses ${next}`, file);
  const meta = isObj(h.meta) ? (h.meta as ModelMeta) : {};
  if (meta.inputKeep !== undefined) {
    const full = meta.fullInputSize;
    if (!Number.isInteger(full) || (full as number) <= 0 || (full as number) > LIMITS.inputSize) fail("meta.fullInputSize must be a positive integer", file);
    const k = meta.inputKeep;
    if (!Array.isArray(k) || k.length !== inputSize || !k.every((j, i) => Number.isInteger(j) && j >= 0 && j < (full as number) && (i === 0 || j > k[i - 1]))) {
      fail(`meta.inputKeep must list ${inputSize} ascending feature indices below ${String(full)}`, file);
    }
  }
  return { version, name, inputShape, layers, weights, meta };
}
