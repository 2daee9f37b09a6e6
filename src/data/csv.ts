// CSV/TSV parsing into a Dataset, straight from bytes into growing Float32Array/Int32Array buffers:
// no array of strings per row is ever built, so KDD Cup 99's 494,021 x 42 file (75 MB of text)
// parses in about a second. Portable (no Node imports): readCsv lives in csv-node.ts.
//
// Format handled
// - Delimiter: "," "\t" ";" or runs of blanks ("whitespace"); auto-detected from the first 20
//   non-blank lines: the real delimiter (in the order , \t ;) that splits every sampled line into
//   the same number (> 1) of fields, the one giving the most fields; else whitespace if that is
//   consistent; else whichever splits the first line most.
// - RFC 4180 quoting: a field that starts with `"` runs to the closing `"`; `""` inside is a quote;
//   it may hold delimiters and newlines. Blanks around unquoted fields are trimmed.
// - LF or CRLF line ends (not old-Mac lone CR); a UTF-8 byte-order mark; blank lines anywhere
//   (skipped, as are lines of blanks only).
// - Rows in error messages are 1-based line numbers of the file (the header, when present, is
//   row 1), so `sed -n 'Rp'` shows the row; columns are the header name, else the 1-based number.
//
// Column roles
// - label: one column (name, or 0-based index, negative = from the end; default -1, the last).
//   Its distinct values, as text (`normal.` keeps its dot), are the class names, sorted
//   (numerically if all are numbers) and mapped to 0..k-1. With `numericLabel` (a regression
//   target) it is a number per row instead, in `target`, checked like a numeric feature cell.
// - drop: columns ignored entirely (not even type-checked).
// - features: all other columns, in file order. Each is numeric or categorical:
//
// The categorical rule (catches typos instead of silently encoding them):
// 1. A column listed in `categorical` is categorical: every cell is a category (text, even "3").
// 2. Otherwise the first data row decides. If that cell is a number (or empty, or NaN/Infinity,
//    which are then reported), the column is numeric, and any later cell that is not a finite
//    decimal number is an error: "row R, column C: 'abc' is not a number".
// 3. If that first cell is not a number, the column is categorical, unless more than half of the
//    column's cells turn out to be numbers: then the first row is taken for a typo and reported
//    ("row 2, column C: 'abc' is not a number, but 998 of 1000 cells are"); list the column in
//    `categorical` to keep it categorical anyway.
// 4. A text column (rule 2 or 3, not listed in `categorical`) whose values are nearly all distinct
//    (at least 90% of at least 10 rows) is a name or an identifier, not a feature: it is refused
//    with a message naming it (drop it, or list it in `categorical` to keep it). Encoding it would
//    hand the model one code per row, which it memorizes (a molecule name in Musk ranks first).
// Categories get integer codes 0, 1, 2, ... in order of first appearance (stored as floats in x);
// the mapping is returned in `categories`. Empty cells are errors in numeric columns and an
// ordinary category ("") in categorical ones; an empty label is an error.
import { DataError, ConfigError } from "../errors.js";
import type { Dataset } from "./dataset.js";
import { sortClassNames } from "./dataset.js";
import { parseDecimal, isNonFiniteLiteral } from "./number.js";

export type ColumnRef = string | number;

export interface CsvOptions {
  /** The first non-blank line holds column names (default true). */
  header?: boolean;
  /** The label column: name, or 0-based index (negative counts from the end). Default -1. A
   * string of digits that is not a column name is read as an index ("0", "-1"). */
  label?: ColumnRef | null;
  /** Default "auto". */
  delimiter?: "auto" | "," | "\t" | ";" | "whitespace";
  /** The label is a number to predict (regression): its values go to `target` (float32), `y` is
   * empty and there are no class names. A cell that is not a finite number is an error. */
  numericLabel?: boolean;
  /** Columns to ignore (names or indices as for `label`). */
  drop?: ColumnRef[];
  /** Columns to treat as categorical whatever their content. */
  categorical?: ColumnRef[];
  /** Column names, one per column: for a file without header (default c0, c1, ...), or replacing the header's. */
  names?: string[];
  /** Name of the input in errors and in Dataset.source (readCsv passes the path). Default "<csv>". */
  source?: string;
  /**
   * Reuse another file's encoding (pass the training set's CsvDataset when reading its test set):
   * its categorical columns (matched by name) keep their codes, and its classes their indices.
   * Values and labels it has not seen get the next codes: new categories in order of appearance,
   * new classes sorted, after the known ones.
   */
  encoding?: CsvEncoding;
}

/** What parsing another file the same way needs: a CsvDataset is one. */
export interface CsvEncoding {
  categories: CategoryMap[];
  classNames: string[];
}

/** The code -> text mapping of one categorical feature: x value v means values[v]. */
export interface CategoryMap {
  /** Index of the feature (column of x). */
  feature: number;
  /** Column name. */
  column: string;
  values: string[];
}

export interface CsvDataset extends Dataset {
  /** Every column of the file, in file order. */
  columns: string[];
  /** Name of the label column. */
  labelColumn: string;
  /** Names of the dropped columns. */
  dropped: string[];
  /** One entry per categorical feature. */
  categories: CategoryMap[];
  /** The delimiter used: "," "\t" ";" or "whitespace". */
  delimiter: string;
  /** With `numericLabel`: the label's value per row (and `y` is empty, `classNames` []). */
  target?: Float32Array;
}

/** Parses CSV text (or its UTF-8 bytes) into a dataset. */
export function parseCsv(text: string | Uint8Array, options: CsvOptions = {}): CsvDataset {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const p = new CsvParser(options);
  p.push(bytes);
  return p.finish();
}

/** Parses a stream of byte chunks (e.g. a fetch body piped through DecompressionStream). */
export async function parseCsvStream(chunks: AsyncIterable<Uint8Array>, options: CsvOptions = {}): Promise<CsvDataset> {
  const p = new CsvParser(options);
  for await (const c of chunks) p.push(c);
  return p.finish();
}

// Column kinds.
const UNDECIDED = 0;
const NUMERIC = 1;
const INFERRED_CAT = 2; // categorical because the first data row is not a number
const FORCED_CAT = 3; // listed in options.categorical
const LABEL = 4;
const DROP = 5;

const WHITESPACE = -2;
const UNDETECTED = -1;

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13;

/**
 * Incremental parser: push() byte chunks in any sizes, then finish(). Complete records are parsed
 * as they arrive; only the incomplete tail is kept (records longer than a chunk are re-scanned
 * only when the pending bytes have doubled, so the total work stays linear).
 */
export class CsvParser {
  private readonly file: string;
  private readonly header: boolean;
  private readonly opts: CsvOptions;
  private delim = UNDETECTED;

  // Pending bytes: buf[start..end).
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private retryAt = 0;
  private atStart = true;
  private finished = false;

  /** 1-based line number where the next record starts. */
  private line = 1;

  // The fields of the record just scanned: [fs, fe) byte ranges, fq = 0 plain, 1 quoted, 2 quoted with "".
  private fs = new Int32Array(256);
  private fe = new Int32Array(256);
  private fq = new Uint8Array(256);
  private nf = 0;
  private extraLines = 0;

  // Columns (known after the first record).
  private names: string[] | null = null;
  private named = false; // names came from a header or options.names (else c0.. and numbers in errors)
  private ncol = 0;
  private kind = new Uint8Array(0);
  private feat = new Int32Array(0); // feature index per column (-1 for label/drop)
  private d = 0;
  private labelCol = -1;
  private cats: (Interner | null)[] = [];
  private catNumeric = new Int32Array(0);
  private firstDataLine = 0;
  private numLabel = false;

  // Output.
  private x = new Float32Array(0);
  private y = new Int32Array(0);
  /** numericLabel: the label's values */
  private t = new Float32Array(0);
  private rows = 0;
  private cap = 0;
  private labels = new Interner();

  constructor(options: CsvOptions = {}) {
    this.opts = options;
    this.file = options.source ?? "<csv>";
    this.header = options.header ?? true;
    const dl = options.delimiter ?? "auto";
    if (dl === ",") this.delim = 44;
    else if (dl === "\t") this.delim = 9;
    else if (dl === ";") this.delim = 59;
    else if (dl === "whitespace") this.delim = WHITESPACE;
    else if (dl !== "auto")
      throw new ConfigError(`delimiter must be "auto", ",", "\\t", ";" or "whitespace", got ${JSON.stringify(dl)}`);
  }

  push(chunk: Uint8Array): void {
    if (this.finished) throw new ConfigError("CsvParser: push after finish");
    if (this.end > this.start) {
      this.append(chunk);
      if (this.end - this.start < this.retryAt) return;
      this.start = this.consume(this.buf, this.start, this.end, false);
      this.retryAt = 2 * (this.end - this.start);
    } else {
      // Nothing pending: parse straight from the caller's chunk, keep only its tail.
      const pos = this.consume(chunk, 0, chunk.length, false);
      this.start = this.end = 0;
      this.append(chunk.subarray(pos));
      this.retryAt = 2 * (chunk.length - pos);
    }
  }

  finish(): CsvDataset {
    if (this.finished) throw new ConfigError("CsvParser: finish called twice");
    this.finished = true;
    if (this.end > this.start) this.consume(this.buf, this.start, this.end, true);
    else if (this.delim === UNDETECTED) this.delim = 44;
    this.buf = new Uint8Array(0);
    const file = this.file;
    if (this.names === null) throw new DataError("empty file (no rows)", { file });
    if (this.rows === 0) throw new DataError("no data rows (only a header)", { file, row: 1 });
    const n = this.rows;
    const names = this.names;

    // Rule 3: a "categorical" column that is mostly numbers had a typo in its first data row.
    for (let c = 0; c < this.ncol; c++) {
      if (this.kind[c] === INFERRED_CAT && this.catNumeric[c] * 2 > n) {
        const first = this.cats[c]!.values[0];
        throw new DataError(
          `'${first}' is not a number, but ${this.catNumeric[c]} of ${n} cells in this column are numbers ` +
            `(if the column is categorical, pass categorical: [${JSON.stringify(names[c])}])`,
          { file, row: this.firstDataLine, column: this.colRef(c) },
        );
      }
    }

    // Rule 4: a text column of (nearly) all distinct values names rows; it is not a feature.
    for (let c = 0; c < this.ncol; c++) {
      const distinct = this.cats[c]?.values.length ?? 0;
      if (this.kind[c] === INFERRED_CAT && n >= 10 && distinct >= 0.9 * n) {
        throw new DataError(
          `${distinct} distinct text values in ${n} rows: a name or identifier, not a feature; drop the column ` +
            `(--drop ${names[c]}) or keep it as a category (--categorical ${names[c]})`,
          { file, column: this.colRef(c) },
        );
      }
    }

    if (this.opts.numericLabel && this.labelCol >= 0) {
      const target = this.t.slice(0, n);
      const x = this.cap === n ? this.x : this.x.slice(0, n * this.d);
      this.x = new Float32Array(0);
      this.t = new Float32Array(0);
      return {
        ...this.columnsOut(),
        x,
        y: new Int32Array(0),
        n,
        d: this.d,
        classNames: [],
        target,
        source: this.opts.source,
      };
    }

    // Labels: first-appearance codes -> sorted class indices.
    const labelValues = this.labels.values;
    const known = this.opts.encoding?.classNames ?? [];
    const classNames = [...known, ...sortClassNames(labelValues.slice(known.length))];
    if (this.labelCol >= 0 && classNames.length < 2) {
      throw new DataError(`label column has a single class ('${classNames[0]}'); need at least 2`, {
        file,
        column: this.colRef(this.labelCol),
      });
    }
    const sortedIndex = new Map(classNames.map((s, i) => [s, i]));
    const remap = Int32Array.from(labelValues, (s) => sortedIndex.get(s)!);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = remap[this.y[i]];
    const x = this.cap === n ? this.x : this.x.slice(0, n * this.d);
    this.x = new Float32Array(0);
    this.y = new Int32Array(0);
    return { ...this.columnsOut(), x, y, n, d: this.d, classNames, source: this.opts.source };
  }

  /** What the dataset says about its columns, whatever the label's kind. */
  private columnsOut(): Pick<
    CsvDataset,
    "featureNames" | "columns" | "labelColumn" | "dropped" | "categories" | "delimiter"
  > {
    const names = this.names!;
    const featureNames: string[] = [];
    const categories: CategoryMap[] = [];
    const dropped: string[] = [];
    for (let c = 0; c < this.ncol; c++) {
      const k = this.kind[c];
      if (k === DROP) dropped.push(names[c]);
      else if (k !== LABEL) {
        featureNames.push(names[c]);
        if (k === INFERRED_CAT || k === FORCED_CAT)
          categories.push({ feature: this.feat[c], column: names[c], values: this.cats[c]!.values });
      }
    }
    return {
      featureNames,
      columns: [...names],
      labelColumn: this.labelCol >= 0 ? names[this.labelCol] : "",
      dropped,
      categories,
      delimiter: this.delim === WHITESPACE ? "whitespace" : String.fromCharCode(this.delim),
    };
  }

  // ---- buffering ----

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end + chunk.length > this.buf.length) {
      const nb = new Uint8Array(Math.max(this.buf.length * 2, this.end + chunk.length, 1 << 16));
      nb.set(this.buf.subarray(0, this.end));
      this.buf = nb;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Parses every complete record of b[p..end); returns where the unparsed rest starts. */
  private consume(b: Uint8Array, p: number, end: number, final: boolean): number {
    b = b.subarray(0, end);
    if (this.atStart) {
      // A UTF-8 byte-order mark (possibly split over the first chunks).
      if (end - p < 3 && !final) return p;
      if (end - p >= 3 && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf) p += 3;
      this.atStart = false;
    }
    if (this.delim === UNDETECTED) {
      if (!final && b.indexOf(10, p) < 0) return p;
      this.delim = detectDelimiter(b, p, end);
    }
    while (p < end) {
      const next =
        this.delim === WHITESPACE ? this.scanWhitespace(b, p, end, final) : this.scanDelimited(b, p, end, final);
      if (next < 0) return p;
      const line = this.line;
      this.line += 1 + this.extraLines;
      if (this.nf > 0) this.record(b, line);
      p = next;
    }
    return p;
  }

  // ---- record scanning: fills fs/fe/fq/nf, returns the position after the record or -1 ----

  private addField(s: number, e: number, q: number): void {
    const i = this.nf++;
    if (i >= this.fs.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, mk: (n: number) => T): T => {
        const na = mk(a.length * 2);
        na.set(a);
        return na;
      };
      this.fs = grow(this.fs, (n) => new Int32Array(n));
      this.fe = grow(this.fe, (n) => new Int32Array(n));
      this.fq = grow(this.fq, (n) => new Uint8Array(n));
    }
    this.fs[i] = s;
    this.fe[i] = e;
    this.fq[i] = q;
  }

  /** A quoted field opening at b[q] === '"': returns the index of its closing quote, or -1 if not in b yet. */
  private closeQuote(b: Uint8Array, q: number, end: number, final: boolean): number {
    let r = q + 1;
    for (;;) {
      const k = b.indexOf(34, r);
      if (k < 0) {
        if (final) {
          throw new DataError("unterminated quoted field (no closing '\"')", {
            file: this.file,
            row: this.line,
            column: this.colRef(this.nf),
          });
        }
        return -1;
      }
      if (k + 1 < end && b[k + 1] === 34) {
        r = k + 2;
        this.quoteEscaped = true;
        continue;
      }
      if (k + 1 >= end && !final) return -1; // a quote at the very end may be the first of ""
      for (let t = q + 1; t < k; t++) if (b[t] === 10) this.extraLines++;
      return k;
    }
  }
  private quoteEscaped = false;

  private scanDelimited(b: Uint8Array, p: number, end: number, final: boolean): number {
    const D = this.delim;
    this.nf = 0;
    this.extraLines = 0;
    // Blank line?
    let q = p;
    while (q < end && isBlank(b[q])) q++;
    if (q >= end) return final ? end : -1;
    if (b[q] === 10) return q + 1;
    q = p;
    for (;;) {
      while (q < end && (b[q] === 32 || (b[q] === 9 && D !== 9))) q++;
      if (q < end && b[q] === 34) {
        this.quoteEscaped = false;
        const k = this.closeQuote(b, q, end, final);
        if (k < 0) return -1;
        this.addField(q + 1, k, this.quoteEscaped ? 2 : 1);
        q = k + 1;
        while (q < end && (b[q] === 32 || b[q] === 13 || (b[q] === 9 && D !== 9))) q++;
        if (q < end && b[q] !== D && b[q] !== 10) {
          throw this.afterQuoteError(b[q]);
        }
      } else {
        const s = q;
        while (q < end) {
          const c = b[q];
          if (c === D || c === 10) break;
          q++;
        }
        this.addField(s, q, 0);
      }
      if (q >= end) return final ? end : -1;
      if (b[q] === 10) return q + 1;
      q++; // the delimiter
    }
  }

  private afterQuoteError(c: number): DataError {
    return new DataError(`unexpected '${String.fromCharCode(c)}' after a closing quote`, {
      file: this.file,
      row: this.line,
      column: this.colRef(this.nf - 1),
    });
  }

  private scanWhitespace(b: Uint8Array, p: number, end: number, final: boolean): number {
    this.nf = 0;
    this.extraLines = 0;
    let q = p;
    for (;;) {
      while (q < end && isBlank(b[q])) q++;
      if (q >= end) return final ? end : -1;
      if (b[q] === 10) return q + 1;
      if (b[q] === 34) {
        this.quoteEscaped = false;
        const k = this.closeQuote(b, q, end, final);
        if (k < 0) return -1;
        this.addField(q + 1, k, this.quoteEscaped ? 2 : 1);
        q = k + 1;
        if (q < end && !isBlank(b[q]) && b[q] !== 10) {
          throw this.afterQuoteError(b[q]);
        }
      } else {
        const s = q;
        while (q < end) {
          const c = b[q];
          if (c === 32 || c === 9 || c === 10 || c === 13) break;
          q++;
        }
        this.addField(s, q, 0);
      }
    }
  }

  // ---- record conversion ----

  /** Byte range of field i, blanks trimmed when unquoted. */
  private trimmed(b: Uint8Array, i: number): [number, number] {
    let s = this.fs[i];
    let e = this.fe[i];
    if (this.fq[i] === 0) {
      while (s < e && isBlank(b[s])) s++;
      while (e > s && isBlank(b[e - 1])) e--;
    }
    return [s, e];
  }

  /** Text of field i (trimmed if unquoted, "" unescaped if quoted). */
  private text(b: Uint8Array, i: number): string {
    let s = this.fs[i];
    let e = this.fe[i];
    const q = this.fq[i];
    if (q === 0) {
      while (s < e && isBlank(b[s])) s++;
      while (e > s && isBlank(b[e - 1])) e--;
    }
    const t = decode(b, s, e);
    return q === 2 ? t.replace(/""/g, '"') : t;
  }

  private record(b: Uint8Array, line: number): void {
    if (this.names === null) {
      const given = this.opts.names;
      if (given && given.length !== this.nf) {
        throw new DataError(`options.names has ${given.length} names but the file has ${this.nf} columns`, {
          file: this.file,
          row: line,
        });
      }
      if (this.header) {
        const names: string[] = [];
        for (let i = 0; i < this.nf; i++) names.push(this.text(b, i) || `c${i}`);
        this.setupColumns(given ? [...given] : names, true);
        return;
      }
      this.setupColumns(given ? [...given] : Array.from({ length: this.nf }, (_, i) => `c${i}`), given !== undefined);
    }
    const ncol = this.ncol;
    if (this.nf !== ncol) {
      throw new DataError(`expected ${ncol} fields, found ${this.nf}`, { file: this.file, row: line });
    }
    if (this.rows === 0) this.decideKinds(b, line);
    if (this.rows === this.cap) this.grow();
    const base = this.rows * this.d;
    const x = this.x;
    const fs = this.fs;
    const fe = this.fe;
    const fq = this.fq;
    // Numeric columns: the hot loop (KDD99: 38 of 42 cells per row).
    const numCols = this.numCols;
    const numFeat = this.numFeat;
    for (let t = 0; t < numCols.length; t++) {
      const c = numCols[t];
      let s = fs[c];
      let e = fe[c];
      if (fq[c] === 0) {
        while (s < e && (b[s] === 32 || b[s] === 9 || b[s] === 13)) s++;
        while (e > s && (b[e - 1] === 32 || b[e - 1] === 9 || b[e - 1] === 13)) e--;
      } else if (fq[c] === 2) this.numberError(b, c, line);
      const v = Math.fround(parseDecimal(b, s, e));
      if (v - v !== 0) this.numberError(b, c, line);
      x[base + numFeat[t]] = v;
    }
    // Label and categorical columns.
    const textCols = this.textCols;
    for (let t = 0; t < textCols.length; t++) {
      const c = textCols[t];
      const [s, e] = this.trimmed(b, c);
      if (c === this.labelCol) {
        if (s === e) throw new DataError("empty label", { file: this.file, row: line, column: this.colRef(c) });
        if (this.numLabel) {
          const v = fq[c] === 2 ? Number.NaN : Math.fround(parseDecimal(b, s, e));
          if (v - v !== 0) this.labelNumberError(b, c, line);
          this.t[this.rows] = v;
          continue;
        }
        this.y[this.rows] = fq[c] === 2 ? this.labels.codeOfText(this.text(b, c)) : this.labels.code(b, s, e);
      } else {
        const code = fq[c] === 2 ? this.cats[c]!.codeOfText(this.text(b, c)) : this.cats[c]!.code(b, s, e);
        if (this.kind[c] === INFERRED_CAT && fq[c] !== 2) {
          const v = parseDecimal(b, s, e);
          if (!Number.isNaN(v)) this.catNumeric[c]++;
        }
        x[base + this.feat[c]] = code;
      }
    }
    this.rows++;
  }

  private labelNumberError(b: Uint8Array, c: number, line: number): never {
    const t = this.text(b, c);
    const where = { file: this.file, row: line, column: this.colRef(c) };
    if (isNonFiniteLiteral(t))
      throw new DataError(`label '${t}' is not a finite number (NaN and Infinity are not allowed)`, where);
    const v = Number(t);
    if (Number.isFinite(v) && !Number.isFinite(Math.fround(v)))
      throw new DataError(`label '${t}' is out of float32 range`, where);
    throw new DataError(`label '${t}' is not a number (a regression target must be numeric)`, where);
  }

  private numberError(b: Uint8Array, c: number, line: number): never {
    const t = this.text(b, c);
    const where = { file: this.file, row: line, column: this.colRef(c) };
    if (t === "") throw new DataError("empty cell in a numeric column", where);
    if (isNonFiniteLiteral(t))
      throw new DataError(`'${t}' is not a finite number (NaN and Infinity are not allowed)`, where);
    const v = Number(t);
    if (Number.isFinite(v) && !Number.isFinite(Math.fround(v)))
      throw new DataError(`'${t}' is out of float32 range`, where);
    const hint =
      this.rows > 0
        ? ` (the column is numeric because row ${this.firstDataLine} is; to treat it as categorical, pass categorical: [${JSON.stringify(this.names![c])}])`
        : "";
    throw new DataError(`'${t}' is not a number${hint}`, where);
  }

  /** Rule 2: the first data row decides each undecided column's kind. */
  private decideKinds(b: Uint8Array, line: number): void {
    this.decideKindsOnly(b, line);
    const num: number[] = [];
    const txt: number[] = [];
    for (let c = 0; c < this.ncol; c++) {
      const k = this.kind[c];
      if (k === NUMERIC) num.push(c);
      else if (k !== DROP) txt.push(c);
    }
    this.numCols = Int32Array.from(num);
    this.numFeat = Int32Array.from(num, (c) => this.feat[c]);
    this.textCols = Int32Array.from(txt);
  }
  private numCols = new Int32Array(0);
  private numFeat = new Int32Array(0);
  private textCols = new Int32Array(0);

  private decideKindsOnly(b: Uint8Array, line: number): void {
    this.firstDataLine = line;
    for (let c = 0; c < this.ncol; c++) {
      if (this.kind[c] !== UNDECIDED) continue;
      const t = this.text(b, c);
      const [s, e] = this.trimmed(b, c);
      const numeric = t === "" || isNonFiniteLiteral(t) || (this.fq[c] !== 2 && Number.isFinite(parseDecimal(b, s, e)));
      if (numeric) this.kind[c] = NUMERIC;
      else {
        this.kind[c] = INFERRED_CAT;
        this.cats[c] = new Interner();
      }
    }
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const x = new Float32Array(cap * this.d);
    x.set(this.x);
    const y = new Int32Array(cap);
    y.set(this.y);
    this.x = x;
    this.y = y;
    if (this.numLabel) {
      const t = new Float32Array(cap);
      t.set(this.t);
      this.t = t;
    }
    this.cap = cap;
  }

  private colRef(c: number): string | number {
    return this.named && this.names && c < this.names.length ? this.names[c] : c + 1;
  }

  private setupColumns(names: string[], named: boolean): void {
    const file = this.file;
    this.names = names;
    this.named = named;
    const ncol = (this.ncol = names.length);
    this.kind = new Uint8Array(ncol);
    this.feat = new Int32Array(ncol).fill(-1);
    this.cats = new Array(ncol).fill(null);
    this.catNumeric = new Int32Array(ncol);

    const resolve = (ref: ColumnRef, what: string): number => {
      const list = () => {
        const shown = names.slice(0, 30).map((s) => JSON.stringify(s));
        return shown.join(", ") + (names.length > 30 ? `, ... (${names.length} columns)` : "");
      };
      if (typeof ref === "string") {
        const hits: number[] = [];
        names.forEach((s, i) => {
          if (s === ref) hits.push(i);
        });
        if (hits.length > 1)
          throw new DataError(
            `${what} column name ${JSON.stringify(ref)} is ambiguous (columns ${hits.map((i) => i + 1).join(", ")})`,
            { file },
          );
        if (hits.length === 1) return hits[0];
        if (/^-?\d+$/.test(ref.trim())) ref = Number(ref);
        else throw new DataError(`${what} column ${JSON.stringify(ref)} not found; available: ${list()}`, { file });
      }
      if (!Number.isInteger(ref) || ref >= ncol || ref < -ncol) {
        throw new DataError(
          `${what} column index ${ref} out of range: the file has ${ncol} columns (0..${ncol - 1}, or -1..-${ncol} from the end); names: ${list()}`,
          { file },
        );
      }
      return ref < 0 ? ncol + ref : ref;
    };

    // label null: rows to predict, without a label column
    const label = this.opts.label === null ? -1 : resolve(this.opts.label ?? -1, "label");
    this.labelCol = label;
    if (label >= 0) this.kind[label] = LABEL;
    this.numLabel = label >= 0 && this.opts.numericLabel === true;
    for (const ref of this.opts.drop ?? []) {
      const c = resolve(ref, "drop");
      if (c === label) throw new ConfigError(`column ${JSON.stringify(names[c])} is both the label and dropped`);
      this.kind[c] = DROP;
    }
    for (const ref of this.opts.categorical ?? []) {
      const c = resolve(ref, "categorical");
      if (this.kind[c] === LABEL || this.kind[c] === DROP) continue; // the label is always categorical; dropped is dropped
      this.kind[c] = FORCED_CAT;
      this.cats[c] = new Interner();
    }
    const enc = this.opts.encoding;
    if (enc) {
      for (const m of enc.categories) {
        const c = resolve(m.column, "encoding's categorical");
        if (this.kind[c] === LABEL || this.kind[c] === DROP) {
          throw new ConfigError(
            `encoding's categorical column ${JSON.stringify(m.column)} is the label or dropped here`,
          );
        }
        this.kind[c] = FORCED_CAT;
        const it = (this.cats[c] = new Interner());
        for (const v of m.values) it.codeOfText(v);
      }
      if (new Set(enc.classNames).size !== enc.classNames.length)
        throw new ConfigError("encoding.classNames repeat a name");
      for (const v of enc.classNames) this.labels.codeOfText(v);
    }
    let d = 0;
    for (let c = 0; c < ncol; c++) if (this.kind[c] !== LABEL && this.kind[c] !== DROP) this.feat[c] = d++;
    if (d === 0) throw new DataError("no feature columns (every column is the label or dropped)", { file });
    this.d = d;
  }
}

const utf8 = new TextDecoder();

/**
 * Codes for text values in order of first appearance, looked up by their bytes (FNV-1a hash, then
 * a byte comparison), so a value already seen costs no string allocation.
 */
class Interner {
  readonly values: string[] = [];
  private readonly byText = new Map<string, number>();
  private readonly byHash = new Map<number, number[]>(); // hash -> indices into keys
  private readonly keys: Uint8Array[] = [];
  private readonly keyCode: number[] = [];

  code(b: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    const len = e - s;
    let bucket = this.byHash.get(h);
    if (bucket) {
      for (const k of bucket) {
        const key = this.keys[k];
        if (key.length !== len) continue;
        let i = 0;
        while (i < len && key[i] === b[s + i]) i++;
        if (i === len) return this.keyCode[k];
      }
    } else {
      bucket = [];
      this.byHash.set(h, bucket);
    }
    const code = this.codeOfText(decode(b, s, e));
    bucket.push(this.keys.length);
    this.keys.push(b.slice(s, e));
    this.keyCode.push(code);
    return code;
  }

  codeOfText(t: string): number {
    let code = this.byText.get(t);
    if (code === undefined) {
      code = this.values.length;
      this.byText.set(t, code);
      this.values.push(t);
    }
    return code;
  }
}

/** Bytes b[s..e) as text: a fast path for short ASCII, else UTF-8 decoding. */
function decode(b: Uint8Array, s: number, e: number): string {
  if (e - s <= 32) {
    let out = "";
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c >= 128) return utf8.decode(b.subarray(s, e));
      out += String.fromCharCode(c);
    }
    return out;
  }
  return utf8.decode(b.subarray(s, e));
}

/** Counts fields per line for each candidate delimiter over the first 20 non-blank lines; see the file comment. */
export function detectDelimiter(b: Uint8Array, p: number, end: number): number {
  const lines: [number, number][] = [];
  let s = p;
  let inQuote = false;
  for (let i = p; i < end && lines.length < 20; i++) {
    const c = b[i];
    if (c === 34) inQuote = !inQuote;
    else if (c === 10 && !inQuote) {
      if (hasContent(b, s, i)) lines.push([s, i]);
      s = i + 1;
    }
  }
  if (lines.length < 20 && s < end && hasContent(b, s, end)) lines.push([s, end]);
  if (lines.length === 0) return 44;
  const countDelim = (D: number, ls: number, le: number): number => {
    let n = 1;
    let q = false;
    for (let i = ls; i < le; i++) {
      const c = b[i];
      if (c === 34) q = !q;
      else if (c === D && !q) n++;
    }
    return n;
  };
  const countWs = (ls: number, le: number): number => {
    let n = 0;
    let inTok = false;
    let q = false;
    for (let i = ls; i < le; i++) {
      const c = b[i];
      if (c === 34) q = !q;
      const blank = !q && isBlank(c);
      if (!blank && !inTok) n++;
      inTok = !blank;
    }
    return n;
  };
  const candidates: [number, (ls: number, le: number) => number][] = [
    [44, (ls, le) => countDelim(44, ls, le)],
    [9, (ls, le) => countDelim(9, ls, le)],
    [59, (ls, le) => countDelim(59, ls, le)],
    [WHITESPACE, countWs],
  ];
  let best = -1;
  let bestCount = 1;
  for (const [D, count] of candidates) {
    const first = count(lines[0][0], lines[0][1]);
    if (first > bestCount && lines.every(([ls, le]) => count(ls, le) === first)) {
      if (D === WHITESPACE && best !== -1) continue; // a real delimiter wins over whitespace
      best = D;
      bestCount = first;
    }
  }
  if (best !== -1) return best;
  for (const [D, count] of candidates) {
    const first = count(lines[0][0], lines[0][1]);
    if (first > bestCount) {
      best = D;
      bestCount = first;
    }
  }
  return best === -1 ? 44 : best;
}

function hasContent(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!isBlank(b[i])) return true;
  return false;
}
