// bsfnet select <file.csv> --label L: rank a CSV's features by their BSF gate weights.
import { selectFeatures, type GateSchedule, type SelectionResult } from "../select/select.js";
import { selectAutoLambda, selectK, type PathPoint } from "../select/path.js";
import { stabilitySelection } from "../select/stability.js";
import { parallelRunner } from "../select/pool.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ConfigError } from "../errors.js";
import { csvOptions, csvUsageNote, integer as int, loadCsv, number as num, parse } from "./args.js";
import type { Command } from "./command.js";
import { formatRanking } from "./ranking.js";
import { DEFAULT_THRESHOLD } from "../layers/bsf.js";

const usage = `Usage: bsfnet select <file.csv> --label <name|index> [--no-header] [--lambda L|auto] [--epochs E]
                     [--k K] [--runs R] [--schedule auto|penalty-first|warm-up] [--workers W]
                     [--top K] [--seed S] [--json <out.json>] [--drop c1,c2]
  --k K        find the lambda that leaves K gates open; "selected" is exactly those K
  --lambda auto  pick lambda by held-out loss on a 20% split (the largest one within tolerance of the best)
  --runs R     stability selection: R runs on random halves of the rows, ranked by selection frequency
  --schedule   auto (default): penalty from the first epoch, and if that closes every gate, a rerun with
               the gates at 0.7, 20% penalty-free warm-up epochs and a 40% ramp (what targets with no marginal
               signal, such as parity or epistasis, need)
${csvUsageNote}`;

const SCHEDULES = ["auto", "penalty-first", "warm-up"];

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
      k: { type: "string" },
      runs: { type: "string" },
      schedule: { type: "string" },
      workers: { type: "string" },
    }, usage);
    if (values.help) return out(usage), 0;
    const epochs = int(values.epochs, "epochs", 300);
    const autoLambda = values.lambda === "auto";
    const lambda = autoLambda ? 0.01 : num(values.lambda, "lambda", 0.01, (n) => n >= 0);
    const seed = int(values.seed, "seed", 0, 0);
    const runs = int(values.runs, "runs", 1);
    const k = values.k === undefined ? undefined : int(values.k, "k", 1);
    const schedule = (values.schedule ?? "auto") as GateSchedule;
    if (!SCHEDULES.includes(schedule)) throw new ConfigError(`--schedule: must be one of ${SCHEDULES.join(", ")}, got ${JSON.stringify(values.schedule)}`);
    if (autoLambda && k !== undefined) throw new ConfigError("--lambda auto and --k both choose lambda: give one of them");
    if (autoLambda && runs > 1) throw new ConfigError("--lambda auto with --runs is not supported: give --lambda L or --k K with --runs");
    const ds = await loadCsv(values, positionals, usage);
    if (k !== undefined && k > ds.d) throw new ConfigError(`--k: ${k} is more than the ${ds.d} features`);
    const workers = int(values.workers, "workers", 0, 0);
    const top = int(values.top, "top", k ?? ds.d);
    out(`${ds.source}: ${ds.n} rows, ${ds.d} features, ${ds.classNames.length} classes (label: ${ds.labelColumn})`);
    const base = { features: ds.d, featureNames: ds.featureNames, epochs, lambda, seed, schedule, warn: false };
    const doc: Record<string, unknown> = { file: ds.source, label: ds.labelColumn, lambda, epochs, seed, schedule };
    let warnings: string[];
    if (runs > 1) {
      const runner = parallelRunner(ds.x, ds.y, { ...base, k }, workers);
      const r = await stabilitySelection(ds.x, ds.y, { ...base, k, runs, runner });
      const w = Math.max(7, ...r.features.slice(0, top).map((f) => f.name.length));
      out(`rank  ${"feature".padEnd(w)}  index  frequency  mean importance`);
      r.features.slice(0, top).forEach((f, i) =>
        out(`${String(i + 1).padStart(4)}  ${f.name.padEnd(w)}  ${String(f.index).padStart(5)}  ${f.frequency.toFixed(2).padStart(9)}  ${f.meanImportance.toFixed(4)}`));
      out(`stability selection: ${runs} runs on random halves of the rows (seeds from ${seed}); frequency = share of runs that ` +
        `${k ? `put the feature in their top ${k}` : "left its gate open"}; selected (${k ? `top ${k}` : "frequency >= 0.5"}): ` +
        `${r.selected.join(",") || "none"}; ${r.seconds.toFixed(2)} s`);
      warnings = r.warnings;
      Object.assign(doc, {
        runs,
        k,
        selected: r.selected,
        schedules: r.runs.map((q) => q.schedule),
        features: r.features.map((f) => ({ name: f.name, index: f.index, frequency: f.frequency, importance: f.meanImportance })),
      });
    } else {
      let r: SelectionResult;
      let path: PathPoint[] | undefined;
      if (k !== undefined) ({ path, ...r } = await selectK(ds.x, ds.y, k, { ...base, verbose: 1 }));
      else if (autoLambda) ({ path, ...r } = await selectAutoLambda(ds.x, ds.y, { ...base, verbose: 1 }));
      else r = await selectFeatures(ds.x, ds.y, { ...base, verbose: 1 });
      out(formatRanking(r, top));
      out(`importance: gate weight averaged over the last ${r.lastEpochs} of ${epochs} epochs (lambda ${r.lambda}, seed ${seed}, ` +
        `schedule ${r.schedule}); gates at or below ${DEFAULT_THRESHOLD} are closed and ordered by their mean over the whole run; ${r.seconds.toFixed(2)} s`);
      if (path) out(`lambda path: ${path.map((p) => `${p.lambda.toPrecision(3)} -> ${p.open} open` + (p.validationLoss !== undefined ? ` (held-out loss ${p.validationLoss.toFixed(4)})` : "")).join("; ")}`);
      out(`selected (${k !== undefined ? `exactly ${k}` : "the open gates"}): ${r.selected.join(",") || "none"}`);
      warnings = r.warnings;
      Object.assign(doc, {
        lambda: r.lambda,
        k,
        schedule: r.schedule,
        lastEpochs: r.lastEpochs,
        selected: r.selected,
        path,
        features: r.features.map((f) => ({ name: f.name, index: f.index, importance: f.importance })),
      });
    }
    for (const w of warnings) io.err(`bsfnet: warning: ${w}`);
    if (values.json) {
      doc.warnings = warnings;
      await writeFileAtomic(values.json as string, JSON.stringify(doc, null, 2) + "\n");
      out(`wrote ${values.json}`);
    }
    return 0;
  },
};
