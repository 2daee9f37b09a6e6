// Layers by class name, for deserialization (getConfig -> fromConfig round trips).
import type { Layer } from "./layer.js";
import { Dense, type DenseConfig } from "./dense.js";
import { Activation, type ActivationConfig } from "./activation.js";
import { BSF, type BSFConfig } from "./bsf.js";
import { Conv1D, Conv2D, type Conv1DConfig, type Conv2DConfig } from "./conv.js";
import { MaxPool1D, MaxPool2D, type MaxPool1DConfig, type MaxPool2DConfig } from "./pool.js";
import { Flatten } from "./flatten.js";
import { Dropout, type DropoutConfig } from "./dropout.js";
import { ConfigError } from "../errors.js";

type Factory = (config: Record<string, unknown>) => Layer;

const registry = new Map<string, Factory>([
  ["Dense", (c) => new Dense(c as unknown as DenseConfig)],
  ["Activation", (c) => new Activation(c as unknown as ActivationConfig)],
  ["BSF", (c) => new BSF(c as BSFConfig)],
  ["Conv2D", (c) => new Conv2D(c as unknown as Conv2DConfig)],
  ["Conv1D", (c) => new Conv1D(c as unknown as Conv1DConfig)],
  ["MaxPool2D", (c) => new MaxPool2D(c as MaxPool2DConfig)],
  ["MaxPool1D", (c) => new MaxPool1D(c as MaxPool1DConfig)],
  ["Flatten", (c) => new Flatten(c)],
  ["Dropout", (c) => new Dropout(c as unknown as DropoutConfig)],
]);

export function registerLayer(className: string, factory: Factory): void {
  registry.set(className, factory);
}

export function layerFromConfig(spec: { className: string; config: Record<string, unknown> }): Layer {
  const f = registry.get(spec?.className);
  if (!f) {
    throw new ConfigError(`unknown layer type ${JSON.stringify(spec?.className)} (known: ${[...registry.keys()].join(", ")})`);
  }
  return f(spec.config ?? {});
}

export function knownLayers(): string[] {
  return [...registry.keys()];
}
