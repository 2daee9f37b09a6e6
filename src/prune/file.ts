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
import { Standardizer } from "../data/standardize.js";
import { foldTargetScale, unfoldTargetScale } from "../model/target.js";
import type { PlanOptions } from "./gates.js";
import { planAndPrune, prunedMeta, type PrunePlan } from "./plan.js";

/** Rows to fine-tune on, at the model's full (unpruned) input width and not standardized. */
export interface FullWidthRows {
  x: Float32Array;
  /** class index per row (a classifier) */
  y?: Int32Array;
  /** target value per row in the label's units (a regression model, meta.task "regression") */
  target?: Float32Array;
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
      const options = { epochs: ft.epochs, batchSize: ft.batchSize, baseLearningRate: ft.learningRate };
      if (meta.task === "regression") {
        if (!ds.target)
          throw new DataError("fine-tuning a regression model needs its numeric label", { file: ds.source });
        // the saved model predicts the label itself; it learned (and is fine-tuned on) the
        // standardized label, so the output layer is unfolded for the fine-tuning and refolded after
        const { mean, std } = Standardizer.fit(ds.target, 1);
        unfoldTargetScale(model, mean[0], std[0]);
        const z = Float32Array.from(ds.target, (t) => (t - mean[0]) / std[0]);
        await fineTune(model, x, z, { ...options, loss: "meanSquaredError" });
        foldTargetScale(model, mean[0], std[0]);
      } else {
        if (!ds.y) throw new DataError("fine-tuning a classifier needs its label column", { file: ds.source });
        await fineTune(model, x, ds.y, options);
      }
    }
    return { spec: model.toSpec(), meta, plan };
  } finally {
    model.dispose();
  }
}
