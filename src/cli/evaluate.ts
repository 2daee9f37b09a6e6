// bsfnet evaluate <file.csv> --label L [--features i,j,k]: cross-validated accuracy of the paper's
// classifier on a CSV's features, or a subset.
import { crossValidate } from "../select/crossval.js";
import { nestedCrossValidate } from "../select/nested.js";
import "../select/pool.js"; // --workers: the folds on worker threads
import type { CsvDataset } from "../data/csv.js";
import { takeColumns } from "../util/columns.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError } from "../errors.js";
import {
  checkOutputs,
  csvOptions,
  csvUsageNote,
  helpOf,
  integer as int,
  loadCsv,
  number as num,
  parse,
  type OptionTable,
} from "./args.js";
import type { Command } from "./command.js";
import { progress } from "./progress.js";
import { parseTask, taskOption } from "./task.js";

const options = {
  ...csvOptions,
  features: { type: "string", arg: "i,j,k", default: "all", help: "feature indices to keep" },
  folds: { type: "string", arg: "K", default: "10", help: "stratified folds" },
  repeats: {
    type: "string",
    arg: "R",
    default: "1",
    help: "repeat the k-fold with other assignments and initial weights",
  },
  epochs: { type: "string", arg: "E", default: "200", help: "training epochs per fold" },
  json: { type: "string", arg: "out.json", help: "write the per-fold accuracies as JSON" },
  workers: {
    type: "string",
    arg: "W",
    default: "0",
    help: "worker threads for the folds (0: one per free core, none unless two are free; 1: in this thread); the figures are the same",
  },
  task: taskOption,
  groups: {
    type: "string",
    arg: "column",
    help: "grouped k-fold: rows with the same value in <column> (a molecule's conformations) are never on both sides of a split; the column is not a feature",
  },
  nested: {
    type: "boolean",
    help: "redo the feature selection on the training rows of each fold (the top K, exactly K with --k, or the open gates); score on the held-out fold only",
  },
  top: { type: "string", arg: "K", help: "with --nested: keep the top K of each fold's selection" },
  k: { type: "string", arg: "K", help: "with --nested: exactly K features per fold (select --k)" },
  lambda: { type: "string", arg: "L", default: "0.01", help: "with --nested: the selection's penalty" },
  "select-epochs": { type: "string", arg: "E", default: "300", help: "with --nested: the selection's epochs" },
} as const satisfies OptionTable;

const usage = helpOf("Usage: bsfnet evaluate <file.csv|-> --label <name|index> [options]", options, csvUsageNote);

/** Takes the group column out of the features: its codes become the group ids. */
export function splitGroups(ds: CsvDataset, column: string): { ds: CsvDataset; groups: Int32Array } {
  const j = ds.featureNames.indexOf(column);
  if (j < 0) {
    const why = ds.dropped.includes(column)
      ? "it is dropped (--drop)"
      : column === ds.labelColumn
        ? "it is the label"
        : "no such feature column";
    throw new ConfigError(`--groups: cannot group by ${JSON.stringify(column)}: ${why}`);
  }
  const groups = Int32Array.from({ length: ds.n }, (_, i) => ds.x[i * ds.d + j]);
  const keep = Array.from({ length: ds.d }, (_, c) => c).filter((c) => c !== j);
  return {
    groups,
    ds: {
      ...ds,
      x: takeColumns(ds.x, ds.d, keep),
      d: ds.d - 1,
      featureNames: keep.map((c) => ds.featureNames[c]),
      dropped: [...ds.dropped, column],
    },
  };
}

function parseIndices(s: string, d: number): number[] {
  const idx = s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .map(Number);
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= d)
      throw new ConfigError(`--features: ${i} is not a feature index in [0, ${d - 1}]`);
  }
  if (idx.length === 0) throw new ConfigError("--features: no indices given");
  return idx;
}

export const command: Command = {
  name: "evaluate",
  summary: "cross-validated accuracy of the classifier on a CSV file's features, or a subset",
  usage,
  async run(argv, io) {
    const out = io.out;
    const { values, positionals } = parse(argv, options, usage);
    checkOutputs(values, ["json"]);
    const folds = int(values.folds, "folds", 10, 2);
    const repeats = int(values.repeats, "repeats", 1);
    const epochs = int(values.epochs, "epochs", 200);
    const seed = int(values.seed, "seed", 0, 0);
    const nested = values.nested === true;
    const workers = int(values.workers, "workers", 0, 0);
    if (!nested) {
      for (const o of ["top", "k", "lambda", "select-epochs"])
        if (values[o] !== undefined) throw new ConfigError(`--${o} is an option of --nested`);
    } else if (values.features)
      throw new ConfigError("--features and --nested: the nested run selects its own features in each fold");
    if (values.top !== undefined && values.k !== undefined) throw new ConfigError("--top and --k: give one of them");
    const regression = parseTask(values.task) === "regression";
    const loaded = await loadCsv(values, positionals, usage, { numericLabel: regression });
    const { ds, groups } = values.groups
      ? splitGroups(loaded, values.groups as string)
      : { ds: loaded, groups: undefined };
    const split = groups
      ? `${folds}-fold grouped by ${values.groups} (${new Set(groups).size} groups)`
      : `${folds}-fold ${regression ? "" : "stratified "}CV`;
    if (nested) {
      const top = values.top === undefined ? undefined : int(values.top, "top", 1);
      const k = values.k === undefined ? undefined : int(values.k, "k", 1);
      for (const [name, v] of [
        ["top", top],
        ["k", k],
      ] as const)
        if (v !== undefined && v > ds.d) throw new ConfigError(`--${name}: ${v} is more than the ${ds.d} features`);
      const lambda = num(values.lambda, "lambda", 0.01, (n) => n >= 0);
      const selectEpochs = int(values["select-epochs"], "select-epochs", 300);
      out(
        `${ds.source}: ${ds.n} rows, ${ds.d} features; ${split}, selection (${k ? `exactly ${k}` : top ? `top ${top}` : "the open gates"}) ` +
          "redone inside each training fold",
      );
      const r = await nestedCrossValidate(ds.x, ds.target ?? ds.y, {
        task: regression ? "regression" : undefined,
        features: ds.d,
        folds,
        epochs,
        seed,
        groups,
        top,
        k,
        select: { lambda, epochs: selectEpochs },
        workers,
      });
      out(`${r.metric === "r2" ? "r2" : "accuracy"}: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`);
      if (r.rmses) out(`rmse: ${Number((r.rmses.reduce((a, b) => a + b, 0) / r.rmses.length).toPrecision(6))}`);
      out(
        `(held-out folds, nested; features per fold ${r.selections.map((s) => s.length).join(",")}; ${r.seconds.toFixed(1)} s)`,
      );
      if (typeof values.json === "string") {
        const doc = {
          file: ds.source,
          label: ds.labelColumn,
          nested: true,
          metric: r.metric,
          folds,
          epochs,
          seed,
          groups: values.groups ?? null,
          mean: r.mean,
          std: r.std,
          accuracies: r.accuracies,
          ...(r.rmses ? { rmses: r.rmses } : {}),
          selections: r.selections,
        };
        await writeFileAtomic(values.json, `${JSON.stringify(doc, null, 2)}\n`);
        out(`wrote ${values.json}`);
      }
      return 0;
    }
    const subset = values.features ? parseIndices(values.features as string, ds.d) : undefined;
    out(
      `${ds.source}: ${ds.n} rows; ${subset ? subset.length : ds.d} of ${ds.d} features; ${split}` +
        (repeats > 1 ? ` x ${repeats} repeats` : ""),
    );
    const p = progress(values.quiet);
    let done = 0;
    p.update(0, folds * repeats, "folds ");
    const r = await crossValidate(ds.x, ds.target ?? ds.y, {
      features: ds.d,
      task: regression ? "regression" : undefined,
      subset,
      folds,
      repeats,
      epochs,
      seed,
      groups,
      workers,
      onFold: () => p.update(++done, folds * repeats, "folds "),
    });
    p.end();
    const train = r.trainAccuracies.reduce((a, b) => a + b, 0) / r.trainAccuracies.length;
    if (r.metric === "r2") {
      const rm = r.rmses!.reduce((a, b) => a + b, 0) / r.rmses!.length;
      out(`r2: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`);
      out(`rmse: ${Number(rm.toPrecision(6))}`);
      out(`(held-out folds; training R² ${train.toFixed(4)}; ${r.seconds.toFixed(1)} s)`);
    } else {
      out(`accuracy: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`);
      out(`(held-out folds; training accuracy ${train.toFixed(4)}; ${r.seconds.toFixed(1)} s)`);
    }
    if (typeof values.json === "string") {
      const doc = {
        file: ds.source,
        label: ds.labelColumn,
        features: subset ?? null,
        folds,
        repeats,
        epochs,
        seed,
        groups: values.groups ?? null,
        metric: r.metric,
        mean: r.mean,
        std: r.std,
        accuracies: r.accuracies,
        trainAccuracies: r.trainAccuracies,
        restarts: r.restarts,
      };
      await writeFileAtomic(values.json, `${JSON.stringify(doc, null, 2)}\n`);
      out(`wrote ${values.json}`);
    }
    return 0;
  },
};
