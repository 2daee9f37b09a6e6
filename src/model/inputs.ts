// Turning what users pass to fit/evaluate/predict into flat, checked arrays.
import { DataError, ShapeError } from "../errors.js";

export type XInput = Float32Array | Float64Array | readonly (readonly number[])[] | readonly number[];
export type YInput = Int32Array | Uint8Array | readonly number[];
/** Regression targets: n rows of `outputs` floats, flat or as rows (a flat array of n values for one output). */
export type TargetInput = Float32Array | Float64Array | readonly number[] | readonly (readonly number[])[];

/** Flatten x to Float32Array of n rows of `d` values, checking the width and (unless `finite` is
 * false: the caller checks, as predict does in wasm) that every value is finite. */
export function toX(x: XInput, d: number, what = "x", finite = true): { data: Float32Array; n: number } {
  let data: Float32Array;
  if (x instanceof Float32Array) data = x;
  else if (x instanceof Float64Array) data = Float32Array.from(x);
  else if (Array.isArray(x) && x.length > 0 && Array.isArray(x[0])) {
    const rows = x as readonly (readonly number[])[];
    data = new Float32Array(rows.length * d);
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== d) {
        throw new ShapeError(
          `${what}: row ${i} has ${Array.isArray(r) ? r.length : "no"} values, the model expects ${d}`,
          "input",
        );
      }
      data.set(r, i * d);
    });
  } else if (Array.isArray(x)) data = Float32Array.from(x as readonly number[]);
  else throw new ShapeError(`${what}: expected a Float32Array or an array of rows`, "input");
  if (data.length % d !== 0 || data.length === 0) {
    throw new ShapeError(
      `${what} has ${data.length} values, not a positive multiple of the model's ${d} inputs per sample`,
      "input",
    );
  }
  if (finite) assertFinite(data, d, what);
  return { data, n: data.length / d };
}

/** Throws a DataError naming the first non-finite value of data[from, to) (rows of `d` values). */
export function assertFinite(data: Float32Array, d: number, what: string, from = 0, to = data.length): void {
  for (let i = from; i < to; i++) {
    if (!Number.isFinite(data[i])) {
      throw new DataError(`${what} holds ${data[i]}: inputs must be finite numbers`, {
        row: Math.floor(i / d),
        column: i % d,
      });
    }
  }
}

/** Labels as Int32Array class indices in [0, classes). */
export function toY(y: YInput, n: number, classes: number, what = "y"): Int32Array {
  if (y.length !== n) throw new ShapeError(`x has ${n} samples but ${what} has ${y.length} labels`, "input");
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new DataError(`${what}[${i}] = ${v} is not a class index in [0, ${classes})`, { row: i });
    }
    out[i] = v;
  }
  return out;
}

/** Regression targets as a flat Float32Array of n rows of `outputs` finite values. */
export function toTargets(y: TargetInput | YInput, n: number, outputs: number, what = "y"): Float32Array {
  let out: Float32Array;
  if (Array.isArray(y) && y.length > 0 && Array.isArray(y[0])) {
    const rows = y as readonly (readonly number[])[];
    if (rows.length !== n)
      throw new ShapeError(`x has ${n} samples but ${what} has ${rows.length} target rows`, "input");
    out = new Float32Array(n * outputs);
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== outputs) {
        throw new ShapeError(
          `${what}: row ${i} has ${Array.isArray(r) ? r.length : "no"} targets, the model has ${outputs} outputs`,
          "input",
        );
      }
      out.set(r, i * outputs);
    });
  } else {
    // a copy, so the caller's array is never aliased by the training data
    out = Float32Array.from(y as ArrayLike<number>);
    if (out.length !== n * outputs) {
      throw new ShapeError(
        `x has ${n} samples but ${what} has ${out.length} targets (the model has ${outputs} outputs per sample)`,
        "input",
      );
    }
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]))
      throw new DataError(`${what}[${Math.floor(i / outputs)}] holds ${out[i]}: targets must be finite numbers`, {
        row: Math.floor(i / outputs),
      });
  }
  return out;
}

/** Number of classes implied by labels 0..k-1: the largest label plus one (a loop: spreading
 * hundreds of thousands of labels into Math.max overflows the stack). */
export function classCountOf(y: ArrayLike<number>): number {
  let m = -1;
  for (let i = 0; i < y.length; i++) if (y[i] > m) m = y[i];
  return m + 1;
}

/** The rows and the label of a task, checked: class indices (and their count) for a
 * classifier, one float target per row for regression. What every selector and CV entry reads. */
export function toTask(
  xIn: XInput,
  yIn: YInput | TargetInput,
  features: number,
  task: "classification" | "regression" | undefined,
): { data: Float32Array; n: number; y: Int32Array | Float32Array; classes: number; regression: boolean } {
  const { data, n } = toX(xIn, features);
  const regression = task === "regression";
  const classes = regression ? 1 : classCountOf(yIn as YInput);
  const y = regression ? toTargets(yIn, n, 1) : toY(yIn as YInput, n, classes);
  return { data, n, y, classes, regression };
}
