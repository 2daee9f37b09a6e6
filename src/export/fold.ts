// For export: gates become a fixed multiply folded into the next layer's kernel rows (0/1 in
// threshold mode, w in expectation mode, z for the reparameterized gates), so exported models
// hold only standard layers and take the same input as the bsfnet model. (Prune first to also
// shrink the tensors.)
import { ConfigError } from "../errors.js";
import { traitsOf } from "../layers/registry.js";
import { planGates, type GatePlan } from "../prune/gates.js";
import { pruneSpec } from "../prune/apply.js";
import { asSpec, type ModelSpec, type SpecSource } from "../model/spec.js";

export function foldGates(spec: ModelSpec): ModelSpec {
  const gates: GatePlan[] = planGates(spec).map((g) => {
    const l = spec.layers.find((x) => x.config.name === g.gate)!;
    const w = l.weights[0].values;
    const keep = Array.from(w.keys());
    // every unit kept, at the scale the gate applies at inference (its class says which)
    const inference = traitsOf(l.className).gateScale?.(l.config, w, g.threshold);
    return {
      ...g,
      keep,
      allClosed: false,
      scale: keep.map((j) =>
        inference ? inference.scale[j] : g.mode === "expectation" ? w[j] : w[j] > g.threshold ? 1 : 0,
      ),
    };
  });
  return pruneSpec(spec, gates);
}

/** The model as a spec with its gates folded, checked against what a format's exporter can write:
 * `writes` holds one entry per layer class it converts. Gates that cannot be folded (position
 * gates) stay, for a format whose exporter has an entry for the gate class. */
export function exportableSpec(
  model: SpecSource,
  writes: Readonly<Record<string, unknown>>,
  format: string,
): ModelSpec {
  const folded = foldGates(asSpec(model));
  for (const l of folded.layers) {
    if (l.className in writes) continue;
    if (traitsOf(l.className).gate) {
      throw new ConfigError(
        `cannot export position gate ${String(l.config.name)} to ${format}: it cannot be folded into a layer (ONNX can express it)`,
      );
    }
    throw new ConfigError(
      `cannot export layer ${String(l.config.name)}: ${l.className} export to ${format} is not supported yet`,
    );
  }
  return folded;
}
