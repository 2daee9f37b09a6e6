// For export: gates become a fixed multiply folded into the next layer's kernel rows (0/1 in
// threshold mode, w in expectation mode), so exported models hold only standard layers and take
// the same input as the bsfnet model. (Prune first to also shrink the tensors.)
import type { Sequential } from "../model/sequential.js";
import { ConfigError } from "../errors.js";
import { planGates, type GatePlan } from "../prune/plan.js";
import { pruneSpec } from "../prune/apply.js";
import { modelToSpec, type ModelSpec } from "../prune/spec.js";

export function foldGates(spec: ModelSpec): ModelSpec {
  const gates: GatePlan[] = planGates(spec).map((g) => {
    const l = spec.layers.find((x) => x.config.name === g.gate)!;
    const w = l.weights[0].values;
    const keep = Array.from(w.keys());
    return { ...g, keep, allClosed: false, scale: keep.map((j) => (g.mode === "expectation" ? w[j] : w[j] > g.threshold ? 1 : 0)) };
  });
  return pruneSpec(spec, gates);
}

export const EXPORTABLE = ["Dense", "Activation", "Dropout", "Conv2D", "Conv1D", "MaxPool2D", "MaxPool1D", "Flatten"];

/** The model as a spec with its gates folded. Position gates cannot be folded: they stay as BSF
 * layers, which only formats listed in `allowPositionGates` can express. */
export function exportableSpec(model: Sequential | ModelSpec, allowPositionGates = false): ModelSpec {
  const spec = "runtime" in model ? modelToSpec(model as Sequential) : (model as ModelSpec);
  const folded = foldGates(spec);
  for (const l of folded.layers) {
    if (l.className === "BSF" && l.config.shareAxis === "position" && allowPositionGates) continue;
    if (l.className === "BSF") {
      throw new ConfigError(`cannot export position gate ${String(l.config.name)} to this format (ONNX can express it)`);
    }
    if (!EXPORTABLE.includes(l.className)) {
      throw new ConfigError(`cannot export layer ${String(l.config.name)}: ${l.className} export is not supported yet`);
    }
  }
  return folded;
}
