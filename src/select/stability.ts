// Stability selection (Meinshausen & Bühlmann): R selections, each on a random half of the rows
// (stratified) with its own seed; a feature's frequency is the fraction of runs that selected it
// (its gate open, or among the top K with `k`). Features rank by frequency, then by mean
// importance, then mean run mean. One run's ranking depends on its seed (masks, initial weights,
// order); what recurs over halves and seeds does not, so two seeds of R runs agree where two
// single runs do not.
import { selectFeatures, type SelectOptions, type SelectionResult } from "./select.js";
import { selectK } from "./path.js";
import { ConfigError } from "../errors.js";
import { stratifiedSplit } from "../data/split.js";
import { takeRows } from "../data/dataset.js";
import { classCountOf, toX, toY, type XInput, type YInput } from "../model/inputs.js";

export interface StabilityOptions extends SelectOptions {
  features: number;
  runs: number;
  /** select exactly k per run (selectK) instead of the open gates */
  k?: number;
  /** Frequency at or above which a feature is selected when `k` is not given. Default 0.5. */
  threshold?: number;
  /** Runs each half-sample selection; a worker pool can take its place. Default: in this thread. */
  runner?: (jobs: StabilityJob[]) => Promise<StabilityRun[]>;
}

export interface StabilityJob {
  /** 0-based run */
  run: number;
  seed: number;
  rows: Int32Array;
}

/** What a run returns (small enough to post back from a worker). */
export interface StabilityRun {
  run: number;
  seed: number;
  selected: number[];
  importance: Float32Array;
  runMean: Float32Array;
  schedule: string;
  allClosed: boolean;
  seconds: number;
}

export interface StableFeature {
  index: number;
  name: string;
  frequency: number;
  meanImportance: number;
  meanRunMean: number;
}

export interface StabilityResult {
  features: StableFeature[];
  selected: number[];
  runs: StabilityRun[];
  warnings: string[];
  seconds: number;
}

/** The seed of run r of a stability selection with seed s: distinct for every (s, r) pair in use. */
export const runSeed = (seed: number, r: number) => seed * 1009 + r + 1;

/** The jobs of a stability selection: each a stratified half of the rows and its own seed. */
export function stabilityJobs(y: Int32Array, runs: number, seed: number): StabilityJob[] {
  return Array.from({ length: runs }, (_, r) => {
    const s = runSeed(seed, r);
    return { run: r, seed: s, rows: stratifiedSplit(y, 0.5, s).train };
  });
}

/** One run: the selection on its rows (also what a worker calls). */
export async function stabilityRun(
  x: Float32Array,
  y: Int32Array,
  D: number,
  job: StabilityJob,
  o: Omit<StabilityOptions, "runner" | "runs" | "threshold">,
): Promise<StabilityRun> {
  const xs = takeRows(x, D, job.rows);
  const ys = Int32Array.from(job.rows, (i) => y[i]);
  const { k, ...so } = o;
  const opts = { ...so, features: D, seed: job.seed, warn: false, callbacks: undefined, verbose: 0 as const };
  const r: SelectionResult = k ? await selectK(xs, ys, k, opts) : await selectFeatures(xs, ys, opts);
  const importance = new Float32Array(D);
  const runMean = new Float32Array(D);
  for (const f of r.features) {
    importance[f.index] = f.importance;
    runMean[f.index] = f.runMean;
  }
  return {
    run: job.run,
    seed: job.seed,
    selected: r.selected,
    importance,
    runMean,
    schedule: r.schedule,
    allClosed: r.allClosed,
    seconds: r.seconds,
  };
}

export async function stabilitySelection(xIn: XInput, yIn: YInput, o: StabilityOptions): Promise<StabilityResult> {
  const t0 = performance.now();
  const D = o.features;
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new ConfigError(`runs must be an integer >= 1, got ${o.runs}`);
  const threshold = o.threshold ?? 0.5;
  if (!(threshold > 0 && threshold <= 1)) throw new ConfigError(`threshold must be in (0, 1], got ${threshold}`);
  const { data, n } = toX(xIn, D);
  const y = toY(yIn, n, classCountOf(yIn));
  const jobs = stabilityJobs(y, o.runs, o.seed ?? 0);
  const { runner, runs: _r, threshold: _t, ...runOpts } = o;
  const results = runner
    ? await runner(jobs)
    : await (async () => {
        const out: StabilityRun[] = [];
        for (const j of jobs) out.push(await stabilityRun(data, y, D, j, runOpts));
        return out;
      })();
  results.sort((a, b) => a.run - b.run);
  const names = o.featureNames ?? Array.from({ length: D }, (_, j) => `f${j}`);
  const R = results.length;
  const feats: StableFeature[] = Array.from({ length: D }, (_, j) => ({
    index: j,
    name: names[j],
    frequency: results.filter((r) => r.selected.includes(j)).length / R,
    meanImportance: results.reduce((a, r) => a + r.importance[j], 0) / R,
    meanRunMean: results.reduce((a, r) => a + r.runMean[j], 0) / R,
  }));
  feats.sort(
    (a, b) =>
      b.frequency - a.frequency ||
      b.meanImportance - a.meanImportance ||
      b.meanRunMean - a.meanRunMean ||
      a.index - b.index,
  );
  const selected = o.k
    ? feats.slice(0, o.k).map((f) => f.index)
    : feats.filter((f) => f.frequency >= threshold).map((f) => f.index);
  const closed = results.filter((r) => r.allClosed).length;
  const warnings = closed
    ? [`${closed} of ${R} runs closed every gate: those runs select nothing; try a smaller lambda or more epochs`]
    : [];
  return { features: feats, selected, runs: results, warnings, seconds: (performance.now() - t0) / 1000 };
}
