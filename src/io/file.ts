// Saving and loading Sequential models in the bsfnet format (see format.ts), in Node.
// Saves are atomic: a crash mid-save leaves the previous file intact. Node modules are imported
// lazily so that importing bsfnet stays portable (Workers, browsers).
import { Sequential } from "../model/sequential.js";
import { BsfnetError, ModelFileError } from "../errors.js";
import { ready, type Runtime } from "../runtime/runtime.js";
import { decodeModelFile, encodeModelFile, LIMITS, readModel, type ModelFile, type ModelMeta } from "./format.js";

/** The model file's bytes for a built model. */
export function modelToBytes(model: Sequential, meta: ModelMeta = {}): Uint8Array {
  return encodeModelFile(model.toSpec(), meta);
}

/** A built Sequential from a decoded file (compile it before fit). */
export function modelFromFile(m: ModelFile, rt: Runtime, file?: string): Sequential {
  try {
    return Sequential.fromSpec(m.spec, rt, { maxActivation: LIMITS.activationSize });
  } catch (e) {
    if (e instanceof BsfnetError && !(e instanceof ModelFileError)) throw new ModelFileError(e.message, file);
    throw e;
  }
}

export function modelFromBytes(bytes: Uint8Array, rt: Runtime, file?: string): Sequential {
  return modelFromFile(decodeModelFile(bytes, file), rt, file);
}

export async function saveModel(model: Sequential, path: string, options: { meta?: ModelMeta } = {}): Promise<void> {
  const { writeFileAtomic } = await import("../util/atomic.js");
  await writeFileAtomic(path, modelToBytes(model, options.meta));
}

/** Read and check a model file without building it in wasm (topology, weights, meta). */
export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    const { readFile } = await import("node:fs/promises");
    bytes = await readFile(path);
  } catch (e) {
    throw new ModelFileError(`cannot read: ${(e as Error).message}`, path);
  }
  const { version, spec, meta } = readModel(bytes, path);
  return { version, spec, meta };
}

/** Load a model saved by saveModel; on the default runtime unless one is given. */
export async function loadModel(path: string, options: { runtime?: Runtime } = {}): Promise<Sequential> {
  const m = await readModelFile(path);
  return modelFromFile(m, options.runtime ?? (await ready()), path);
}
