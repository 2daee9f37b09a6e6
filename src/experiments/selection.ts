// The feature-selection experiment of the paper's Table 2, as a function: select on a dataset,
// then cross-validate the paper's classifier on all features and on the top k. Also the nested
// variant (selection inside each training fold), the unbiased estimate the paper did not report.
import { selectFeatures, type SelectionResult } from "../select/select.js";
import { selectK } from "../select/path.js";
import { nestedCrossValidate } from "../select/nested.js";
import { crossValidate } from "../select/crossval.js";
import type { Dataset } from "../data/dataset.js";
import type { BsfGradient } from "../layers/bsf.js";

export interface SelectionExperimentOptions {
  top: number;
  lambda: number;
  selectEpochs: number;
  cvEpochs: number;
  folds: number;
  repeats: number;
  seed: number;
  gradient?: BsfGradient;
  /** Select exactly `top` features by searching lambda (selectK) instead of taking the top of one run. */
  exactK?: boolean;
  /** One group id per row: also report grouped k-fold figures (rows of a group never on both sides). */
  groups?: Int32Array;
  nested?: boolean;
  log?: (s: string) => void;
}

export interface SelectionExperiment {
  selection: SelectionResult;
  selected: number[];
  all: { mean: number; std: number; train: number };
  subset: { mean: number; std: number; train: number };
  nested?: { mean: number; std: number; selections: number[][] };
  /** with `groups`: the same two figures from grouped k-fold */
  grouped?: { all: { mean: number; std: number }; subset: { mean: number; std: number } };
  /** with `exactK`: the lambda that left `top` gates open (or the nearest tried) */
  lambda?: number;
  seconds: number;
}

const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export async function selectionExperiment(ds: Dataset, o: SelectionExperimentOptions): Promise<SelectionExperiment> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const so = {
    features: ds.d,
    featureNames: ds.featureNames,
    epochs: o.selectEpochs,
    lambda: o.lambda,
    seed: o.seed,
    gradient: o.gradient,
  };
  const selection = o.exactK ? await selectK(ds.x, ds.y, o.top, so) : await selectFeatures(ds.x, ds.y, so);
  const selected = o.exactK ? selection.selected : selection.features.slice(0, o.top).map((f) => f.index);
  log(`selected (top ${o.top}): ${selected.join(", ")} in ${selection.seconds.toFixed(2)} s`);
  const cv = { features: ds.d, folds: o.folds, repeats: o.repeats, epochs: o.cvEpochs, seed: o.seed };
  const all = await crossValidate(ds.x, ds.y, cv);
  log(`all ${ds.d} features: ${all.mean.toFixed(4)} ± ${all.std.toFixed(4)} (${all.seconds.toFixed(1)} s)`);
  const sub = await crossValidate(ds.x, ds.y, { ...cv, subset: selected });
  log(`top ${o.top}: ${sub.mean.toFixed(4)} ± ${sub.std.toFixed(4)} (${sub.seconds.toFixed(1)} s)`);
  const result: SelectionExperiment = {
    selection,
    selected,
    all: { mean: all.mean, std: all.std, train: avg(all.trainAccuracies) },
    subset: { mean: sub.mean, std: sub.std, train: avg(sub.trainAccuracies) },
    seconds: 0,
  };
  if (o.exactK) result.lambda = selection.lambda;
  if (o.groups) {
    const g = { ...cv, groups: o.groups };
    const ga = await crossValidate(ds.x, ds.y, g);
    const gs = await crossValidate(ds.x, ds.y, { ...g, subset: selected });
    result.grouped = { all: { mean: ga.mean, std: ga.std }, subset: { mean: gs.mean, std: gs.std } };
    log(`grouped k-fold: all ${ga.mean.toFixed(4)}, top ${o.top} ${gs.mean.toFixed(4)}`);
  }
  if (o.nested) {
    const r = await nestedCrossValidate(ds.x, ds.y, {
      features: ds.d,
      folds: o.folds,
      epochs: o.cvEpochs,
      seed: o.seed,
      top: o.exactK ? undefined : o.top,
      k: o.exactK ? o.top : undefined,
      select: { epochs: o.selectEpochs, lambda: o.lambda, gradient: o.gradient },
    });
    result.nested = { mean: r.mean, std: r.std, selections: r.selections };
    log(
      `nested (selection inside each training fold): ${result.nested.mean.toFixed(4)} ± ${result.nested.std.toFixed(4)}`,
    );
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
