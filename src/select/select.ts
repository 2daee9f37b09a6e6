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
import type { BsfGate, BsfGradient } from "../layers/bsf.js";
import type { Callback } from "../model/callbacks.js";
import { classCountOf, toTargets, toX, toY, type TargetInput, type XInput, type YInput } from "../model/inputs.js";
import { Standardizer } from "../data/standardize.js";
import { ConfigError, DataError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import type { RegressionResult } from "../model/sequential.js";
import { DEFAULT_THRESHOLD, gateValues } from "../layers/bsf.js";
import { checkOptions } from "../layers/layer.js";

export interface SelectOptions {
  /** L1 penalty of the gate (the paper's lambda, 0.001-0.05 worked there). Default 0.01. */
  lambda?: number;
  /** The same as `lambda`, under the name the BSF layer gives its penalty. */
  penalty?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Initial gate weight. Default 0.5 (the warm-up schedule: 0.7). */
  init?: number;
  /** See GateSchedule. Default "auto" ("warm-up" when warmupEpochs or rampEpochs is given). */
  schedule?: GateSchedule;
  /** Warm-up schedule: epochs at the start trained without the penalty. Default 20% of the epochs. */
  warmupEpochs?: number;
  /** Warm-up schedule: epochs after the warm-up over which the penalty rises linearly to lambda.
   * Default 40% of the epochs. */
  rampEpochs?: number;
  /** Held-out rows (raw, same columns as x): the result then has their loss and accuracy at
   * inference (gates thresholded) after the last epoch. */
  validation?: { x: Float32Array; y: Int32Array | Float32Array };
  /** Write the all-closed warning to stderr (default true; it is in `warnings` either way). */
  warn?: boolean;
  gradient?: BsfGradient;
  /** The input gate: "bernoulli" (the paper's; default), "gaussian" (STG) or "hard-concrete" (L0).
   * The warm-up schedule's penalty ramp applies to the bernoulli gate's L1; the other two keep
   * their penalty (on the expected number of open gates) from the first step. */
  gate?: BsfGate;
  /** Hidden widths as multiples of D; default the paper's [1, 1, 2, 1]. */
  hidden?: number[];
  /** Standardize the features first (fit on the rows given). Default true. */
  standardize?: boolean;
  /** Epochs at the end of the run averaged into the importance (default max(1, round(epochs / 10))). */
  lastEpochs?: number;
  featureNames?: string[];
  /** regression: y is a number per row; the network gets a linear output trained on the mean
   * squared error of the standardized target (so lambda weighs the same against the loss) */
  task?: "classification" | "regression";
  callbacks?: Callback[];
  verbose?: 0 | 1;
  runtime?: Runtime;
  /** Start from these weights (a `weights` of an earlier result on the same columns) instead of
   * fresh ones: one penalty-first run of `epochs`, whatever the schedule (the warm start of the
   * lambda path: the interactions are in the weights already). */
  warmStart?: Float32Array[];
  /** Return the trained model's weights in `weights` (for a warm start). */
  keepWeights?: boolean;
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
  /** epochs of the run returned (a warm-up run is at least MIN_WARMUP_STEPS optimizer steps) */
  epochs: number;
  /** indices of the open gates (importance above the threshold), in rank order */
  selected: number[];
  /** the schedule whose run this is, and every schedule run ("auto" may run two) */
  schedule: "penalty-first" | "warm-up";
  schedulesTried: string[];
  /** every gate ended closed: the ranking is by the closed-gate tie-break only */
  allClosed: boolean;
  /** every gate ended open: "selected" is every feature */
  allOpen: boolean;
  warnings: string[];
  lambda: number;
  /** with `validation`: on those rows after the last epoch, the loss without the penalty
   * (cross-entropy; regression: the MSE of the target standardized on the training rows) and the
   * accuracy (regression: R²) */
  validation?: { loss: number; accuracy?: number; r2?: number };
  /** with `keepWeights`: every parameter of the trained model, in layer order */
  weights?: Float32Array[];
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

/**
 * Gate schedules. "penalty-first" is the paper's: the penalty acts from the first step. "warm-up"
 * starts the gates at 0.7, trains the first 20% of the epochs without the penalty, then raises it
 * linearly to lambda over the next 40%. "auto" (the default) runs penalty-first and, when that closes
 * every gate, runs warm-up from the same seed: see docs/select-benchmark.md for the measurements.
 * Penalty-first is what keeps noise gates closed on data with marginal signal (a warm-up lets the
 * network fit the noise inputs while they are free, and the penalty does not close them again
 * within the run); warm-up is what lets a target with no marginal signal (parity, epistasis) be
 * learned before the penalty closes the gates; and penalty-first closing every gate is the
 * signature of such a target, since no single feature's gradient outweighs lambda.
 * Why the warm-up starts its gates at 0.7: at 0.5 all five bits of a parity pass together 1/32 of
 * the time, and an unpenalized gate could drift to 0 before the interaction was learned (then
 * that bit never reaches the network again); at 0.7 they pass together 17% of the time. At 1 no
 * input is ever dropped, the network fits the noise inputs, and on epistasis most noise gates
 * stayed open to the end.
 */
export type GateSchedule = "auto" | "penalty-first" | "warm-up";
export const WARMUP_SCHEDULE = { init: 0.7, warmup: 0.2, ramp: 0.4 } as const;
export const MIN_WARMUP_STEPS = 15_000;

/** The penalty factor (0..1) of an epoch under a warm-up then a linear ramp. */
export function penaltyFactor(epoch: number, warmup: number, ramp: number): number {
  if (epoch < warmup) return 0;
  if (ramp <= 0) return 1;
  return Math.min(1, (epoch - warmup + 1) / ramp);
}

const SELECT_KEYS = [
  "lambda",
  "penalty",
  "epochs",
  "batchSize",
  "learningRate",
  "seed",
  "init",
  "schedule",
  "warmupEpochs",
  "rampEpochs",
  "gradient",
  "gate",
  "hidden",
  "standardize",
  "lastEpochs",
  "featureNames",
  "task",
  "callbacks",
  "verbose",
  "runtime",
  "features",
  "warn",
  "validation",
  "warmStart",
  "keepWeights",
];

/** The message for a run that left every gate open (also in the result's `warnings`). */
export function allOpenWarning(lambda: number, epochs: number): string {
  return (
    `every gate stayed open (lambda ${lambda}, ${epochs} epochs): "selected" is every feature, and the ranking is by gate weights ` +
    `the penalty did not separate. Try a larger lambda (e.g. ${lambda * 4}), --k K to select exactly K, or --runs to see which features recur`
  );
}

/** How many times auto doubles lambda when its warm-up run leaves every gate open. */
export const MAX_LAMBDA_DOUBLINGS = 2;

/** The message for a run that closed every gate (also in the result's `warnings`). */
export function allClosedWarning(lambda: number, epochs: number): string {
  return (
    `every gate closed (lambda ${lambda}, ${epochs} epochs): the ranking below the threshold is by how long each gate stayed open, ` +
    `not by what the network used. Try a smaller lambda (e.g. ${lambda / 10}), more epochs, or --runs to see which features recur`
  );
}

export async function selectFeatures(
  xIn: XInput,
  yIn: YInput | TargetInput,
  options: SelectOptions & { features?: number } = {},
): Promise<SelectionResult> {
  checkOptions(options, SELECT_KEYS, "selectFeatures");
  const t0 = performance.now();
  const D =
    options.features ??
    (Array.isArray(xIn) && Array.isArray(xIn[0]) ? (xIn[0] as number[]).length : options.featureNames?.length);
  if (!D)
    throw new ConfigError(
      "selectFeatures: give x as rows, or `features` (columns per row) or `featureNames` with a flat Float32Array",
    );
  const { data, n } = toX(xIn, D);
  const regression = options.task === "regression";
  const classes = regression ? 1 : classCountOf(yIn as YInput);
  const t = regression ? toTargets(yIn, n, 1) : undefined;
  const ts = t ? Standardizer.fit(t, 1) : undefined;
  const y = t ? ts!.transform(t) : toY(yIn as YInput, n, classes);
  const counts = new Set(y);
  if (counts.size < 2)
    throw new DataError(
      `the label has a single ${regression ? "value" : "class"} (${[...counts][0]}): nothing to select features for`,
    );
  const epochs = options.epochs ?? 100;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new ConfigError(`selectFeatures: epochs must be an integer >= 1, got ${epochs}`);
  if (options.lambda !== undefined && options.penalty !== undefined && options.lambda !== options.penalty) {
    throw new ConfigError("selectFeatures: lambda and penalty name the same option: give one of them");
  }
  const lambda = options.lambda ?? options.penalty ?? 0.01;
  if (!(lambda >= 0 && Number.isFinite(lambda)))
    throw new ConfigError(`selectFeatures: lambda must be a number >= 0, got ${lambda}`);
  const custom = options.warmupEpochs !== undefined || options.rampEpochs !== undefined;
  const schedule = options.schedule ?? (custom ? "warm-up" : "auto");
  if (!["auto", "penalty-first", "warm-up"].includes(schedule)) {
    throw new ConfigError(
      `selectFeatures: schedule must be "auto", "penalty-first" or "warm-up", got ${JSON.stringify(schedule)}`,
    );
  }
  for (const k of ["warmupEpochs", "rampEpochs"] as const) {
    const v = options[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= epochs))
      throw new ConfigError(`selectFeatures: ${k} must be an integer in [0, ${epochs}], got ${v}`);
  }
  const st = options.standardize === false ? undefined : Standardizer.fit(data, D);
  const x = st ? st.transform(data) : data;
  const val = options.validation && {
    x: st ? st.transform(toX(options.validation.x, D, "validation x").data) : options.validation.x,
    // the held-out target on the training rows' scale, so that its MSE weighs as the training loss does
    y: ts
      ? ts.transform(toTargets(options.validation.y, options.validation.y.length, 1, "validation y"))
      : toY(options.validation.y as Int32Array, options.validation.y.length, classes, "validation y"),
  };
  const names = options.featureNames ?? Array.from({ length: D }, (_, j) => `f${j}`);
  // The warm-up schedule is set in optimizer steps as well as in epochs: learning a parity of 5
  // bits took about 3,000 steps without the penalty (90 epochs of 1,100 rows), whatever the epoch
  // count, and with 10,000 steps in all the penalty had not yet closed the noise gates of
  // epistasis on 3 of 10 seeds. So its run is at least MIN_WARMUP_STEPS steps long; the
  // fractions then apply.
  const batchSize = options.batchSize ?? 32;
  const steps = Math.ceil(n / batchSize);
  const warmEpochs =
    options.warmupEpochs !== undefined || options.rampEpochs !== undefined
      ? epochs
      : Math.max(epochs, Math.ceil(MIN_WARMUP_STEPS / steps));
  const warmUp = {
    epochs: warmEpochs,
    init: options.init ?? WARMUP_SCHEDULE.init,
    warmup: options.warmupEpochs ?? Math.round(WARMUP_SCHEDULE.warmup * warmEpochs),
    ramp: options.rampEpochs ?? Math.round(WARMUP_SCHEDULE.ramp * warmEpochs),
  };

  const train = async (epochs: number, warmup: number, ramp: number, init: number, lambda: number) => {
    const model = paperClassifier(D, classes, {
      gate: { name: "input_gate", penalty: lambda, init, gradient: options.gradient, gate: options.gate },
      hidden: options.hidden,
      learningRate: options.learningRate,
      seed: options.seed ?? 0,
      task: options.task,
    });
    try {
      await model.build(undefined, options.runtime);
      if (options.warmStart) model.setWeights(options.warmStart.map((values) => ({ values })));
      // The training step reads the gate's penalty at every step, so setting it at the start of an
      // epoch schedules it (Param.l1 is readonly to layer authors, not to the trainer).
      const param = model.layers[0].params[0] as { l1?: number };
      const bernoulli = (options.gate ?? "bernoulli") === "bernoulli";
      const sched: Callback = {
        onEpochBegin: (e) => {
          if (bernoulli) param.l1 = lambda * penaltyFactor(e, warmup, ramp);
        },
      };
      const h = await model.fit(x, y, {
        epochs,
        batchSize,
        seed: options.seed ?? 0,
        callbacks: [sched, ...(options.callbacks ?? [])],
        verbose: options.verbose ?? 0,
      });
      // evaluate adds the penalty; the held-out figure is the loss alone (regression: its MSE)
      let held: { loss: number; accuracy?: number; r2?: number } | undefined;
      if (val && regression) {
        const e = await model.evaluate<RegressionResult>(val.x, val.y);
        held = { loss: e.mse, r2: e.r2 };
      } else if (val) {
        const e = await model.evaluate(val.x, val.y);
        const gates = model.gateWeights().input_gate;
        const pen = (param.l1 ?? 0) * gates.reduce((a, b) => a + b, 0) + model.layers[0].penaltyValue(model.runtime.k);
        held = { loss: e.loss - pen, accuracy: e.accuracy };
      }
      const weights = options.keepWeights ? model.getWeights().map((w) => w.values) : undefined;
      return Object.assign(h, { held, weights });
    } finally {
      model.dispose();
    }
  };

  let used: "penalty-first" | "warm-up" = schedule === "warm-up" && !options.warmStart ? "warm-up" : "penalty-first";
  const lastOf = (e: number) => options.lastEpochs ?? Math.max(1, Math.round(e / 10));
  let runEpochs = used === "warm-up" ? warmUp.epochs : epochs;
  let lam = lambda;
  const warmRun = () => train(warmUp.epochs, warmUp.warmup, warmUp.ramp, warmUp.init, lam);
  let h = used === "warm-up" ? await warmRun() : await train(epochs, 0, 0, options.init ?? 0.5, lam);
  // importances are inference gate values in [0, 1]: w itself for the bernoulli gate
  const gateHistory = (r: typeof h) => r.gates.input_gate.map((w) => gateValues({ gate: options.gate }, w));
  let features = rankGates(gateHistory(h), lastOf(runEpochs), names);
  const isAllClosed = (f: FeatureImportance[]) => f.every((q) => q.importance <= DEFAULT_THRESHOLD);
  const isAllOpen = (f: FeatureImportance[]) => f.every((q) => q.importance > DEFAULT_THRESHOLD);
  const tried: string[] = [used];
  if (schedule === "auto" && !options.warmStart && isAllClosed(features)) {
    used = "warm-up";
    tried.push(used);
    runEpochs = warmUp.epochs;
    h = await warmRun();
    features = rankGates(gateHistory(h), lastOf(runEpochs), names);
    // A warm-up that ends with every gate open has let the network fit the noise inputs while they
    // were free, and lambda then weighs less than what each input buys on the training rows (one
    // draw of ten of two-locus epistasis: 20 of 20 open at lambda 0.01, the pair plus 1 at 0.02).
    // The penalty-first run just closed every gate at this lambda, so the answer lies between:
    // double lambda and rerun, at most MAX_LAMBDA_DOUBLINGS times.
    for (let i = 0; i < MAX_LAMBDA_DOUBLINGS && isAllOpen(features) && D > 1; i++) {
      lam *= 2;
      tried.push(`warm-up, lambda ${lam}`);
      h = await warmRun();
      features = rankGates(gateHistory(h), lastOf(runEpochs), names);
    }
  }
  const allClosed = isAllClosed(features);
  const allOpen = D > 1 && isAllOpen(features);
  const warnings = allClosed ? [allClosedWarning(lam, runEpochs)] : allOpen ? [allOpenWarning(lam, runEpochs)] : [];
  if (warnings.length && options.warn !== false) process.stderr.write(`bsfnet: warning: ${warnings[0]}\n`);
  return {
    features,
    selected: features.filter((f) => f.importance > DEFAULT_THRESHOLD).map((f) => f.index),
    history: gateHistory(h),
    loss: h.loss,
    accuracy: h.accuracy,
    lastEpochs: lastOf(runEpochs),
    epochs: runEpochs,
    schedule: used,
    schedulesTried: tried,
    allClosed,
    allOpen,
    warnings,
    lambda: lam,
    validation: h.held,
    weights: h.weights,
    seconds: (performance.now() - t0) / 1000,
  };
}
