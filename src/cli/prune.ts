// bsfnet prune <model> [--threshold T] [--fine-tune-epochs E --data file.csv --label L] -o <out>
import { readCsv } from "../data/csv-node.js";
import { readModelFile, modelToBytes } from "../io/file.js";
import type { ModelMeta } from "../io/format.js";
import { fileToSpec } from "../io/spec.js";
import { planSpec, reduceRows } from "../prune/plan.js";
import { pruneSpec } from "../prune/apply.js";
import { specToModel, type ModelSpec } from "../prune/spec.js";
import { fineTune } from "../prune/finetune.js";
import { summary } from "../prune/summary.js";
import { ready } from "../runtime/runtime.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError, DataError } from "../errors.js";
import { number, parse } from "./args.js";
import type { Command } from "./command.js";

const usage = `Usage: bsfnet prune <model.bsfnet> -o <out.bsfnet> [--threshold T]
                    [--fine-tune-epochs E --data <file.csv> --label <name|index> [--no-header]
                     [--learning-rate LR] [--batch-size B]]
Deletes the units (and input features) whose gate weight is at or below the threshold (default:
each gate's own, 0.1 unless configured), removes the gates, and writes the smaller model. With
--fine-tune-epochs it then trains E epochs on the CSV's rows (full input width, standardized with
the model's saved statistics when it has them) at a tenth of --learning-rate (default 0.001).`;

/** Rows to fine-tune on, at the model's full (unpruned) input width and not standardized. */
export interface FullWidthRows {
  x: Float32Array;
  y: Int32Array;
  /** Features per row. */
  d: number;
  /** Named in errors (the CSV's path). */
  source?: string;
}

export interface PruneFileOptions {
  /** Gate weights at or below it are closed; default each gate's own. */
  threshold?: number;
  /** Fine-tune the pruned model; rows() is called once the model is pruned and built. */
  fineTune?: { epochs: number; batchSize: number; learningRate: number; rows: () => Promise<FullWidthRows> };
}

/**
 * TO MOVE INTO THE LIBRARY (issue 8, point 4): prune the model file at `path` and return the new
 * file's bytes. Composes meta.inputKeep with the one the file already had (a model pruned twice
 * reads the same full-width rows), keeps meta.fullInputSize, and fine-tunes on full-width rows after
 * applying the file's saved standardization and the composed inputKeep: what a library user
 * pruning a saved model would otherwise copy from here.
 */
export async function pruneFile(path: string, options: PruneFileOptions = {}): Promise<{ bytes: Uint8Array; meta: ModelMeta; before: ModelSpec; after: ModelSpec }> {
  const file = await readModelFile(path);
  const spec = fileToSpec(file, path);
  const plan = planSpec(spec, { threshold: options.threshold });
  const prunedSpec = pruneSpec(spec, plan.gates);
  // Compose the input mapping with the one the file already had (a model pruned twice).
  const meta = { ...file.meta };
  if (plan.inputKeep) {
    const prev = file.meta.inputKeep;
    meta.inputKeep = prev ? plan.inputKeep.map((j) => prev[j]) : plan.inputKeep;
    meta.fullInputSize = file.meta.fullInputSize ?? plan.inputSize;
  }
  const rt = await ready();
  const model = specToModel(prunedSpec, rt);
  try {
    const ft = options.fineTune;
    if (ft && ft.epochs > 0) {
      const ds = await ft.rows();
      const full = (meta.fullInputSize as number | undefined) ?? plan.inputSize;
      if (ds.d !== full) throw new DataError(`has ${ds.d} features, the model reads ${full}`, { file: ds.source });
      const st = meta.standardize as { mean: number[]; std: number[] } | undefined;
      const x = Float32Array.from(ds.x, (v, i) => (st ? (v - st.mean[i % full]) / st.std[i % full] : v));
      await fineTune(model, reduceRows(x, full, meta.inputKeep as number[] | undefined), ds.y, { epochs: ft.epochs, batchSize: ft.batchSize, baseLearningRate: ft.learningRate });
    }
    return { bytes: modelToBytes(model, meta), meta, before: spec, after: prunedSpec };
  } finally {
    model.dispose();
  }
}

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
    const threshold = values.threshold === undefined ? undefined : number(values.threshold, "threshold", 0.1, (t) => t >= 0 && t < 1);
    const epochs = number(values["fine-tune-epochs"], "fine-tune-epochs", 0, (e) => Number.isInteger(e) && e >= 0);
    const lr = number(values["learning-rate"], "learning-rate", 0.001, (v) => v > 0);
    const batchSize = number(values["batch-size"], "batch-size", 32, (v) => Number.isInteger(v) && v > 0);
    if (epochs > 0 && (typeof values.data !== "string" || values.label === undefined)) {
      throw new ConfigError("--fine-tune-epochs needs --data <file.csv> and --label <name|index>");
    }
    const rows = () => readCsv(values.data as string, { header: !values["no-header"], label: values.label as string });
    const r = await pruneFile(path, { threshold, fineTune: epochs > 0 ? { epochs, batchSize, learningRate: lr, rows } : undefined });
    if (epochs > 0) io.out(`fine-tuned ${epochs} epochs at learning rate ${lr / 10}`);
    await writeFileAtomic(values.out, r.bytes);
    io.out(summary(r.before, r.after));
    io.out(`wrote ${values.out}`);
    return 0;
  },
};
