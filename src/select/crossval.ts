// Stratified k-fold cross-validation of the paper's classifier on a feature subset. Each fold
// standardizes with statistics of its training folds only, trains a fresh model, and scores the
// held-out fold.
import { paperClassifier } from "./classifier.js";
import { toTask, type TargetInput, type XInput, type YInput } from "../model/inputs.js";
import type { RegressionResult } from "../model/sequential.js";
import { Standardizer } from "../data/standardize.js";
import { groupKFold, kFold, stratifiedKFold, type Split } from "../data/split.js";
import { ConfigError, DataError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import { takeColumns } from "../util/columns.js";
import { checkOptions } from "../layers/layer.js";
import { runJobs } from "./jobs.js";

export interface CrossValidateOptions {
  /** columns per row of x */
  features: number;
  /** 0-based feature columns to keep; default all */
  subset?: number[];
  folds?: number;
  /** Repeat the k-fold with other fold assignments and initial weights (repeated k-fold); the
   * figures are over all k * repeats held-out folds. Default 1. */
  repeats?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  hidden?: number[];
  init?: "glorot" | "he";
  seed?: number;
  runtime?: Runtime;
  /** One group id per row: grouped k-fold, so the rows of a group (the conformations of one
   * molecule) are never on both sides of a split. Default: stratified k-fold over rows. */
  groups?: ArrayLike<number>;
  /** regression: y is a number per row, plain (or grouped) k-fold, each fold scored by its R² (`metric`) */
  task?: "classification" | "regression";
  /** called after each fold (in fold order; with workers, once the folds are all done) */
  onFold?: (fold: number, accuracy: number, repeat: number) => void;
  /** Worker threads for the folds: 1 (default) in this thread, 0 one per free core (none unless
   * two are free), W at most W. The folds are independent, so the figures are the same. */
  workers?: number;
}

/** One fold of crossValidate (what a pool worker is sent). */
export interface FoldJob {
  train: Int32Array;
  validation: Int32Array;
  seed: number;
}

/** What a fold's worker needs besides the data: the portable options, the columns and the classes. */
export type FoldOptions = Pick<
  CrossValidateOptions,
  "hidden" | "learningRate" | "init" | "epochs" | "batchSize" | "task" | "features"
> & { cols: number[]; classes: number; runtime?: Runtime };

export function cvFold(
  data: Float32Array,
  y: Int32Array | Float32Array,
  o: FoldOptions,
  job: FoldJob,
): Promise<{ train: number; validation: number; restarts: number; rmse?: number }> {
  return runFold(data, o.features, y, o.classes, o.cols, job.train, job.validation, o, job.seed);
}

export interface CrossValidateResult {
  /** what accuracies, trainAccuracies, mean and std hold: accuracy, or R² for regression */
  metric: "accuracy" | "r2";
  /** regression: each held-out fold's RMSE */
  rmses?: number[];
  accuracies: number[];
  trainAccuracies: number[];
  mean: number;
  std: number;
  folds: number;
  repeats: number;
  /** trainings restarted because the network started dead (see trainAndScore) */
  restarts: number;
  features: number[];
  seconds: number;
}

export function meanStd(v: readonly number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std };
}

const CV_KEYS = [
  "features",
  "subset",
  "folds",
  "repeats",
  "epochs",
  "batchSize",
  "learningRate",
  "hidden",
  "init",
  "seed",
  "runtime",
  "groups",
  "task",
  "onFold",
  "workers",
];

/** The folds of repeat `r`: grouped when `groups` is given, else stratified by class. */
export function foldsOf(y: Int32Array | Float32Array, k: number, seed: number, groups?: ArrayLike<number>): Split[] {
  if (!groups) return y instanceof Float32Array ? kFold(y.length, k, seed) : stratifiedKFold(y, k, seed);
  if (groups.length !== y.length) throw new ConfigError(`groups: ${groups.length} group ids for ${y.length} rows`);
  return groupKFold(groups, k, seed);
}

export async function crossValidate(
  xIn: XInput,
  yIn: YInput | TargetInput,
  o: CrossValidateOptions,
): Promise<CrossValidateResult> {
  checkOptions(o, CV_KEYS, "crossValidate");
  const t0 = performance.now();
  const D = o.features;
  const { data, n, y, classes, regression } = toTask(xIn, yIn, D, o.task);
  if (!regression && new Set(y).size < 2) throw new DataError("the label has a single class: nothing to classify");
  const cols = o.subset ?? Array.from({ length: D }, (_, j) => j);
  for (const c of cols) {
    if (!Number.isInteger(c) || c < 0 || c >= D) throw new ConfigError(`feature index ${c} is out of range [0, ${D})`);
  }
  if (new Set(cols).size !== cols.length) throw new ConfigError(`feature indices repeat: ${cols.join(",")}`);
  if (cols.length === 0) throw new ConfigError("no features selected");
  const k = o.folds ?? 10;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(k) || k < 2 || k > n) throw new ConfigError(`folds must be an integer in [2, ${n}], got ${k}`);
  const repeats = o.repeats ?? 1;
  const accuracies: number[] = [];
  const trainAccuracies: number[] = [];
  const rmses: number[] = [];
  let restarts = 0;
  const jobs: (FoldJob & { fold: number; repeat: number })[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const [f, { train, validation }] of foldsOf(y, k, seed + 1000 * r, o.groups).entries())
      jobs.push({ train, validation, seed: seed + 1000 * r + f, fold: f, repeat: r });
  }
  const fo: FoldOptions = {
    features: D,
    cols,
    classes,
    hidden: o.hidden,
    learningRate: o.learningRate,
    init: o.init,
    epochs: o.epochs,
    batchSize: o.batchSize,
    task: o.task,
  };
  const done = await runJobs({ kind: "cv-fold", x: data, y, options: fo }, jobs, o.workers ?? 1, (j) =>
    cvFold(data, y, { ...fo, runtime: o.runtime }, j),
  );
  for (const [i, acc] of done.entries()) {
    accuracies.push(acc.validation);
    if (acc.rmse !== undefined) rmses.push(acc.rmse);
    trainAccuracies.push(acc.train);
    restarts += acc.restarts;
    o.onFold?.(jobs[i].fold, acc.validation, jobs[i].repeat);
  }
  const { mean, std } = meanStd(accuracies);
  return {
    metric: regression ? "r2" : "accuracy",
    ...(regression ? { rmses } : {}),
    accuracies,
    trainAccuracies,
    mean,
    std,
    folds: k,
    repeats,
    restarts,
    features: cols,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Fraction of the most common class: what a network that ignores its input scores. */
function majority(y: Int32Array, classes: number): number {
  const c = new Array<number>(classes).fill(0);
  for (const v of y) c[v]++;
  return Math.max(...c) / y.length;
}

/**
 * Train on the training rows and score the held-out rows. A narrow ReLU network can start dead
 * (every unit of a layer off for every input, so the output ignores the input); such a run ends
 * no better than the majority class on its own training rows. It is then retrained from another
 * initial seed, at most `maxRestarts` times. The check reads the training rows only.
 */
export async function trainAndScore(
  xtr: Float32Array,
  ytr: Int32Array | Float32Array,
  xva: Float32Array,
  yva: Int32Array | Float32Array,
  classes: number,
  o: Pick<CrossValidateOptions, "hidden" | "learningRate" | "init" | "epochs" | "batchSize" | "runtime" | "task">,
  seed: number,
  maxRestarts = 3,
): Promise<{ train: number; validation: number; restarts: number; rmse?: number }> {
  const st = Standardizer.fit(xtr, xtr.length / ytr.length);
  const a = st.transform(xtr);
  const b = st.transform(xva);
  if (ytr instanceof Float32Array) return trainAndScoreRegression(a, ytr, b, yva as Float32Array, o, seed, maxRestarts);
  const floor = majority(ytr, classes) + 1e-9;
  for (let restart = 0; ; restart++) {
    const s = seed + 7919 * restart;
    const model = paperClassifier(xtr.length / ytr.length, classes, {
      hidden: o.hidden,
      learningRate: o.learningRate,
      init: o.init,
      seed: s,
    });
    try {
      await model.build(undefined, o.runtime);
      await model.fit(a, ytr, { epochs: o.epochs ?? 200, batchSize: o.batchSize ?? 32, seed: s, verbose: 0 });
      const tr = await model.evaluate(a, ytr);
      if (tr.accuracy <= floor && restart < maxRestarts) continue;
      const va = await model.evaluate(b, yva);
      return { train: tr.accuracy, validation: va.accuracy, restarts: restart };
    } finally {
      model.dispose();
    }
  }
}

/** trainAndScore for a numeric target (inputs standardized already): the target is standardized
 * with the training rows' statistics, which leaves R² as it is (RMSE is scaled back). A network
 * that started dead predicts a constant: training R² at most 0, retrained as a classifier is. */
async function trainAndScoreRegression(
  a: Float32Array,
  ytr: Float32Array,
  b: Float32Array,
  yva: Float32Array,
  o: Pick<CrossValidateOptions, "hidden" | "learningRate" | "init" | "epochs" | "batchSize" | "runtime">,
  seed: number,
  maxRestarts: number,
): Promise<{ train: number; validation: number; restarts: number; rmse: number }> {
  const ts = Standardizer.fit(ytr, 1);
  const za = ts.transform(ytr);
  const zb = ts.transform(yva);
  for (let restart = 0; ; restart++) {
    const s = seed + 7919 * restart;
    const model = paperClassifier(a.length / ytr.length, 1, {
      hidden: o.hidden,
      learningRate: o.learningRate,
      init: o.init,
      seed: s,
      task: "regression",
    });
    try {
      await model.build(undefined, o.runtime);
      await model.fit(a, za, { epochs: o.epochs ?? 200, batchSize: o.batchSize ?? 32, seed: s, verbose: 0 });
      const tr = await model.evaluate<RegressionResult>(a, za);
      if (tr.r2 <= 1e-9 && restart < maxRestarts) continue;
      const va = await model.evaluate<RegressionResult>(b, zb);
      return { train: tr.r2, validation: va.r2, restarts: restart, rmse: va.rmse * ts.std[0] };
    } finally {
      model.dispose();
    }
  }
}

async function runFold(
  data: Float32Array,
  D: number,
  y: Int32Array | Float32Array,
  classes: number,
  cols: number[],
  train: Int32Array,
  validation: Int32Array,
  o: Pick<CrossValidateOptions, "hidden" | "learningRate" | "init" | "epochs" | "batchSize" | "runtime" | "task">,
  seed: number,
): Promise<{ train: number; validation: number; restarts: number; rmse?: number }> {
  const pick = (idx: Int32Array) =>
    y instanceof Float32Array ? Float32Array.from(idx, (i) => y[i]) : Int32Array.from(idx, (i) => y[i]);
  const ytr = pick(train);
  const yva = pick(validation);
  return trainAndScore(
    takeColumns(data, D, cols, train),
    ytr,
    takeColumns(data, D, cols, validation),
    yva,
    classes,
    o,
    seed,
  );
}
