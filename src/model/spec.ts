// A model as plain data: the topology, each layer's class and config, and its named weights. Model
// files encode it, pruning rewrites it (no wasm needed), export and inference read it, and
// `Sequential.toSpec()` / `Sequential.fromSpec()` convert to and from a trained model.
import { traitsOf } from "../layers/registry.js";

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

/** Anything that has a spec: a spec itself, or a model (`Sequential`) that can produce one. */
export type SpecSource = ModelSpec | { toSpec(): ModelSpec };

export function asSpec(m: SpecSource): ModelSpec {
  return "toSpec" in m ? m.toSpec() : m;
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

/** The weights of a spec as one flat list in layer order, each tagged with its layer's name. */
export function flatWeights(spec: ModelSpec): (TensorSpec & { layer: string })[] {
  return spec.layers.flatMap((l) => l.weights.map((w) => ({ layer: String(l.config.name), ...w })));
}

/** A copy whose configs and shapes can be edited freely; weight values are shared (pruning
 * replaces tensors, it never writes into them). */
export function cloneSpec(spec: ModelSpec): ModelSpec {
  return {
    name: spec.name,
    inputShape: [...spec.inputShape],
    layers: spec.layers.map((l) => ({
      className: l.className,
      config: structuredClone(l.config),
      weights: l.weights.map((w) => ({ ...w, shape: [...w.shape] })),
    })),
  };
}

/** The output width of a layer with a kernel (Dense units, convolution filters); undefined for
 * the others. */
export function layerWidth(l: LayerSpec): number | undefined {
  const p = traitsOf(l.className).prunable;
  return p ? (l.config[p.widthKey] as number) : undefined;
}

const paramCount = (l: LayerSpec): number => l.weights.reduce((s, w) => s + w.values.length, 0);

/** Parameters of a layer that count as model weights (kernels and biases): not a gate's, and not
 * the per-unit statistics of a layer such as Normalization, which training does not fit. */
export function weightCount(l: LayerSpec): number {
  const t = traitsOf(l.className);
  return t.gate || t.unitParams ? 0 : paramCount(l);
}

export interface ModelCounts {
  /** hidden units: outputs of every Dense layer except the last (the class scores), plus the
   * channels (filters) of every convolution */
  units: number;
  /** kernels and biases: the parameters of every layer except gates and statistics (Normalization) */
  weights: number;
  /** gate parameters (BSF weights) */
  gates: number;
  /** bytes of all parameters as float32 */
  bytes: number;
}

export function countSpec(spec: ModelSpec): ModelCounts {
  const widths = spec.layers.map(layerWidth).filter((u): u is number => u !== undefined);
  const units = widths.slice(0, -1).reduce((s, u) => s + u, 0);
  const weights = spec.layers.reduce((s, l) => s + weightCount(l), 0);
  const gates = spec.layers.reduce((s, l) => s + (traitsOf(l.className).gate ? paramCount(l) : 0), 0);
  const all = spec.layers.reduce((s, l) => s + paramCount(l), 0);
  return { units, weights, gates, bytes: all * 4 };
}
