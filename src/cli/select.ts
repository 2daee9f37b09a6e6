// bsfnet select <file.csv> --label L: rank a CSV's features by their BSF gate weights.
import { selectFeatures } from "../select/select.js";
import { crossValidate } from "../select/crossval.js";
import { writeFileAtomic } from "../util/atomic.js";
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
import { formatRanking } from "./ranking.js";
import { epochProgress, progress } from "./progress.js";
import { reducedCsv } from "./transform.js";
import { selectReport } from "../report/html.js";
import { DEFAULT_THRESHOLD, type BsfGate } from "../layers/bsf.js";
import { ConfigError } from "../errors.js";

const options = {
  ...csvOptions,
  lambda: { type: "string", arg: "L", default: "0.01", help: "L1 penalty of the input gate" },
  epochs: { type: "string", arg: "E", default: "300", help: "training epochs" },
  gate: {
    type: "string",
    arg: "G",
    default: "bernoulli",
    help: "the input gate: bernoulli (the paper's), gaussian (STG) or hard-concrete (L0)",
  },
  top: { type: "string", arg: "K", default: "all", help: "show (and --transform keeps) the K best features" },
  json: { type: "string", arg: "out.json", help: "write the ranking as JSON" },
  transform: {
    type: "string",
    arg: "out.csv",
    help: `write the reduced dataset: the selected columns (the --top K, else importance > ${DEFAULT_THRESHOLD}) and the label`,
  },
  report: {
    type: "string",
    arg: "report.html",
    help: "write an HTML report: importances, gate weights over epochs, 5-fold accuracy against the number of top features kept",
  },
} as const satisfies OptionTable;

const usage = helpOf("Usage: bsfnet select <file.csv|-> --label <name|index> [options]", options, csvUsageNote);

/** Up to 8 feature counts from 1 to d for the report's accuracy curve. */
function curvePoints(d: number): number[] {
  const ks = new Set<number>();
  for (let i = 0; i < 8; i++) ks.add(Math.max(1, Math.round(1 + ((d - 1) * i) / 7)));
  return [...ks].sort((a, b) => a - b);
}

export const command: Command = {
  name: "select",
  summary: "rank a CSV file's features by their BSF gate weights",
  usage,
  async run(argv, io) {
    const out = io.out;
    const { values, positionals } = parse(argv, options, usage);
    if (values.help) {
      out(usage);
      return 0;
    }
    checkOutputs(values, ["json", "transform", "report"]);
    const ds = await loadCsv(values, positionals, usage);
    const epochs = int(values.epochs, "epochs", 300);
    const lambda = num(values.lambda, "lambda", 0.01, (n) => n >= 0);
    const top = int(values.top, "top", ds.d);
    const seed = int(values.seed, "seed", 0, 0);
    const gate = (values.gate ?? "bernoulli") as BsfGate;
    if (!["bernoulli", "gaussian", "hard-concrete"].includes(gate))
      throw new ConfigError(`--gate must be bernoulli, gaussian or hard-concrete, got ${JSON.stringify(gate)}`);
    out(`${ds.source}: ${ds.n} rows, ${ds.d} features, ${ds.classNames.length} classes (label: ${ds.labelColumn})`);
    const p = progress(values.quiet);
    const r = await selectFeatures(ds.x, ds.y, {
      features: ds.d,
      featureNames: ds.featureNames,
      epochs,
      lambda,
      seed,
      gate,
      verbose: 0,
      callbacks: [epochProgress(p, epochs)],
    });
    out(formatRanking(r, top));
    out(
      `importance: gate weight averaged over the last ${r.lastEpochs} of ${epochs} epochs (lambda ${lambda}, seed ${seed}); ` +
        `gates at or below ${DEFAULT_THRESHOLD} are closed and ordered by their mean over the whole run; ${r.seconds.toFixed(2)} s`,
    );
    if (values.json) {
      const doc = {
        file: ds.source,
        label: ds.labelColumn,
        lambda,
        gate,
        epochs,
        seed,
        lastEpochs: r.lastEpochs,
        features: r.features.map((f) => ({ name: f.name, index: f.index, importance: f.importance })),
      };
      await writeFileAtomic(values.json as string, `${JSON.stringify(doc, null, 2)}\n`);
      out(`wrote ${values.json}`);
    }
    if (typeof values.transform === "string") {
      const kept = (
        values.top !== undefined ? r.features.slice(0, top) : r.features.filter((f) => f.importance > DEFAULT_THRESHOLD)
      ).map((f) => f.index);
      await writeFileAtomic(values.transform, reducedCsv(ds, kept.length ? kept : [r.features[0].index]));
      out(`wrote ${values.transform}: ${Math.max(1, kept.length)} of ${ds.d} features and the label`);
    }
    if (typeof values.report === "string") {
      const ks = curvePoints(ds.d);
      const cv = progress(values.quiet);
      const curve: { k: number; mean: number; std: number }[] = [];
      for (const [i, k] of ks.entries()) {
        cv.update(i, ks.length, `accuracy with the top ${k} features `);
        const c = await crossValidate(ds.x, ds.y, {
          features: ds.d,
          subset: r.features.slice(0, k).map((f) => f.index),
          folds: 5,
          epochs: 100,
          seed,
        });
        curve.push({ k, mean: c.mean, std: c.std });
      }
      cv.end();
      await writeFileAtomic(
        values.report,
        selectReport({
          title: `bsfnet select ${ds.source}`,
          features: r.features,
          gates: r.history,
          columns: ds.featureNames,
          curve,
        }),
      );
      out(`wrote ${values.report}`);
    }
    return 0;
  },
};
