// Layers by class name, for deserialization (getConfig -> fromConfig round trips).
import type { Layer } from "./layer.js";
import { Dense, type DenseConfig } from "./dense.js";
import { Activation, type ActivationConfig } from "./activation.js";
import { BSF, type BSFConfig } from "./bsf.js";
import { ConfigError } from "../errors.js";

type Factory = (config: Record<string, unknown>) => Layer;

const registry = new Map<string, Factory>([
  ["Dense", (c) => new Dense(c as unknown as DenseConfig)],
  ["Activation", (c) => new Activation(c as unknown as ActivationConfig)],
  ["BSF", (c) => new BSF(c as BSFConfig)],
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
