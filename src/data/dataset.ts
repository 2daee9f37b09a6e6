// The in-memory dataset every part of bsfnet passes around: a row-major float32 feature matrix and
// integer class labels, with names for both.
import { DataError, ShapeError, ConfigError } from "../errors.js";
import { takeColumns } from "../util/columns.js";

export interface Dataset {
  /** Features, row-major: x[i * d + j] is feature j of sample i. */
  x: Float32Array;
  /** Class index 0..k-1 per sample, k = classNames.length. */
  y: Int32Array;
  /** Number of samples. */
  n: number;
  /** Number of features. */
  d: number;
  /** One name per feature column (length d). */
  featureNames: string[];
  /** One name per class (length k); y[i] indexes it. */
  classNames: string[];
  /** Where the data came from (a file path, "synthetic", ...). */
  source?: string;
}

/** Number of classes. */
export function numClasses(ds: Dataset): number {
  return ds.classNames.length;
}

/** Samples per class: counts[c] = #{i : y[i] = c}; k defaults to max(y) + 1. */
export function classCounts(y: ArrayLike<number>, k?: number): number[] {
  let kk = k ?? 0;
  if (k === undefined) for (let i = 0; i < y.length; i++) if (y[i] + 1 > kk) kk = y[i] + 1;
  const counts = new Array<number>(kk).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts;
}

export interface ValidateOptions {
  /** Number of classes; labels must lie in 0..k-1. Default: any non-negative label. */
  k?: number;
  /** Name used in error messages (file path or "array"). */
  source?: string;
  /** Feature names, to name the column in error messages. */
  featureNames?: string[];
}

/**
 * Checks that x holds n*d finite values and y n integer labels in range. Throws ShapeError for
 * wrong lengths and DataError naming the 1-based row and the column (name, else 1-based number)
 * for a NaN/Infinity feature or a bad label.
 */
export function validateXY(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  d: number,
  options: ValidateOptions = {},
): void {
  const file = options.source ?? "array";
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 0)
    throw new ShapeError(`invalid shape n=${n}, d=${d}`);
  if (x.length !== n * d) throw new ShapeError(`x has ${x.length} values, expected n*d = ${n}*${d} = ${n * d}`);
  if (y.length !== n) throw new ShapeError(`y has ${y.length} labels, expected n = ${n}`);
  if (options.featureNames && options.featureNames.length !== d)
    throw new ShapeError(`${options.featureNames.length} feature names for ${d} features`);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) {
      const v = x[base + j];
      if (!Number.isFinite(v)) {
        const column = options.featureNames?.[j] ?? j + 1;
        throw new DataError(`feature value is ${v} (x[${base + j}], 0-based sample ${i}, feature ${j})`, {
          file,
          row: i + 1,
          column,
        });
      }
    }
  }
  const k = options.k;
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || (k !== undefined && c >= k)) {
      const range = k === undefined ? "a non-negative integer" : `an integer in 0..${k - 1}`;
      throw new DataError(`label ${c} is not ${range} (y[${i}])`, { file, row: i + 1, column: "label" });
    }
  }
}

/** Throws unless ds is internally consistent (shapes, names, finite values, labels < k). */
export function validateDataset(ds: Dataset): void {
  validateXY(ds.x, ds.y, ds.n, ds.d, { k: ds.classNames.length, source: ds.source, featureNames: ds.featureNames });
}

export interface FromArraysOptions {
  /** Features per row; required when x is a flat Float32Array (else inferred from the rows). */
  d?: number;
  featureNames?: string[];
  /** Class names; with numeric y, defaults to "0".."k-1" with k = max(y) + 1. */
  classNames?: string[];
  source?: string;
}

/**
 * Builds a validated Dataset from plain arrays. y may be integer class indices (0..k-1) or
 * strings (class names, mapped to indices in sorted order, numerically if all are numbers).
 */
export function fromArrays(
  x: number[][] | Float32Array,
  y: ArrayLike<number> | string[],
  options: FromArraysOptions = {},
): Dataset {
  const n = y.length;
  let d: number;
  let xf: Float32Array;
  if (x instanceof Float32Array) {
    d = options.d ?? (n > 0 ? x.length / n : 0);
    if (!Number.isInteger(d)) throw new ShapeError(`x has ${x.length} values, not a multiple of ${n} labels`);
    xf = x;
  } else {
    if (x.length !== n) throw new ShapeError(`x has ${x.length} rows, y has ${n} labels`);
    d = options.d ?? (n > 0 ? x[0].length : 0);
    xf = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = x[i];
      if (row.length !== d)
        throw new DataError(`row has ${row.length} values, expected ${d}`, {
          file: options.source ?? "array",
          row: i + 1,
        });
      xf.set(row, i * d);
    }
  }
  let yi: Int32Array;
  let classNames: string[];
  if (n > 0 && typeof y[0] === "string") {
    const names = [...new Set(y as string[])];
    classNames = sortClassNames(names);
    if (options.classNames)
      throw new ConfigError("classNames cannot be given with string labels (they are the class names)");
    const index = new Map(classNames.map((c, i) => [c, i]));
    yi = Int32Array.from(y as string[], (s) => index.get(s)!);
  } else {
    const yn = y as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(yn[i]) || yn[i] < 0)
        throw new DataError(`label ${yn[i]} is not a non-negative integer`, {
          file: options.source ?? "array",
          row: i + 1,
          column: "label",
        });
    }
    yi = Int32Array.from(yn);
    const k = classCounts(yi).length;
    classNames = options.classNames ?? Array.from({ length: k }, (_, i) => String(i));
  }
  const featureNames = options.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  const ds: Dataset = { x: xf, y: yi, n, d, featureNames, classNames, source: options.source };
  validateDataset(ds);
  return ds;
}

/** Sorts class names: numerically if every name is a decimal number, else by UTF-16 code units. */
export function sortClassNames(names: string[]): string[] {
  const numeric = names.length > 0 && names.every((s) => /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s));
  const out = [...names];
  if (numeric) out.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  else out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

/** The rows idx (in that order, repeats allowed) as a new dataset with the same columns and classes. */
export function subsetRows(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const x = takeRows(ds.x, ds.d, idx);
  const y = Int32Array.from(idx, (i) => ds.y[i]);
  return { ...ds, x, y, n: idx.length, featureNames: [...ds.featureNames], classNames: [...ds.classNames] };
}

/** Rows idx (in that order) of a row-major matrix with d columns, as a new array. */
export function takeRows(x: Float32Array, d: number, idx: ArrayLike<number>): Float32Array {
  const n = x.length / d;
  const out = new Float32Array(idx.length * d);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ShapeError(`row index ${i} out of range 0..${n - 1}`);
    out.set(x.subarray(i * d, i * d + d), r * d);
  }
  return out;
}

/** The feature columns cols (0-based, in that order) as a new dataset; featureNames follow. */
export function selectColumns(ds: Dataset, cols: ArrayLike<number>): Dataset {
  const { n } = ds;
  const m = cols.length;
  const x = takeColumns(ds.x, ds.d, cols);
  const featureNames = Array.from({ length: m }, (_, c) => ds.featureNames[cols[c]]);
  return { ...ds, x, y: ds.y.slice(), n, d: m, featureNames, classNames: [...ds.classNames] };
}

/** Row i's features as a copy. */
export function row(ds: Dataset, i: number): Float32Array {
  return ds.x.slice(i * ds.d, (i + 1) * ds.d);
}
