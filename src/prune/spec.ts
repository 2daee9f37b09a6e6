// A model as plain data: each layer's class, config and weights. Pruning rewrites this form (no
// wasm needed), the model files store it, and `specsToModel` turns it back into a Sequential.
import { Sequential } from "../model/sequential.js";
import { layerFromConfig } from "../layers/registry.js";
import type { Runtime } from "../runtime/runtime.js";
import { ConfigError, ShapeError } from "../errors.js";

export interface TensorSpec {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface LayerSpec {
  className: string;
  config: Record<string, unknown>;
  weights: TensorSpec[];
}

export interface ModelSpec {
  name: string;
  inputShape: number[];
  layers: LayerSpec[];
}

/** Layers with their weights (a flat list tagged by layer name, in layer order) gathered under them;
 * configs are deep-copied, weight values copied only when `copyValues`. */
export function groupSpec(
  name: string,
  inputShape: readonly number[],
  layers: readonly { className: string; config: Record<string, unknown> }[],
  weights: readonly (TensorSpec & { layer: string })[],
  copyValues: boolean,
): ModelSpec {
  return {
    name,
    inputShape: [...inputShape],
    layers: layers.map((l) => ({
      className: l.className,
      config: structuredClone(l.config),
      weights: weights
        .filter((w) => w.layer === l.config.name)
        .map((w) => ({ name: w.name, shape: [...w.shape], values: copyValues ? w.values.slice() : w.values })),
    })),
  };
}

/** A deep copy of a built model's topology and weights. */
export function modelToSpec(model: Sequential): ModelSpec {
  const cfg = model.getConfig();
  if (!cfg.inputShape) throw new ConfigError(`model ${model.name} is not built`);
  return groupSpec(cfg.name, cfg.inputShape, cfg.layers, model.getWeights(), true);
}

/** Parameters of each layer, by class: the units (width) a layer produces. */
export function unitsOf(l: LayerSpec): number | undefined {
  if (l.className === "Dense") return l.config.units as number;
  if (l.className === "Conv2D" || l.className === "Conv1D") return l.config.filters as number;
  return undefined;
}

export function weightCount(l: LayerSpec): number {
  return l.className === "BSF" ? 0 : l.weights.reduce((s, w) => s + w.values.length, 0);
}

export interface ModelCounts {
  /** hidden units: outputs of every Dense layer except the last (the class scores), plus the
   * channels (filters) of every convolution */
  units: number;
  /** parameters of every layer except the gates (kernels and biases) */
  weights: number;
  /** gate parameters (BSF weights) */
  gates: number;
  /** bytes of all parameters as float32 */
  bytes: number;
}

export function countSpec(spec: ModelSpec): ModelCounts {
  const dense = spec.layers.filter((l) => unitsOf(l) !== undefined);
  const units = dense.slice(0, -1).reduce((s, l) => s + unitsOf(l)!, 0);
  const weights = spec.layers.reduce((s, l) => s + weightCount(l), 0);
  const all = spec.layers.reduce((s, l) => s + l.weights.reduce((t, w) => t + w.values.length, 0), 0);
  return { units, weights, gates: all - weights, bytes: all * 4 };
}

/** Build a Sequential from a spec on `rt` and load its weights (checked against the layers' shapes). */
export function specToModel(spec: ModelSpec, rt: Runtime): Sequential {
  const layers = spec.layers.map((l) => layerFromConfig({ className: l.className, config: structuredClone(l.config) }));
  const model = new Sequential(layers, { name: spec.name, inputShape: spec.inputShape });
  model.buildSync(spec.inputShape, rt);
  const flat: TensorSpec[] = [];
  layers.forEach((layer, i) => {
    const ws = spec.layers[i].weights;
    if (ws.length !== layer.params.length) {
      model.dispose();
      throw new ShapeError(`has ${layer.params.length} parameter tensors, the spec gives ${ws.length}`, layer.name);
    }
    layer.params.forEach((p, j) => {
      const w = ws[j];
      if (w.shape.length !== p.shape.length || w.shape.some((d, k) => d !== p.shape[k]) || w.values.length !== p.size) {
        model.dispose();
        throw new ShapeError(`${p.name} is [${p.shape.join(", ")}] but the spec gives [${w.shape.join(", ")}] (${w.values.length} values)`, layer.name);
      }
      flat.push(w);
    });
  });
  model.setWeights(flat);
  return model;
}
