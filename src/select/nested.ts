// Nested cross-validation of feature selection: the selection is redone on the training rows of
// each fold and scored on that fold's held-out rows only. Selecting on every row and then
// cross-validating the chosen subset lets the held-out rows vote on which features are kept; this
// is the estimate that does not.
import { selectFeatures, type SelectOptions } from "./select.js";
import { selectK } from "./path.js";
import { foldsOf, meanStd, trainAndScore, type CrossValidateOptions } from "./crossval.js";
import { toTask, type TargetInput, type XInput, type YInput } from "../model/inputs.js";
import { takeRows } from "../data/dataset.js";
import { takeColumns } from "../util/columns.js";
import { ConfigError } from "../errors.js";
import { runJobs } from "./jobs.js";

export interface NestedOptions
  extends Pick<CrossValidateOptions, "folds" | "epochs" | "batchSize" | "seed" | "groups" | "runtime" | "task"> {
  features: number;
  /** How each fold selects: the top `top` of its ranking, exactly `k` (selectK), or (neither) its open gates. */
  top?: number;
  k?: number;
  select?: Omit<SelectOptions, "seed" | "runtime">;
  /** called after each fold (in fold order; with workers, once the folds are all done) */
  onFold?: (fold: number, accuracy: number, selected: number[]) => void;
  /** Worker threads for the folds, as crossValidate's `workers` (default 1: this thread). */
  workers?: number;
}

/** One fold of nestedCrossValidate (what a pool worker is sent). */
export interface NestedFoldJob {
  fold: number;
  train: Int32Array;
  validation: Int32Array;
}

type FoldOptions = Omit<NestedOptions, "onFold" | "folds" | "groups" | "workers"> & { classes: number };

/** One fold: the selection on its training rows, then the classifier on those columns. */
export async function nestedFold(
  data: Float32Array,
  y: Int32Array | Float32Array,
  o: FoldOptions,
  { fold: f, train, validation }: NestedFoldJob,
): Promise<{ accuracy: number; rmse?: number; cols: number[] }> {
  const D = o.features;
  const seed = o.seed ?? 0;
  const pick = (idx: Int32Array) =>
    y instanceof Float32Array ? Float32Array.from(idx, (i) => y[i]) : Int32Array.from(idx, (i) => y[i]);
  const xtr = takeRows(data, D, train);
  const ytr = pick(train);
  const so = { ...o.select, task: o.task, features: D, seed: seed + f, runtime: o.runtime, warn: false };
  const s = o.k ? await selectK(xtr, ytr, o.k, so) : await selectFeatures(xtr, ytr, so);
  let cols = o.top ? s.features.slice(0, o.top).map((q) => q.index) : s.selected;
  if (cols.length === 0) cols = [s.features[0].index]; // every gate closed: the best-ranked one
  const r = await trainAndScore(
    takeColumns(data, D, cols, train),
    ytr,
    takeColumns(data, D, cols, validation),
    pick(validation),
    o.classes,
    { epochs: o.epochs, batchSize: o.batchSize, runtime: o.runtime },
    seed + f,
  );
  return { accuracy: r.validation, rmse: r.rmse, cols };
}

export interface NestedResult {
  /** what accuracies, mean and std hold: accuracy, or R² for regression */
  metric: "accuracy" | "r2";
  accuracies: number[];
  /** regression: each held-out fold's RMSE */
  rmses?: number[];
  mean: number;
  std: number;
  selections: number[][];
  seconds: number;
}

export async function nestedCrossValidate(
  xIn: XInput,
  yIn: YInput | TargetInput,
  o: NestedOptions,
): Promise<NestedResult> {
  const t0 = performance.now();
  const D = o.features;
  const { data, n, y, classes, regression } = toTask(xIn, yIn, D, o.task);
  const k = o.folds ?? 10;
  if (!Number.isInteger(k) || k < 2 || k > n) throw new ConfigError(`folds must be an integer in [2, ${n}], got ${k}`);
  const rmses: number[] = [];
  const accuracies: number[] = [];
  const selections: number[][] = [];
  const jobs = foldsOf(y, k, o.seed ?? 0, o.groups).map(({ train, validation }, fold) => ({ fold, train, validation }));
  const { onFold: _f, folds: _k, groups: _g, workers = 1, runtime, ...portable } = o;
  const fo = { ...portable, classes };
  const done = await runJobs({ kind: "nested-fold", x: data, y, options: fo }, jobs, workers, (j) =>
    nestedFold(data, y, { ...fo, runtime }, j),
  );
  for (const [f, r] of done.entries()) {
    accuracies.push(r.accuracy);
    if (r.rmse !== undefined) rmses.push(r.rmse);
    selections.push(r.cols);
    o.onFold?.(f, r.accuracy, r.cols);
  }
  return {
    metric: regression ? "r2" : "accuracy",
    accuracies,
    ...(regression ? { rmses } : {}),
    ...meanStd(accuracies),
    selections,
    seconds: (performance.now() - t0) / 1000,
  };
}
