// bsfnet prune <model> [--threshold T] [--fine-tune-epochs E --data file.csv --label L] -o <out>
import { readCsv, readModelRows } from "../data/csv-node.js";
import { readModelFile } from "../io/file.js";
import { encodeModelFile } from "../io/format.js";
import { DEFAULT_THRESHOLD } from "../layers/bsf.js";
import { pruneModelFile } from "../prune/file.js";
import { summary } from "../prune/summary.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError } from "../errors.js";
import { checkInput, checkOutputs, helpOf, number, parse, type OptionTable } from "./args.js";
import type { Command } from "./command.js";

const options = {
  out: { type: "string", short: "o", arg: "out.bsfnet", help: "where to write the pruned model (required)" },
  threshold: {
    type: "string",
    arg: "T",
    default: `each gate's own (${DEFAULT_THRESHOLD} unless configured)`,
    help: "a gate keeps a unit when its weight is above T",
  },
  "fine-tune-epochs": {
    type: "string",
    arg: "E",
    default: "0",
    help: "then train E epochs on --data at a tenth of --learning-rate",
  },
  data: {
    type: "string",
    arg: "file.csv",
    help: "fine-tuning rows: the model's training CSV layout (columns by header name), or full-width rows",
  },
  label: { type: "string", arg: "name|index", default: "the model's label column", help: "label column of --data" },
  "no-header": { type: "boolean", help: "--data has no header line" },
  "learning-rate": { type: "string", arg: "LR", default: "0.001", help: "fine-tuning uses a tenth of it" },
  "batch-size": { type: "string", arg: "B", default: "32", help: "fine-tuning rows per step" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionTable;

const usage = helpOf(
  "Usage: bsfnet prune <model.bsfnet> -o <out.bsfnet> [options]",
  options,
  `Deletes the units (and input features) whose gate weight is at or below the threshold, removes
the gates, and writes the smaller model; it computes what the gated model computes. A
Normalization layer before an input gate loses the pruned columns too; the model still reads the
same raw rows (meta.inputKeep maps them).`,
);

export const command: Command = {
  name: "prune",
  summary: "delete a model file's closed gates and what they gate; optionally fine-tune",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, options, usage);
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${usage}`);
    if (typeof values.out !== "string") throw new ConfigError("missing -o <out.bsfnet> (bsfnet prune --help)");
    checkOutputs(values, ["out"]);
    const threshold =
      values.threshold === undefined
        ? undefined
        : number(values.threshold, "threshold", DEFAULT_THRESHOLD, (t) => t >= 0 && t < 1);
    const epochs = number(values["fine-tune-epochs"], "fine-tune-epochs", 0, (e) => Number.isInteger(e) && e >= 0);
    const lr = number(values["learning-rate"], "learning-rate", 0.001, (v) => v > 0);
    const batchSize = number(values["batch-size"], "batch-size", 32, (v) => Number.isInteger(v) && v > 0);
    const file = await readModelFile(path);
    const byName = Array.isArray(file.meta.columns);
    if (
      epochs > 0 &&
      (typeof values.data !== "string" || (values.label === undefined && !(byName && file.meta.label)))
    ) {
      throw new ConfigError("--fine-tune-epochs needs --data <file.csv> and --label <name|index>");
    }
    const header = !values["no-header"];
    const rows = async () => {
      const data = values.data as string;
      checkInput(data);
      const regression = file.meta.task === "regression";
      if (!byName) {
        const ds = await readCsv(data, { header, label: values.label as string, numericLabel: regression });
        return regression ? { ...ds, y: undefined } : ds;
      }
      // a model trained from a CSV reads its own columns of it, by name
      const r = await readModelRows(data, file.meta, {
        header,
        label: (values.label as string | undefined) ?? (file.meta.label as string),
      });
      return { x: r.x, y: r.y, target: r.target, d: r.d, source: r.source };
    };
    const r = await pruneModelFile(file, {
      threshold,
      fineTune: epochs > 0 ? { epochs, batchSize, learningRate: lr, rows } : undefined,
    });
    if (epochs > 0) io.out(`fine-tuned ${epochs} epochs at learning rate ${lr / 10}`);
    await writeFileAtomic(values.out, encodeModelFile(r.spec, r.meta));
    io.out(summary(file.spec, r.spec));
    io.out(`wrote ${values.out}`);
    return 0;
  },
};
