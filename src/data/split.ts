// Train/validation splits and k-fold cross-validation index sets. Every function returns indices
// sorted ascending (the training loop shuffles on its own) and is deterministic given its seed.
//
// Small classes: stratifiedSplit puts a class's only sample in training (it cannot be in both);
// stratifiedKFold never refuses a class with fewer than k members: it is spread as far as it goes
// (one member per fold, so some validation folds lack that class), as scikit-learn does (which only
// warns). KDD Cup 99 has classes of 2 and 3 samples, and 10-fold CV on it must still work.
import { ConfigError } from "../errors.js";
import { Random } from "../util/random.js";

export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

function checkLabels(y: ArrayLike<number>): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0)
      throw new ConfigError(`label y[${i}] = ${y[i]} is not a non-negative integer`);
  }
}

/** Sample indices of each class (classes 0..max(y)), each group shuffled by rng. */
function shuffledGroups(y: ArrayLike<number>, rng: Random): number[][] {
  checkLabels(y);
  const groups: number[][] = [];
  for (let i = 0; i < y.length; i++) (groups[y[i]] ??= []).push(i);
  for (let c = 0; c < groups.length; c++) groups[c] ??= [];
  for (const g of groups) rng.shuffle(g);
  return groups;
}

const sorted = (a: number[]): Int32Array => Int32Array.from(a).sort();

function checkFraction(f: number): void {
  if (!(f > 0 && f < 1)) throw new ConfigError(`validation fraction must be in (0, 1), got ${f}`);
}

/**
 * Holds out round(fraction * n) samples, keeping class proportions: every class with >= 2
 * samples gets at least 1 validation and 1 training sample, a single-sample class trains, and the
 * rest of the total is shared among classes by largest remainder (within those bounds).
 */
export function stratifiedSplit(y: ArrayLike<number>, validationFraction: number, seed = 0): Split {
  checkFraction(validationFraction);
  const groups = shuffledGroups(y, new Random(seed));
  const n = y.length;
  const target = Math.round(validationFraction * n);
  // Bounds per class: a class of >= 2 samples keeps >= 1 on each side; a single sample trains.
  const lo = groups.map((g) => (g.length >= 2 ? 1 : 0));
  const hi = groups.map((g) => (g.length >= 2 ? g.length - 1 : 0));
  const exact = groups.map((g) => validationFraction * g.length);
  const quota = exact.map((e, c) => Math.min(hi[c], Math.max(lo[c], Math.floor(e))));
  let left = target - quota.reduce((a, b) => a + b, 0);
  // Largest remainder: hand out (or take back) single samples where the quota is furthest from exact.
  while (left !== 0) {
    let best = -1;
    for (let c = 0; c < groups.length; c++) {
      const ok = left > 0 ? quota[c] < hi[c] : quota[c] > lo[c];
      if (!ok) continue;
      const gap = left > 0 ? exact[c] - quota[c] : quota[c] - exact[c];
      const bestGap = best < 0 ? -Infinity : left > 0 ? exact[best] - quota[best] : quota[best] - exact[best];
      if (gap > bestGap) best = c;
    }
    if (best < 0) break; // bounds bind: the total is as close as they allow
    quota[best] += left > 0 ? 1 : -1;
    left += left > 0 ? -1 : 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  groups.forEach((g, c) => {
    for (let i = 0; i < g.length; i++) (i < quota[c] ? validation : train).push(g[i]);
  });
  if (validation.length === 0 || train.length === 0) {
    throw new ConfigError(
      `cannot split ${n} samples with validation fraction ${validationFraction}: one side would be empty`,
    );
  }
  return { train: sorted(train), validation: sorted(validation) };
}

/** Unstratified split: a random round(fraction * n) samples for validation. */
export function randomSplit(n: number, validationFraction: number, seed = 0): Split {
  checkFraction(validationFraction);
  const m = Math.round(validationFraction * n);
  if (m === 0 || m === n)
    throw new ConfigError(
      `cannot split ${n} samples with validation fraction ${validationFraction}: one side would be empty`,
    );
  const perm = new Random(seed).permutation(n);
  return { validation: perm.slice(0, m).sort(), train: perm.slice(m).sort() };
}

function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new ConfigError(`k-fold needs an integer k >= 2, got ${k}`);
  if (k > n) throw new ConfigError(`cannot make ${k} folds from ${n} samples`);
}

function foldsFrom(assign: Int32Array, k: number): Split[] {
  const val: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < assign.length; i++) val[assign[i]].push(i);
  return val.map((v, f) => {
    const train: number[] = [];
    for (let i = 0; i < assign.length; i++) if (assign[i] !== f) train.push(i);
    return { train: Int32Array.from(train), validation: Int32Array.from(v) };
  });
}

/**
 * k folds, every sample in exactly one validation fold. Each class's shuffled members are dealt
 * round-robin over the folds, continuing where the previous class stopped, so per class the folds'
 * counts differ by at most 1, and so do the fold sizes. See the file comment for small classes.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed = 0): Split[] {
  checkK(k, y.length);
  const groups = shuffledGroups(y, new Random(seed));
  const assign = new Int32Array(y.length);
  let next = 0;
  for (const g of groups) {
    for (const i of g) {
      assign[i] = next;
      next = next + 1 === k ? 0 : next + 1;
    }
  }
  return foldsFrom(assign, k);
}

/** Unstratified k folds of n samples (sizes differ by at most 1). */
export function kFold(n: number, k: number, seed = 0): Split[] {
  checkK(k, n);
  const perm = new Random(seed).permutation(n);
  const assign = new Int32Array(n);
  for (let p = 0; p < n; p++) assign[perm[p]] = p % k;
  return foldsFrom(assign, k);
}

/**
 * k folds that keep groups together (e.g. musk2's molecules: conformations of one molecule never
 * straddle train and validation). Groups are shuffled, then each goes to the fold with the fewest
 * samples so far.
 */
export function groupKFold(groups: ArrayLike<number>, k: number, seed = 0): Split[] {
  const ids = [...new Set(Array.from(groups))];
  checkK(k, ids.length);
  const size = new Map<number, number>();
  for (let i = 0; i < groups.length; i++) size.set(groups[i], (size.get(groups[i]) ?? 0) + 1);
  new Random(seed).shuffle(ids);
  // Largest groups first (stable after the shuffle), each into the currently smallest fold.
  ids.sort((a, b) => size.get(b)! - size.get(a)!);
  const foldOf = new Map<number, number>();
  const load = new Array<number>(k).fill(0);
  for (const g of ids) {
    let f = 0;
    for (let j = 1; j < k; j++) if (load[j] < load[f]) f = j;
    foldOf.set(g, f);
    load[f] += size.get(g)!;
  }
  const assign = Int32Array.from(groups, (g) => foldOf.get(g)!);
  return foldsFrom(assign, k);
}
