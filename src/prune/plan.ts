// Pruning, step 1: the plan. For every BSF gate, which units it keeps (w > threshold), which layer
// produces those units (it loses outputs) and which consumes them (it loses inputs). A gate in
// front of the first layer is an input gate: it drops input features. The plan is plain data, so
// it can be printed, saved, or edited before `applyPrune`.
import type { Sequential } from "../model/sequential.js";
import { ConfigError } from "../errors.js";
import { countSpec, modelToSpec, type LayerSpec, type ModelCounts, type ModelSpec } from "./spec.js";
import { pruneSpec } from "./apply.js";

/** Layers that map unit j to unit j (element-wise): a gate's units pass straight through them. */
export const PASS_THROUGH = new Set(["Activation", "Dropout"]);

export interface GatePlan {
  /** the BSF layer's name */
  gate: string;
  kind: "input" | "hidden";
  threshold: number;
  mode: "threshold" | "expectation";
  /** number of gated units before pruning */
  units: number;
  /** indices of the units kept, ascending */
  keep: number[];
  /** gate weight of each kept unit (folded into the consumer in "expectation" mode) */
  scale: number[];
  /** true when every gate was closed: one unit is kept with zero outgoing weights (exact) */
  allClosed: boolean;
  /** the layer whose outputs are gated (absent for an input gate) */
  producer?: string;
  /** the layer that reads the gated units */
  consumer: string;
}

export interface LayerCounts {
  name: string;
  className: string;
  units?: number;
  weights: number;
}

export interface PrunePlan {
  gates: GatePlan[];
  /** Input features the pruned model reads, as indices into the full input row (input gate only). */
  inputKeep?: number[];
  /** Input width of the full model. */
  inputSize: number;
  before: ModelCounts & { layers: LayerCounts[] };
  after: ModelCounts & { layers: LayerCounts[] };
}

export interface PlanOptions {
  /** Overrides every gate's own inference threshold. */
  threshold?: number;
}

function layerCounts(spec: ModelSpec): LayerCounts[] {
  return spec.layers.map((l) => ({
    name: l.config.name as string,
    className: l.className,
    units: l.className === "Dense" ? (l.config.units as number) : undefined,
    weights: l.weights.reduce((s, w) => s + w.values.length, 0),
  }));
}

/** What each gate of the spec keeps. */
export function planGates(spec: ModelSpec, options: PlanOptions = {}): GatePlan[] {
  const L = spec.layers;
  const gates: GatePlan[] = [];
  L.forEach((l, i) => {
    if (l.className !== "BSF") return;
    const name = l.config.name as string;
    const t = options.threshold ?? (l.config.threshold as number) ?? 0.1;
    if (!(t >= 0 && t < 1)) throw new ConfigError(`threshold must be in [0, 1), got ${t}`);
    if (l.config.shareAxis !== undefined) {
      throw new ConfigError(`gate ${name}: channel gates (conv models) are not supported by planPrune yet`);
    }
    const w = l.weights[0].values;
    let p = i - 1;
    while (p >= 0 && PASS_THROUGH.has(L[p].className)) p--;
    let c = i + 1;
    while (c < L.length && PASS_THROUGH.has(L[c].className)) c++;
    if (p >= 0 && L[p].className !== "Dense") {
      throw new ConfigError(`gate ${name} follows a ${L[p].className} layer: only Dense producers are supported yet`);
    }
    if (c >= L.length) throw new ConfigError(`gate ${name} has no layer after it to absorb the pruning`);
    if (L[c].className !== "Dense") {
      throw new ConfigError(`gate ${name} feeds a ${L[c].className} layer: only Dense consumers are supported yet`);
    }
    if (p < 0 && L.slice(0, i).some((x) => x.className !== "BSF" && !PASS_THROUGH.has(x.className))) {
      throw new ConfigError(`gate ${name}: cannot find the layer producing its units`);
    }
    let keep = Array.from(w.keys()).filter((j) => w[j] > t);
    const allClosed = keep.length === 0;
    if (allClosed) {
      let best = 0;
      for (let j = 1; j < w.length; j++) if (w[j] > w[best]) best = j;
      keep = [best];
    }
    const mode = (l.config.mode as "threshold" | "expectation") ?? "threshold";
    gates.push({
      gate: name,
      kind: p < 0 ? "input" : "hidden",
      threshold: t,
      mode,
      units: w.length,
      keep,
      scale: keep.map((j) => (allClosed ? 0 : mode === "expectation" ? w[j] : 1)),
      allClosed,
      producer: p < 0 ? undefined : (L[p].config.name as string),
      consumer: L[c].config.name as string,
    });
  });
  return gates;
}

/** The plan for a spec: gates, and unit/weight counts before and after. */
export function planSpec(spec: ModelSpec, options: PlanOptions = {}): PrunePlan {
  const gates = planGates(spec, options);
  const inputGates = gates.filter((g) => g.kind === "input");
  const inputSize = spec.inputShape.reduce((a, b) => a * b, 1);
  // Input gates in a row: each one's indices refer to the features the previous one kept.
  let inputKeep: number[] | undefined;
  for (const g of inputGates) {
    const cur = inputKeep ?? Array.from({ length: inputSize }, (_, j) => j);
    inputKeep = g.keep.map((j) => cur[j]);
  }
  const after = pruneSpec(spec, gates);
  return {
    gates,
    inputKeep,
    inputSize,
    before: { ...countSpec(spec), layers: layerCounts(spec) },
    after: { ...countSpec(after), layers: layerCounts(after) },
  };
}

/** Which units or features each gate of a trained model keeps, and what the pruned model will count. */
export function planPrune(model: Sequential, options: PlanOptions = {}): PrunePlan {
  return planSpec(modelToSpec(model), options);
}

/** Rows of the full input (n x inputSize, row-major) restricted to the plan's kept features. */
export function reduceRows(x: ArrayLike<number>, inputSize: number, keep: readonly number[] | undefined): Float32Array {
  if (!keep) return Float32Array.from(x);
  if (x.length % inputSize !== 0) {
    throw new ConfigError(`got ${x.length} values, not a multiple of the ${inputSize} input features`);
  }
  const n = x.length / inputSize;
  const out = new Float32Array(n * keep.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < keep.length; j++) out[i * keep.length + j] = x[i * inputSize + keep[j]];
  return out;
}

export type { LayerSpec };
