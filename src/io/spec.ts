// A decoded model file as a ModelSpec (what pruning and export work on), checked against the layers.
import { groupSpec, type ModelSpec } from "../prune/spec.js";
import type { ModelFile } from "./format.js";
import { layersFromFile } from "./layers.js";

export function fileToSpec(m: ModelFile, file?: string): ModelSpec {
  layersFromFile(m, file); // throws ModelFileError when shapes disagree
  return groupSpec(m.name, m.inputShape, m.layers, m.weights, false);
}
