// The playground's whole job, free of DOM and Node: parse a CSV, train the CLI's `train` network
// with BSF gates, rank the input gates with the library's rule, prune the model the way `bsfnet
// prune` does, and make the files the CLI would write. The Web Worker runs it in the page, and the
// tests and scripts/playground-measure.ts run the very same function in Node, which is what makes
// "same seed, same gate weights" and the page/Node speed ratio meaningful comparisons.
import { parseCsv, type CsvDataset } from "../src/data/csv.js";
import { Standardizer } from "../src/data/standardize.js";
import { randomSplit, stratifiedSplit } from "../src/data/split.js";
import { makeClassification } from "../src/data/synthetic.js";
import { Sequential } from "../src/model/sequential.js";
import { foldTargetScale } from "../src/model/target.js";
import { takeColumns } from "../src/util/columns.js";
import { Dense } from "../src/layers/dense.js";
import { BSF, DEFAULT_THRESHOLD, gateValues } from "../src/layers/bsf.js";
import { Normalization } from "../src/layers/normalization.js";
import type { Layer } from "../src/layers/layer.js";
import { Adam } from "../src/optim/optimizer.js";
import type { ModelMeta } from "../src/model/meta.js";
import { decodeModelFile, encodeModelFile } from "../src/io/format.js";
import { pruneModelFile } from "../src/prune/file.js";
import { summary } from "../src/prune/summary.js";
import { toOnnx } from "../src/export/onnx.js";
import { rankGates, type FeatureImportance } from "../src/select/select.js";
import { crossValidate } from "../src/select/crossval.js";
import { float32Text, reducedCsv } from "../src/cli/transform.js";
import { ConfigError, DataError } from "../src/errors.js";
import type { Runtime } from "../src/runtime/runtime.js";
import type { EpochLogs } from "../src/model/callbacks.js";

/** What a tab can parse without the allocation failing outright: the parser keeps the bytes and
 * grows float32 buffers of n x d beside them, and a 32-bit tab has about 2 GB in all. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export type Task = "classification" | "regression";
export type Gates = "input" | "hidden" | "all";

export interface ParseOptions {
  label: string;
  drop?: string[];
  task?: Task;
  header?: boolean;
}

export interface TrainOptions {
  lambda: number;
  /** keep exactly the k best-ranked features (the pruned model's input gate is cut to them) */
  k?: number;
  epochs: number;
  gates: Gates;
  seed: number;
  batchSize?: number;
  learningRate?: number;
  validationSplit?: number;
  init?: number;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** inference gate values per gate layer after this epoch */
  gates: Record<string, Float32Array>;
  seconds: number;
}

export interface Hooks {
  onEpoch?(r: EpochReport): void | Promise<void>;
  /** fraction of the run done, called every batch */
  onBatch?(done: number): void | Promise<void>;
  /** checked after every batch: true ends the run, keeping the epochs done so far */
  shouldStop?(): boolean;
}

export interface JobResult {
  task: Task;
  epochsDone: number;
  stopped: boolean;
  seconds: number;
  history: {
    loss: number[];
    accuracy: number[];
    valLoss: number[];
    valAccuracy: number[];
    /** per gate layer: inference gate values after each epoch */
    gates: Record<string, Float32Array[]>;
  };
  /** ranked input features (empty when the input is not gated) */
  features: FeatureImportance[];
  selected: number[];
  lastEpochs: number;
  /** the CLI's `select --json` document */
  rankingJson: string;
  /** the CLI's `select --transform` output */
  reducedCsv: string;
  /** `bsfnet train` then `bsfnet prune`: the pruned .bsfnet with its preprocessing */
  model: Uint8Array;
  /** the unpruned model file as `bsfnet train -o` writes it */
  trainedModel: Uint8Array;
  onnx: Uint8Array;
  pruneSummary: string;
  /** the pruned model's outputs on every row of the dataset (what the page shows and the test checks) */
  predictions: Float32Array;
  outputs: number;
  /** inputs the pruned model reads: its input gate's weights after the last epoch above the
   * threshold, which can differ from `selected` (importances averaged over the last epochs) */
  prunedInputs: number;
}

/** A label column's usual names; otherwise the last column, as the CLI's --label -1. */
const LABEL_NAMES = /^(class|label|target|y|outcome|diagnosis|species|quality|type)$/i;

export function guessLabel(columns: readonly string[]): string {
  return columns.find((c) => LABEL_NAMES.test(c.trim())) ?? columns[columns.length - 1];
}

/** A label whose values are numbers that are not all small integers reads as a regression target. */
export function guessTask(values: readonly string[]): Task {
  const nums = values.map(Number);
  if (values.length === 0 || nums.some((v, i) => values[i].trim() === "" || !Number.isFinite(v)))
    return "classification";
  const distinct = new Set(nums).size;
  return nums.some((v) => !Number.isInteger(v)) && distinct > 10 ? "regression" : "classification";
}

export function checkSize(bytes: number, file: string, limit = MAX_FILE_BYTES): void {
  if (bytes === 0) throw new DataError("empty file (no rows)", { file });
  if (bytes > limit)
    throw new DataError(
      `the file is ${sizeText(bytes)}, more than this tab can parse and train on (${sizeText(limit)}); ` +
        "use the CLI (bsfnet select / train read files of any size), or a sample of the rows",
      { file },
    );
}

const sizeText = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MB` : `${(b / 1024).toFixed(1)} KB`);

/** The column names and the first rows' label cells, for the form (the full parse comes after). */
export function peekColumns(
  bytes: Uint8Array,
  file: string,
  header = true,
  limit = MAX_FILE_BYTES,
): { columns: string[]; sample: string[][] } {
  checkSize(bytes.byteLength, file, limit);
  // 64 KB is enough for the header and a few hundred rows; the cut line may be partial, so drop it
  const head = new TextDecoder().decode(bytes.subarray(0, 65536));
  const lines = head.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (bytes.byteLength > 65536) lines.pop();
  if (lines.length === 0) throw new DataError("empty file (no rows)", { file });
  const ds = parseCsv(lines.join("\n"), { header, label: null, source: file });
  return { columns: ds.columns, sample: lines.slice(header ? 1 : 0, 201).map(splitCells) };
}

function splitCells(line: string): string[] {
  const d = line.includes("\t") ? "\t" : line.includes(",") ? "," : line.includes(";") ? ";" : /\s+/;
  return line.split(d).map((s) => s.trim().replace(/^"|"$/g, ""));
}

export function parseDataset(bytes: Uint8Array, file: string, o: ParseOptions, limit = MAX_FILE_BYTES): CsvDataset {
  checkSize(bytes.byteLength, file, limit);
  let ds: CsvDataset;
  try {
    ds = parseCsv(bytes, {
      header: o.header ?? true,
      label: o.label,
      drop: o.drop?.length ? o.drop : undefined,
      numericLabel: o.task === "regression",
      source: file,
    });
  } catch (e) {
    // the tab's own limit, met inside the parser's growing buffers
    if (e instanceof RangeError)
      throw new DataError(`too large for this tab's memory (${e.message}); use the CLI or a sample of the rows`, {
        file,
      });
    throw e;
  }
  // the parser refuses a single class itself; a constant numeric target it reads as fine
  if (o.task === "regression" && ds.target && new Set(ds.target).size < 2)
    throw new DataError(`the label has a single value (${ds.target[0]}): nothing to select features for`, {
      file,
      column: ds.labelColumn,
    });
  return ds;
}

/** The demo's synthetic data (what `npm start` runs: Guyon's MADELON recipe) as CSV text, so it
 * goes through the same parser as a user's file and the downloads read back in the CLI. */
export function syntheticCsv(seed = 0, shape = { n: 1000, informative: 5, redundant: 5, noise: 40 }): string {
  const ds = makeClassification({
    nSamples: shape.n,
    nInformative: shape.informative,
    nRedundant: shape.redundant,
    nNoise: shape.noise,
    classSep: 1.0,
    seed,
  });
  const lines = [[...ds.featureNames, "class"].join(",")];
  for (let i = 0; i < ds.n; i++) {
    const cells: string[] = [];
    for (let j = 0; j < ds.d; j++) cells.push(float32Text(ds.x[i * ds.d + j]));
    cells.push(String(ds.y[i]));
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** The shape of Musk2 (166 features + 2 ids = 168 columns, 6,598 rows) for the speed measurement. */
export const MUSK2_SHAPE = { n: 6598, informative: 20, redundant: 20, noise: 128 };

function checkTrain(o: TrainOptions, d: number): void {
  if (!Number.isInteger(o.epochs) || o.epochs < 1)
    throw new ConfigError(`epochs must be an integer >= 1, got ${o.epochs}`);
  if (!(o.lambda >= 0 && Number.isFinite(o.lambda)))
    throw new ConfigError(`lambda must be a number >= 0, got ${o.lambda}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new ConfigError(`seed must be an integer >= 0, got ${o.seed}`);
  if (o.k !== undefined && !(Number.isInteger(o.k) && o.k >= 1 && o.k <= d))
    throw new ConfigError(`k must be an integer in [1, ${d}] (the number of features), got ${o.k}`);
  if (o.k !== undefined && o.gates === "hidden")
    throw new ConfigError("a target k keeps k input features: it needs the input gate (gates: input or both)");
}

/** The network of `bsfnet train --gates G` (Normalization fitted on the training rows, BSF gates,
 * dense D, D, 2D, D with ReLU) and its training, then ranking, pruning and the downloads. */
export async function runJob(
  ds: CsvDataset,
  o: TrainOptions,
  runtime: Runtime,
  hooks: Hooks = {},
  task: Task = ds.target ? "regression" : "classification",
): Promise<JobResult> {
  checkTrain(o, ds.d);
  const regression = task === "regression";
  const D = ds.d;
  const classes = regression ? 1 : ds.classNames.length;
  const split = o.validationSplit ?? 0.2;
  const seed = o.seed;
  // the split fit() makes with the same seed, so the Normalization sees the training rows only
  const parts =
    split > 0 ? (regression ? randomSplit(ds.n, split, seed) : stratifiedSplit(ds.y, split, seed)) : undefined;
  const st = Standardizer.fit(ds.x, D, parts?.train);
  const ts = regression && ds.target ? Standardizer.fit(ds.target, 1, parts?.train) : undefined;
  const z = ts && ds.target ? ts.transform(ds.target) : undefined;
  const gate = (name: string) => new BSF({ name, penalty: o.lambda, init: o.init ?? 0.99 });
  const layers: Layer[] = [
    new Normalization({ name: "normalization", mean: Array.from(st.mean), std: Array.from(st.std) }),
  ];
  if (o.gates !== "hidden") layers.push(gate("input_gate"));
  [D, D, 2 * D, D].forEach((u, i) => {
    layers.push(new Dense({ name: `dense_${i + 1}`, units: u, activation: "relu" }));
    if (o.gates !== "input") layers.push(gate(`gate_${i + 1}`));
  });
  layers.push(new Dense({ name: "output", units: classes, activation: regression ? "linear" : "softmax" }));
  const model = new Sequential(layers, { inputShape: [D], name: "bsfnet" });
  model.compile({
    optimizer: new Adam({ learningRate: o.learningRate ?? 0.001 }),
    seed,
    ...(regression ? { loss: "meanSquaredError" as const } : {}),
  });
  await model.build(undefined, runtime);
  try {
    const batchSize = o.batchSize ?? 32;
    const steps = Math.ceil((parts ? parts.train.length : ds.n) / batchSize);
    let epoch = 0;
    let stopped = false;
    const t0 = performance.now();
    const history = await model.fit(ds.x, z ?? ds.y, {
      epochs: o.epochs,
      batchSize,
      validationSplit: parts ? split : undefined,
      seed,
      verbose: 0,
      callbacks: [
        {
          onEpochBegin: (e) => {
            epoch = e;
          },
          onBatchEnd: async (b, _logs, m) => {
            await hooks.onBatch?.((epoch * steps + b + 1) / (o.epochs * steps));
            if (hooks.shouldStop?.()) {
              stopped = true;
              m.stopTraining = true;
            }
          },
          onEpochEnd: async (e, logs: EpochLogs) => {
            await hooks.onEpoch?.({
              epoch: e,
              epochs: o.epochs,
              loss: logs.loss,
              accuracy: logs.accuracy,
              valLoss: logs.valLoss,
              valAccuracy: logs.valAccuracy,
              gates: Object.fromEntries(Object.entries(logs.gates).map(([k, w]) => [k, gateValues({}, w)])),
              seconds: logs.seconds,
            });
          },
        },
      ],
    });
    const seconds = (performance.now() - t0) / 1000;
    if (ts) foldTargetScale(model, ts.mean[0], ts.std[0]);
    const gates = Object.fromEntries(
      Object.entries(history.gates).map(([k, ws]) => [k, ws.map((w) => gateValues({}, w))]),
    );
    // a Stop inside the first epoch leaves no epoch to rank: the model is still the initial one
    const done = history.loss.length;
    const input = gates.input_gate;
    const lastEpochs = Math.max(1, Math.round(done / 10));
    const features = input && done > 0 ? rankGates(input, lastEpochs, ds.featureNames) : [];
    let selected = features.filter((f) => f.importance > DEFAULT_THRESHOLD).map((f) => f.index);
    let threshold: number | undefined;
    if (o.k !== undefined && features.length) {
      selected = features.slice(0, o.k).map((f) => f.index);
      // The pruner keeps what the gate leaves open: the gates beyond the k close, and when one of
      // the k is itself at or below the threshold (fewer than k open), the threshold drops just
      // below it so the pruned model reads exactly the k features, each scaled by its own gate.
      const keep = new Set(selected);
      const w = model.getWeights();
      for (const p of w) {
        if (p.layer !== "input_gate") continue;
        p.values = p.values.map((v, j) => (keep.has(j) ? v : 0));
        const low = Math.min(...selected.map((j) => p.values[j]));
        if (low <= DEFAULT_THRESHOLD) threshold = Math.max(0, low * 0.999);
      }
      model.setWeights(w);
    }
    const columns = ds.featureNames;
    const meta: ModelMeta = {
      ...(regression ? { task: "regression" as const } : { classNames: ds.classNames }),
      columns,
      label: ds.labelColumn,
      csvColumns: ds.columns,
      ...(ds.categories.length
        ? { categories: ds.categories.map((c) => ({ column: c.column, values: c.values })) }
        : {}),
    };
    const trainedModel = encodeModelFile(model.toSpec(), meta);
    const pruned = await pruneModelFile(decodeModelFile(trainedModel, "trained.bsfnet"), { runtime, threshold });
    const prunedBytes = encodeModelFile(pruned.spec, pruned.meta);
    const onnx = toOnnx(pruned.spec);
    const prunedModel = Sequential.fromSpec(pruned.spec, runtime);
    let predictions: Float32Array;
    try {
      const keep = pruned.meta.inputKeep;
      const x = keep ? takeColumns(ds.x, D, keep) : ds.x;
      predictions = await prunedModel.predict(x);
    } finally {
      prunedModel.dispose();
    }
    const kept = selected.length ? selected : features.length ? [features[0].index] : [];
    const doc = {
      file: ds.source,
      label: ds.labelColumn,
      lambda: o.lambda,
      gate: "bernoulli",
      epochs: done,
      seed,
      schedule: "penalty-first",
      k: o.k,
      lastEpochs,
      selected,
      features: features.map((f) => ({ name: f.name, index: f.index, importance: f.importance })),
      warnings: features.length && selected.length === 0 ? ["every input gate closed"] : [],
    };
    return {
      task,
      epochsDone: done,
      stopped,
      seconds,
      history: {
        loss: history.loss,
        accuracy: history.accuracy,
        valLoss: history.valLoss,
        valAccuracy: history.valAccuracy,
        gates,
      },
      features,
      selected,
      lastEpochs,
      rankingJson: `${JSON.stringify(doc, null, 2)}\n`,
      reducedCsv: kept.length ? reducedCsv(ds, kept) : "",
      model: prunedBytes,
      trainedModel,
      onnx,
      pruneSummary: summary(model.toSpec(), pruned.spec),
      predictions,
      outputs: classes,
      prunedInputs: pruned.meta.inputKeep?.length ?? D,
    };
  } finally {
    model.dispose();
  }
}

/** Up to 8 feature counts from 1 to d: the points of `select --report`'s accuracy curve. */
export function curvePoints(d: number): number[] {
  const ks = new Set<number>();
  for (let i = 0; i < 8; i++) ks.add(Math.max(1, Math.round(1 + ((d - 1) * i) / 7)));
  return [...ks].sort((a, b) => a - b);
}

/** 5-fold cross-validated accuracy (R² for regression) with the top k features, as `select --report`. */
export async function accuracyCurve(
  ds: CsvDataset,
  ranking: readonly number[],
  seed: number,
  runtime: Runtime,
  onPoint?: (done: number, total: number) => void | Promise<void>,
): Promise<{ k: number; mean: number; std: number }[]> {
  const ks = curvePoints(ranking.length);
  const out: { k: number; mean: number; std: number }[] = [];
  for (const [i, k] of ks.entries()) {
    await onPoint?.(i, ks.length);
    const c = await crossValidate(ds.x, ds.target ?? ds.y, {
      task: ds.target ? "regression" : undefined,
      features: ds.d,
      subset: ranking.slice(0, k) as number[],
      folds: 5,
      epochs: 100,
      seed,
      runtime,
    });
    out.push({ k, mean: c.mean, std: c.std });
  }
  await onPoint?.(ks.length, ks.length);
  return out;
}
