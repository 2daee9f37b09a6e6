// Stratified k-fold cross-validation of the paper's classifier on a feature subset. Each fold
// standardizes with statistics of its training folds only, trains a fresh model, and scores the
// held-out fold.
import { paperClassifier } from "./classifier.js";
import { classCountOf, toX, toY, type XInput, type YInput } from "../model/inputs.js";
import { Standardizer } from "../data/standardize.js";
import { groupKFold, stratifiedKFold, type Split } from "../data/split.js";
import { ConfigError, DataError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import { takeColumns } from "../util/columns.js";
import { checkOptions } from "../layers/layer.js";

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
  /** called after each fold */
  onFold?: (fold: number, accuracy: number, repeat: number) => void;
}

export interface CrossValidateResult {
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
  "onFold",
];

/** The folds of repeat `r`: grouped when `groups` is given, else stratified by class. */
export function foldsOf(y: Int32Array, k: number, seed: number, groups?: ArrayLike<number>): Split[] {
  if (!groups) return stratifiedKFold(y, k, seed);
  if (groups.length !== y.length) throw new ConfigError(`groups: ${groups.length} group ids for ${y.length} rows`);
  return groupKFold(groups, k, seed);
}

export async function crossValidate(xIn: XInput, yIn: YInput, o: CrossValidateOptions): Promise<CrossValidateResult> {
  checkOptions(o, CV_KEYS, "crossValidate");
  const t0 = performance.now();
  const D = o.features;
  const { data, n } = toX(xIn, D);
  const classes = classCountOf(yIn);
  const y = toY(yIn, n, classes);
  if (new Set(y).size < 2) throw new DataError("the label has a single class: nothing to classify");
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
  let restarts = 0;
  for (let r = 0; r < repeats; r++) {
    for (const [f, { train, validation }] of foldsOf(y, k, seed + 1000 * r, o.groups).entries()) {
      const acc = await runFold(data, D, y, classes, cols, train, validation, o, seed + 1000 * r + f);
      accuracies.push(acc.validation);
      trainAccuracies.push(acc.train);
      restarts += acc.restarts;
      o.onFold?.(f, acc.validation, r);
    }
  }
  const { mean, std } = meanStd(accuracies);
  return {
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
  ytr: Int32Array,
  xva: Float32Array,
  yva: Int32Array,
  classes: number,
  o: Pick<CrossValidateOptions, "hidden" | "learningRate" | "init" | "epochs" | "batchSize" | "runtime">,
  seed: number,
  maxRestarts = 3,
): Promise<{ train: number; validation: number; restarts: number }> {
  const st = Standardizer.fit(xtr, xtr.length / ytr.length);
  const a = st.transform(xtr);
  const b = st.transform(xva);
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

async function runFold(
  data: Float32Array,
  D: number,
  y: Int32Array,
  classes: number,
  cols: number[],
  train: Int32Array,
  validation: Int32Array,
  o: CrossValidateOptions,
  seed: number,
): Promise<{ train: number; validation: number; restarts: number }> {
  const ytr = Int32Array.from(train, (i) => y[i]);
  const yva = Int32Array.from(validation, (i) => y[i]);
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
