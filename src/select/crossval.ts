// Stratified k-fold cross-validation of the paper's classifier on a feature subset. Each fold
// standardizes with statistics of its training folds only, trains a fresh model, and scores the
// held-out fold.
import { paperClassifier } from "./classifier.js";
import { toX, toY, type XInput, type YInput } from "../model/inputs.js";
import { Standardizer } from "../data/standardize.js";
import { stratifiedKFold } from "../data/split.js";
import { ConfigError, DataError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";

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
  seed?: number;
  runtime?: Runtime;
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
  features: number[];
  seconds: number;
}

export function meanStd(v: readonly number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std };
}

/** Rows of x restricted to `cols`, for the rows in `rows`. */
export function pick(x: Float32Array, D: number, rows: ArrayLike<number>, cols: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * D;
    for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = x[base + cols[j]];
  }
  return out;
}

export async function crossValidate(xIn: XInput, yIn: YInput, o: CrossValidateOptions): Promise<CrossValidateResult> {
  const t0 = performance.now();
  const D = o.features;
  const { data, n } = toX(xIn, D);
  const classes = Math.max(...Array.from(yIn as ArrayLike<number>)) + 1;
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
  for (let r = 0; r < repeats; r++) {
    for (const [f, { train, validation }] of stratifiedKFold(y, k, seed + 1000 * r).entries()) {
      const acc = await runFold(data, D, y, classes, cols, train, validation, o, seed + 1000 * r + f);
      accuracies.push(acc.validation);
      trainAccuracies.push(acc.train);
      o.onFold?.(f, acc.validation, r);
    }
  }
  const { mean, std } = meanStd(accuracies);
  return { accuracies, trainAccuracies, mean, std, folds: k, repeats, features: cols, seconds: (performance.now() - t0) / 1000 };
}

async function runFold(
  data: Float32Array, D: number, y: Int32Array, classes: number, cols: number[],
  train: Int32Array, validation: Int32Array, o: CrossValidateOptions, seed: number,
): Promise<{ train: number; validation: number }> {
  {
    const xtr = pick(data, D, train, cols);
    const xva = pick(data, D, validation, cols);
    const st = Standardizer.fit(xtr, cols.length);
    const ytr = Int32Array.from(train, (i) => y[i]);
    const yva = Int32Array.from(validation, (i) => y[i]);
    const model = paperClassifier(cols.length, classes, { hidden: o.hidden, learningRate: o.learningRate, seed });
    try {
      await model.build(undefined, o.runtime);
      await model.fit(st.transform(xtr), ytr, { epochs: o.epochs ?? 200, batchSize: o.batchSize ?? 32, seed, verbose: 0 });
      const va = await model.evaluate(st.transform(xva), yva);
      const tr = await model.evaluate(st.transform(xtr), ytr);
      return { train: tr.accuracy, validation: va.accuracy };
    } finally {
      model.dispose();
    }
  }
}
