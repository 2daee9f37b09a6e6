// The feature-selection experiment of the paper's Table 2, as a function: select on a dataset,
// then cross-validate the paper's classifier on all features and on the top k. Also the nested
// variant (selection inside each training fold), the unbiased estimate the paper did not report.
import { selectFeatures, type SelectionResult } from "../select/select.js";
import { classCountOf } from "../model/inputs.js";
import { crossValidate, meanStd, trainAndScore } from "../select/crossval.js";
import { takeColumns } from "../util/columns.js";
import { stratifiedKFold } from "../data/split.js";
import { takeRows, type Dataset } from "../data/dataset.js";
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
  nested?: boolean;
  log?: (s: string) => void;
}

export interface SelectionExperiment {
  selection: SelectionResult;
  selected: number[];
  all: { mean: number; std: number; train: number };
  subset: { mean: number; std: number; train: number };
  nested?: { mean: number; std: number; selections: number[][] };
  seconds: number;
}

const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export async function selectionExperiment(ds: Dataset, o: SelectionExperimentOptions): Promise<SelectionExperiment> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const selection = await selectFeatures(ds.x, ds.y, {
    features: ds.d,
    featureNames: ds.featureNames,
    epochs: o.selectEpochs,
    lambda: o.lambda,
    seed: o.seed,
    gradient: o.gradient,
  });
  const selected = selection.features.slice(0, o.top).map((f) => f.index);
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
  if (o.nested) {
    const accs: number[] = [];
    const selections: number[][] = [];
    for (const [f, { train, validation }] of stratifiedKFold(ds.y, o.folds, o.seed).entries()) {
      const xtr = takeRows(ds.x, ds.d, train);
      const ytr = Int32Array.from(train, (i) => ds.y[i]);
      const s = await selectFeatures(xtr, ytr, {
        features: ds.d,
        epochs: o.selectEpochs,
        lambda: o.lambda,
        seed: o.seed + f,
        gradient: o.gradient,
      });
      const cols = s.features.slice(0, o.top).map((q) => q.index);
      selections.push(cols);
      const yva = Int32Array.from(validation, (i) => ds.y[i]);
      const k = classCountOf(ds.y);
      const r = await trainAndScore(
        takeColumns(ds.x, ds.d, cols, train),
        ytr,
        takeColumns(ds.x, ds.d, cols, validation),
        yva,
        k,
        { epochs: o.cvEpochs },
        o.seed + f,
      );
      accs.push(r.validation);
    }
    result.nested = { ...meanStd(accs), selections };
    log(
      `nested (selection inside each training fold): ${result.nested.mean.toFixed(4)} ± ${result.nested.std.toFixed(4)}`,
    );
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
