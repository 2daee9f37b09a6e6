// bsfnet evaluate <file.csv> --label L [--features i,j,k]: stratified k-fold cross-validated
// accuracy of the paper's classifier on all features or a subset.
import { crossValidate } from "../select/crossval.js";
import { ConfigError } from "../errors.js";
import { csvOptions, csvUsageNote, integer as int, loadCsv, parse } from "./args.js";
import type { Command } from "./command.js";

const usage = `Usage: bsfnet evaluate <file.csv> --label <name|index> [--no-header] [--features i,j,k]
                       [--folds 10] [--repeats R] [--epochs E] [--seed S] [--drop c1,c2]
${csvUsageNote}`;

function parseIndices(s: string, d: number): number[] {
  const idx = s.split(",").map((t) => t.trim()).filter(Boolean).map(Number);
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= d) throw new ConfigError(`--features: ${i} is not a feature index in [0, ${d - 1}]`);
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
    const { values, positionals } = parse(argv, {
      ...csvOptions,
      features: { type: "string" },
      folds: { type: "string" },
      repeats: { type: "string" },
    }, usage);
    if (values.help) return out(usage), 0;
    const ds = await loadCsv(values, positionals, usage);
    const subset = values.features ? parseIndices(values.features as string, ds.d) : undefined;
    const folds = int(values.folds, "folds", 10, 2);
    const repeats = int(values.repeats, "repeats", 1);
    const epochs = int(values.epochs, "epochs", 200);
    const seed = int(values.seed, "seed", 0, 0);
    out(`${ds.source}: ${ds.n} rows; ${subset ? subset.length : ds.d} of ${ds.d} features; ${folds}-fold stratified CV` +
      (repeats > 1 ? ` x ${repeats} repeats` : ""));
    const r = await crossValidate(ds.x, ds.y, { features: ds.d, subset, folds, repeats, epochs, seed });
    out(`accuracy: ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`);
    out(`(held-out folds; training accuracy ${(r.trainAccuracies.reduce((a, b) => a + b, 0) / r.trainAccuracies.length).toFixed(4)}; ${r.seconds.toFixed(1)} s)`);
    return 0;
  },
};
