// Choosing lambda. `selectK`: the lambda that leaves K gates open, by bracketing then bisecting
// log(lambda) (the number of open gates falls as lambda rises, up to mask noise), so that "the
// selection" is exactly K features. `selectAutoLambda`: a short path over lambda, each fitted on
// 80% of the rows and scored on the other 20%; the largest lambda whose held-out loss is within a
// tolerance of the best, i.e. the knee where fewer features starts to cost accuracy.
//
// Each point of the path is a fresh run from the same seed (no warm start: the model's penalty
// schedule restarts per run, and a warm-started gate that is already closed would stay closed).
import { selectFeatures, type SelectOptions, type SelectionResult } from "./select.js";
import { ConfigError } from "../errors.js";
import { stratifiedSplit } from "../data/split.js";
import { takeRows } from "../data/dataset.js";
import type { XInput, YInput } from "../model/inputs.js";
import { toX, toY, classCountOf } from "../model/inputs.js";

export interface PathPoint {
  lambda: number;
  open: number;
  schedule: string;
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface KSelection extends SelectionResult {
  /** every lambda tried, in order */
  path: PathPoint[];
  /** how many gates the chosen run left open (K when the search hit it exactly) */
  openAtLambda: number;
}

type Opts = SelectOptions & { features: number };

/** The lambda leaving `k` gates open; `selected` is that run's top k. At most `maxRuns` runs. */
export async function selectK(x: XInput, y: YInput, k: number, o: Opts, maxRuns = 10): Promise<KSelection> {
  if (!Number.isInteger(k) || k < 1 || k > o.features)
    throw new ConfigError(`k must be an integer in [1, ${o.features}], got ${k}`);
  const t0 = performance.now();
  const path: PathPoint[] = [];
  const runs: SelectionResult[] = [];
  // Once the first run has settled the schedule (auto may switch to warm-up), keep it, so that
  // every point of the path is the same kind of run.
  let schedule = o.schedule;
  const run = async (lambda: number) => {
    const r = await selectFeatures(x, y, { ...o, lambda, schedule, warn: false });
    schedule ??= r.schedule;
    path.push({ lambda, open: r.selected.length, schedule: r.schedule });
    runs.push(r);
    return r.selected.length;
  };
  let lo = 0; // largest lambda known to leave >= k open (0: none tried)
  let hi = Infinity; // smallest lambda known to leave < k open
  let lam = o.lambda ?? 0.01;
  for (let i = 0; i < maxRuns; i++) {
    const open = await run(lam);
    if (open === k) break;
    if (open > k) lo = Math.max(lo, lam);
    else hi = Math.min(hi, lam);
    if (hi === Infinity) lam *= 4;
    else if (lo === 0) lam /= 4;
    else lam = Math.sqrt(lo * hi);
    if (lam < 1e-7) break; // even no penalty leaves fewer than k open: take the best of what was tried
  }
  // The chosen run: exactly k open, else the fewest open above k (its top k are its strongest
  // open gates), else the most open below k (filled up by the closed-gate tie-break).
  const idx = path.map((_, i) => i);
  const exact = idx.filter((i) => path[i].open === k);
  const above = idx
    .filter((i) => path[i].open > k)
    .sort((a, b) => path[a].open - path[b].open || path[b].lambda - path[a].lambda);
  const below = idx
    .filter((i) => path[i].open < k)
    .sort((a, b) => path[b].open - path[a].open || path[a].lambda - path[b].lambda);
  const pick = exact.length ? exact[exact.length - 1] : above.length ? above[0] : below[0];
  const r = runs[pick];
  const warnings = [...r.warnings];
  if (path[pick].open !== k) {
    warnings.push(
      `no lambda among the ${path.length} tried left exactly ${k} gates open; ` +
        `lambda ${r.lambda} left ${path[pick].open}, and the top ${k} of its ranking are selected`,
    );
  }
  return {
    ...r,
    selected: r.features.slice(0, k).map((f) => f.index),
    warnings,
    path,
    openAtLambda: path[pick].open,
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface AutoLambdaResult extends SelectionResult {
  path: PathPoint[];
}

export const AUTO_LAMBDAS = [0.001, 0.003, 0.01, 0.03, 0.1];

/** Picks lambda on held-out rows, then reruns on every row with it. */
export async function selectAutoLambda(
  xIn: XInput,
  yIn: YInput,
  o: Opts,
  lambdas = AUTO_LAMBDAS,
  tolerance = 0.02,
): Promise<AutoLambdaResult> {
  const t0 = performance.now();
  const D = o.features;
  const { data, n } = toX(xIn, D);
  const y = toY(yIn, n, classCountOf(yIn));
  const { train, validation } = stratifiedSplit(y, 0.2, o.seed ?? 0);
  const xtr = takeRows(data, D, train);
  const ytr = Int32Array.from(train, (i) => y[i]);
  const val = { x: takeRows(data, D, validation), y: Int32Array.from(validation, (i) => y[i]) };
  const path: PathPoint[] = [];
  let schedule = o.schedule;
  for (const lambda of lambdas) {
    const r = await selectFeatures(xtr, ytr, { ...o, lambda, schedule, validation: val, warn: false });
    schedule ??= r.schedule;
    path.push({
      lambda,
      open: r.selected.length,
      schedule: r.schedule,
      validationLoss: r.validation!.loss,
      validationAccuracy: r.validation!.accuracy,
    });
  }
  const best = Math.min(...path.map((p) => p.validationLoss!));
  // the largest lambda (fewest features) whose held-out loss has not yet risen past the tolerance
  const ok = path.filter((p) => p.validationLoss! <= best + Math.max(tolerance, 0.05 * best));
  const lambda = Math.max(...ok.map((p) => p.lambda));
  const r = await selectFeatures(data, y, { ...o, lambda, schedule });
  return { ...r, path, seconds: (performance.now() - t0) / 1000 };
}
