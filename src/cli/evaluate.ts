// bsfnet evaluate <file.csv> --label L [--features i,j,k]: cross-validated accuracy of the paper's
// classifier on a CSV's features, or a subset.
import { crossValidate } from "../select/crossval.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError } from "../errors.js";
import {
  checkOutputs,
  csvOptions,
  csvUsageNote,
  helpOf,
  integer as int,
  loadCsv,
  parse,
  type OptionTable,
} from "./args.js";
import type { Command } from "./command.js";
import { progress } from "./progress.js";

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
} as const satisfies OptionTable;

const usage = helpOf("Usage: bsfnet evaluate <file.csv|-> --label <name|index> [options]", options, csvUsageNote);

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
    if (values.help) {
      out(usage);
      return 0;
    }
    checkOutputs(values, ["json"]);
    const ds = await loadCsv(values, positionals, usage);
    const subset = values.features ? parseIndices(values.features as string, ds.d) : undefined;
    const folds = int(values.folds, "folds", 10, 2);
    const repeats = int(values.repeats, "repeats", 1);
    const epochs = int(values.epochs, "epochs", 200);
    const seed = int(values.seed, "seed", 0, 0);
    out(
      `${ds.source}: ${ds.n} rows; ${subset ? subset.length : ds.d} of ${ds.d} features; ${folds}-fold stratified CV` +
        (repeats > 1 ? ` x ${repeats} repeats` : ""),
    );
    const p = progress(values.quiet);
    let done = 0;
    p.update(0, folds * repeats, "folds ");
    const r = await crossValidate(ds.x, ds.y, {
      features: ds.d,
      subset,
      folds,
      repeats,
      epochs,
      seed,
      onFold: () => p.update(++done, folds * repeats, "folds "),
    });
    p.end();
    const train = r.trainAccuracies.reduce((a, b) => a + b, 0) / r.trainAccuracies.length;
    out(`accuracy: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`);
    out(`(held-out folds; training accuracy ${train.toFixed(4)}; ${r.seconds.toFixed(1)} s)`);
    if (typeof values.json === "string") {
      const doc = {
        file: ds.source,
        label: ds.labelColumn,
        features: subset ?? null,
        folds,
        repeats,
        epochs,
        seed,
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
