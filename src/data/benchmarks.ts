// Generated feature-selection benchmarks with known truth (issue 9). Each returns the data and
// which columns are relevant, so a selector can be scored by what it finds. The relevant columns
// sit at random positions: rankings break ties by column order, and relevant features placed
// first would be found by that tie-break alone.
//
// - parity: y is the XOR of k of the bits. No single bit, and no subset of fewer than k, says
//   anything about y; only all k together do (the hardest case for a gate that closes early).
// - epistasis: two-locus SNP genotypes 0/1/2; y depends on (g1 + g2) mod 2 only. With allele
//   frequency 0.5 each of the two loci alone has no marginal effect (P(g even) = 1/2).
// - LED: the 7 segments of a seven-segment digit, each flipped with probability 0.1, plus
//   irrelevant random bits (Breiman's LED-24 with 17). Marginal signal, 10 classes.
// - waveform: Breiman's waveform-40: 21 features, two of three triangular waves mixed at random
//   plus Gaussian noise, and 19 pure-noise features.
// - redundant copies: MADELON-style informative features each copied with a little noise; any
//   one of a copy group carries the information, so the truth is a set of groups.
import { ConfigError } from "../errors.js";
import { Random } from "../util/random.js";
import type { Dataset } from "./dataset.js";
import { makeClassification } from "./synthetic.js";

export interface BenchmarkDataset extends Dataset {
  /** Columns that carry the signal. */
  relevant: number[];
  /** Sets of interchangeable relevant columns (default: each relevant column on its own). A
   * selector finds a group when any of its members is among the top `groups.length`. */
  groups: number[][];
}

function int(where: string, name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new ConfigError(`${where}: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

function frac(where: string, name: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new ConfigError(`${where}: ${name} must be in [0, 1], got ${v}`);
  return v;
}

/** Puts `relevant` generated columns at random positions among d; returns where each went. */
function placement(rng: Random, d: number, nRelevant: number): { cols: number[]; order: Int32Array } {
  const order = rng.permutation(d); // generated column g goes to position where[g]
  const where = new Int32Array(d);
  for (const [j, g] of order.entries()) where[g] = j;
  return { cols: Array.from({ length: nRelevant }, (_, g) => where[g]).sort((a, b) => a - b), order };
}

function build(
  rng: Random,
  n: number,
  d: number,
  nRelevant: number,
  gen: Float32Array,
  y: Int32Array,
  names: string[],
  classes: number,
  source: string,
  groupsOfGenerated?: number[][],
): BenchmarkDataset {
  const { cols, order } = placement(rng, d, nRelevant);
  const x = new Float32Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) x[r * d + j] = gen[r * d + order[j]];
  const where = new Int32Array(d);
  for (const [j, g] of order.entries()) where[g] = j;
  const groups = (groupsOfGenerated ?? Array.from({ length: nRelevant }, (_, g) => [g])).map((gs) =>
    gs.map((g) => where[g]).sort((a, b) => a - b),
  );
  return {
    x,
    y,
    n,
    d,
    featureNames: Array.from(order, (g) => names[g]),
    classNames: Array.from({ length: classes }, (_, c) => String(c)),
    source,
    relevant: cols,
    groups,
  };
}

export interface ParityOptions {
  nSamples?: number; // 1100
  nRelevant?: number; // 5
  nBits?: number; // 10, relevant included
  /** Fraction of labels flipped. Default 0. */
  flipY?: number;
  seed?: number;
}

export function makeParity(o: ParityOptions = {}): BenchmarkDataset {
  const w = "makeParity";
  const n = int(w, "nSamples", o.nSamples ?? 1100, 2);
  const k = int(w, "nRelevant", o.nRelevant ?? 5, 1);
  const d = int(w, "nBits", o.nBits ?? 10, k);
  const flip = frac(w, "flipY", o.flipY ?? 0);
  const rng = new Random(o.seed ?? 0);
  const gen = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let p = 0;
    for (let j = 0; j < d; j++) {
      const b = rng.int(2);
      gen[r * d + j] = b;
      if (j < k) p ^= b;
    }
    y[r] = flip > 0 && rng.next() < flip ? 1 - p : p;
  }
  const names = Array.from({ length: d }, (_, j) => (j < k ? `xor${j}` : `bit${j - k}`));
  return build(rng, n, d, k, gen, y, names, 2, `synthetic(parity ${k} of ${d}, seed=${o.seed ?? 0})`);
}

export interface EpistasisOptions {
  nSamples?: number; // 1600
  nSnps?: number; // 20, the pair included
  /** Fraction of labels flipped. Default 0.05. */
  flipY?: number;
  seed?: number;
}

/** A genotype 0/1/2: the count of minor alleles, each present with probability p. */
const genotype = (rng: Random, p: number) => (rng.next() < p ? 1 : 0) + (rng.next() < p ? 1 : 0);

export function makeEpistasis(o: EpistasisOptions = {}): BenchmarkDataset {
  const w = "makeEpistasis";
  const n = int(w, "nSamples", o.nSamples ?? 1600, 2);
  const d = int(w, "nSnps", o.nSnps ?? 20, 2);
  const flip = frac(w, "flipY", o.flipY ?? 0.05);
  const rng = new Random(o.seed ?? 0);
  // Noise loci get minor allele frequencies in [0.1, 0.5], as SNP panels do; the pair gets 0.5,
  // which is what makes each of them marginally uninformative.
  const maf = Array.from({ length: d }, (_, j) => (j < 2 ? 0.5 : 0.1 + 0.4 * rng.next()));
  const gen = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) gen[r * d + j] = genotype(rng, maf[j]);
    const c = (gen[r * d] + gen[r * d + 1]) % 2;
    y[r] = flip > 0 && rng.next() < flip ? 1 - c : c;
  }
  const names = Array.from({ length: d }, (_, j) => (j < 2 ? `locus${j}` : `snp${j - 2}`));
  return build(rng, n, d, 2, gen, y, names, 2, `synthetic(epistasis 2 of ${d}, seed=${o.seed ?? 0})`);
}

// Segments a..g of the digits 0-9 (1 = lit).
const LED_DIGITS = [
  [1, 1, 1, 0, 1, 1, 1],
  [0, 0, 1, 0, 0, 1, 0],
  [1, 0, 1, 1, 1, 0, 1],
  [1, 0, 1, 1, 0, 1, 1],
  [0, 1, 1, 1, 0, 1, 0],
  [1, 1, 0, 1, 0, 1, 1],
  [1, 1, 0, 1, 1, 1, 1],
  [1, 0, 1, 0, 0, 1, 0],
  [1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0, 1, 1],
];

export interface LedOptions {
  nSamples?: number; // 2000
  nIrrelevant?: number; // 17
  /** Probability that a segment is flipped. Default 0.1. */
  noise?: number;
  seed?: number;
}

export function makeLed(o: LedOptions = {}): BenchmarkDataset {
  const w = "makeLed";
  const n = int(w, "nSamples", o.nSamples ?? 2000, 2);
  const ni = int(w, "nIrrelevant", o.nIrrelevant ?? 17, 0);
  const noise = frac(w, "noise", o.noise ?? 0.1);
  const d = 7 + ni;
  const rng = new Random(o.seed ?? 0);
  const gen = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const c = rng.int(10);
    y[r] = c;
    for (let s = 0; s < 7; s++) gen[r * d + s] = rng.next() < noise ? 1 - LED_DIGITS[c][s] : LED_DIGITS[c][s];
    for (let j = 7; j < d; j++) gen[r * d + j] = rng.int(2);
  }
  const names = Array.from({ length: d }, (_, j) => (j < 7 ? `seg${"abcdefg"[j]}` : `bit${j - 7}`));
  return build(rng, n, d, 7, gen, y, names, 10, `synthetic(LED 7 + ${ni}, seed=${o.seed ?? 0})`);
}

export interface WaveformOptions {
  nSamples?: number; // 2000
  nNoise?: number; // 19
  seed?: number;
}

export function makeWaveform(o: WaveformOptions = {}): BenchmarkDataset {
  const w = "makeWaveform";
  const n = int(w, "nSamples", o.nSamples ?? 2000, 2);
  const nn = int(w, "nNoise", o.nNoise ?? 19, 0);
  const d = 21 + nn;
  const rng = new Random(o.seed ?? 0);
  // Breiman's three base waves: triangles of height 6 centred at 7, 15 and 11 (1-based positions).
  const h = (centre: number) => Array.from({ length: 21 }, (_, i) => Math.max(6 - Math.abs(i + 1 - centre), 0));
  const waves = [h(11), h(7), h(15)];
  const pairs = [
    [0, 1],
    [0, 2],
    [1, 2],
  ];
  const gen = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const c = rng.int(3);
    y[r] = c;
    const u = rng.next();
    const [a, b] = pairs[c];
    for (let i = 0; i < 21; i++) gen[r * d + i] = u * waves[a][i] + (1 - u) * waves[b][i] + rng.normal();
    for (let j = 21; j < d; j++) gen[r * d + j] = rng.normal();
  }
  // The first and last wave positions are 0 in every base wave: pure noise in Breiman's set too.
  const relevant = Array.from({ length: 21 }, (_, i) => i).filter((i) => waves.some((v) => v[i] > 0));
  const names = Array.from({ length: d }, (_, j) => (j < 21 ? `w${j + 1}` : `noise${j - 21}`));
  const ds = build(
    rng,
    n,
    d,
    21,
    gen,
    y,
    names,
    3,
    `synthetic(waveform 21 + ${nn}, seed=${o.seed ?? 0})`,
    relevant.map((g) => [g]),
  );
  ds.relevant = ds.groups.map((g) => g[0]).sort((a, b) => a - b);
  return ds;
}

export interface RedundantCopiesOptions {
  nSamples?: number; // 1000
  nInformative?: number; // 5
  /** Noisy copies of each informative feature. Default 1. */
  copies?: number;
  nNoise?: number; // 20
  /** Standard deviation of the noise added to each copy. Default 0.1. */
  copyNoise?: number;
  seed?: number;
}

export function makeRedundantCopies(o: RedundantCopiesOptions = {}): BenchmarkDataset {
  const w = "makeRedundantCopies";
  const n = int(w, "nSamples", o.nSamples ?? 1000, 2);
  const ni = int(w, "nInformative", o.nInformative ?? 5, 1);
  const cp = int(w, "copies", o.copies ?? 1, 1);
  const nn = int(w, "nNoise", o.nNoise ?? 20, 0);
  const sd = o.copyNoise ?? 0.1;
  if (!(sd >= 0 && Number.isFinite(sd))) throw new ConfigError(`${w}: copyNoise must be >= 0, got ${sd}`);
  const base = makeClassification({ nSamples: n, nInformative: ni, nRedundant: 0, nNoise: nn, seed: o.seed ?? 0 });
  const rng = new Random(((o.seed ?? 0) ^ 0x5bd1e995) >>> 0);
  const nr = ni * (1 + cp);
  const d = nr + nn;
  const gen = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < ni; i++) {
      const v = base.x[r * base.d + i];
      gen[r * d + i] = v;
      for (let c = 0; c < cp; c++) gen[r * d + ni * (1 + c) + i] = v + sd * rng.normal();
    }
    for (let j = 0; j < nn; j++) gen[r * d + nr + j] = base.x[r * base.d + ni + j];
  }
  const names = Array.from({ length: d }, (_, j) =>
    j < ni ? `inf${j}` : j < nr ? `copy${Math.floor(j / ni) - 1}_of_inf${j % ni}` : `noise${j - nr}`,
  );
  const groups = Array.from({ length: ni }, (_, i) => Array.from({ length: 1 + cp }, (_, c) => c * ni + i));
  return build(
    rng,
    n,
    d,
    nr,
    gen,
    base.y,
    names,
    2,
    `synthetic(redundant copies ${ni} x ${1 + cp} + ${nn}, seed=${o.seed ?? 0})`,
    groups,
  );
}

/** makeClassification with its truth in the benchmark form: informative and redundant are relevant. */
export function makeMadelon(
  o: {
    nSamples?: number;
    nInformative?: number;
    nRedundant?: number;
    nNoise?: number;
    nClustersPerClass?: number;
    seed?: number;
  } = {},
): BenchmarkDataset {
  const ds = makeClassification({ ...o, shuffleFeatures: true });
  const relevant = [...ds.informative, ...ds.redundant].sort((a, b) => a - b);
  return { ...ds, relevant, groups: relevant.map((j) => [j]) };
}
