// Turning a decoded model file into built layers, checking every parameter's shape against the
// file before any wasm memory is allocated. Portable: used by loadModel and by the inference entry.
import { layerFromConfig } from "../layers/registry.js";
import { sizeOf, type Layer, type Shape } from "../layers/layer.js";
import { BsfnetError, ModelFileError } from "../errors.js";
import { LIMITS, type ModelFile } from "./format.js";

export function layersFromFile(m: ModelFile, file?: string): Layer[] {
  const layers: Layer[] = [];
  const names = new Set<string>();
  let shape: Shape = m.inputShape;
  let t = 0;
  m.layers.forEach((spec, i) => {
    let layer: Layer;
    try {
      layer = layerFromConfig({ className: spec.className, config: structuredClone(spec.config) });
      layer.build(shape);
    } catch (e) {
      const msg = e instanceof BsfnetError ? e.message : `invalid config (${(e as Error)?.message ?? String(e)})`;
      throw new ModelFileError(`layer ${i} (${spec.className}): ${msg}`, file);
    }
    if (names.has(layer.name)) throw new ModelFileError(`two layers are named ${layer.name}`, file);
    names.add(layer.name);
    if (layer.outputSize > LIMITS.activationSize) {
      throw new ModelFileError(`layer ${layer.name} outputs ${layer.outputSize} values per sample: too large`, file);
    }
    for (const p of layer.params) {
      const w = m.weights[t++];
      if (!w) throw new ModelFileError(`layer ${layer.name} needs parameter ${p.name} [${p.shape.join(", ")}], the file has no more tensors`, file);
      if (w.layer !== layer.name || w.name !== p.name) {
        throw new ModelFileError(`tensor ${t - 1} is ${w.layer}/${w.name}, expected ${layer.name}/${p.name}`, file);
      }
      if (w.shape.length !== p.shape.length || w.shape.some((d, k) => d !== p.shape[k])) {
        throw new ModelFileError(`layer ${layer.name}: ${p.name} is [${p.shape.join(", ")}] by its config, the file's weights are [${w.shape.join(", ")}]`, file);
      }
    }
    shape = layer.outputShape;
    layers.push(layer);
  });
  if (t !== m.weights.length) throw new ModelFileError(`the file has ${m.weights.length - t} tensors that no layer uses`, file);
  if (shape.length !== 1) throw new ModelFileError(`the model's output is [${shape.join(", ")}], expected flat class scores`, file);
  if (sizeOf(shape) < 1) throw new ModelFileError("the model has no outputs", file);
  return layers;
}
