// Saving and loading Sequential models in the bsfnet format (see format.ts), in Node.
// Saves are atomic: a crash mid-save leaves the previous file intact. Node modules are imported
// lazily so that importing bsfnet stays portable (Workers, browsers).
import { Sequential } from "../model/sequential.js";
import { BsfnetError, ModelFileError } from "../errors.js";
import { ready, type Runtime } from "../runtime/runtime.js";
import { decodeModelFile, encodeModelFile, type ModelFile, type ModelMeta } from "./format.js";
import { layersFromFile } from "./layers.js";

/** The model file's bytes for a built model. */
export function modelToBytes(model: Sequential, meta: ModelMeta = {}): Uint8Array {
  const cfg = model.getConfig();
  return encodeModelFile({
    name: cfg.name,
    inputShape: [...(cfg.inputShape ?? [])],
    layers: cfg.layers,
    weights: model.getWeights(),
    meta,
  });
}

/** A built Sequential from a decoded file (compile it before fit). */
export function modelFromFile(m: ModelFile, rt: Runtime, file?: string): Sequential {
  const layers = layersFromFile(m, file);
  const model = new Sequential([], { name: m.name, inputShape: m.inputShape });
  try {
    for (const l of layers) model.add(l);
    model.buildSync(m.inputShape, rt);
    model.setWeights(m.weights);
  } catch (e) {
    model.dispose();
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(e instanceof BsfnetError ? e.message : String(e), file);
  }
  return model;
}

export function modelFromBytes(bytes: Uint8Array, rt: Runtime, file?: string): Sequential {
  return modelFromFile(decodeModelFile(bytes, file), rt, file);
}

export async function saveModel(model: Sequential, path: string, options: { meta?: ModelMeta } = {}): Promise<void> {
  const { writeFileAtomic } = await import("../util/atomic.js");
  await writeFileAtomic(path, modelToBytes(model, options.meta));
}

/** Decode a model file without building it (topology, weights, meta). */
export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    const { readFile } = await import("node:fs/promises");
    bytes = await readFile(path);
  } catch (e) {
    throw new ModelFileError(`cannot read: ${(e as Error).message}`, path);
  }
  return decodeModelFile(bytes, path);
}

/** Load a model saved by saveModel; on the default runtime unless one is given. */
export async function loadModel(path: string, options: { runtime?: Runtime } = {}): Promise<Sequential> {
  const m = await readModelFile(path);
  return modelFromFile(m, options.runtime ?? (await ready()), path);
}
