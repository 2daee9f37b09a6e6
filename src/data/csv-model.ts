// A CSV read the way a trained model needs it: the columns the model was trained on (meta.columns),
// found by header name, in the model's order, with the training file's categorical codes
// (meta.categories); every other column ignored. So a model trained from a CSV predicts from raw
// rows of the same layout, and a missing column is an error naming it. Portable (bytes in).
import { DataError } from "../errors.js";
import type { ModelMeta } from "../model/meta.js";
import { takeColumns } from "../util/columns.js";
import { parseCsv, type CsvDataset } from "./csv.js";

export interface ModelRowsOptions {
  /** The first line holds column names (default true). Without one, columns are matched by
   * position: the training file's layout, with or without its label column. */
  header?: boolean;
  /** The label column in this file, to score predictions; default none (ignored if present). */
  label?: string | number;
  source?: string;
}

export interface ModelRows {
  /** n rows of the model's full input (meta.columns order), raw values */
  x: Float32Array;
  n: number;
  d: number;
  /** class index of each row (meta.classNames) when a label was read */
  y?: Int32Array;
  /** label values as written in the file, when a label was read */
  labels?: string[];
  /** a regression model's (meta.task "regression") label value per row, when a label was read */
  target?: Float32Array;
  source: string;
}

/** What a model read from a CSV needs in its meta. */
export function modelColumns(meta: ModelMeta): string[] {
  // files written before meta.columns may name their full input row as featureNames
  const full = meta.inputKeep ? meta.fullInputSize : undefined;
  const legacy =
    Array.isArray(meta.featureNames) && (full === undefined || meta.featureNames.length === full)
      ? (meta.featureNames as string[])
      : undefined;
  const cols = meta.columns ?? legacy;
  if (!Array.isArray(cols) || cols.length === 0) {
    throw new DataError(
      "this model file does not name its input columns (it was not trained by `bsfnet train`): give rows as numbers in the model's input order",
    );
  }
  return cols as string[];
}

/** Parse CSV bytes into the model's full input rows (see the file comment). */
export function modelRows(bytes: Uint8Array, meta: ModelMeta, options: ModelRowsOptions = {}): ModelRows {
  const columns = modelColumns(meta);
  const source = options.source ?? "<csv>";
  const header = options.header ?? true;
  const trained = (meta.csvColumns as string[] | undefined) ?? undefined;
  const categories = ((meta.categories as { column: string; values: string[] }[] | undefined) ?? []).filter((c) =>
    columns.includes(c.column),
  );
  const label = options.label;
  const regression = meta.task === "regression";
  const parse = (names?: string[]): CsvDataset => {
    // The header (and one row) first: a column the model does not read is then dropped unread.
    const probe = parseCsv(firstLines(bytes, 2), { header, names, label: null, source });
    const present = probe.columns;
    const labelName = label === undefined ? undefined : resolveName(present, label, source);
    for (const c of columns) {
      if (!present.includes(c)) {
        throw new DataError(
          `no column ${JSON.stringify(c)}, which the model reads (${header ? "columns are matched by header name" : "columns are matched by position"}); the file has: ${present.slice(0, 20).join(", ")}${present.length > 20 ? ", ..." : ""}`,
          { file: source },
        );
      }
    }
    const drop = present.filter((c) => !columns.includes(c) && c !== labelName);
    return parseCsv(bytes, {
      header,
      names,
      label: labelName ?? null,
      numericLabel: regression,
      drop,
      source,
      encoding: {
        categories: categories.map((c, i) => ({ feature: i, column: c.column, values: c.values })),
        classNames: (meta.classNames as string[] | undefined) ?? [],
      },
    });
  };
  let ds: CsvDataset;
  if (!header && trained) {
    // by position: the training layout, or that layout without its label column
    const width = fieldCount(bytes);
    const labelName = meta.label as string | undefined;
    if (width === trained.length) ds = parse(trained);
    else if (labelName && width === trained.length - 1) ds = parse(trained.filter((c) => c !== labelName));
    else
      throw new DataError(
        `${width} columns per row; the model was trained on rows of ${trained.length} columns (or ${trained.length - 1} without the label)`,
        { file: source },
      );
  } else ds = parse(undefined);
  const order = columns.map((c) => ds.featureNames.indexOf(c));
  const x = takeColumns(ds.x, ds.d, order);
  const out: ModelRows = { x, n: ds.n, d: columns.length, source };
  if (label !== undefined && regression) {
    out.target = ds.target;
  } else if (label !== undefined) {
    const names = (meta.classNames as string[] | undefined) ?? [];
    const unknown = ds.classNames.filter((c) => !names.includes(c));
    if (unknown.length)
      throw new DataError(
        `label values ${unknown
          .slice(0, 5)
          .map((s) => JSON.stringify(s))
          .join(", ")} are not classes of the model (${names.join(", ")})`,
        { file: source, column: ds.labelColumn },
      );
    out.y = ds.y;
    out.labels = Array.from(ds.y, (k) => ds.classNames[k]);
  }
  return out;
}

function resolveName(present: string[], ref: string | number, source: string): string {
  if (typeof ref === "string" && present.includes(ref)) return ref;
  const i = typeof ref === "number" ? ref : /^-?\d+$/.test(ref.trim()) ? Number(ref) : Number.NaN;
  if (!Number.isInteger(i) || i >= present.length || i < -present.length)
    throw new DataError(`label column ${JSON.stringify(ref)} not found`, { file: source });
  return present[i < 0 ? present.length + i : i];
}

/** The first few lines (enough to read the header and decide the delimiter). */
function firstLines(bytes: Uint8Array, lines: number): Uint8Array {
  let p = 0;
  for (let k = 0; k < lines; k++) {
    const q = bytes.indexOf(10, p);
    if (q < 0) return bytes;
    p = q + 1;
  }
  return bytes.subarray(0, p);
}

function fieldCount(bytes: Uint8Array): number {
  const ds = parseCsv(firstLines(bytes, 1), { header: false, label: null });
  return ds.columns.length;
}
