// Pruning as a whole: the plan (what each gate keeps and what the model counts before and after)
// and the apply on a trained model. The plan is plain data, so it can be printed, saved, or edited
// before `applyPrune`.
import { Sequential } from "../model/sequential.js";
import { ConfigError } from "../errors.js";
import type { Shape } from "../layers/layer.js";
import { countSpec, layerWidth, type ModelCounts, type ModelSpec } from "../model/spec.js";
import { takeColumns } from "../util/columns.js";
import type { ModelMeta } from "../model/meta.js";
import { planGates, type GatePlan, type PlanOptions } from "./gates.js";
import { pruneSpec } from "./apply.js";

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

function layerCounts(spec: ModelSpec): LayerCounts[] {
  return spec.layers.map((l) => ({
    name: l.config.name as string,
    className: l.className,
    units: layerWidth(l),
    weights: l.weights.reduce((s, w) => s + w.values.length, 0),
  }));
}

/** The input features that input gates in a row keep, as indices into the full input row: each
 * gate's indices refer to the features the previous one kept; a channel gate keeps every position
 * of its kept channels (NHWC: flat index p * C + c). */
function inputKeepOf(spec: ModelSpec, gates: readonly GatePlan[]): number[] | undefined {
  const inputSize = spec.inputShape.reduce((a, b) => a * b, 1);
  let inputKeep: number[] | undefined;
  let shape = [...spec.inputShape];
  for (const g of gates.filter((x) => x.kind === "input")) {
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
  return inputKeep;
}

/** The plan for a spec and the pruned spec it leads to (rewritten once: the plan's "after"
 * figures are counted on it). */
export function planAndPrune(
  spec: ModelSpec,
  options: PlanOptions = {},
  shapes?: readonly Shape[],
): { plan: PrunePlan; pruned: ModelSpec } {
  const gates = planGates(spec, options, shapes);
  const pruned = pruneSpec(spec, gates);
  const plan: PrunePlan = {
    gates,
    inputKeep: inputKeepOf(spec, gates),
    inputSize: spec.inputShape.reduce((a, b) => a * b, 1),
    before: { ...countSpec(spec), layers: layerCounts(spec) },
    after: { ...countSpec(pruned), layers: layerCounts(pruned) },
  };
  return { plan, pruned };
}

/** The plan for a spec: gates, and unit/weight counts before and after. */
export function planSpec(spec: ModelSpec, options: PlanOptions = {}): PrunePlan {
  return planAndPrune(spec, options).plan;
}

const shapesOf = (model: Sequential): Shape[] => model.layers.map((l) => l.inputShape);

/** Which units or features each gate of a trained model keeps, and what the pruned model will count. */
export function planPrune(model: Sequential, options: PlanOptions = {}): PrunePlan {
  return planAndPrune(model.toSpec(), options, shapesOf(model)).plan;
}

/** A new model without the gates and with smaller weight tensors; the input model is unchanged.
 * With an input gate the new model reads `plan.inputKeep` columns: use `reduceRows`. */
export function applyPrune(model: Sequential, plan: PrunePlan): Sequential {
  return Sequential.fromSpec(pruneSpec(model.toSpec(), plan.gates), model.runtime);
}

/** planPrune then applyPrune: the pruned model and the plan it followed. */
export function prune(model: Sequential, options: PlanOptions = {}): { model: Sequential; plan: PrunePlan } {
  const { plan, pruned } = planAndPrune(model.toSpec(), options, shapesOf(model));
  return { model: Sequential.fromSpec(pruned, model.runtime), plan };
}

/** Rows of the full input (n x inputSize, row-major) restricted to the plan's kept features. */
export function reduceRows(x: ArrayLike<number>, inputSize: number, keep: readonly number[] | undefined): Float32Array {
  if (!keep) return Float32Array.from(x);
  if (x.length % inputSize !== 0) {
    throw new ConfigError(`got ${x.length} values, not a multiple of the ${inputSize} input features`);
  }
  return takeColumns(x, inputSize, keep);
}

/** A model file's metadata after pruning with `plan`: the input mapping composed with the one the
 * file already had (a model pruned twice still maps to the original columns). */
export function prunedMeta(meta: ModelMeta, plan: PrunePlan): ModelMeta {
  const out = { ...meta };
  if (plan.inputKeep) {
    const prev = meta.inputKeep;
    out.inputKeep = prev ? plan.inputKeep.map((j) => prev[j]) : plan.inputKeep;
    out.fullInputSize = meta.fullInputSize ?? plan.inputSize;
  }
  return out;
}
