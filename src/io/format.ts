// The bsfnet model file: a ModelSpec (JSON topology and config, then float32 little-endian weights)
// and its metadata, with a format version and a CRC-32. Portable (no Node imports): the inference
// entry uses it too.
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
// is allocated, every shape against the layers' own parameter shapes (`readModel`), and every
// failure is a ModelFileError.
import { BsfnetError, ModelFileError } from "../errors.js";
import { buildSpec, type BuiltLayers } from "../model/build.js";
import type { ModelMeta } from "../model/meta.js";
import { flatWeights, type LayerSpec, type ModelSpec } from "../model/spec.js";
import { crc32 } from "./crc32.js";

export type { ModelMeta };

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

export interface ModelFile {
  version: number;
  spec: ModelSpec;
  meta: ModelMeta;
}

const enc = new TextEncoder();

export function encodeModelFile(spec: ModelSpec, meta: ModelMeta = {}): Uint8Array {
  const weights = flatWeights(spec);
  let offset = 0;
  const index = weights.map((w) => {
    const e = { layer: w.layer, name: w.name, shape: [...w.shape], offset, length: w.values.length };
    offset += w.values.length;
    return e;
  });
  const header = {
    format: "bsfnet-model",
    version: FORMAT_VERSION,
    model: {
      name: spec.name,
      inputShape: [...spec.inputShape],
      layers: spec.layers.map((l) => ({ className: l.className, config: l.config })),
    },
    weights: index,
    meta,
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
  for (const w of weights) {
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
  if (!Array.isArray(s) || s.length > LIMITS.dims || !s.every(isDim))
    fail(`${what}: shape ${JSON.stringify(s)?.slice(0, 80)} is not a list of positive integers`, file);
  return s as number[];
}

/** Parse and check a model file's bytes (no wasm, no allocation beyond the weights present): the
 * spec, its weights under their layers, and the metadata. The weights' shapes are checked against
 * the layers by `readModel` (or by whatever builds the spec). */
export function decodeModelFile(bytes: Uint8Array, file?: string): ModelFile {
  if (!(bytes instanceof Uint8Array)) fail("expected the file's bytes", file);
  if (bytes.length < PREFIX)
    fail(`not a bsfnet model file: ${bytes.length} bytes is shorter than the ${PREFIX}-byte prefix (truncated?)`, file);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC)
    fail(`not a bsfnet model file (starts with ${JSON.stringify(magic)}, expected "${MAGIC}")`, file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version > FORMAT_VERSION) {
    fail(
      `written by a newer bsfnet (format version ${version}; this version reads up to ${FORMAT_VERSION}): upgrade bsfnet`,
      file,
    );
  }
  if (version < 1) fail(`invalid format version ${version}`, file);
  const J = dv.getUint32(8, true);
  const W = dv.getUint32(12, true);
  if (J % 4 || W % 4) fail(`corrupt prefix: section lengths ${J} and ${W} must be multiples of 4`, file);
  if (J > LIMITS.headerBytes) fail(`header of ${J} bytes exceeds the limit of ${LIMITS.headerBytes}`, file);
  const expected = PREFIX + J + W;
  if (bytes.length < expected)
    fail(`truncated: the file has ${bytes.length} bytes, its prefix announces ${expected}`, file);
  if (bytes.length > expected) fail(`${bytes.length - expected} unexpected bytes after the weights`, file);
  const crc = crc32(bytes.subarray(PREFIX));
  if (crc !== dv.getUint32(16, true)) {
    fail(
      `checksum mismatch (stored ${dv.getUint32(16, true).toString(16)}, computed ${crc.toString(16)}): the file is corrupt`,
      file,
    );
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
  if (inputSize > LIMITS.inputSize)
    fail(`input of ${inputSize} values per sample exceeds the limit of ${LIMITS.inputSize}`, file);
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail("the model has no layers", file);
  if (model.layers.length > LIMITS.layers)
    fail(`${model.layers.length} layers exceed the limit of ${LIMITS.layers}`, file);
  const layers: LayerSpec[] = model.layers.map((l: unknown, i: number) => {
    if (!isObj(l) || typeof l.className !== "string" || !isObj(l.config))
      fail(`layer ${i}: expected { className, config }`, file);
    if (!depth(l.config, LIMITS.configDepth)) fail(`layer ${i}: config is nested too deeply or too large`, file);
    return { className: l.className, config: l.config, weights: [] };
  });
  if (!Array.isArray(h.weights)) fail("header has no weights index", file);
  if (h.weights.length > LIMITS.tensors)
    fail(`${h.weights.length} tensors exceed the limit of ${LIMITS.tensors}`, file);
  const floats = W / 4;
  let next = 0;
  const wdv = new DataView(bytes.buffer, bytes.byteOffset + PREFIX + J, W);
  // Tensors are tagged with their layer's name and come in layer order.
  let at = 0;
  h.weights.forEach((e: unknown, i: number) => {
    if (!isObj(e) || typeof e.layer !== "string" || typeof e.name !== "string")
      fail(`weights[${i}]: expected { layer, name, shape, offset, length }`, file);
    const shape = checkShape(e.shape, `weights[${i}] (${e.layer}/${e.name})`, file);
    const size = shape.reduce((a, b) => a * b, 1);
    if (e.length !== size)
      fail(
        `weights[${i}] (${e.layer}/${e.name}): shape [${shape.join(", ")}] holds ${size} values, the index says ${String(e.length)}`,
        file,
      );
    if (e.offset !== next)
      fail(`weights[${i}] (${e.layer}/${e.name}): offset ${String(e.offset)}, expected ${next}`, file);
    if (next + size > floats)
      fail(`weights[${i}] (${e.layer}/${e.name}) runs past the end of the weights (${floats} floats)`, file);
    const values = new Float32Array(size);
    for (let j = 0; j < size; j++) {
      const v = wdv.getFloat32((next + j) * 4, true);
      if (!Number.isFinite(v)) fail(`weights[${i}] (${e.layer}/${e.name})[${j}] is ${v}`, file);
      values[j] = v;
    }
    next += size;
    while (at < layers.length && layers[at].config.name !== e.layer) at++;
    if (at === layers.length)
      fail(`weights[${i}] (${e.layer}/${e.name}) names no layer at or after the previous tensor's`, file);
    layers[at].weights.push({ name: e.name, shape, values });
  });
  if (next !== floats) fail(`the weights section holds ${floats} floats, the index uses ${next}`, file);
  const meta = isObj(h.meta) ? (h.meta as ModelMeta) : {};
  if (meta.inputKeep !== undefined) {
    const full = meta.fullInputSize;
    if (!Number.isInteger(full) || (full as number) <= 0 || (full as number) > LIMITS.inputSize)
      fail("meta.fullInputSize must be a positive integer", file);
    const k = meta.inputKeep;
    if (
      !Array.isArray(k) ||
      k.length !== inputSize ||
      !k.every((j, i) => Number.isInteger(j) && j >= 0 && j < (full as number) && (i === 0 || j > k[i - 1]))
    ) {
      fail(`meta.inputKeep must list ${inputSize} ascending feature indices below ${String(full)}`, file);
    }
  }
  checkMetaColumns(meta, inputSize, file);
  return { version, spec: { name, inputShape, layers }, meta };
}

/** The names a CSV is matched by must fit the model: a file edited by hand fails here, not in
 * predict. Older files have none of them. */
function checkMetaColumns(meta: ModelMeta, inputSize: number, file?: string): void {
  const strings = (v: unknown, what: string, length?: number): void => {
    if (v === undefined) return;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string") || (length !== undefined && v.length !== length)) {
      fail(`meta.${what} must be a list of ${length ?? ""}${length !== undefined ? " " : ""}names`, file);
    }
  };
  strings(meta.columns, "columns", meta.inputKeep ? meta.fullInputSize : inputSize);
  if (meta.columns && new Set(meta.columns).size !== meta.columns.length) fail("meta.columns repeats a name", file);
  strings(meta.classNames, "classNames");
  strings(meta.csvColumns, "csvColumns");
  if (meta.label !== undefined && typeof meta.label !== "string") fail("meta.label must be a column name", file);
  if (meta.categories !== undefined) {
    if (
      !Array.isArray(meta.categories) ||
      !meta.categories.every(
        (c) =>
          isObj(c) &&
          typeof c.column === "string" &&
          Array.isArray(c.values) &&
          c.values.every((v) => typeof v === "string"),
      )
    ) {
      fail("meta.categories must be a list of { column, values }", file);
    }
  }
}

/** The spec's layers built and checked against its weights; any failure is a ModelFileError. */
export function checkModelFile(m: ModelFile, file?: string): BuiltLayers {
  try {
    return buildSpec(m.spec, { maxActivation: LIMITS.activationSize });
  } catch (e) {
    if (e instanceof BsfnetError) throw new ModelFileError(e.message, file);
    throw e;
  }
}

/** decodeModelFile, then checkModelFile: a file whose every tensor fits its layer. */
export function readModel(bytes: Uint8Array, file?: string): ModelFile & { built: BuiltLayers } {
  const m = decodeModelFile(bytes, file);
  return { ...m, built: checkModelFile(m, file) };
}
