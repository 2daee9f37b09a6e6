// bsfnet select <file.csv> --label L: rank a CSV's features by their BSF gate weights.
import { selectFeatures, type GateSchedule, type SelectionResult } from "../select/select.js";
import { selectAutoLambda, selectK, type PathPoint } from "../select/path.js";
import { stabilitySelection } from "../select/stability.js";
import { parallelRunner } from "../select/pool.js";
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
import { parseTask, taskOption } from "./task.js";

const options = {
  ...csvOptions,
  lambda: {
    type: "string",
    arg: "L|auto",
    default: "0.01",
    help: "L1 penalty of the input gate; auto: the largest lambda whose held-out loss (20% split) is within tolerance of the best",
  },
  k: {
    type: "string",
    arg: "K",
    help: 'find the lambda that leaves K gates open (each lambda warm-started from the nearest smaller one\'s run); "selected" is exactly those K',
  },
  runs: {
    type: "string",
    arg: "R",
    default: "1",
    help: "stability selection: R runs on random halves of the rows, ranked by mean rank over the runs; selected: in the top q of >= 90% of the runs (q capped by Meinshausen & Bühlmann's bound, E[false] <= 4)",
  },
  schedule: {
    type: "string",
    arg: "auto|penalty-first|warm-up",
    default: "auto",
    help: "auto: penalty from the first epoch and, if that closes every gate, a rerun with gates at 0.7, 20% penalty-free warm-up epochs and a 40% ramp (what targets with no marginal signal, such as parity, need)",
  },
  workers: {
    type: "string",
    arg: "W",
    default: "0",
    help: "worker threads for --runs (0: one per core; 1: in this thread)",
  },
  epochs: { type: "string", arg: "E", default: "300", help: "training epochs" },
  gate: {
    type: "string",
    arg: "G",
    default: "bernoulli",
    help: "the input gate: bernoulli (the paper's), gaussian (STG) or hard-concrete (L0)",
  },
  task: taskOption,
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

const SCHEDULES = ["auto", "penalty-first", "warm-up"];

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
    checkOutputs(values, ["json", "transform", "report"]);
    const epochs = int(values.epochs, "epochs", 300);
    const autoLambda = values.lambda === "auto";
    const lambda = autoLambda ? 0.01 : num(values.lambda, "lambda", 0.01, (n) => n >= 0);
    const seed = int(values.seed, "seed", 0, 0);
    const gate = (values.gate ?? "bernoulli") as BsfGate;
    if (!["bernoulli", "gaussian", "hard-concrete"].includes(gate))
      throw new ConfigError(`--gate must be bernoulli, gaussian or hard-concrete, got ${JSON.stringify(gate)}`);
    const runs = int(values.runs, "runs", 1);
    const k = values.k === undefined ? undefined : int(values.k, "k", 1);
    const schedule = (values.schedule ?? "auto") as GateSchedule;
    if (!SCHEDULES.includes(schedule))
      throw new ConfigError(
        `--schedule: must be one of ${SCHEDULES.join(", ")}, got ${JSON.stringify(values.schedule)}`,
      );
    if (autoLambda && k !== undefined)
      throw new ConfigError("--lambda auto and --k both choose lambda: give one of them");
    if (autoLambda && runs > 1)
      throw new ConfigError("--lambda auto with --runs is not supported: give --lambda L or --k K with --runs");
    const workers = int(values.workers, "workers", 0, 0);
    const regression = parseTask(values.task) === "regression";
    const task = regression ? ("regression" as const) : undefined;
    const ds = await loadCsv(values, positionals, usage, { numericLabel: regression });
    const y = ds.target ?? ds.y;
    if (k !== undefined && k > ds.d) throw new ConfigError(`--k: ${k} is more than the ${ds.d} features`);
    const top = int(values.top, "top", k ?? ds.d);
    out(
      `${ds.source}: ${ds.n} rows, ${ds.d} features, ${regression ? "a numeric target" : `${ds.classNames.length} classes`} (label: ${ds.labelColumn})`,
    );
    const p = progress(values.quiet);
    const base = {
      features: ds.d,
      featureNames: ds.featureNames,
      epochs,
      lambda,
      seed,
      schedule,
      gate,
      task,
      warn: false,
    };
    const doc: Record<string, unknown> = {
      file: ds.source,
      label: ds.labelColumn,
      lambda,
      gate,
      epochs,
      seed,
      schedule,
    };
    let warnings: string[];
    let selected: number[];
    // the single-run result (its ranking, gate history and importances feed --transform and --report)
    let r: SelectionResult | undefined;
    if (runs > 1) {
      const runner = parallelRunner(ds.x, y, { ...base, k }, workers);
      const s = await stabilitySelection(ds.x, y, { ...base, k, runs, runner });
      const w = Math.max(7, ...s.features.slice(0, top).map((f) => f.name.length));
      out(`rank  ${"feature".padEnd(w)}  index  mean rank  frequency  in top ${s.rule.q}  mean importance`);
      for (const [i, f] of s.features.slice(0, top).entries()) {
        out(
          `${String(i + 1).padStart(4)}  ${f.name.padEnd(w)}  ${String(f.index).padStart(5)}  ${(f.meanRank + 1).toFixed(1).padStart(9)}  ` +
            `${f.frequency.toFixed(2).padStart(9)}  ${f.topFrequency.toFixed(2).padStart(8 + String(s.rule.q).length)}  ${f.meanImportance.toFixed(4)}`,
        );
      }
      const rule = k
        ? `top ${k} by mean rank`
        : `in the top ${s.rule.q} of at least ${s.rule.threshold} of the runs; expected false selections <= ${s.rule.bound!.toFixed(2)} ` +
          "(Meinshausen & Bühlmann)";
      out(
        `stability selection: ${runs} runs on random halves of the rows (seeds from ${seed}), ranked by mean rank over the runs; ` +
          `frequency = share of runs that ${k ? `put the feature in their top ${k}` : "left its gate open"}; ` +
          `selected (${rule}): ${s.selected.join(",") || "none"}; ${s.seconds.toFixed(2)} s`,
      );
      warnings = s.warnings;
      selected = s.selected;
      Object.assign(doc, {
        runs,
        k,
        selected: s.selected,
        selection: { ...s.rule, ranking: "mean rank over the runs, then frequency" },
        schedules: s.runs.map((q) => q.schedule),
        features: s.features.map((f) => ({
          name: f.name,
          index: f.index,
          meanRank: f.meanRank,
          frequency: f.frequency,
          topFrequency: f.topFrequency,
          importance: f.meanImportance,
        })),
      });
      if (typeof values.transform === "string" || typeof values.report === "string") {
        // the report and the reduced dataset want one run's ranking and history: the full-data run
        r = await selectFeatures(ds.x, y, { ...base, verbose: 0 });
      }
    } else {
      let path: PathPoint[] | undefined;
      const cb = { verbose: 0 as const, callbacks: [epochProgress(p, epochs)] };
      let one: SelectionResult;
      if (k !== undefined) ({ path, ...one } = await selectK(ds.x, y, k, { ...base, ...cb }));
      else if (autoLambda) ({ path, ...one } = await selectAutoLambda(ds.x, y, { ...base, ...cb }));
      else one = await selectFeatures(ds.x, y, { ...base, ...cb });
      r = one;
      out(formatRanking(one, top));
      out(
        `importance: gate weight averaged over the last ${one.lastEpochs} of ${epochs} epochs (lambda ${one.lambda}, seed ${seed}, ` +
          `schedule ${one.schedule}); gates at or below ${DEFAULT_THRESHOLD} are closed and ordered by their mean over the whole run; ${one.seconds.toFixed(2)} s`,
      );
      if (path) {
        const steps = path.map(
          (q) =>
            `${q.lambda.toPrecision(3)} -> ${q.open} open` +
            (q.warmStart ? ` (warm start, ${q.epochs} epochs)` : "") +
            (q.validationLoss !== undefined
              ? ` (held-out ${regression ? "MSE of the standardized target" : "loss"} ${q.validationLoss.toFixed(4)})`
              : ""),
        );
        out(`lambda path: ${steps.join("; ")}`);
      }
      out(`selected (${k !== undefined ? `exactly ${k}` : "the open gates"}): ${one.selected.join(",") || "none"}`);
      warnings = one.warnings;
      selected = one.selected;
      Object.assign(doc, {
        lambda: one.lambda,
        k,
        schedule: one.schedule,
        lastEpochs: one.lastEpochs,
        selected: one.selected,
        path,
        features: one.features.map((f) => ({ name: f.name, index: f.index, importance: f.importance })),
      });
    }
    for (const w of warnings) io.err(`bsfnet: warning: ${w}`);
    if (values.json) {
      doc.warnings = warnings;
      await writeFileAtomic(values.json as string, `${JSON.stringify(doc, null, 2)}\n`);
      out(`wrote ${values.json}`);
    }
    if (typeof values.transform === "string" && r) {
      const kept = values.top !== undefined ? r.features.slice(0, top).map((f) => f.index) : selected;
      await writeFileAtomic(values.transform, reducedCsv(ds, kept.length ? kept : [r.features[0].index]));
      out(`wrote ${values.transform}: ${Math.max(1, kept.length)} of ${ds.d} features and the label`);
    }
    if (typeof values.report === "string" && r) {
      const ks = curvePoints(ds.d);
      const cv = progress(values.quiet);
      const curve: { k: number; mean: number; std: number }[] = [];
      for (const [i, k] of ks.entries()) {
        cv.update(i, ks.length, `${regression ? "R²" : "accuracy"} with the top ${k} features `);
        const c = await crossValidate(ds.x, y, {
          task,
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
