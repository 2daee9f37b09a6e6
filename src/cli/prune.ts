// bsfnet prune <model> [--threshold T] [--fine-tune-epochs E --data file.csv --label L] -o <out>
import { readCsv } from "../data/csv-node.js";
import { readModelFile } from "../io/file.js";
import { encodeModelFile } from "../io/format.js";
import { DEFAULT_THRESHOLD } from "../layers/bsf.js";
import { pruneModelFile } from "../prune/file.js";
import { summary } from "../prune/summary.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError } from "../errors.js";
import { number, parse } from "./args.js";
import type { Command } from "./command.js";

const usage = `Usage: bsfnet prune <model.bsfnet> -o <out.bsfnet> [--threshold T]
                    [--fine-tune-epochs E --data <file.csv> --label <name|index> [--no-header]
                     [--learning-rate LR] [--batch-size B]]
Deletes the units (and input features) whose gate weight is at or below the threshold (default:
each gate's own, ${DEFAULT_THRESHOLD} unless configured), removes the gates, and writes the smaller model. With
--fine-tune-epochs it then trains E epochs on the CSV's rows (full input width, standardized with
the model's saved statistics when it has them) at a tenth of --learning-rate (default 0.001).`;

export const command: Command = {
  name: "prune",
  summary: "delete a model file's closed gates and what they gate; optionally fine-tune",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        out: { type: "string", short: "o" },
        threshold: { type: "string" },
        "fine-tune-epochs": { type: "string" },
        data: { type: "string" },
        label: { type: "string" },
        "no-header": { type: "boolean" },
        "learning-rate": { type: "string" },
        "batch-size": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      usage,
    );
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${usage}`);
    if (typeof values.out !== "string") throw new ConfigError(`missing -o <out.bsfnet>\n\n${usage}`);
    const threshold = values.threshold === undefined ? undefined : number(values.threshold, "threshold", DEFAULT_THRESHOLD, (t) => t >= 0 && t < 1);
    const epochs = number(values["fine-tune-epochs"], "fine-tune-epochs", 0, (e) => Number.isInteger(e) && e >= 0);
    const lr = number(values["learning-rate"], "learning-rate", 0.001, (v) => v > 0);
    const batchSize = number(values["batch-size"], "batch-size", 32, (v) => Number.isInteger(v) && v > 0);
    if (epochs > 0 && (typeof values.data !== "string" || values.label === undefined)) {
      throw new ConfigError("--fine-tune-epochs needs --data <file.csv> and --label <name|index>");
    }
    const rows = () => readCsv(values.data as string, { header: !values["no-header"], label: values.label as string });
    const file = await readModelFile(path);
    const r = await pruneModelFile(file, { threshold, fineTune: epochs > 0 ? { epochs, batchSize, learningRate: lr, rows } : undefined });
    if (epochs > 0) io.out(`fine-tuned ${epochs} epochs at learning rate ${lr / 10}`);
    await writeFileAtomic(values.out, encodeModelFile(r.spec, r.meta));
    io.out(summary(file.spec, r.spec));
    io.out(`wrote ${values.out}`);
    return 0;
  },
};
