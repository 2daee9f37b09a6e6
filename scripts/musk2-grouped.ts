// Table 2, Musk2, with folds grouped by molecule: the classifier of Table 2 on all 166 features and
// on the 42 that BSF selected (docs/results/select-musk2.json, written by npm run repro:musk2),
// scored with 10 folds that never put conformations of one molecule on both sides (groupKFold on
// molecule_name). Row-level folds, as in the paper and in select-musk2.json, leak molecules.
// Writes docs/results/select-musk2-grouped.json.
//   npx tsx scripts/musk2-grouped.ts [--epochs E (default: Table 2's CV epochs)] [--folds 10] [--data DIR] [--out docs]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { groupKFold } from "../src/data/split.js";
import { takeColumns } from "../src/util/columns.js";
import { ready } from "../src/runtime/runtime.js";
import { Opts, commandLine, loadMusk2, logger, mean, root, std, writeJson } from "./lib/common.js";
import { PAPER_HIDDEN, foldData, trainFresh } from "./lib/neurons.js";

const o = new Opts(
  process.argv.slice(2),
  "npx tsx scripts/musk2-grouped.ts [--epochs E] [--folds 10] [--data DIR] [--out docs]",
);
const sel = JSON.parse(readFileSync(join(root, "docs/results/select-musk2.json"), "utf8"));
const EPOCHS = o.num("epochs", sel.settings.cvEpochs);
const FOLDS = o.num("folds", 10);
const t0 = performance.now();
const log = logger(t0);
const rt = await ready();
const t = await loadMusk2(o.data);
const folds = groupKFold(t.molecule, FOLDS, 0);
const rows = Array.from({ length: t.n }, (_, i) => i);
const result: Record<string, unknown> = {};
for (const [name, cols] of [
  ["all", Array.from({ length: t.d }, (_, j) => j)],
  ["selected", sel.selected as number[]],
] as const) {
  const x = takeColumns(t.x, t.d, cols, rows);
  const k = cols.length;
  const val: number[] = [];
  const tr: number[] = [];
  for (const [f, fold] of folds.entries()) {
    const r = await trainFresh(
      foldData(x, t.y, k, fold),
      k,
      2,
      PAPER_HIDDEN.map((m) => m * k),
      { epochs: EPOCHS, runtime: rt },
      f,
    );
    val.push(r.validation);
    tr.push(r.train);
    log(`${name} (${k} features) grouped fold ${f + 1}/${FOLDS}: ${r.validation.toFixed(4)}`);
  }
  result[name] = { features: k, accuracy: mean(val), std: std(val), trainAccuracy: mean(tr), folds: val };
}
const seconds = (performance.now() - t0) / 1000;
await writeJson(o.out, "select-musk2-grouped.json", {
  command: commandLine("repro:musk2-grouped", process.argv.slice(2)),
  folds: FOLDS,
  epochs: EPOCHS,
  grouping: "groupKFold on molecule_name (102 molecules)",
  ...result,
  rowLevel: { all: sel.accuracy.all, selected: sel.accuracy.selected },
  seconds,
});
log(`wrote select-musk2-grouped.json (${seconds.toFixed(0)} s)`);
