// Choosing lambda. `selectK`: the lambda that leaves K gates open, by bracketing then bisecting
// log(lambda) (the number of open gates falls as lambda rises, up to mask noise), so that "the
// selection" is exactly K features. `selectAutoLambda`: a short path over lambda, each fitted on
// 80% of the rows and scored on the other 20%; the largest lambda whose held-out loss is within a
// tolerance of the best, i.e. the knee where fewer features starts to cost accuracy.
//
// Warm starts. A point of the path starts from the weights and gates of the run at the nearest
// smaller lambda already made, when there is one, and trains WARM_START_FRACTION of the epochs
// with the penalty from the first step; otherwise it is a full run from the seed. A larger
// lambda only has to close more gates of a network that has learned the task (and, after a
// warm-up, the interactions), so it need not relearn it; starting from a larger lambda's run
// instead would start from gates it closed, which a smaller lambda should reopen. The nearest
// smaller lambda is the one whose gates are closest to the new ones. `warmPath: false` gives
// the old path, every point a full run from the seed.
import { selectFeatures, type SelectOptions, type SelectionResult } from "./select.js";
import { ConfigError } from "../errors.js";
import { randomSplit, stratifiedSplit } from "../data/split.js";
import { takeRows } from "../data/dataset.js";
import type { TargetInput, XInput, YInput } from "../model/inputs.js";
import { toTask } from "../model/inputs.js";

export interface PathPoint {
  lambda: number;
  open: number;
  schedule: string;
  /** started from the weights of the nearest smaller lambda's run (and trained `epochs`) */
  warmStart?: boolean;
  epochs?: number;
  seconds?: number;
  /** held-out loss without the penalty: cross-entropy, or (regression) MSE of the standardized target */
  validationLoss?: number;
  validationAccuracy?: number;
  validationR2?: number;
}

export interface KSelection extends SelectionResult {
  /** every lambda tried, in order */
  path: PathPoint[];
  /** how many gates the chosen run left open (K when the search hit it exactly) */
  openAtLambda: number;
}

type Opts = Omit<SelectOptions, "warmStart" | "keepWeights"> & { features: number };

/** Share of the epochs a warm-started point of the path trains (at least MIN_WARM_EPOCHS). */
export const WARM_START_FRACTION = 1 / 3;
export const MIN_WARM_EPOCHS = 10;

export interface PathOptions {
  /** start each lambda from the nearest smaller lambda's run (default true) */
  warmPath?: boolean;
}

/** Runs of selectFeatures along a lambda path, each warm-started from the nearest smaller
 * lambda's, each recorded as a PathPoint. Once the first full run has settled the schedule (auto
 * may switch to warm-up), it is kept, so that every point of the path is the same kind of run. */
function pathRunner(x: XInput, y: YInput | TargetInput, o: Opts & PathOptions) {
  const { warmPath: warm = true, ...so } = o;
  const done: { lambda: number; weights: Float32Array[] }[] = [];
  const epochs = so.epochs ?? 100;
  const warmEpochs = Math.min(epochs, Math.max(MIN_WARM_EPOCHS, Math.round(epochs * WARM_START_FRACTION)));
  let schedule = so.schedule;
  return {
    /** the schedule settled so far (the caller's, else the first full run's) */
    schedule: () => schedule,
    async run(lambda: number, extra: Partial<SelectOptions> = {}): Promise<{ r: SelectionResult; point: PathPoint }> {
      const below = done.filter((d) => d.lambda < lambda).sort((a, b) => b.lambda - a.lambda)[0];
      const start = warm && below ? { warmStart: below.weights, epochs: warmEpochs } : {};
      const res = await selectFeatures(x, y, {
        ...so,
        schedule,
        ...extra,
        lambda,
        warn: false,
        keepWeights: warm,
        ...start,
      });
      if (warm) done.push({ lambda, weights: res.weights! });
      const { weights: _w, ...rest } = res;
      const r = rest as SelectionResult;
      const warmStart = start.warmStart !== undefined;
      if (!warmStart) schedule ??= r.schedule;
      const point: PathPoint = {
        lambda,
        open: r.selected.length,
        schedule: r.schedule,
        warmStart,
        epochs: r.epochs,
        seconds: r.seconds,
      };
      return { r, point };
    },
  };
}

/** The lambda leaving `k` gates open; `selected` is that run's top k. At most `maxRuns` runs. */
export async function selectK(
  x: XInput,
  y: YInput | TargetInput,
  k: number,
  o: Opts & PathOptions,
  maxRuns = 10,
): Promise<KSelection> {
  if (!Number.isInteger(k) || k < 1 || k > o.features)
    throw new ConfigError(`k must be an integer in [1, ${o.features}], got ${k}`);
  const t0 = performance.now();
  const path: PathPoint[] = [];
  const runs: SelectionResult[] = [];
  const runner = pathRunner(x, y, o);
  const run = async (lambda: number) => {
    const { r, point } = await runner.run(lambda);
    path.push(point);
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
  yIn: YInput | TargetInput,
  o: Opts & PathOptions,
  lambdas = AUTO_LAMBDAS,
  tolerance = 0.02,
): Promise<AutoLambdaResult> {
  const t0 = performance.now();
  const D = o.features;
  const { data, n, y, regression } = toTask(xIn, yIn, D, o.task);
  const { train, validation } = regression ? randomSplit(n, 0.2, o.seed ?? 0) : stratifiedSplit(y, 0.2, o.seed ?? 0);
  const pick = (idx: Int32Array) =>
    y instanceof Float32Array ? Float32Array.from(idx, (i) => y[i]) : Int32Array.from(idx, (i) => y[i]);
  const xtr = takeRows(data, D, train);
  const ytr = pick(train);
  const val = { x: takeRows(data, D, validation), y: pick(validation) };
  const path: PathPoint[] = [];
  const runner = pathRunner(xtr, ytr, o);
  for (const lambda of [...lambdas].sort((a, b) => a - b)) {
    const { r, point } = await runner.run(lambda, { validation: val });
    path.push({
      ...point,
      validationLoss: r.validation!.loss,
      validationAccuracy: r.validation!.accuracy,
      validationR2: r.validation!.r2,
    });
  }
  const best = Math.min(...path.map((p) => p.validationLoss!));
  // the largest lambda (fewest features) whose held-out loss has not yet risen past the tolerance
  const ok = path.filter((p) => p.validationLoss! <= best + Math.max(tolerance, 0.05 * best));
  const lambda = Math.max(...ok.map((p) => p.lambda));
  const { warmPath: _wp, ...so } = o;
  const r = await selectFeatures(data, y, { ...so, lambda, schedule: runner.schedule() });
  return { ...r, path, seconds: (performance.now() - t0) / 1000 };
}
