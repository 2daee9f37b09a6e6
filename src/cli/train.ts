// bsfnet train <file.csv> --label L -o model.bsfnet: the paper's classifier (optionally gated) on a
// CSV's features, saved with everything predict needs to take raw rows of the same CSV: a
// Normalization layer fitted on the training rows, the column names, the class names and the
// categorical codes. --task regression: the same network with a linear output of width 1 on a
// numeric label, trained on the mean squared error of the standardized target; the target's scale
// is then folded into the output layer, so the saved model predicts in the label's own units.
import { foldTargetScale } from "../model/target.js";
import { readFileSync } from "node:fs";
import { Sequential } from "../model/sequential.js";
import { Dense } from "../layers/dense.js";
import { BSF, gateValues, type BsfGate } from "../layers/bsf.js";
import { Normalization } from "../layers/normalization.js";
import type { Layer } from "../layers/layer.js";
import { Adam } from "../optim/optimizer.js";
import { Standardizer } from "../data/standardize.js";
import { randomSplit, stratifiedSplit } from "../data/split.js";
import { takeRows } from "../data/dataset.js";
import type { RegressionResult } from "../model/sequential.js";
import { parseTask, taskOption } from "./task.js";
import { takeColumns } from "../util/columns.js";
import { encodeModelFile } from "../io/format.js";
import type { ModelMeta } from "../model/meta.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ready } from "../runtime/runtime.js";
import { availableThreads, checkThreads } from "../runtime/threads.js";
import { ConfigError, DataError } from "../errors.js";
import { summary } from "../prune/summary.js";
import {
  checkOutputs,
  csvOptions,
  csvUsageNote,
  helpOf,
  integer as int,
  list,
  loadCsv,
  number as num,
  parse,
  type OptionTable,
} from "./args.js";
import type { Command } from "./command.js";
import { epochProgress, progress } from "./progress.js";
import { trainReport } from "../report/html.js";

const GATES = ["none", "input", "hidden", "all"] as const;
type Gates = (typeof GATES)[number];

const options = {
  ...csvOptions,
  out: { type: "string", short: "o", arg: "model.bsfnet", help: "where to write the model (required)" },
  task: taskOption,
  features: { type: "string", arg: "i,j,k", help: "train on these feature indices only (0-based among the features)" },
  top: { type: "string", arg: "K", help: "train on the K best features of --from" },
  from: { type: "string", arg: "select.json", help: "a `bsfnet select --json` result, for --top" },
  gates: {
    type: "string",
    arg: GATES.join("|"),
    default: "input",
    help: "BSF gates: on the input, after every hidden layer, both, or none",
  },
  hidden: { type: "string", arg: "w1,w2,...", default: "D,D,2D,D (D: input features)", help: "hidden layer widths" },
  lambda: { type: "string", arg: "L", default: "0.01", help: "L1 penalty of the gates" },
  gate: {
    type: "string",
    arg: "G",
    default: "bernoulli",
    help: "the gates: bernoulli (the paper's), gaussian (STG) or hard-concrete (L0)",
  },
  init: {
    type: "string",
    arg: "W",
    default: "0.99",
    help: "initial gate weight (a gate starts open and the penalty closes what the task does not need)",
  },
  epochs: { type: "string", arg: "E", default: "300", help: "training epochs" },
  "batch-size": { type: "string", arg: "B", default: "32", help: "rows per step" },
  "learning-rate": { type: "string", arg: "LR", default: "0.001", help: "Adam's learning rate" },
  threads: {
    type: "string",
    arg: "N|auto",
    default: "1",
    help: "training threads (auto: two only where a step is long enough to pay for it); same seed and N, same model",
  },
  "validation-split": {
    type: "string",
    arg: "F",
    default: "0.2",
    help: "fraction of rows held out (stratified) to report accuracy on; 0 trains on all",
  },
  history: { type: "string", arg: "h.json", help: "write per-epoch loss, accuracy and gate weights" },
  report: { type: "string", arg: "report.html", help: "write an HTML report (importances, gate weights over epochs)" },
} as const satisfies OptionTable;

const usage = helpOf(
  "Usage: bsfnet train <file.csv|-> --label <name|index> -o <model.bsfnet> [options]",
  options,
  `Trains the paper's classifier (dense D, D, 2D, D with ReLU, softmax) with BSF gates and saves it
with its preprocessing: a Normalization layer (mean and std of the training rows), the input
column names, the class names and the categorical codes, so \`bsfnet predict\` takes raw rows of
the same CSV layout. --gates all gates the input and every hidden layer (the paper's neuron
pruning): \`bsfnet prune\` then deletes the closed units.`,
  csvUsageNote,
);

/** The feature indices to train on: all, --features, or the --top K of a select --json file. */
function chooseFeatures(values: Record<string, unknown>, d: number, names: string[]): number[] {
  if (values.features !== undefined && (values.top !== undefined || values.from !== undefined))
    throw new ConfigError("give --features or --top K --from <select.json>, not both");
  if (values.features !== undefined) {
    const idx = (list(values.features) ?? []).map(Number);
    if (idx.length === 0) throw new ConfigError("--features: no indices given");
    for (const i of idx)
      if (!Number.isInteger(i) || i < 0 || i >= d)
        throw new ConfigError(`--features: ${i} is not a feature index in [0, ${d - 1}]`);
    if (new Set(idx).size !== idx.length) throw new ConfigError("--features: an index is repeated");
    return idx;
  }
  if ((values.top === undefined) !== (values.from === undefined))
    throw new ConfigError("--top K and --from <select.json> go together");
  if (values.top === undefined) return Array.from({ length: d }, (_, j) => j);
  const k = int(values.top, "top", 1);
  const path = values.from as string;
  let doc: { features?: { name?: unknown; index?: unknown }[] };
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DataError(`not a select --json result: ${(e as Error).message}`, { file: path });
  }
  const ranked = doc?.features;
  if (!Array.isArray(ranked) || ranked.length === 0)
    throw new DataError('not a select --json result (no "features" list)', { file: path });
  if (k > ranked.length) throw new ConfigError(`--top ${k}: ${path} ranks ${ranked.length} features`);
  return ranked.slice(0, k).map((f, r) => {
    const j = f.index;
    if (!Number.isInteger(j) || (j as number) < 0 || (j as number) >= d)
      throw new DataError(`feature ${r + 1} has index ${String(j)}, not one of this CSV's ${d} features`, {
        file: path,
      });
    if (f.name !== names[j as number]) {
      throw new DataError(
        `feature ${r + 1} is ${JSON.stringify(f.name)}, but feature ${String(j)} of this CSV is ${JSON.stringify(names[j as number])}: select and train read the CSV differently (same --drop?)`,
        { file: path },
      );
    }
    return j as number;
  });
}

function hiddenWidths(v: unknown, D: number): number[] {
  if (v === undefined) return [D, D, 2 * D, D];
  const w = (list(v) ?? []).map(Number);
  if (w.length === 0 || w.some((u) => !Number.isInteger(u) || u <= 0))
    throw new ConfigError(`--hidden: expected positive integers like 13,13,26,13, got ${JSON.stringify(v)}`);
  return w;
}

export const command: Command = {
  name: "train",
  summary: "train a (gated) classifier on a CSV and save it with its preprocessing",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, options, usage);
    if (typeof values.out !== "string") throw new ConfigError(`missing -o <model.bsfnet> (bsfnet train --help)`);
    const gates = (values.gates ?? "input") as Gates;
    if (!GATES.includes(gates))
      throw new ConfigError(`--gates must be one of ${GATES.join(", ")}, got ${JSON.stringify(values.gates)}`);
    const epochs = int(values.epochs, "epochs", 300);
    const batchSize = int(values["batch-size"], "batch-size", 32);
    const lr = num(values["learning-rate"], "learning-rate", 0.001, (v) => v > 0);
    const lambda = num(values.lambda, "lambda", 0.01, (v) => v >= 0);
    const split = num(values["validation-split"], "validation-split", 0.2, (v) => v >= 0 && v < 1);
    const seed = int(values.seed, "seed", 0, 0);
    const threads = checkThreads(
      values.threads === undefined || values.threads === "auto" ? values.threads : Number(values.threads),
      await availableThreads(),
      "--threads",
    );
    const init = num(values.init, "init", 0.99, (v) => v > 0 && v <= 1);
    const regression = parseTask(values.task) === "regression";
    const gateKind = (values.gate ?? "bernoulli") as BsfGate;
    if (!["bernoulli", "gaussian", "hard-concrete"].includes(gateKind)) {
      throw new ConfigError(`--gate must be bernoulli, gaussian or hard-concrete, got ${JSON.stringify(values.gate)}`);
    }
    // before the (possibly long) run: every path this command will write
    checkOutputs(values, ["out", "history", "report"]);
    const ds = await loadCsv(values, positionals, usage, { numericLabel: regression });
    const cols = chooseFeatures(values, ds.d, ds.featureNames);
    const D = cols.length;
    const x = cols.length === ds.d && cols.every((c, i) => c === i) ? ds.x : takeColumns(ds.x, ds.d, cols);
    const classes = regression ? 1 : ds.classNames.length;
    // the split fit() makes with the same seed: stratified for classes, random for a numeric target
    const parts =
      split > 0 ? (regression ? randomSplit(ds.n, split, seed) : stratifiedSplit(ds.y, split, seed)) : undefined;
    // the statistics of the rows the model learns from, not of the held-out ones
    const st = Standardizer.fit(x, D, parts?.train);
    // regression trains on the standardized target (Adam's steps and the gates' penalty then mean
    // the same whatever the label's units); the scale is folded into the output layer afterwards
    const t = ds.target;
    const ts = t ? Standardizer.fit(t, 1, parts?.train) : undefined;
    const z = t && ts ? ts.transform(t) : undefined;
    const widths = hiddenWidths(values.hidden, D);
    const gate = (name: string) => new BSF({ name, penalty: lambda, init, gate: gateKind });
    const layers: Layer[] = [
      new Normalization({ name: "normalization", mean: Array.from(st.mean), std: Array.from(st.std) }),
    ];
    if (gates === "input" || gates === "all") layers.push(gate("input_gate"));
    widths.forEach((u, i) => {
      layers.push(new Dense({ name: `dense_${i + 1}`, units: u, activation: "relu" }));
      if (gates === "hidden" || gates === "all") layers.push(gate(`gate_${i + 1}`));
    });
    layers.push(new Dense({ name: "output", units: classes, activation: regression ? "linear" : "softmax" }));
    const model = new Sequential(layers, { inputShape: [D], name: "bsfnet" });
    model.compile({
      optimizer: new Adam({ learningRate: lr }),
      seed,
      ...(regression ? { loss: "meanSquaredError" as const } : {}),
    });
    await model.build(undefined, await ready());
    try {
      io.out(
        `${ds.source}: ${ds.n} rows, ${D} of ${ds.d} features, ${regression ? "a numeric target" : `${classes} classes`} (label: ${ds.labelColumn}); ` +
          `${parts ? `${parts.train.length} training, ${parts.validation.length} validation rows` : "all rows for training"}`,
      );
      const p = progress(values.quiet);
      const t0 = performance.now();
      const history = await model.fit(x, z ?? ds.y, {
        epochs,
        batchSize,
        validationSplit: parts ? split : undefined,
        seed,
        verbose: 0,
        threads,
        callbacks: [epochProgress(p, epochs)],
      });
      if (threads !== 1) io.out(`training threads: ${history.threadsReason ?? history.threads}`);
      const seconds = (performance.now() - t0) / 1000;
      const columns = cols.map((j) => ds.featureNames[j]);
      const categories = ds.categories
        .filter((c) => columns.includes(c.column))
        .map((c) => ({ column: c.column, values: c.values }));
      const meta: ModelMeta = regression
        ? {
            task: "regression",
            columns,
            label: ds.labelColumn,
            csvColumns: ds.columns,
            ...(categories.length ? { categories } : {}),
          }
        : {
            columns,
            classNames: ds.classNames,
            label: ds.labelColumn,
            csvColumns: ds.columns,
            ...(categories.length ? { categories } : {}),
          };
      io.out(summary(model));
      const last = history.epochs.length - 1;
      const acc = (a: number[]) => (a.length ? a[a.length - 1].toFixed(4) : "n/a");
      if (t && ts) {
        const [mean, std] = [ts.mean[0], ts.std[0]];
        foldTargetScale(model, mean, std);
        // in the label's units now: RMSE scales by std, R² does not change
        history.rmse = history.rmse.map((v) => v * std);
        history.valRmse = history.valRmse.map((v) => v * std);
        const score = async (rows: Int32Array | undefined) => {
          const xs = rows ? takeRows(x, D, rows) : x;
          return model.evaluate<RegressionResult>(xs, rows ? takeRows(t, 1, rows) : t);
        };
        const tr = await score(parts?.train);
        const va = parts ? await score(parts.validation) : undefined;
        io.out(
          `trained ${epochs} epochs in ${seconds.toFixed(1)} s: training RMSE ${tr.rmse.toPrecision(4)}, R² ${tr.r2.toFixed(4)}` +
            (va ? `; validation RMSE ${va.rmse.toPrecision(4)}, R² ${va.r2.toFixed(4)}` : ""),
        );
      } else {
        io.out(
          `trained ${epochs} epochs in ${seconds.toFixed(1)} s: training accuracy ${acc(history.accuracy)}` +
            (parts ? `; validation accuracy: ${acc(history.valAccuracy)}` : ""),
        );
      }
      // every gate kind through its inference rule (mu and log alpha are not weights in [0, 1])
      const cfg = { gate: gateKind };
      for (const [name, raw] of Object.entries(model.gateWeights())) {
        const s = BSF.inferenceScale(cfg, raw);
        const open = s.open.filter(Boolean).length;
        io.out(
          `gate ${name}: ${open} of ${raw.length} open (gate value > ${s.threshold})` +
            (name === "input_gate" ? `: ${columns.filter((_, j) => s.open[j]).join(", ")}` : ""),
        );
      }
      for (const k of Object.keys(history.gates)) history.gates[k] = history.gates[k].map((w) => gateValues(cfg, w));
      await writeFileAtomic(values.out, encodeModelFile(model.toSpec(), meta));
      io.out(`wrote ${values.out}`);
      if (typeof values.history === "string") {
        const doc = {
          epochs: history.epochs.map((e) => e + 1),
          loss: history.loss,
          valLoss: history.valLoss,
          // regression: the loss is on the standardized target; RMSE in the label's units
          ...(regression
            ? { task: "regression", rmse: history.rmse, valRmse: history.valRmse, valR2: history.valR2 }
            : { accuracy: history.accuracy, valAccuracy: history.valAccuracy }),
          gates: Object.fromEntries(
            Object.entries(history.gates).map(([k, ws]) => [
              k,
              ws.map((w) => Array.from(w, (v) => Math.round(v * 1e6) / 1e6)),
            ]),
          ),
          columns,
        };
        await writeFileAtomic(values.history, `${JSON.stringify(doc)}\n`);
        io.out(`wrote ${values.history}`);
      }
      if (typeof values.report === "string") {
        await writeFileAtomic(
          values.report,
          trainReport({ title: `bsfnet train ${ds.source}`, columns, history, last }),
        );
        io.out(`wrote ${values.report}`);
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};
