// bsfnet predict <model> <file.csv|->: class and probabilities of every row, from raw rows of the
// CSV layout the model was trained on (its columns found by header name, or by position without a
// header); with --label, the accuracy and the confusion matrix too. A regression model (meta.task
// "regression") prints its prediction per row, and with --label the RMSE and R².
import { readModelFile } from "../io/file.js";
import { readModelRows } from "../data/csv-node.js";
import { modelInput } from "../model/meta.js";
import { Sequential } from "../model/sequential.js";
import { ready } from "../runtime/runtime.js";
import { availableThreads, checkThreads } from "../runtime/threads.js";
import { writeFileAtomic } from "../util/atomic.js";
import { argmaxRows } from "../util/argmax.js";
import { ConfigError, ModelFileError } from "../errors.js";
import { checkInput, checkOutputs, helpOf, parse, type OptionTable } from "./args.js";
import type { Command } from "./command.js";

const options = {
  "no-header": {
    type: "boolean",
    help: "the first line is data: columns are matched by position (the training file's layout, with or without its label)",
  },
  label: {
    type: "string",
    arg: "name|index",
    help: "the file's label column: also print the accuracy and the confusion matrix (regression: RMSE and R²)",
  },
  format: {
    type: "string",
    arg: "csv|json",
    default: "csv",
    help: "csv: class,p_<class>,... (regression: prediction); json: one JSON object per line",
  },
  out: { type: "string", short: "o", arg: "file", help: "write the predictions there instead of stdout" },
  threads: {
    type: "string",
    arg: "N|auto",
    default: "1",
    help: "threads splitting the rows (auto: two only where the rows are enough work to pay for it); the same output",
  },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionTable;

const usage = helpOf(
  "Usage: bsfnet predict <model.bsfnet> <file.csv|-> [options]",
  options,
  `Reads raw rows (- for stdin): the model standardizes them itself and picks the columns it reads
by name. One line per row: the predicted class and each class's probability (a regression model:
the predicted value). With --label the accuracy and the confusion matrix (regression: rmse and r2)
follow on stdout (on stderr when the predictions go to stdout).`,
);

function confusion(y: Int32Array, pred: Int32Array, names: string[]): string {
  const k = names.length;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) m[y[i]][pred[i]]++;
  const w = Math.max(6, ...names.map((s) => s.length), ...m.flat().map((v) => String(v).length));
  const lines = [`${"true \\ predicted".padEnd(w + 2)}${names.map((s) => s.padStart(w + 1)).join("")}`];
  for (const [i, row] of m.entries())
    lines.push(`${names[i].padEnd(w + 2)}${row.map((v) => String(v).padStart(w + 1)).join("")}`);
  return lines.join("\n");
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One prediction per row (one column per output for a multi-output model); with the label, RMSE
 * and R² (1 - SSE / SST, pooled over outputs as Sequential.evaluate does). */
async function regressionOutput(
  pred: Float32Array,
  V: number,
  target: Float32Array | undefined,
  format: string,
  out: unknown,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const n = pred.length / V;
  const cols = V === 1 ? ["prediction"] : Array.from({ length: V }, (_, j) => `prediction_${j}`);
  const lines: string[] = [];
  if (format === "csv") lines.push(cols.join(","));
  for (let i = 0; i < n; i++) {
    const p = Array.from(pred.subarray(i * V, (i + 1) * V), (v) => Number(v.toPrecision(7)));
    lines.push(format === "csv" ? p.join(",") : JSON.stringify(V === 1 ? { prediction: p[0] } : { prediction: p }));
  }
  const toFile = typeof out === "string";
  if (toFile) await writeFileAtomic(out as string, `${lines.join("\n")}\n`);
  else for (const l of lines) io.out(l);
  if (target) {
    if (target.length !== pred.length)
      throw new ModelFileError(`the model has ${V} outputs; the label is one value per row`);
    const say = toFile ? io.out : io.err;
    let sse = 0;
    let sst = 0;
    let mean = 0;
    for (let i = 0; i < target.length; i++) mean += target[i] / target.length;
    for (let i = 0; i < target.length; i++) {
      sse += (pred[i] - target[i]) ** 2;
      sst += (target[i] - mean) ** 2;
    }
    const r2 = sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
    say(`rmse: ${Number(Math.sqrt(sse / target.length).toPrecision(6))} (${n} rows)`);
    say(`r2: ${r2.toFixed(4)}`);
  }
  if (toFile) io.out(`wrote ${n} predictions to ${out}`);
  return 0;
}

export const command: Command = {
  name: "predict",
  summary: "predict the class of every row of a CSV (or stdin) with a model file",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, options, usage);
    if (positionals.length !== 2)
      throw new ConfigError(`expected <model.bsfnet> and <file.csv|-> (bsfnet predict --help)`);
    const format = (values.format ?? "csv") as string;
    if (format !== "csv" && format !== "json")
      throw new ConfigError(`--format must be csv or json, got ${JSON.stringify(format)}`);
    checkOutputs(values, ["out"]);
    const threads = checkThreads(
      values.threads === undefined || values.threads === "auto" ? values.threads : Number(values.threads),
      await availableThreads(),
      "--threads",
    );
    const [modelPath, dataPath] = positionals;
    checkInput(dataPath);
    const file = await readModelFile(modelPath);
    const rows = await readModelRows(dataPath, file.meta, {
      header: !values["no-header"],
      label: values.label as string | undefined,
    });
    const model = Sequential.fromSpec(file.spec, await ready());
    let probs: Float32Array;
    try {
      const inputSize = model.inputShape!.reduce((a, b) => a * b, 1);
      probs = await model.predict(modelInput(file.meta, rows.x, inputSize), { threads });
    } finally {
      await model.closeThreads();
      model.dispose();
    }
    const V = probs.length / rows.n;
    if (file.meta.task === "regression") return regressionOutput(probs, V, rows.target, format, values.out, io);
    const names = file.meta.classNames ?? Array.from({ length: V }, (_, i) => String(i));
    if (names.length !== V)
      throw new ModelFileError(`meta.classNames names ${names.length} classes, the model has ${V}`, modelPath);
    const pred = argmaxRows(probs, V);
    const lines: string[] = [];
    if (format === "csv") lines.push(["class", ...names.map((c) => `p_${c}`)].map(csvField).join(","));
    for (let i = 0; i < rows.n; i++) {
      const p = Array.from(probs.subarray(i * V, (i + 1) * V), (v) => Number(v.toPrecision(7)));
      if (format === "csv") lines.push([csvField(names[pred[i]]), ...p.map(String)].join(","));
      else
        lines.push(
          JSON.stringify({ class: names[pred[i]], probabilities: Object.fromEntries(names.map((c, j) => [c, p[j]])) }),
        );
    }
    const toFile = typeof values.out === "string";
    if (toFile) await writeFileAtomic(values.out as string, `${lines.join("\n")}\n`);
    else for (const l of lines) io.out(l);
    if (rows.y) {
      const say = toFile ? io.out : io.err;
      let correct = 0;
      for (let i = 0; i < rows.n; i++) if (pred[i] === rows.y[i]) correct++;
      say(`accuracy: ${(correct / rows.n).toFixed(4)} (${correct} of ${rows.n} rows)`);
      say(confusion(rows.y, pred, names));
    }
    if (toFile) io.out(`wrote ${rows.n} predictions to ${values.out}`);
    return 0;
  },
};
