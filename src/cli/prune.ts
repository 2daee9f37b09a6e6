// bsfnet prune <model> [--threshold T] [--fine-tune-epochs E --data file.csv --label L] -o <out>
import { readCsv } from "../data/csv-node.js";
import { readModelFile, modelToBytes } from "../io/file.js";
import { fileToSpec } from "../io/spec.js";
import { planSpec, reduceRows } from "../prune/plan.js";
import { pruneSpec } from "../prune/apply.js";
import { specToModel } from "../prune/spec.js";
import { fineTune } from "../prune/finetune.js";
import { summary } from "../prune/summary.js";
import { ready } from "../runtime/runtime.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError, DataError } from "../errors.js";
import { guard, number, parse } from "./args.js";

export const USAGE = `Usage: bsfnet prune <model.bsfnet> -o <out.bsfnet> [--threshold T]
                    [--fine-tune-epochs E --data <file.csv> --label <name|index> [--no-header]
                     [--learning-rate LR] [--batch-size B]]
Deletes the units (and input features) whose gate weight is at or below the threshold (default:
each gate's own, 0.1 unless configured), removes the gates, and writes the smaller model. With
--fine-tune-epochs it then trains E epochs on the CSV's rows (full input width, standardized with
the model's saved statistics when it has them) at a tenth of --learning-rate (default 0.001).`;

export async function run(argv: string[]): Promise<number> {
  return guard(async () => {
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
      USAGE,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${USAGE}`);
    if (typeof values.out !== "string") throw new ConfigError(`missing -o <out.bsfnet>\n\n${USAGE}`);
    const threshold = values.threshold === undefined ? undefined : number(values.threshold, "threshold", 0.1, (t) => t >= 0 && t < 1);
    const epochs = number(values["fine-tune-epochs"], "fine-tune-epochs", 0, (e) => Number.isInteger(e) && e >= 0);
    const lr = number(values["learning-rate"], "learning-rate", 0.001, (v) => v > 0);
    const batchSize = number(values["batch-size"], "batch-size", 32, (v) => Number.isInteger(v) && v > 0);
    if (epochs > 0 && (typeof values.data !== "string" || values.label === undefined)) {
      throw new ConfigError("--fine-tune-epochs needs --data <file.csv> and --label <name|index>");
    }
    const file = await readModelFile(path);
    const spec = fileToSpec(file, path);
    const plan = planSpec(spec, { threshold });
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
      if (epochs > 0) {
        const ds = await readCsv(values.data as string, { header: !values["no-header"], label: values.label as string });
        const full = (meta.fullInputSize as number | undefined) ?? plan.inputSize;
        if (ds.d !== full) throw new DataError(`has ${ds.d} features, the model reads ${full}`, { file: values.data as string });
        const st = meta.standardize as { mean: number[]; std: number[] } | undefined;
        const x = Float32Array.from(ds.x, (v, i) => (st ? (v - st.mean[i % full]) / st.std[i % full] : v));
        await fineTune(model, reduceRows(x, full, meta.inputKeep as number[] | undefined), ds.y, { epochs, batchSize, baseLearningRate: lr });
        console.log(`fine-tuned ${epochs} epochs at learning rate ${lr / 10}`);
      }
      await writeFileAtomic(values.out, modelToBytes(model, meta));
      console.log(summary(spec, prunedSpec));
      console.log(`wrote ${values.out}`);
    } finally {
      model.dispose();
    }
    return 0;
  });
}
