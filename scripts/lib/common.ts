// What the paper scripts share: their options (--data, --out, numbers), where docs/ goes, the
// real datasets as the paper used them (Wine, KDD99 with an optional stratified row sample, Musk2
// with its molecule ids for grouped folds), a stage logger and the JSON writer.
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCsv } from "../../src/data/csv-node.js";
import type { CsvDataset } from "../../src/data/csv.js";
import { dataDir, dataFile } from "../../src/data/datadir.js";
import { stratifiedSplit } from "../../src/data/split.js";
import { takeRows } from "../../src/data/dataset.js";
import { writeFileAtomic } from "../../src/util/atomic.js";
import { ConfigError } from "../../src/errors.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** `--name value` options of a script, with typed defaults and a usage line in the error. */
export class Opts {
  constructor(
    readonly argv: string[],
    readonly usage: string,
  ) {}
  private raw(name: string): string | undefined {
    const i = this.argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = this.argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new ConfigError(`--${name} needs a value\n\n${this.usage}`);
    return v;
  }
  str(name: string, dflt: string): string {
    return this.raw(name) ?? dflt;
  }
  num(name: string, dflt: number): number {
    const v = this.raw(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConfigError(`--${name}: not a number: ${v}\n\n${this.usage}`);
    return n;
  }
  list(name: string, dflt: number[]): number[] {
    const v = this.raw(name);
    return v === undefined ? dflt : v.split(",").map((s) => this.numOf(name, s));
  }
  flag(name: string): boolean {
    return this.argv.includes(`--${name}`);
  }
  private numOf(name: string, s: string): number {
    const n = Number(s);
    if (!Number.isFinite(n)) throw new ConfigError(`--${name}: not a number: ${s}\n\n${this.usage}`);
    return n;
  }
  /** the data directory: --data, else $BSFNET_DATA, else ../shared/data */
  get data(): string {
    return dataDir(this.raw("data"));
  }
  /** where reports go: --out, else docs/ */
  get out(): string {
    return resolve(this.raw("out") ?? join(root, "docs"));
  }
}

/** The command line as the user would retype it (for the reports). */
export function commandLine(npmScript: string, argv: string[]): string {
  const rest = argv.filter((a) => a !== "--out" && !a.startsWith("/"));
  return `npm run ${npmScript}${rest.length ? ` -- ${rest.join(" ")}` : ""}`;
}

export function logger(t0 = performance.now()): (s: string) => void {
  return (s: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}\n`);
}

export async function writeJson(out: string, name: string, value: unknown): Promise<string> {
  mkdirSync(join(out, "results"), { recursive: true });
  const p = join(out, "results", name);
  await writeFileAtomic(p, `${JSON.stringify(value, null, 2)}\n`);
  return p;
}

export async function writeText(out: string, name: string, text: string): Promise<string> {
  mkdirSync(out, { recursive: true });
  const p = join(out, name);
  await writeFileAtomic(p, text);
  return p;
}

export const WINE_NAMES = [
  "Alcohol",
  "Malic acid",
  "Ash",
  "Alcalinity of ash",
  "Magnesium",
  "Total phenols",
  "Flavanoids",
  "Nonflavanoid phenols",
  "Proanthocyanins",
  "Color intensity",
  "Hue",
  "OD280/OD315",
  "Proline",
];

export async function loadWine(dir: string): Promise<CsvDataset> {
  return readCsv(join(dir, "wine/wine.data"), { header: false, label: 0, names: ["class", ...WINE_NAMES] });
}

/** KDD Cup 99 feature names from kddcup.names. */
export function kddNames(dir: string): string[] {
  return readFileSync(dataFile("kddcup99/kddcup.names", dir), "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.split(":")[0].trim())
    .filter(Boolean);
}

export interface Table {
  x: Float32Array;
  y: Int32Array;
  n: number;
  d: number;
  featureNames: string[];
  classNames: string[];
  /** rows of the full file the table holds */
  fileRows: number;
}

/** The KDD99 10% set (494,021 rows, 23 labels); with `sample` > 0 a stratified sample of that many
 * rows (fixed seed; every label keeps at least one row), else every row. */
export async function loadKdd99(dir: string, sample = 0, seed = 0): Promise<Table> {
  const ds = await readCsv(dataFile("kddcup99/kddcup.data_10_percent.gz", dir), {
    header: false,
    label: -1,
    names: [...kddNames(dir), "label"],
  });
  const base = { featureNames: ds.featureNames, classNames: ds.classNames, fileRows: ds.n, d: ds.d };
  if (!(sample > 0) || sample >= ds.n) return { ...base, x: ds.x, y: ds.y, n: ds.n };
  const { validation: keep } = stratifiedSplit(ds.y, sample / ds.n, seed);
  return { ...base, x: takeRows(ds.x, ds.d, keep), y: Int32Array.from(keep, (i) => ds.y[i]), n: keep.length };
}

/** Musk2 (PMLB clean2): the 166 shape features, the class, and the molecule of every conformation;
 * with `sample` > 0 a stratified sample of that many conformations (for the shortened tests). */
export async function loadMusk2(dir: string, sample = 0, seed = 0): Promise<Table & { molecule: Int32Array }> {
  const full = await loadMusk2All(dir);
  if (!(sample > 0) || sample >= full.n) return full;
  const { validation: keep } = stratifiedSplit(full.y, sample / full.n, seed);
  return {
    ...full,
    x: takeRows(full.x, full.d, keep),
    y: Int32Array.from(keep, (i) => full.y[i]),
    molecule: Int32Array.from(keep, (i) => full.molecule[i]),
    n: keep.length,
  };
}

async function loadMusk2All(dir: string): Promise<Table & { molecule: Int32Array }> {
  const ds = await readCsv(dataFile("musk2/clean2.tsv.gz", dir), {
    header: true,
    label: "target",
    drop: ["conformation_name"],
  });
  const m = ds.featureNames.indexOf("molecule_name");
  if (m < 0) throw new ConfigError("musk2: no molecule_name column");
  const cols = Array.from({ length: ds.d }, (_, j) => j).filter((j) => j !== m);
  const x = new Float32Array(ds.n * cols.length);
  const molecule = new Int32Array(ds.n);
  for (let i = 0; i < ds.n; i++) {
    molecule[i] = ds.x[i * ds.d + m];
    for (let k = 0; k < cols.length; k++) x[i * cols.length + k] = ds.x[i * ds.d + cols[k]];
  }
  return {
    x,
    y: ds.y,
    n: ds.n,
    d: cols.length,
    molecule,
    featureNames: cols.map((j) => ds.featureNames[j]),
    classNames: ds.classNames,
    fileRows: ds.n,
  };
}

export const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
export const std = (v: readonly number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};
