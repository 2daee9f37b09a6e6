// Feature selection (the paper's section 2.1.1): train the paper's classifier behind an input BSF
// gate with an L1 penalty; the gate weights are the features' importances.
//
// Ranking rule. Clipping drives many gates to exactly 0 or 1, and a single final epoch is noisy
// (the masks are random), so a feature's importance is its gate weight averaged over the last
// `lastEpochs` epochs (default: the last 10% of the run, at least 1). Open features (importance
// above the gate's inference threshold, 0.1) rank first, by importance. Closed features (at or
// below the threshold) count as tied, since the gate drops them all at inference and their small
// leftover weights are mask noise; they are ordered by the gate weight averaged over the whole
// run: a gate that closed later carried information for longer. This matters with redundant
// features, where the L1 penalty keeps one of two features carrying the same information and
// closes the other late; noise gates close within the first epochs. Ties among open features
// (gates pinned at 1) are broken by the run mean too; remaining ties keep the feature order.
import { paperClassifier } from "./classifier.js";
import type { BSFConfig, BsfGate, BsfGradient } from "../layers/bsf.js";
import type { Callback } from "../model/callbacks.js";
import { classCountOf, toX, toY, type XInput, type YInput } from "../model/inputs.js";
import { Standardizer } from "../data/standardize.js";
import { ConfigError, DataError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import { DEFAULT_THRESHOLD, gateValues } from "../layers/bsf.js";

export interface SelectOptions {
  /** L1 penalty of the gate (the paper's lambda, 0.001-0.05 worked there). Default 0.01. */
  lambda?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Initial gate weight. Default 0.5. */
  init?: number;
  gradient?: BsfGradient;
  /** The input gate: "bernoulli" (the paper's; default), "gaussian" (STG) or "hard-concrete" (L0). */
  gate?: BsfGate;
  /** Hidden widths as multiples of D; default the paper's [1, 1, 2, 1]. */
  hidden?: number[];
  /** Standardize the features first (fit on the rows given). Default true. */
  standardize?: boolean;
  /** Epochs at the end of the run averaged into the importance (default max(1, round(epochs / 10))). */
  lastEpochs?: number;
  featureNames?: string[];
  callbacks?: Callback[];
  verbose?: 0 | 1;
  runtime?: Runtime;
}

export interface FeatureImportance {
  /** 0-based index among the feature columns */
  index: number;
  name: string;
  /** gate weight averaged over the last epochs */
  importance: number;
  /** gate weight averaged over the whole run (the tie-break) */
  runMean: number;
  /** gate weight after the last epoch */
  final: number;
}

export interface SelectionResult {
  /** every feature, highest importance first */
  features: FeatureImportance[];
  /** gate weights after each epoch: history[epoch][feature] */
  history: Float32Array[];
  loss: number[];
  accuracy: number[];
  lastEpochs: number;
  seconds: number;
}

/** Rank features by the rule in this file's header. */
export function rankGates(
  history: readonly Float32Array[],
  lastEpochs: number,
  names: readonly string[],
  threshold = DEFAULT_THRESHOLD,
): FeatureImportance[] {
  if (history.length === 0) throw new ConfigError("no gate history to rank (train at least one epoch)");
  const E = history.length;
  const D = history[0].length;
  const K = Math.min(Math.max(1, lastEpochs), E);
  const feats: FeatureImportance[] = [];
  for (let j = 0; j < D; j++) {
    let tail = 0;
    let all = 0;
    for (let e = 0; e < E; e++) {
      all += history[e][j];
      if (e >= E - K) tail += history[e][j];
    }
    feats.push({
      index: j,
      name: names[j] ?? `f${j}`,
      importance: tail / K,
      runMean: all / E,
      final: history[E - 1][j],
    });
  }
  const closed = (f: FeatureImportance) => (f.importance <= threshold ? 1 : 0);
  return feats.sort(
    (a, b) =>
      closed(a) - closed(b) ||
      (closed(a) ? 0 : b.importance - a.importance) ||
      b.runMean - a.runMean ||
      a.index - b.index,
  );
}

export async function selectFeatures(
  xIn: XInput,
  yIn: YInput,
  options: SelectOptions & { features?: number } = {},
): Promise<SelectionResult> {
  const t0 = performance.now();
  const D =
    options.features ??
    (Array.isArray(xIn) && Array.isArray(xIn[0]) ? (xIn[0] as number[]).length : options.featureNames?.length);
  if (!D)
    throw new ConfigError(
      "selectFeatures: give x as rows, or `features` (columns per row) or `featureNames` with a flat Float32Array",
    );
  const { data, n } = toX(xIn, D);
  const classes = classCountOf(yIn);
  const y = toY(yIn, n, classes);
  const counts = new Set(y);
  if (counts.size < 2)
    throw new DataError(`the label has a single class (${[...counts][0]}): nothing to select features for`);
  const epochs = options.epochs ?? 100;
  const x = options.standardize === false ? data : Standardizer.fit(data, D).transform(data);
  const gate: BSFConfig = {
    name: "input_gate",
    penalty: options.lambda ?? 0.01,
    init: options.init ?? 0.5,
    gradient: options.gradient,
    gate: options.gate,
  };
  const model = paperClassifier(D, classes, {
    gate,
    hidden: options.hidden,
    learningRate: options.learningRate,
    seed: options.seed ?? 0,
  });
  try {
    await model.build(undefined, options.runtime);
    const h = await model.fit(x, y, {
      epochs,
      batchSize: options.batchSize ?? 32,
      seed: options.seed ?? 0,
      callbacks: options.callbacks,
      verbose: options.verbose ?? 0,
    });
    // importances are inference gate values in [0, 1]: w itself for the bernoulli gate
    const history = h.gates.input_gate.map((w) => gateValues(gate, w));
    const lastEpochs = options.lastEpochs ?? Math.max(1, Math.round(epochs / 10));
    const names = options.featureNames ?? Array.from({ length: D }, (_, j) => `f${j}`);
    return {
      features: rankGates(history, lastEpochs, names),
      history,
      loss: h.loss,
      accuracy: h.accuracy,
      lastEpochs,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}
