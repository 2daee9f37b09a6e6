// Pruning, step 1: the plan. For every BSF gate, which units it keeps (w > threshold), which layer
// produces those units (it loses outputs) and which consumes them (it loses inputs). A gate in
// front of the first layer is an input gate: it drops input features. The plan is plain data, so
// it can be printed, saved, or edited before `applyPrune`.
import type { Sequential } from "../model/sequential.js";
import { ConfigError } from "../errors.js";
import { countSpec, modelToSpec, type LayerSpec, type ModelCounts, type ModelSpec } from "./spec.js";
import { pruneSpec } from "./apply.js";
import { layerFromConfig } from "../layers/registry.js";
import type { Shape } from "../layers/layer.js";

/** Layers that map unit j to unit j (element-wise): a gate's units pass straight through them. */
export const PASS_THROUGH = new Set(["Activation", "Dropout"]);
/** Layers that keep channel c in channel c: a channel gate's channels pass through them too. */
export const CHANNEL_PASS_THROUGH = new Set(["Activation", "Dropout", "MaxPool2D", "MaxPool1D"]);
const CONV = new Set(["Conv2D", "Conv1D"]);

export interface GatePlan {
  /** the BSF layer's name */
  gate: string;
  kind: "input" | "hidden";
  /** "unit": one gate per value of a flat tensor; "channel": one per channel of an NHWC tensor */
  axis: "unit" | "channel";
  threshold: number;
  mode: "threshold" | "expectation";
  /** number of gated units (or channels) before pruning */
  units: number;
  /** indices of the units (channels) kept, ascending */
  keep: number[];
  /** gate weight of each kept unit (folded into the consumer in "expectation" mode) */
  scale: number[];
  /** true when every gate was closed: one unit is kept with zero outgoing weights (exact). Units kept
   * only for rounding (channelMultiple) also have scale 0. */
  allClosed: boolean;
  /** the layer whose outputs are gated (absent for an input gate) */
  producer?: string;
  /** the layer that reads the gated units */
  consumer: string;
  /** positions per channel the consumer reads: > 1 when a channel gate reaches a Dense through
   * Flatten (channel c owns rows p * units + c); 1 otherwise */
  positions: number;
}

/** Input shape of every layer of a spec (the layers' own shape rules; no memory). */
export function specShapes(spec: ModelSpec): Shape[] {
  const shapes: Shape[] = [];
  let s: Shape = spec.inputShape;
  for (const l of spec.layers) {
    shapes.push(s);
    const layer = layerFromConfig({ className: l.className, config: structuredClone(l.config) });
    layer.build(s);
    s = layer.outputShape;
  }
  return shapes;
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
  /** Round the channels a channel gate keeps up to a multiple of this (default 4: the conv kernels'
   * SIMD and Winograd paths want channel counts that are multiples of 4). The extra channels are
   * the closed ones with the largest gate weights, kept with zero outgoing weights, so the pruned
   * model still computes exactly what the gated model computes. Input gates are never rounded. */
  channelMultiple?: number;
  /** The same for the units of a per-value gate (default 1: no rounding). */
  unitMultiple?: number;
}

function layerCounts(spec: ModelSpec): LayerCounts[] {
  return spec.layers.map((l) => ({
    name: l.config.name as string,
    className: l.className,
    units: l.className === "Dense" ? (l.config.units as number) : CONV.has(l.className) ? (l.config.filters as number) : undefined,
    weights: l.weights.reduce((s, w) => s + w.values.length, 0),
  }));
}

/** What each gate of the spec keeps, and which layers absorb the pruning. */
export function planGates(spec: ModelSpec, options: PlanOptions = {}): GatePlan[] {
  const L = spec.layers;
  const shapes = specShapes(spec);
  const gates: GatePlan[] = [];
  L.forEach((l, i) => {
    if (l.className !== "BSF") return;
    const name = l.config.name as string;
    const t = options.threshold ?? (l.config.threshold as number) ?? 0.1;
    if (!(t >= 0 && t < 1)) throw new ConfigError(`threshold must be in [0, 1), got ${t}`);
    // A position gate (one per pixel, shared over channels) cannot be removed without changing the
    // convolution after it: it stays in the pruned model, as it is.
    if (l.config.shareAxis === "position") return;
    const axis = l.config.shareAxis === "channel" ? "channel" : "unit";
    const through = axis === "channel" ? CHANNEL_PASS_THROUGH : PASS_THROUGH;
    const mode = (l.config.mode as "threshold" | "expectation") ?? "threshold";
    const w = l.weights[0].values;
    // producer: back over pass-through layers to a layer with weights, or the input
    let p = i - 1;
    while (p >= 0 && through.has(L[p].className)) p--;
    if (p >= 0 && L[p].className === "BSF") throw new ConfigError(`gate ${name} directly follows gate ${String(L[p].config.name)}: two gates on the same units cannot be pruned`);
    if (p < 0 && L.slice(0, i).some((x) => x.className === "BSF")) throw new ConfigError(`gate ${name}: two input gates in a row cannot be pruned`);
    if (p >= 0) {
      const ok = axis === "unit" ? L[p].className === "Dense" : CONV.has(L[p].className);
      if (!ok) {
        throw new ConfigError(
          axis === "unit"
            ? `gate ${name} follows a ${L[p].className} layer: a per-value gate can prune a Dense layer's units; after a convolution use shareAxis "channel"`
            : `gate ${name}: a channel gate must follow a Conv2D/Conv1D layer (through activations, dropout and pooling), not ${L[p].className}`,
        );
      }
    }
    // consumer: forward over pass-through layers and at most one Flatten
    let c = i + 1;
    let flatten = -1;
    const nonlinear: string[] = [];
    while (c < L.length && (through.has(L[c].className) || (L[c].className === "Flatten" && flatten < 0))) {
      if (L[c].className === "Flatten") flatten = c;
      if (L[c].className === "Activation" && L[c].config.activation !== "relu" && L[c].config.activation !== "linear") nonlinear.push(L[c].className);
      c++;
    }
    if (c >= L.length) throw new ConfigError(`gate ${name} has no layer after it to absorb the pruning`);
    const consumer = L[c];
    if (consumer.className === "BSF") throw new ConfigError(`gate ${name} is directly followed by gate ${String(consumer.config.name)}: two gates on the same units cannot be pruned`);
    let positions = 1;
    if (consumer.className === "Dense") {
      if (axis === "channel") {
        if (flatten < 0) throw new ConfigError(`gate ${name}: a channel gate reaches Dense layer ${String(consumer.config.name)} without a Flatten`);
        positions = shapes[flatten].slice(0, -1).reduce((a, b) => a * b, 1);
      } else if (flatten >= 0 && p >= 0) {
        throw new ConfigError(`gate ${name}: a per-value gate before a Flatten cannot prune its producer; use shareAxis "channel"`);
      }
    } else if (CONV.has(consumer.className)) {
      if (axis !== "channel" || flatten >= 0) {
        throw new ConfigError(`gate ${name} feeds convolution ${String(consumer.config.name)}: only channel gates (shareAxis "channel") can be pruned there`);
      }
    } else {
      throw new ConfigError(`gate ${name} feeds a ${consumer.className} layer: only Dense and convolution consumers are supported`);
    }
    if (mode === "expectation" && nonlinear.length) {
      throw new ConfigError(`gate ${name}: expectation mode cannot be folded through a ${nonlinear[0]} that is not ReLU`);
    }
    let keep = Array.from(w.keys()).filter((j) => w[j] > t);
    const allClosed = keep.length === 0;
    const open = new Set(keep);
    // (input gates select features: never padded)
    const multiple = p < 0 ? 1 : (axis === "channel" ? options.channelMultiple ?? 4 : options.unitMultiple ?? 1);
    if (!Number.isInteger(multiple) || multiple < 1) throw new ConfigError(`channelMultiple/unitMultiple must be positive integers, got ${multiple}`);
    const want = Math.min(w.length, Math.max(1, Math.ceil(keep.length / multiple) * multiple));
    if (keep.length < want) {
      // pad with the closed units of largest w (ties: lowest index), then restore ascending order
      const closed = Array.from(w.keys()).filter((j) => !open.has(j)).sort((a, b) => w[b] - w[a] || a - b);
      keep = [...keep, ...closed.slice(0, want - keep.length)].sort((a, b) => a - b);
    }
    gates.push({
      gate: name,
      kind: p < 0 ? "input" : "hidden",
      axis,
      threshold: t,
      mode,
      units: w.length,
      keep,
      scale: keep.map((j) => (!open.has(j) ? 0 : mode === "expectation" ? w[j] : 1)),
      allClosed,
      producer: p < 0 ? undefined : (L[p].config.name as string),
      consumer: consumer.config.name as string,
      positions,
    });
  });
  return gates;
}

/** The plan for a spec: gates, and unit/weight counts before and after. */
export function planSpec(spec: ModelSpec, options: PlanOptions = {}): PrunePlan {
  const gates = planGates(spec, options);
  const inputGates = gates.filter((g) => g.kind === "input");
  const inputSize = spec.inputShape.reduce((a, b) => a * b, 1);
  // Input gates in a row: each one's indices refer to the features the previous one kept. A channel
  // gate keeps every position of its kept channels (NHWC: flat index p * C + c).
  let inputKeep: number[] | undefined;
  let shape = [...spec.inputShape];
  for (const g of inputGates) {
    const cur = inputKeep ?? Array.from({ length: inputSize }, (_, j) => j);
    if (g.axis === "channel") {
      const C = shape[shape.length - 1];
      const P = cur.length / C;
      inputKeep = [];
      for (let p = 0; p < P; p++) for (const c of g.keep) inputKeep.push(cur[p * C + c]);
      shape = [...shape.slice(0, -1), g.keep.length];
    } else {
      inputKeep = g.keep.map((j) => cur[j]);
      shape = [g.keep.length];
    }
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
