// The one builder: layers from a spec (or constructed by a user), built in order so every layer
// knows its shapes, and checked against the spec's weights before any wasm memory is allocated.
// The file loader, pruning, export and inference all go through here.
import { layerFromConfig } from "../layers/registry.js";
import { sizeOf, type Layer, type Shape } from "../layers/layer.js";
import { BsfnetError, ConfigError, ShapeError } from "../errors.js";
import type { ModelSpec } from "./spec.js";

export interface BuiltLayers {
  layers: Layer[];
  /** the input shape of each layer */
  shapes: Shape[];
  outputShape: Shape;
}

export interface BuildOptions {
  /** Largest output of any layer per sample (a hostile file's guard). */
  maxActivation?: number;
}

/** Build constructed layers on an input shape: unique names, softmax only at the output, flat
 * class scores out. */
export function buildStack(layers: readonly Layer[], inputShape: Shape, options: BuildOptions = {}): BuiltLayers {
  if (layers.length === 0) throw new ConfigError("the model has no layers");
  const names = new Set<string>();
  const shapes: Shape[] = [];
  let s: Shape = inputShape;
  layers.forEach((l, i) => {
    if (names.has(l.name)) throw new ConfigError(`two layers are named ${l.name}`);
    names.add(l.name);
    shapes.push(s);
    // built by buildSpec already (on this shape): its parameters stay the ones checked there
    if (!(l.built && l.inputShape.length === s.length && l.inputShape.every((d, j) => d === s[j]))) l.build(s);
    if (options.maxActivation !== undefined && l.outputSize > options.maxActivation) {
      throw new ShapeError(`outputs ${l.outputSize} values per sample: too large`, l.name);
    }
    if (l.outputActivation === "softmax" && i !== layers.length - 1) {
      throw new ConfigError(`layer ${l.name}: softmax is only supported as the output activation`);
    }
    s = l.outputShape;
  });
  const last = layers[layers.length - 1];
  if (s.length !== 1) throw new ShapeError(`the output must be flat class scores, got [${s.join(", ")}]`, last.name);
  if (sizeOf(s) < 1) throw new ShapeError("the model has no outputs", last.name);
  return { layers: [...layers], shapes, outputShape: s };
}

/** Layers from a spec's configs, built, with every weight tensor checked against the parameter
 * its layer declares (count, name and shape). */
export function buildSpec(spec: ModelSpec, options: BuildOptions = {}): BuiltLayers {
  const layers = spec.layers.map((l, i) => {
    try {
      return layerFromConfig({ className: l.className, config: structuredClone(l.config) });
    } catch (e) {
      const msg = e instanceof BsfnetError ? e.message : `invalid config (${(e as Error)?.message ?? String(e)})`;
      throw new ConfigError(`layer ${i} (${l.className}): ${msg}`);
    }
  });
  let built: BuiltLayers;
  try {
    built = buildStack(layers, spec.inputShape, options);
  } catch (e) {
    if (e instanceof BsfnetError) throw e;
    // a hostile config that a layer's checks let through (a TypeError deep in a shape rule)
    throw new ConfigError(`invalid layer config (${(e as Error)?.message ?? String(e)})`);
  }
  built.layers.forEach((layer, i) => {
    const ws = spec.layers[i].weights;
    if (ws.length !== layer.params.length) {
      throw new ShapeError(
        `has ${layer.params.length} parameter tensors (${layer.params.map((p) => p.name).join(", ") || "none"}), the model gives ${ws.length}`,
        layer.name,
      );
    }
    layer.params.forEach((p, j) => {
      const w = ws[j];
      if (w.name !== p.name) throw new ShapeError(`parameter ${j} is ${p.name}, the model gives ${w.name}`, layer.name);
      if (w.shape.length !== p.shape.length || w.shape.some((d, k) => d !== p.shape[k]) || w.values.length !== p.size) {
        throw new ShapeError(
          `${p.name} is [${p.shape.join(", ")}] by its config, the weights are [${w.shape.join(", ")}] (${w.values.length} values)`,
          layer.name,
        );
      }
    });
  });
  return built;
}

/** The input shape of every layer of a spec (the layers' own shape rules; no memory). */
export function specShapes(spec: ModelSpec): Shape[] {
  return buildStack(
    spec.layers.map((l) => layerFromConfig({ className: l.className, config: structuredClone(l.config) })),
    spec.inputShape,
  ).shapes;
}
