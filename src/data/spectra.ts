// Synthetic vibrational spectra for the regions-of-interest experiment (the paper's Fig. 3b/c):
// Lorentzian peaks on a slowly varying baseline with noise. Every class shares a set of common
// peaks (random heights); each class adds its own peaks at class-specific positions, the only
// places the classes differ. The generator returns those positions so a gate map can be scored.
import { Random } from "../util/random.js";
import type { Dataset } from "./dataset.js";
import { ConfigError } from "../errors.js";

export interface SpectraOptions {
  nSamples?: number; // 2000
  length?: number; // 256 points
  nClasses?: number; // 3
  /** shared peaks, present in every class */
  commonPeaks?: number; // 8
  /** class-specific peaks per class */
  classPeaks?: number; // 2
  /** half width at half maximum of every peak, in points */
  hwhm?: number; // 3
  /** standard deviation of the white noise, relative to a unit peak */
  noise?: number; // 0.05
  /** random shift of every peak position, in points (instrument drift) */
  jitter?: number; // 1
  seed?: number;
}

export interface SpectraDataset extends Dataset {
  shape: [number, number];
  /** positions (points) of the class-specific peaks: discriminating[c] for class c */
  discriminating: number[][];
  common: number[];
  hwhm: number;
}

const lorentz = (x: number, c: number, g: number) => (g * g) / ((x - c) ** 2 + g * g);

export function makeSpectra(o: SpectraOptions = {}): SpectraDataset {
  const n = o.nSamples ?? 2000;
  const L = o.length ?? 256;
  const K = o.nClasses ?? 3;
  const nCommon = o.commonPeaks ?? 8;
  const nClass = o.classPeaks ?? 2;
  const g = o.hwhm ?? 3;
  const noise = o.noise ?? 0.05;
  const jitter = o.jitter ?? 1;
  if (!(Number.isInteger(L) && L >= 32))
    throw new ConfigError(`makeSpectra: length must be an integer >= 32, got ${L}`);
  if (!(Number.isInteger(K) && K >= 2)) throw new ConfigError(`makeSpectra: nClasses must be >= 2, got ${K}`);
  const rng = new Random(o.seed ?? 0);
  // Peak positions on a grid with margins so that peaks do not overlap (4 half widths apart).
  const slots = Math.floor((L - 8 * g) / (4 * g));
  const needed = nCommon + K * nClass;
  if (slots < needed) throw new ConfigError(`makeSpectra: ${needed} peaks do not fit ${L} points with hwhm ${g}`);
  const order = rng.permutation(slots);
  const pos = (s: number) => Math.round(4 * g + s * 4 * g + 2 * g);
  const common = Array.from(order.subarray(0, nCommon), pos).sort((a, b) => a - b);
  const discriminating = Array.from({ length: K }, (_, c) =>
    Array.from(order.subarray(nCommon + c * nClass, nCommon + (c + 1) * nClass), pos).sort((a, b) => a - b),
  );
  const commonHeight = common.map(() => 0.5 + rng.next());
  const x = new Float32Array(n * L);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % K;
    y[i] = c;
    const row = x.subarray(i * L, (i + 1) * L);
    const a0 = rng.uniform(0.1, 0.4);
    const a1 = rng.uniform(-0.2, 0.2);
    const ph = rng.uniform(0, Math.PI);
    for (let t = 0; t < L; t++) row[t] = a0 + a1 * Math.sin(ph + (2 * Math.PI * t) / L) + noise * rng.normal();
    common.forEach((p, k) => {
      const h = commonHeight[k] * rng.uniform(0.6, 1.4);
      const at = p + rng.uniform(-jitter, jitter);
      for (let t = 0; t < L; t++) row[t] += h * lorentz(t, at, g);
    });
    for (const p of discriminating[c]) {
      const h = rng.uniform(0.3, 0.6);
      const at = p + rng.uniform(-jitter, jitter);
      for (let t = 0; t < L; t++) row[t] += h * lorentz(t, at, g);
    }
    // normalize each spectrum to unit maximum, as spectra are usually compared
    let m = 0;
    for (let t = 0; t < L; t++) m = Math.max(m, row[t]);
    for (let t = 0; t < L; t++) row[t] /= m;
  }
  // shuffle rows so classes interleave irregularly
  const perm = rng.permutation(n);
  const xs = new Float32Array(n * L);
  const ys = new Int32Array(n);
  perm.forEach((src, dst) => {
    xs.set(x.subarray(src * L, (src + 1) * L), dst * L);
    ys[dst] = y[src];
  });
  return {
    x: xs,
    y: ys,
    n,
    d: L,
    shape: [L, 1],
    featureNames: Array.from({ length: L }, (_, t) => `pt${t}`),
    classNames: Array.from({ length: K }, (_, c) => `class${c}`),
    source: "synthetic spectra",
    discriminating,
    common,
    hwhm: g,
  };
}

/**
 * How well a gate map finds the discriminating peaks: the high-gate points are the `top` fraction
 * of points by gate weight; a peak is covered when a high-gate point lies within its half width.
 * Precision: the fraction of high-gate points within 2 half widths of a discriminating peak.
 */
export function peakCoverage(
  w: ArrayLike<number>,
  peaks: readonly number[],
  hwhm: number,
  top = 0.1,
): { coverage: number; precision: number; high: number[] } {
  const L = w.length;
  const k = Math.max(1, Math.round(top * L));
  const high = Array.from({ length: L }, (_, i) => i)
    .sort((a, b) => w[b] - w[a] || a - b)
    .slice(0, k)
    .sort((a, b) => a - b);
  const covered = peaks.filter((p) => high.some((h) => Math.abs(h - p) <= hwhm)).length;
  const near = high.filter((h) => peaks.some((p) => Math.abs(h - p) <= 2 * hwhm)).length;
  return { coverage: covered / peaks.length, precision: near / high.length, high };
}
