#!/usr/bin/env node
// The bsfnet command line: feature selection and cross-validated evaluation from CSV files, and
// the embedded demo that `npm start` runs.
import type { ParseArgsConfig } from "node:util";
import { integer as int, number as num, parse as parseWith } from "./args.js";
import { readCsv } from "../data/csv-node.js";
import type { CsvDataset } from "../data/csv.js";
import { selectFeatures, type SelectionResult } from "../select/select.js";
import { crossValidate } from "../select/crossval.js";
import { makeClassification } from "../data/synthetic.js";
import { writeFileAtomic } from "../util/atomic.js";
import { BsfnetError, ConfigError } from "../errors.js";

const USAGE = `bsfnet: Binary Stochastic Filtering on WebAssembly

Usage:
  bsfnet select <file.csv> --label <name|index> [--no-header] [--lambda L] [--epochs E]
                [--top K] [--seed S] [--json <out.json>] [--drop c1,c2]
  bsfnet evaluate <file.csv> --label <name|index> [--no-header] [--features i,j,k]
                [--folds 10] [--repeats R] [--epochs E] [--seed S] [--drop c1,c2]
  bsfnet demo [--seed S]        feature selection on a synthetic dataset (what npm start runs)
  bsfnet attention mnist|spectra [--epochs E] [--data DIR] [--out docs]
                                regions of interest: a BSF gate on every input of a CNN
  bsfnet prune <model> --threshold T [--fine-tune-epochs E --data file.csv --label L] -o <out>
  bsfnet export <model> --format tfjs|onnx -o <dir|file>
  bsfnet info <model> [--json]

Columns: --label takes a column name or a 0-based index (negative counts from the end).
Feature indices (--features, and "index" in the output) are 0-based among the feature columns,
the label and dropped columns excluded.`;

type Out = (s: string) => void;

const common = {
  label: { type: "string" },
  "no-header": { type: "boolean" },
  drop: { type: "string" },
  epochs: { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const parse = (argv: string[], options: ParseArgsConfig["options"]) => parseWith(argv, options, USAGE);

async function loadCsv(values: Record<string, unknown>, positionals: string[]): Promise<CsvDataset> {
  const file = positionals[0];
  if (!file) throw new ConfigError(`missing <file.csv>\n\n${USAGE}`);
  if (values.label === undefined) throw new ConfigError("missing --label <name|index>");
  const drop = typeof values.drop === "string" ? values.drop.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  return readCsv(file, { header: !values["no-header"], label: values.label as string, drop });
}

function bar(v: number, width = 20): string {
  const n = Math.round(Math.max(0, Math.min(1, v)) * width);
  return "#".repeat(n) + ".".repeat(width - n);
}

export function formatRanking(r: SelectionResult, top: number, mark?: (index: number) => string): string {
  const rows = r.features.slice(0, top);
  const w = Math.max(7, ...rows.map((f) => f.name.length));
  const lines = [`rank  ${"feature".padEnd(w)}  index  importance  run mean`];
  rows.forEach((f, i) => {
    lines.push(
      `${String(i + 1).padStart(4)}  ${f.name.padEnd(w)}  ${String(f.index).padStart(5)}  ${f.importance.toFixed(4)}    ${f.runMean.toFixed(4)}  ${bar(f.importance)}${mark ? "  " + mark(f.index) : ""}`,
    );
  });
  return lines.join("\n");
}

async function cmdSelect(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...common,
    lambda: { type: "string" },
    top: { type: "string" },
    json: { type: "string" },
  });
  if (values.help) return out(USAGE), 0;
  const ds = await loadCsv(values, positionals);
  const epochs = int(values.epochs, "epochs", 300);
  const lambda = num(values.lambda, "lambda", 0.01, (n) => n >= 0);
  const top = int(values.top, "top", ds.d);
  const seed = int(values.seed, "seed", 0, 0);
  out(`${ds.source}: ${ds.n} rows, ${ds.d} features, ${ds.classNames.length} classes (label: ${ds.labelColumn})`);
  const r = await selectFeatures(ds.x, ds.y, { features: ds.d, featureNames: ds.featureNames, epochs, lambda, seed, verbose: 1 });
  out(formatRanking(r, top));
  out(`importance: gate weight averaged over the last ${r.lastEpochs} of ${epochs} epochs (lambda ${lambda}, seed ${seed}); ` +
    `gates at or below 0.1 are closed and ordered by their mean over the whole run; ${r.seconds.toFixed(2)} s`);
  if (values.json) {
    const doc = {
      file: ds.source,
      label: ds.labelColumn,
      lambda,
      epochs,
      seed,
      lastEpochs: r.lastEpochs,
      features: r.features.map((f) => ({ name: f.name, index: f.index, importance: f.importance })),
    };
    await writeFileAtomic(values.json as string, JSON.stringify(doc, null, 2) + "\n");
    out(`wrote ${values.json}`);
  }
  return 0;
}

function parseIndices(s: string, d: number): number[] {
  const idx = s.split(",").map((t) => t.trim()).filter(Boolean).map(Number);
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= d) throw new ConfigError(`--features: ${i} is not a feature index in [0, ${d - 1}]`);
  }
  if (idx.length === 0) throw new ConfigError("--features: no indices given");
  return idx;
}

async function cmdEvaluate(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...common,
    features: { type: "string" },
    folds: { type: "string" },
    repeats: { type: "string" },
  });
  if (values.help) return out(USAGE), 0;
  const ds = await loadCsv(values, positionals);
  const subset = values.features ? parseIndices(values.features as string, ds.d) : undefined;
  const folds = int(values.folds, "folds", 10, 2);
  const repeats = int(values.repeats, "repeats", 1);
  const epochs = int(values.epochs, "epochs", 200);
  const seed = int(values.seed, "seed", 0, 0);
  out(`${ds.source}: ${ds.n} rows; ${subset ? subset.length : ds.d} of ${ds.d} features; ${folds}-fold stratified CV` +
    (repeats > 1 ? ` x ${repeats} repeats` : ""));
  const r = await crossValidate(ds.x, ds.y, { features: ds.d, subset, folds, repeats, epochs, seed });
  out(`accuracy: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`);
  out(`(held-out folds; training accuracy ${(r.trainAccuracies.reduce((a, b) => a + b, 0) / r.trainAccuracies.length).toFixed(4)}; ${r.seconds.toFixed(1)} s)`);
  return 0;
}

async function cmdDemo(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { seed: { type: "string" }, help: { type: "boolean", short: "h" } });
  if (values.help) return out(USAGE), 0;
  const seed = int(values.seed, "seed", 0, 0);
  const t0 = performance.now();
  const ds = makeClassification({ nSamples: 1000, nInformative: 5, nRedundant: 5, nNoise: 40, classSep: 1.0, seed });
  const kind = (j: number) => (ds.informative.includes(j) ? "informative" : ds.redundant.includes(j) ? "redundant" : "noise");
  out(`Synthetic data (Guyon's MADELON recipe, seed ${seed}): ${ds.n} samples, ${ds.d} features ` +
    `(${ds.informative.length} informative, ${ds.redundant.length} redundant = linear combinations of them, ${ds.noise.length} noise), 2 classes\n`);
  const r = await selectFeatures(ds.x, ds.y, { features: ds.d, featureNames: ds.featureNames, epochs: 300, lambda: 0.01, seed, verbose: 1 });
  out(formatRanking(r, 15, kind));
  const rank = new Map(r.features.map((f, i) => [f.index, i]));
  const worstUseful = Math.max(...ds.informative.map((j) => rank.get(j)!));
  const bestNoise = Math.min(...ds.noise.map((j) => rank.get(j)!));
  const selected = r.features.filter((f) => f.importance > 0.1).map((f) => f.index);
  out(`\nInformative features rank ${ds.informative.map((j) => rank.get(j)! + 1).sort((a, b) => a - b).join(", ")}; ` +
    `the best noise feature ranks ${bestNoise + 1}: ` + (worstUseful < bestNoise ? "every informative feature ranks above every noise feature." : "NOT all informative features rank above the noise."));
  out(`Selected (importance > 0.1, the gate's inference threshold): ${selected.length} features: ` +
    `${selected.filter((j) => kind(j) === "informative").length} informative, ${selected.filter((j) => kind(j) === "redundant").length} redundant, ` +
    `${selected.filter((j) => kind(j) === "noise").length} noise`);
  out("\n10-fold cross-validated accuracy of the paper's classifier (held-out folds):");
  const all = await crossValidate(ds.x, ds.y, { features: ds.d, folds: 10, epochs: 50, seed });
  out(`  all ${ds.d} features:       ${all.mean.toFixed(4)} ± ${all.std.toFixed(4)}`);
  if (selected.length) {
    const sub = await crossValidate(ds.x, ds.y, { features: ds.d, subset: selected, folds: 10, epochs: 50, seed });
    out(`  ${selected.length} selected features: ${sub.mean.toFixed(4)} ± ${sub.std.toFixed(4)}`);
  }
  out(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s; the selection saw every row, so the second figure is the paper's protocol, ` +
    `not a nested estimate)`);
  return 0;
}

export async function main(argv: string[], out: Out = (s) => console.log(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "select":
      return cmdSelect(rest, out);
    case "evaluate":
      return cmdEvaluate(rest, out);
    case "demo":
      return cmdDemo(rest, out);
    case "attention":
      return (await import("./attention.js")).run(rest, out);
    case "prune":
      return (await import("./prune.js")).run(rest);
    case "export":
      return (await import("./export.js")).run(rest);
    case "info":
      return (await import("./info.js")).run(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      out(USAGE);
      return cmd === undefined ? 1 : 0;
    default:
      throw new ConfigError(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
  }
}

const isMain = (() => {
  try {
    const argv1 = process.argv[1] ?? "";
    return import.meta.url === new URL(`file://${argv1}`).href || /bsfnet$|cli[\\/]main\.[jt]s$/.test(argv1);
  } catch {
    return false;
  }
})();

if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      if (e instanceof BsfnetError) {
        process.stderr.write(`bsfnet: ${e.name}: ${e.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`bsfnet: unexpected error: ${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
