// Stability selection (Meinshausen & Bühlmann, JRSS-B 2010): R selections, each on a random half
// of the rows (stratified) with its own seed. See docs/design/stability-selection.md for the
// measurements behind the two rules below.
//
// Ranking: by mean rank over the runs (a Borda count over each run's whole ranking: its open gates
// by importance, then its closed gates by how long they stayed open), then by frequency. The old
// key, frequency of an open gate, has only R + 1 values; on Musk2 a dozen correlated features sit
// at 0.6-0.9, and which of them made the top 10 was decided by mean importance, which is mostly
// whether the gate happened to be open in a run or two. The mean rank also counts a feature that
// was narrowly closed, so it separates those features by R ranks each instead of R bits.
//
// Selection (without `k`): each run contributes its top q, and a feature is selected when it is in
// at least a fraction pi of the runs' top q. With q features per run out of p, Meinshausen and
// Bühlmann's bound (their Theorem 1, under exchangeable noise features and a selector no worse
// than random) is E[false selections] <= q^2 / ((2 pi - 1) p). q is what a run selects (the
// median number of open gates) capped so that the bound stays at or below `expectedFalse`. The
// cap is what matters where runs on half the rows leave noise gates open: on two-locus epistasis
// a half-sample run left 16-20 of 20 gates open, and "open in half the runs" selected 18 noise
// features; each run's top q still starts with the pair.
import { selectFeatures, type SelectOptions, type SelectionResult } from "./select.js";
import { selectK } from "./path.js";
import { ConfigError } from "../errors.js";
import { randomSplit, stratifiedSplit } from "../data/split.js";
import { takeRows } from "../data/dataset.js";
import { toTask, type TargetInput, type XInput, type YInput } from "../model/inputs.js";

export interface StabilityOptions extends SelectOptions {
  features: number;
  runs: number;
  /** select exactly k per run (selectK) instead of the open gates */
  k?: number;
  /** pi: the share of runs whose top q must hold a feature for it to be selected (without `k`),
   * in (0.5, 1]. Default 0.9. */
  threshold?: number;
  /** The bound on the expected number of falsely selected features that caps q. Default 4. */
  expectedFalse?: number;
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
  /** the run's ranking, best first (feature indices) */
  ranking: number[];
  importance: Float32Array;
  runMean: Float32Array;
  schedule: string;
  allClosed: boolean;
  seconds: number;
}

export interface StableFeature {
  index: number;
  name: string;
  /** share of runs that selected it (gate open, or in the top k with `k`) */
  frequency: number;
  /** share of runs that had it in their top q (the selection rule; with `k`: the top k) */
  topFrequency: number;
  /** 0-based rank averaged over the runs (the ranking key) */
  meanRank: number;
  meanImportance: number;
  meanRunMean: number;
}

/** How `selected` was chosen, as the JSON reports it. */
export interface StabilityRule {
  rule: "top-q frequency" | "top k of the ranking";
  /** features each run contributes (k with `k`) */
  q: number;
  /** pi (absent with `k`) */
  threshold?: number;
  /** the cap on q's bound, and the bound q^2 / ((2 pi - 1) p) that the chosen q gives */
  expectedFalse?: number;
  bound?: number;
  /** the median number of open gates over the runs */
  medianOpen: number;
}

export interface StabilityResult {
  features: StableFeature[];
  selected: number[];
  rule: StabilityRule;
  runs: StabilityRun[];
  warnings: string[];
  seconds: number;
}

/** The seed of run r of a stability selection with seed s: distinct for every (s, r) pair in use. */
export const runSeed = (seed: number, r: number) => seed * 1009 + r + 1;

/** The jobs of a stability selection: each a half of the rows (stratified by class; a random half
 * for a numeric target) and its own seed. */
export function stabilityJobs(y: Int32Array | Float32Array, runs: number, seed: number): StabilityJob[] {
  return Array.from({ length: runs }, (_, r) => {
    const s = runSeed(seed, r);
    const half = y instanceof Float32Array ? randomSplit(y.length, 0.5, s) : stratifiedSplit(y, 0.5, s);
    return { run: r, seed: s, rows: half.train };
  });
}

/** One run: the selection on its rows (also what a worker calls). */
export async function stabilityRun(
  x: Float32Array,
  y: Int32Array | Float32Array,
  D: number,
  job: StabilityJob,
  o: Omit<StabilityOptions, "runner" | "runs" | "threshold" | "expectedFalse">,
): Promise<StabilityRun> {
  const xs = takeRows(x, D, job.rows);
  const ys =
    y instanceof Float32Array ? Float32Array.from(job.rows, (i) => y[i]) : Int32Array.from(job.rows, (i) => y[i]);
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
    ranking: r.features.map((f) => f.index),
    importance,
    runMean,
    schedule: r.schedule,
    allClosed: r.allClosed,
    seconds: r.seconds,
  };
}

export async function stabilitySelection(
  xIn: XInput,
  yIn: YInput | TargetInput,
  o: StabilityOptions,
): Promise<StabilityResult> {
  const t0 = performance.now();
  const D = o.features;
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new ConfigError(`runs must be an integer >= 1, got ${o.runs}`);
  const threshold = o.threshold ?? 0.9;
  if (!(threshold > 0.5 && threshold <= 1))
    throw new ConfigError(`threshold must be in (0.5, 1] (the bound needs pi > 1/2), got ${threshold}`);
  const expectedFalse = o.expectedFalse ?? 4;
  if (!(expectedFalse > 0 && Number.isFinite(expectedFalse)))
    throw new ConfigError(`expectedFalse must be a number > 0, got ${expectedFalse}`);
  const { data, y } = toTask(xIn, yIn, D, o.task);
  const jobs = stabilityJobs(y, o.runs, o.seed ?? 0);
  const { runner, runs: _r, threshold: _t, expectedFalse: _e, ...runOpts } = o;
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
  const opens = results.map((r) => r.selected.length).sort((a, b) => a - b);
  const medianOpen = opens.length % 2 ? opens[(R - 1) / 2] : (opens[R / 2 - 1] + opens[R / 2]) / 2;
  const q =
    o.k ??
    Math.max(1, Math.min(Math.floor(medianOpen), Math.floor(Math.sqrt(expectedFalse * (2 * threshold - 1) * D))));
  const rankOf = results.map((r) => {
    const pos = new Int32Array(D);
    for (const [p, j] of r.ranking.entries()) pos[j] = p;
    return pos;
  });
  const feats: StableFeature[] = Array.from({ length: D }, (_, j) => ({
    index: j,
    name: names[j],
    frequency: results.filter((r) => r.selected.includes(j)).length / R,
    topFrequency: rankOf.filter((pos) => pos[j] < q).length / R,
    meanRank: rankOf.reduce((a, pos) => a + pos[j], 0) / R,
    meanImportance: results.reduce((a, r) => a + r.importance[j], 0) / R,
    meanRunMean: results.reduce((a, r) => a + r.runMean[j], 0) / R,
  }));
  feats.sort((a, b) => a.meanRank - b.meanRank || b.frequency - a.frequency || a.index - b.index);
  // 1e-9: topFrequency is a count over R, and pi * R may be an integer given in binary fractions
  const selected = o.k
    ? feats.slice(0, o.k).map((f) => f.index)
    : feats.filter((f) => f.topFrequency >= threshold - 1e-9).map((f) => f.index);
  const rule: StabilityRule = o.k
    ? { rule: "top k of the ranking", q, medianOpen }
    : { rule: "top-q frequency", q, threshold, expectedFalse, bound: (q * q) / ((2 * threshold - 1) * D), medianOpen };
  const closed = results.filter((r) => r.allClosed).length;
  const warnings = closed
    ? [`${closed} of ${R} runs closed every gate: those runs select nothing; try a smaller lambda or more epochs`]
    : [];
  return { features: feats, selected, rule, runs: results, warnings, seconds: (performance.now() - t0) / 1000 };
}
