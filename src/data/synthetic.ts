// Synthetic classification data after Guyon's MADELON recipe (as scikit-learn's
// make_classification, with its defaults for our feature counts): Gaussian clusters around vertices
// of a hypercube in an informative subspace, redundant features as random linear combinations of
// the informative ones, and pure-noise features. The ground truth (which columns are which) comes
// back with the data, so feature selection can be scored.
import { ConfigError } from "../errors.js";
import { Random } from "../util/random.js";
import type { Dataset } from "./dataset.js";

export interface MakeClassificationOptions {
  nSamples?: number; // 1000
  nInformative?: number; // 5
  nRedundant?: number; // 5
  nNoise?: number; // 40
  nClasses?: number; // 2
  nClustersPerClass?: number; // 2
  /** Half the hypercube's side: cluster centres sit at +-classSep on every informative axis. */
  classSep?: number; // 1.0
  /** Fraction of labels replaced by a random class (may draw the same class). */
  flipY?: number; // 0.01
  /** Shuffle the rows (default true; otherwise rows come grouped by cluster). */
  shuffle?: boolean;
  /** Permute the columns (default false); the permutation is returned. */
  shuffleFeatures?: boolean;
  seed?: number; // 0
}

export interface SyntheticDataset extends Dataset {
  /** Column indices (in x) of each kind of feature. */
  informative: number[];
  redundant: number[];
  noise: number[];
  /** With shuffleFeatures: column j of x is generated feature featurePermutation[j] (order inf, red, noise). */
  featurePermutation?: Int32Array;
}

function int(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new ConfigError(`makeClassification: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export function makeClassification(options: MakeClassificationOptions = {}): SyntheticDataset {
  const n = int("nSamples", options.nSamples ?? 1000, 1);
  const ni = int("nInformative", options.nInformative ?? 5, 1);
  const nr = int("nRedundant", options.nRedundant ?? 5, 0);
  const nn = int("nNoise", options.nNoise ?? 40, 0);
  const k = int("nClasses", options.nClasses ?? 2, 2);
  const cpc = int("nClustersPerClass", options.nClustersPerClass ?? 2, 1);
  const sep = options.classSep ?? 1.0;
  const flip = options.flipY ?? 0.01;
  if (!(Number.isFinite(sep) && sep >= 0))
    throw new ConfigError(`makeClassification: classSep must be >= 0, got ${sep}`);
  if (!(flip >= 0 && flip <= 1)) throw new ConfigError(`makeClassification: flipY must be in [0, 1], got ${flip}`);
  const nClusters = k * cpc;
  if (ni < 31 && nClusters > 2 ** ni) {
    throw new ConfigError(
      `makeClassification: nClasses * nClustersPerClass = ${nClusters} must be <= 2^nInformative = ${2 ** ni}`,
    );
  }
  const rng = new Random(options.seed ?? 0);
  const d = ni + nr + nn;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);

  // Distinct hypercube vertices, one per cluster: bit b of a vertex -> coordinate +-sep on axis b.
  const vertices: number[][] = [];
  if (ni <= 30) {
    for (const v of rng.sample(2 ** ni, nClusters))
      vertices.push(Array.from({ length: ni }, (_, b) => (((v >>> b) & 1) * 2 - 1) * sep));
  } else {
    const seen = new Set<string>();
    while (vertices.length < nClusters) {
      const bits = Array.from({ length: ni }, () => rng.int(2));
      const key = bits.join("");
      if (seen.has(key)) continue;
      seen.add(key);
      vertices.push(bits.map((b) => (b * 2 - 1) * sep));
    }
  }

  // Cluster sizes: n / nClusters each, the remainder to the first clusters.
  const sizes = Array.from({ length: nClusters }, (_, c) => Math.floor(n / nClusters) + (c < n % nClusters ? 1 : 0));

  // Informative part: standard normal, times a random matrix A (a random covariance A^T A per
  // cluster), plus the cluster's vertex.
  const z = new Float64Array(ni);
  const a = new Float64Array(ni * ni);
  let i = 0;
  for (let c = 0; c < nClusters; c++) {
    for (let t = 0; t < ni * ni; t++) a[t] = 2 * rng.next() - 1;
    const centre = vertices[c];
    for (let s = 0; s < sizes[c]; s++, i++) {
      for (let p = 0; p < ni; p++) z[p] = rng.normal();
      y[i] = c % k;
      const base = i * d;
      for (let q = 0; q < ni; q++) {
        let acc = centre[q];
        for (let p = 0; p < ni; p++) acc += z[p] * a[p * ni + q];
        x[base + q] = acc;
      }
    }
  }

  // Redundant: informative times B, B uniform in [-1, 1].
  if (nr > 0) {
    const bm = new Float64Array(ni * nr);
    for (let t = 0; t < ni * nr; t++) bm[t] = 2 * rng.next() - 1;
    for (let r = 0; r < n; r++) {
      const base = r * d;
      for (let q = 0; q < nr; q++) {
        let acc = 0;
        for (let p = 0; p < ni; p++) acc += x[base + p] * bm[p * nr + q];
        x[base + ni + q] = acc;
      }
    }
  }

  // Noise: standard normal.
  for (let r = 0; r < n; r++) {
    const base = r * d + ni + nr;
    for (let q = 0; q < nn; q++) x[base + q] = rng.normal();
  }

  // Label noise.
  if (flip > 0) {
    for (let r = 0; r < n; r++) if (rng.next() < flip) y[r] = rng.int(k);
  }

  let names = [
    ...Array.from({ length: ni }, (_, j) => `inf${j}`),
    ...Array.from({ length: nr }, (_, j) => `red${j}`),
    ...Array.from({ length: nn }, (_, j) => `noise${j}`),
  ];
  let xo = x;
  let yo = y;
  if (options.shuffle ?? true) {
    const perm = rng.permutation(n);
    xo = new Float32Array(n * d);
    yo = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      xo.set(x.subarray(perm[r] * d, perm[r] * d + d), r * d);
      yo[r] = y[perm[r]];
    }
  }
  let informative = Array.from({ length: ni }, (_, j) => j);
  let redundant = Array.from({ length: nr }, (_, j) => ni + j);
  let noise = Array.from({ length: nn }, (_, j) => ni + nr + j);
  let featurePermutation: Int32Array | undefined;
  if (options.shuffleFeatures) {
    const fp = rng.permutation(d);
    const xs = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) xs[r * d + j] = xo[r * d + fp[j]];
    xo = xs;
    const where = new Int32Array(d);
    fp.forEach((g, j) => {
      where[g] = j;
    });
    informative = informative.map((g) => where[g]).sort((p, q) => p - q);
    redundant = redundant.map((g) => where[g]).sort((p, q) => p - q);
    noise = noise.map((g) => where[g]).sort((p, q) => p - q);
    names = Array.from(fp, (g) => names[g]);
    featurePermutation = fp;
  }
  return {
    x: xo,
    y: yo,
    n,
    d,
    featureNames: names,
    classNames: Array.from({ length: k }, (_, c) => String(c)),
    source: `synthetic(makeClassification seed=${options.seed ?? 0})`,
    informative,
    redundant,
    noise,
    featurePermutation,
  };
}
