// What a model file carries besides its layers: how its input relates to the rows a user has.
// Portable (the inference bundle reads it too).
import { ShapeError } from "../errors.js";
import { takeColumns } from "../util/columns.js";

export interface ModelMeta {
  /** Input features the model reads, as indices into the full (unpruned) input row. */
  inputKeep?: number[];
  /** Width of the full input row when inputKeep is set. */
  fullInputSize?: number;
  /** Standardization of the full input row: (x - mean) / std per column. */
  standardize?: { mean: number[]; std: number[] };
  /** "regression" for a model trained on a numeric label (mean squared error, raw outputs); absent
   * or "classification" for a classifier. */
  task?: "classification" | "regression";
  /** Class names, by class index (a CSV's label values). */
  classNames?: string[];
  /** Names of the full input row's columns (the CSV columns the model reads, in input order). */
  columns?: string[];
  /** The label column's name in the training CSV. */
  label?: string;
  /** Every column of the training CSV in file order: matches a file without header by position. */
  csvColumns?: string[];
  /** Codes of the categorical input columns: value v of column `column` is values[v]. */
  categories?: { column: string; values: string[] }[];
  [key: string]: unknown;
}

/** Width of the rows a user feeds: the full input row of a pruned model, else the model's own. */
export function fullWidth(meta: ModelMeta, modelInputSize: number): number {
  return meta.inputKeep ? (meta.fullInputSize as number) : modelInputSize;
}

/** Full input rows -> the columns the model reads (meta.inputKeep); a copy as it is otherwise. */
export function inputColumns(meta: ModelMeta, x: ArrayLike<number>): Float32Array {
  const keep = meta.inputKeep;
  if (!keep) return Float32Array.from(x);
  const full = meta.fullInputSize as number;
  if (x.length % full !== 0)
    throw new ShapeError(`got ${x.length} values, not a multiple of the ${full} full input features`, "input");
  return takeColumns(x, full, keep);
}

/** Raw full input rows -> the model's input: standardized with the saved statistics when the
 * model has them, then restricted to the columns it reads. */
export function modelInput(meta: ModelMeta, x: ArrayLike<number>, modelInputSize: number): Float32Array {
  const full = fullWidth(meta, modelInputSize);
  const st = meta.standardize;
  const z = st ? Float32Array.from(x, (v, i) => (v - st.mean[i % full]) / st.std[i % full]) : x;
  return inputColumns(meta, z);
}
