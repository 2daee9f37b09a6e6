// bsfnet select <file.csv> --label L: rank a CSV's features by their BSF gate weights.
import { selectFeatures } from "../select/select.js";
import { writeFileAtomic } from "../util/atomic.js";
import { csvOptions, csvUsageNote, integer as int, loadCsv, number as num, parse } from "./args.js";
import type { Command } from "./command.js";
import { formatRanking } from "./ranking.js";
import { DEFAULT_THRESHOLD } from "../layers/bsf.js";

const usage = `Usage: bsfnet select <file.csv> --label <name|index> [--no-header] [--lambda L] [--epochs E]
                     [--top K] [--seed S] [--json <out.json>] [--drop c1,c2]
${csvUsageNote}`;

export const command: Command = {
  name: "select",
  summary: "rank a CSV file's features by their BSF gate weights",
  usage,
  async run(argv, io) {
    const out = io.out;
    const { values, positionals } = parse(argv, {
      ...csvOptions,
      lambda: { type: "string" },
      top: { type: "string" },
      json: { type: "string" },
    }, usage);
    if (values.help) return out(usage), 0;
    const ds = await loadCsv(values, positionals, usage);
    const epochs = int(values.epochs, "epochs", 300);
    const lambda = num(values.lambda, "lambda", 0.01, (n) => n >= 0);
    const top = int(values.top, "top", ds.d);
    const seed = int(values.seed, "seed", 0, 0);
    out(`${ds.source}: ${ds.n} rows, ${ds.d} features, ${ds.classNames.length} classes (label: ${ds.labelColumn})`);
    const r = await selectFeatures(ds.x, ds.y, { features: ds.d, featureNames: ds.featureNames, epochs, lambda, seed, verbose: 1 });
    out(formatRanking(r, top));
    out(`importance: gate weight averaged over the last ${r.lastEpochs} of ${epochs} epochs (lambda ${lambda}, seed ${seed}); ` +
      `gates at or below ${DEFAULT_THRESHOLD} are closed and ordered by their mean over the whole run; ${r.seconds.toFixed(2)} s`);
    if (values.json) {
      const doc = {
        file: ds.source,
        label: ds.labelColumn,
        lambda,
        epochs,
        seed,
        lastEpochs: r.lastEpochs,
        features: r.features.map((f) => ({ name: f.name, index: f.index, importance: f.importance })),
      };
      await writeFileAtomic(values.json as string, JSON.stringify(doc, null, 2) + "\n");
      out(`wrote ${values.json}`);
    }
    return 0;
  },
};
