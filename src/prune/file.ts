// Pruning a saved model: what `bsfnet prune` does, as a library call. The file's metadata comes
// along: the input mapping is composed with the one the file already had (a model pruned twice
// still reads the same full-width rows), and fine-tuning rows get the file's saved
// standardization and that mapping before they reach the smaller model.
import { DataError } from "../errors.js";
import type { ModelFile } from "../io/format.js";
import { modelInput, type ModelMeta } from "../model/meta.js";
import { Sequential } from "../model/sequential.js";
import type { ModelSpec } from "../model/spec.js";
import { ready, type Runtime } from "../runtime/runtime.js";
import { fineTune } from "./finetune.js";
import type { PlanOptions } from "./gates.js";
import { planAndPrune, prunedMeta, type PrunePlan } from "./plan.js";

/** Rows to fine-tune on, at the model's full (unpruned) input width and not standardized. */
export interface FullWidthRows {
  x: Float32Array;
  y: Int32Array;
  /** Features per row. */
  d: number;
  /** Named in errors (the CSV's path). */
  source?: string;
}

export interface PruneFileOptions extends PlanOptions {
  /** Fine-tune the pruned model at a tenth of `learningRate`; `rows` is read once the model is
   * pruned and built. */
  fineTune?: { epochs: number; batchSize: number; learningRate: number; rows: () => Promise<FullWidthRows> };
  runtime?: Runtime;
}

export interface PrunedFile {
  /** the pruned (and fine-tuned) model and the metadata that goes with it */
  spec: ModelSpec;
  meta: ModelMeta;
  plan: PrunePlan;
}

export async function pruneModelFile(file: ModelFile, options: PruneFileOptions = {}): Promise<PrunedFile> {
  const { fineTune: ft, runtime, ...planOptions } = options;
  const { plan, pruned } = planAndPrune(file.spec, planOptions);
  const meta = prunedMeta(file.meta, plan);
  const model = Sequential.fromSpec(pruned, runtime ?? (await ready()));
  try {
    if (ft && ft.epochs > 0) {
      const ds = await ft.rows();
      const full = meta.fullInputSize ?? plan.inputSize;
      if (ds.d !== full) throw new DataError(`has ${ds.d} features, the model reads ${full}`, { file: ds.source });
      const x = modelInput(
        meta,
        ds.x,
        model.inputShape!.reduce((a, b) => a * b, 1),
      );
      await fineTune(model, x, ds.y, { epochs: ft.epochs, batchSize: ft.batchSize, baseLearningRate: ft.learningRate });
    }
    return { spec: model.toSpec(), meta, plan };
  } finally {
    model.dispose();
  }
}
