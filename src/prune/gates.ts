// Pruning, step 1a: what each BSF gate keeps (its class's gateScale: w > threshold for the
// Bernoulli gate, z > threshold for the reparameterized ones), which layer produces those units (it
// loses outputs) and which consumes them (it loses inputs). A gate in front of the first layer with
// weights is an input gate: it drops input features. Each layer's role is read from its class's
// traits (see LayerTraits), not from lists of class names.
import { ConfigError } from "../errors.js";
import type { Shape } from "../layers/layer.js";
import { DEFAULT_THRESHOLD } from "../layers/bsf.js";
import { traitsOf } from "../layers/registry.js";
import { specShapes } from "../model/build.js";
import type { ModelSpec } from "../model/spec.js";

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

/** What each gate of the spec keeps, and which layers absorb the pruning. `shapes` (each layer's
 * input shape) is computed from the spec unless the caller has it from a built model. */
export function planGates(
  spec: ModelSpec,
  options: PlanOptions = {},
  shapes: readonly Shape[] = specShapes(spec),
): GatePlan[] {
  const L = spec.layers;
  const traits = L.map((l) => traitsOf(l.className));
  const gates: GatePlan[] = [];
  L.forEach((l, i) => {
    if (!traits[i].gate) return;
    const name = l.config.name as string;
    const t0 = options.threshold ?? (l.config.threshold as number) ?? DEFAULT_THRESHOLD;
    if (!(t0 >= 0 && t0 < 1)) throw new ConfigError(`threshold must be in [0, 1), got ${t0}`);
    // A position gate (one per pixel, shared over channels) cannot be removed without changing the
    // convolution after it: it stays in the pruned model, as it is.
    if (l.config.shareAxis === "position") return;
    const axis = l.config.shareAxis === "channel" ? "channel" : "unit";
    // a unit gate's units pass through element-wise layers; a channel gate's also through pooling
    const through = (j: number) =>
      traits[j].passThrough === "units" || (axis === "channel" && traits[j].passThrough === "channels");
    const w = l.weights[0].values;
    // what the gate does at inference, asked of its class: every kind of gate is pruned alike
    const inference = traits[i].gateScale?.(l.config, w, options.threshold);
    const t = inference?.threshold ?? t0;
    const mode = inference?.mode ?? (l.config.mode as "threshold" | "expectation") ?? "threshold";
    // producer: back over pass-through layers to a layer with weights, or the input
    let p = i - 1;
    while (p >= 0 && through(p)) p--;
    if (p >= 0 && traits[p].gate)
      throw new ConfigError(
        `gate ${name} directly follows gate ${String(L[p].config.name)}: two gates on the same units cannot be pruned`,
      );
    if (p < 0 && traits.slice(0, i).some((x) => x.gate))
      throw new ConfigError(`gate ${name}: two input gates in a row cannot be pruned`);
    if (p >= 0) {
      const ok = traits[p].prunable?.kind === (axis === "unit" ? "dense" : "conv");
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
    const blocking: string[] = [];
    while (c < L.length && (through(c) || (traits[c].flattens && flatten < 0))) {
      // a closed unit is 0 after the gate, but not after a shift: deleting it would change the model
      if (traits[c].unitParams)
        throw new ConfigError(
          `gate ${name} is followed by ${L[c].className} layer ${String(L[c].config.name)}: put the ${L[c].className} before the gate`,
        );
      if (traits[c].flattens) flatten = c;
      else if (traits[c].scaleCommutes && !traits[c].scaleCommutes!(L[c].config)) blocking.push(L[c].className);
      c++;
    }
    if (c >= L.length) throw new ConfigError(`gate ${name} has no layer after it to absorb the pruning`);
    const consumer = L[c];
    const kind = traits[c].prunable?.kind;
    if (traits[c].gate)
      throw new ConfigError(
        `gate ${name} is directly followed by gate ${String(consumer.config.name)}: two gates on the same units cannot be pruned`,
      );
    let positions = 1;
    if (kind === "dense") {
      if (axis === "channel") {
        if (flatten < 0)
          throw new ConfigError(
            `gate ${name}: a channel gate reaches Dense layer ${String(consumer.config.name)} without a Flatten`,
          );
        positions = shapes[flatten].slice(0, -1).reduce((a, b) => a * b, 1);
      } else if (flatten >= 0 && p >= 0) {
        throw new ConfigError(
          `gate ${name}: a per-value gate before a Flatten cannot prune its producer; use shareAxis "channel"`,
        );
      }
    } else if (kind === "conv") {
      if (axis !== "channel" || flatten >= 0) {
        throw new ConfigError(
          `gate ${name} feeds convolution ${String(consumer.config.name)}: only channel gates (shareAxis "channel") can be pruned there`,
        );
      }
    } else {
      throw new ConfigError(
        `gate ${name} feeds a ${consumer.className} layer: only Dense and convolution consumers are supported`,
      );
    }
    if (mode === "expectation" && blocking.length) {
      throw new ConfigError(
        `gate ${name}: expectation mode cannot be folded through a ${blocking[0]} that is not ReLU`,
      );
    }
    let keep = Array.from(w.keys()).filter((j) => (inference ? inference.open[j] : w[j] > t));
    const allClosed = keep.length === 0;
    const open = new Set(keep);
    // (input gates select features: never padded)
    const multiple = p < 0 ? 1 : axis === "channel" ? (options.channelMultiple ?? 4) : (options.unitMultiple ?? 1);
    if (!Number.isInteger(multiple) || multiple < 1)
      throw new ConfigError(`channelMultiple/unitMultiple must be positive integers, got ${multiple}`);
    const want = Math.min(w.length, Math.max(1, Math.ceil(keep.length / multiple) * multiple));
    if (keep.length < want) {
      // pad with the closed units of largest w (ties: lowest index), then restore ascending order
      const closed = Array.from(w.keys())
        .filter((j) => !open.has(j))
        .sort((a, b) => w[b] - w[a] || a - b);
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
      scale: keep.map((j) => (!open.has(j) ? 0 : inference ? inference.scale[j] : mode === "expectation" ? w[j] : 1)),
      allClosed,
      producer: p < 0 ? undefined : (L[p].config.name as string),
      consumer: consumer.config.name as string,
      positions,
    });
  });
  return gates;
}
