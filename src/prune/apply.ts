// Pruning, step 2: the apply. Rewrites the layers around each gate and removes the gate:
// the producer (Dense before it) keeps only the kernel columns and bias entries of kept units,
// the consumer (Dense after it, through element-wise layers) keeps only the matching kernel rows.
// A dropped unit was multiplied by 0 at inference, so the pruned model computes the same function
// (in "expectation" mode the kept units' w is folded into the consumer's rows).
import type { Sequential } from "../model/sequential.js";
import { ConfigError } from "../errors.js";
import { modelToSpec, specToModel, type LayerSpec, type ModelSpec, type TensorSpec } from "./spec.js";
import type { GatePlan, PrunePlan } from "./plan.js";

/** kernel [R, C] -> columns `cols` */
function takeColumns(t: TensorSpec, cols: readonly number[]): TensorSpec {
  const [R, C] = t.shape;
  const out = new Float32Array(R * cols.length);
  for (let r = 0; r < R; r++) for (let j = 0; j < cols.length; j++) out[r * cols.length + j] = t.values[r * C + cols[j]];
  return { name: t.name, shape: [R, cols.length], values: out };
}

/** kernel [R, C] -> rows `rows`, row j scaled by scale[j] */
function takeRows(t: TensorSpec, rows: readonly number[], scale: readonly number[]): TensorSpec {
  const C = t.shape[1];
  const out = new Float32Array(rows.length * C);
  rows.forEach((r, j) => {
    for (let c = 0; c < C; c++) out[j * C + c] = t.values[r * C + c] * scale[j];
  });
  return { name: t.name, shape: [rows.length, C], values: out };
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
  const out: ModelSpec = {
    name: spec.name,
    inputShape: [...spec.inputShape],
    layers: spec.layers.map((l) => ({ className: l.className, config: structuredClone(l.config), weights: l.weights.map((w) => ({ ...w, shape: [...w.shape] })) })),
  };
  for (const g of gates) {
    const gate = byName(out, g.gate);
    if (gate.className !== "BSF") throw new ConfigError(`plan: ${g.gate} is not a gate`);
    if (gate.weights[0].values.length !== g.units) {
      throw new ConfigError(`plan: gate ${g.gate} has ${gate.weights[0].values.length} units, the plan says ${g.units}`);
    }
    if (g.keep.length === 0 || g.keep.some((j, i) => !Number.isInteger(j) || j < 0 || j >= g.units || (i > 0 && j <= g.keep[i - 1]))) {
      throw new ConfigError(`plan: gate ${g.gate} keeps an invalid unit list`);
    }
    const consumer = byName(out, g.consumer);
    const k = param(consumer, "kernel");
    if (consumer.weights[k].shape[0] !== g.units) {
      throw new ConfigError(`plan: ${g.consumer} reads ${consumer.weights[k].shape[0]} units, gate ${g.gate} has ${g.units}`);
    }
    consumer.weights[k] = takeRows(consumer.weights[k], g.keep, g.scale);
    if (g.producer) {
      const producer = byName(out, g.producer);
      const pk = param(producer, "kernel");
      producer.weights[pk] = takeColumns(producer.weights[pk], g.keep);
      if (producer.config.useBias !== false) {
        const pb = param(producer, "bias");
        const b = producer.weights[pb];
        producer.weights[pb] = { name: b.name, shape: [g.keep.length], values: Float32Array.from(g.keep, (j) => b.values[j]) };
      }
      producer.config.units = g.keep.length;
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

/** A new model without the gates and with smaller weight tensors; the input model is unchanged.
 * With an input gate the new model reads `plan.inputKeep` columns: use `reduceRows`. */
export function applyPrune(model: Sequential, plan: PrunePlan): Sequential {
  const spec = modelToSpec(model);
  const pruned = specToModel(pruneSpec(spec, plan.gates), model.runtime);
  return pruned;
}
