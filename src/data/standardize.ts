// Zero-mean, unit-variance scaling per feature column. Fit on training rows only, then apply the
// same statistics to validation/test rows (never refit on them).
import { ConfigError, ShapeError } from "../errors.js";
import type { Dataset } from "./dataset.js";

export interface StandardizerJSON {
  mean: number[];
  std: number[];
}

export class Standardizer {
  /** Per-feature mean and standard deviation (population, ddof 0, as scikit-learn's StandardScaler);
   * std is 1 for constant columns, so they map to 0 instead of NaN. */
  readonly mean: Float64Array;
  readonly std: Float64Array;

  constructor(mean: ArrayLike<number>, std: ArrayLike<number>) {
    if (mean.length !== std.length) throw new ShapeError(`mean has ${mean.length} values, std ${std.length}`);
    for (let j = 0; j < std.length; j++) {
      if (!Number.isFinite(mean[j]) || !Number.isFinite(std[j]) || std[j] <= 0) {
        throw new ConfigError(`standardizer feature ${j}: mean ${mean[j]} / std ${std[j]} must be finite with std > 0`);
      }
    }
    this.mean = Float64Array.from(mean);
    this.std = Float64Array.from(std);
  }

  /** Number of features. */
  get d(): number {
    return this.mean.length;
  }

  /**
   * Statistics of the rows `rows` (default: all rows) of a row-major matrix with d columns.
   * Accumulates in float64, two passes (mean, then squared deviations).
   */
  static fit(x: Float32Array, d: number, rows?: ArrayLike<number>): Standardizer {
    if (!Number.isInteger(d) || d <= 0 || x.length % d !== 0)
      throw new ShapeError(`x has ${x.length} values, not a multiple of d = ${d}`);
    const n = x.length / d;
    const m = rows ? rows.length : n;
    if (m === 0) throw new ShapeError("cannot fit a standardizer on zero rows");
    const at = (r: number): number => {
      const i = rows ? rows[r] : r;
      if (rows && (!Number.isInteger(i) || i < 0 || i >= n))
        throw new ShapeError(`row index ${i} out of range 0..${n - 1}`);
      return i * d;
    };
    const mean = new Float64Array(d);
    const lo = new Float64Array(d).fill(Infinity);
    const hi = new Float64Array(d).fill(-Infinity);
    for (let r = 0; r < m; r++) {
      const b = at(r);
      for (let j = 0; j < d; j++) {
        const v = x[b + j];
        mean[j] += v;
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    for (let j = 0; j < d; j++) mean[j] /= m;
    const v2 = new Float64Array(d);
    for (let r = 0; r < m; r++) {
      const b = at(r);
      for (let j = 0; j < d; j++) {
        const t = x[b + j] - mean[j];
        v2[j] += t * t;
      }
    }
    const std = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(mean[j]))
        throw new ConfigError(`feature ${j} has non-finite values; validate the data first`);
      const s = Math.sqrt(v2[j] / m);
      // Constant columns (or spread far below float32 resolution) get std 1: they standardize to 0.
      std[j] = lo[j] === hi[j] || !(s > 1e-7 * Math.max(1, Math.abs(mean[j]))) ? 1 : s;
      if (lo[j] === hi[j]) mean[j] = lo[j];
    }
    return new Standardizer(mean, std);
  }

  /** Fit on a dataset's rows (default all; pass the training indices). */
  static fitDataset(ds: Dataset, rows?: ArrayLike<number>): Standardizer {
    return Standardizer.fit(ds.x, ds.d, rows);
  }

  /** (x - mean) / std per column, as a new array. */
  transform(x: Float32Array): Float32Array {
    const d = this.d;
    if (x.length % d !== 0) throw new ShapeError(`x has ${x.length} values, not a multiple of d = ${d}`);
    const out = new Float32Array(x.length);
    const inv = this.std.map((s) => 1 / s);
    for (let b = 0; b < x.length; b += d) {
      for (let j = 0; j < d; j++) out[b + j] = (x[b + j] - this.mean[j]) * inv[j];
    }
    return out;
  }

  /** x * std + mean per column, as a new array. */
  inverseTransform(x: Float32Array): Float32Array {
    const d = this.d;
    if (x.length % d !== 0) throw new ShapeError(`x has ${x.length} values, not a multiple of d = ${d}`);
    const out = new Float32Array(x.length);
    for (let b = 0; b < x.length; b += d) {
      for (let j = 0; j < d; j++) out[b + j] = x[b + j] * this.std[j] + this.mean[j];
    }
    return out;
  }

  /** A copy of ds with standardized features. */
  transformDataset<T extends Dataset>(ds: T): T {
    if (ds.d !== this.d) throw new ShapeError(`dataset has ${ds.d} features, standardizer ${this.d}`);
    return { ...ds, x: this.transform(ds.x) };
  }

  /** Statistics of selected features only (e.g. after feature selection). */
  select(cols: ArrayLike<number>): Standardizer {
    const pick = (a: Float64Array) =>
      Array.from({ length: cols.length }, (_, c) => {
        if (!(cols[c] >= 0 && cols[c] < this.d))
          throw new ShapeError(`column ${cols[c]} out of range 0..${this.d - 1}`);
        return a[cols[c]];
      });
    return new Standardizer(pick(this.mean), pick(this.std));
  }

  toJSON(): StandardizerJSON {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  static fromJSON(json: StandardizerJSON): Standardizer {
    if (!json || !Array.isArray(json.mean) || !Array.isArray(json.std))
      throw new ConfigError("standardizer JSON needs arrays mean and std");
    return new Standardizer(json.mean, json.std);
  }
}
