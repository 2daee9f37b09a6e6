// Pruning: plan (what each gate keeps), apply (new smaller model), fine-tune, summary.
import type { Sequential } from "../model/sequential.js";
import { planPrune, type PlanOptions, type PrunePlan } from "./plan.js";
import { applyPrune } from "./apply.js";

export { planPrune, planSpec, planGates, reduceRows, type PrunePlan, type GatePlan, type PlanOptions, type LayerCounts } from "./plan.js";
export { applyPrune, pruneSpec } from "./apply.js";
export { fineTune, type FineTuneOptions } from "./finetune.js";
export { summary } from "./summary.js";
export { modelToSpec, specToModel, countSpec, type ModelSpec, type LayerSpec, type TensorSpec, type ModelCounts } from "./spec.js";

/** planPrune then applyPrune: the pruned model and the plan it followed. */
export function prune(model: Sequential, options: PlanOptions = {}): { model: Sequential; plan: PrunePlan } {
  const plan = planPrune(model, options);
  return { model: applyPrune(model, plan), plan };
}
