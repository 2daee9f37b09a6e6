// A decoded model file as a ModelSpec (what pruning and export work on), checked against the layers.
import type { ModelSpec } from "../prune/spec.js";
import type { ModelFile } from "./format.js";
import { layersFromFile } from "./layers.js";

export function fileToSpec(m: ModelFile, file?: string): ModelSpec {
  layersFromFile(m, file); // throws ModelFileError when shapes disagree
  return {
    name: m.name,
    inputShape: [...m.inputShape],
    layers: m.layers.map((l) => ({
      className: l.className,
      config: structuredClone(l.config),
      weights: m.weights.filter((w) => w.layer === l.config.name).map((w) => ({ name: w.name, shape: [...w.shape], values: w.values })),
    })),
  };
}
