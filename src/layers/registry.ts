// Layers by class name: deserialization (getConfig -> fromConfig round trips) and each class's
// traits, which pruning, export and summaries read from plain model specs.
import type { Layer, LayerTraits } from "./layer.js";
import { Dense } from "./dense.js";
import { Activation } from "./activation.js";
import { BSF } from "./bsf.js";
import { Conv1D, Conv2D } from "./conv.js";
import { MaxPool1D, MaxPool2D } from "./pool.js";
import { Flatten } from "./flatten.js";
import { Dropout } from "./dropout.js";
import { Normalization } from "./normalization.js";
import { ConfigError } from "../errors.js";

/** A layer class: built from its config, with its traits as a static. */
export interface LayerClass {
  // biome-ignore lint/suspicious/noExplicitAny: each class takes its own config type
  new (config: any): Layer;
  readonly traits: LayerTraits;
}

// Names spelled out: a minified bundle renames classes.
const registry = new Map<string, LayerClass>([
  ["Dense", Dense],
  ["Activation", Activation],
  ["BSF", BSF],
  ["Conv2D", Conv2D],
  ["Conv1D", Conv1D],
  ["MaxPool2D", MaxPool2D],
  ["MaxPool1D", MaxPool1D],
  ["Flatten", Flatten],
  ["Dropout", Dropout],
  ["Normalization", Normalization],
]);

export function registerLayer(className: string, cls: LayerClass): void {
  registry.set(className, cls);
}

export function layerClass(className: string): LayerClass {
  const c = registry.get(className);
  if (!c) {
    throw new ConfigError(
      `unknown layer type ${JSON.stringify(className)} (known: ${[...registry.keys()].join(", ")})`,
    );
  }
  return c;
}

/** The traits of a layer class, by name (a spec's layers are plain data). */
export function traitsOf(className: string): LayerTraits {
  return layerClass(className).traits;
}

export function layerFromConfig(spec: { className: string; config: Record<string, unknown> }): Layer {
  const cls = layerClass(spec?.className);
  return new cls(spec.config ?? {});
}

/** Every registered class name (the trait checks in test/layers run over all of them). */
export function registeredLayers(): string[] {
  return [...registry.keys()];
}
