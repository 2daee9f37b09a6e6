// The reduced dataset of `select --transform`: the selected columns (in file order) and the
// label, as text the CSV reader reads back to the same values (float32 in shortest form,
// categories and classes as they were written).
import type { CsvDataset } from "../data/csv.js";

/** The shortest decimal that reads back as the same float32. */
export function float32Text(v: number): string {
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

const field = (s: string): string =>
  /[",\n\r]/.test(s) || s !== s.trim() || s === "" ? `"${s.replace(/"/g, '""')}"` : s;

export function reducedCsv(ds: CsvDataset, features: readonly number[]): string {
  const cols = [...features].sort((a, b) => a - b);
  const cat = new Map(ds.categories.map((c) => [c.feature, c.values]));
  const lines = [[...cols.map((j) => ds.featureNames[j]), ds.labelColumn].map(field).join(",")];
  for (let i = 0; i < ds.n; i++) {
    const cells = cols.map((j) => {
      const v = ds.x[i * ds.d + j];
      const values = cat.get(j);
      return values ? field(values[v]) : float32Text(v);
    });
    // a regression target (numericLabel) is a number per row, not a class
    cells.push(ds.target ? float32Text(ds.target[i]) : field(ds.classNames[ds.y[i]]));
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}
