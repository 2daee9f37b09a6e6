// Pruning, step 2: the apply. Rewrites the layers around each gate and removes the gate:
// the producer (the layer with a kernel before it) keeps only the kernel columns and bias entries
// of kept units, the consumer (after it, through element-wise layers) keeps only the matching
// kernel rows. A dropped unit was multiplied by 0 at inference, so the pruned model computes the
// same function (in "expectation" mode the kept units' w is folded into the consumer's rows; the
// dropped units, w <= threshold, passed x * w there, so expectation-mode pruning is exact only
// where those w are 0).
import { ConfigError } from "../errors.js";
import { traitsOf } from "../layers/registry.js";
import { cloneSpec, type LayerSpec, type ModelSpec, type TensorSpec } from "../model/spec.js";
import type { GatePlan } from "./gates.js";

/** values viewed as [outer, C, inner] -> [outer, keep.length, inner]: entries keep[j] of the middle
 * axis, each scaled by scale[j] (by 1 without scale). */
function takeMiddle(
  values: Float32Array,
  outer: number,
  C: number,
  inner: number,
  keep: readonly number[],
  scale?: readonly number[],
): Float32Array {
  const out = new Float32Array(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((c, j) => {
      const src = (o * C + c) * inner;
      const dst = (o * keep.length + j) * inner;
      const k = scale ? scale[j] : 1;
      for (let q = 0; q < inner; q++) out[dst + q] = values[src + q] * k;
    });
  }
  return out;
}

/** kernel [..., OC] -> entries `cols` of the last axis (Dense columns, conv output channels) */
function kernelColumns(t: TensorSpec, cols: readonly number[]): TensorSpec {
  const C = t.shape[t.shape.length - 1];
  return {
    name: t.name,
    shape: [...t.shape.slice(0, -1), cols.length],
    values: takeMiddle(t.values, t.values.length / C, C, 1, cols),
  };
}

/** Dense kernel [P*U, OC] -> rows p*U + keep[j] for every p, each scaled by scale[j]
 * (P = 1 for units; P positions per channel after a Flatten). */
function kernelRows(
  t: TensorSpec,
  U: number,
  P: number,
  keep: readonly number[],
  scale: readonly number[],
): TensorSpec {
  const OC = t.shape[1];
  return { name: t.name, shape: [P * keep.length, OC], values: takeMiddle(t.values, P, U, OC, keep, scale) };
}

/** Conv kernel [..., C, OC] -> input channels keep[j] (axis -2), scaled by scale[j]. */
function takeInputChannels(t: TensorSpec, keep: readonly number[], scale: readonly number[]): TensorSpec {
  const n = t.shape.length;
  const C = t.shape[n - 2];
  const OC = t.shape[n - 1];
  const shape = [...t.shape];
  shape[n - 2] = keep.length;
  return { name: t.name, shape, values: takeMiddle(t.values, t.values.length / (C * OC), C, OC, keep, scale) };
}

function byName(spec: ModelSpec, name: string): LayerSpec {
  const l = spec.layers.find((x) => x.config.name === name);
  if (!l) throw new ConfigError(`the plan names layer ${name}, which the model does not have`);
  return l;
}

function param(l: LayerSpec, name: string): number {
  const i = l.weights.findIndex((w) => w.name === name);
  if (i < 0) throw new ConfigError(`layer ${String(l.config.name)} has no parameter ${name}`);
  return i;
}

/** The spec with every planned gate applied and removed (the input spec is not modified). */
export function pruneSpec(spec: ModelSpec, gates: readonly GatePlan[]): ModelSpec {
  const out = cloneSpec(spec);
  for (const g of gates) {
    const gate = byName(out, g.gate);
    if (!traitsOf(gate.className).gate) throw new ConfigError(`plan: ${g.gate} is not a gate`);
    if (gate.weights[0].values.length !== g.units) {
      throw new ConfigError(
        `plan: gate ${g.gate} has ${gate.weights[0].values.length} units, the plan says ${g.units}`,
      );
    }
    if (
      g.keep.length === 0 ||
      g.keep.some((j, i) => !Number.isInteger(j) || j < 0 || j >= g.units || (i > 0 && j <= g.keep[i - 1]))
    ) {
      throw new ConfigError(`plan: gate ${g.gate} keeps an invalid unit list`);
    }
    // per-unit layers between the producer (or the input) and the gate lose the same units
    const through = (c: string) => c === "units" || (g.axis === "channel" && c === "channels");
    for (let j = out.layers.indexOf(gate) - 1; j >= 0 && through(traitsOf(out.layers[j].className).passThrough); j--) {
      const l = out.layers[j];
      if (!traitsOf(l.className).unitParams) continue;
      l.weights = l.weights.map((w) => {
        if (w.values.length !== g.units)
          throw new ConfigError(
            `plan: ${String(l.config.name)}/${w.name} has ${w.values.length} entries, gate ${g.gate} has ${g.units} units`,
          );
        return { name: w.name, shape: [g.keep.length], values: Float32Array.from(g.keep, (k) => w.values[k]) };
      });
    }
    const consumer = byName(out, g.consumer);
    const k = param(consumer, "kernel");
    const kt = consumer.weights[k];
    const positions = g.positions ?? 1;
    const consumerKind = traitsOf(consumer.className).prunable?.kind;
    if (consumerKind === "dense") {
      if (kt.shape[0] !== g.units * positions) {
        throw new ConfigError(
          `plan: ${g.consumer} reads ${kt.shape[0]} values, gate ${g.gate} gives ${g.units} x ${positions}`,
        );
      }
      consumer.weights[k] = kernelRows(kt, g.units, positions, g.keep, g.scale);
    } else {
      if (kt.shape[kt.shape.length - 2] !== g.units) {
        throw new ConfigError(
          `plan: ${g.consumer} reads ${kt.shape[kt.shape.length - 2]} channels, gate ${g.gate} has ${g.units}`,
        );
      }
      consumer.weights[k] = takeInputChannels(kt, g.keep, g.scale);
    }
    if (g.producer) {
      const producer = byName(out, g.producer);
      const pk = param(producer, "kernel");
      producer.weights[pk] = kernelColumns(producer.weights[pk], g.keep);
      if (producer.config.useBias !== false) {
        const pb = param(producer, "bias");
        const b = producer.weights[pb];
        producer.weights[pb] = {
          name: b.name,
          shape: [g.keep.length],
          values: Float32Array.from(g.keep, (j) => b.values[j]),
        };
      }
      const width = traitsOf(producer.className).prunable;
      if (!width) throw new ConfigError(`plan: ${g.producer} has no outputs a gate can prune`);
      producer.config[width.widthKey] = g.keep.length;
    } else if (g.axis === "channel") {
      out.inputShape = [...out.inputShape.slice(0, -1), g.keep.length];
    } else {
      out.inputShape = [g.keep.length];
    }
    out.layers = out.layers.filter((l) => l !== gate);
  }
  // The first layer carries the (possibly reduced) input shape.
  for (const l of out.layers) delete l.config.inputShape;
  out.layers[0].config.inputShape = [...out.inputShape];
  return out;
}
