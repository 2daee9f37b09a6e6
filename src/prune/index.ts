// Pruning: plan (what each gate keeps), apply (new smaller model), fine-tune, summary.
export { planGates, type GatePlan, type PlanOptions } from "./gates.js";
export { pruneSpec } from "./apply.js";
export {
  planPrune,
  planSpec,
  planAndPrune,
  applyPrune,
  prune,
  prunedMeta,
  reduceRows,
  type PrunePlan,
  type LayerCounts,
} from "./plan.js";
export { fineTune, type FineTuneOptions } from "./finetune.js";
export { summary } from "./summary.js";
