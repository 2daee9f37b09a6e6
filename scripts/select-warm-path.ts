// Warm starts along the lambda path (src/select/path.ts): `--k K` with and without them on the same
// data and seed, the time each took, the path, and the 10-fold CV accuracy of the K selected
// (row-level, and grouped by molecule on Musk2). Writes docs/results/select-warm-path.json.
// Run: npx tsx scripts/select-warm-path.ts [--dataset musk2|wine] [--k 42] [--seed 0] [--no-cold] [--no-all]
// (--no-all skips the CV of all features, which docs/results/select-benchmark.json has for the same
// protocol). "epochsTrained" sums the epochs over the path: the work, whatever the machine's load.
import { parseArgs } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { readCsv } from "../src/data/csv-node.js";
import { dataFile } from "../src/data/datadir.js";
import { selectK } from "../src/select/path.js";
import { crossValidate } from "../src/select/crossval.js";
import { WINE_NAMES } from "./lib/common.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "musk2" },
    k: { type: "string" },
    seed: { type: "string", default: "0" },
    "no-cold": { type: "boolean" },
    "no-all": { type: "boolean" },
    out: { type: "string", default: "docs/results/select-warm-path.json" },
  },
});
const musk = values.dataset === "musk2";
const seed = Number(values.seed);
const K = Number(values.k ?? (musk ? 42 : 6));
const raw = musk
  ? await readCsv(dataFile("musk2/clean2.tsv.gz"), { header: true, label: "target", drop: ["conformation_name"] })
  : await readCsv(dataFile("wine/wine.data"), { header: false, label: 0, names: ["class", ...WINE_NAMES] });
// molecule_name is the group id, not a feature
const g = raw.featureNames.indexOf("molecule_name");
const keep = raw.featureNames.map((_, j) => j).filter((j) => j !== g);
const D = keep.length;
const x = new Float32Array(raw.n * D);
for (let i = 0; i < raw.n; i++) for (const [q, c] of keep.entries()) x[i * D + q] = raw.x[i * raw.d + c];
const groups = g >= 0 ? Int32Array.from({ length: raw.n }, (_, i) => raw.x[i * raw.d + g]) : undefined;
const epochs = musk ? 100 : 300;
const cvEpochs = musk ? 60 : 200;
const skipAll = values["no-all"] === true;
const all = skipAll ? undefined : await crossValidate(x, raw.y, { features: D, folds: 10, epochs: cvEpochs, seed: 0 });
const allGrouped =
  groups && !skipAll
    ? await crossValidate(x, raw.y, { features: D, folds: 10, epochs: cvEpochs, seed: 0, groups })
    : undefined;
const out: Record<string, unknown> = {
  dataset: values.dataset,
  k: K,
  seed,
  selectEpochs: epochs,
  cvEpochs,
  folds: 10,
  allFeatures: all && { rowLevel: all.mean, grouped: allGrouped?.mean },
};
for (const warm of values["no-cold"] ? [true] : [true, false]) {
  const r = await selectK(x, raw.y, K, { features: D, epochs, seed, warn: false, warmPath: warm });
  const epochsTrained = r.path.reduce((a, p) => a + (p.epochs ?? 0), 0);
  console.log(`${warm ? "warm" : "cold"} path: ${r.seconds.toFixed(1)} s, ${epochsTrained} epochs trained`);
  const row = await crossValidate(x, raw.y, { features: D, subset: r.selected, folds: 10, epochs: cvEpochs, seed: 0 });
  const grp = groups
    ? await crossValidate(x, raw.y, { features: D, subset: r.selected, folds: 10, epochs: cvEpochs, seed: 0, groups })
    : undefined;
  out[warm ? "warm" : "cold"] = {
    seconds: r.seconds,
    epochsTrained,
    lambda: r.lambda,
    openAtLambda: r.openAtLambda,
    path: r.path,
    selected: r.selected,
    rowLevel: { mean: row.mean, std: row.std },
    grouped: grp && { mean: grp.mean, std: grp.std },
  };
  console.log(
    `${warm ? "warm" : "cold"}: ${r.seconds.toFixed(1)} s, lambda ${r.lambda.toPrecision(3)} (${r.openAtLambda} open), ` +
      `path ${r.path.map((p) => `${p.lambda.toPrecision(2)}:${p.open}${p.warmStart ? "w" : ""}`).join(" ")}; ` +
      `CV ${row.mean.toFixed(4)}${grp ? ` grouped ${grp.mean.toFixed(4)}` : ""}` +
      (all ? ` (all: ${all.mean.toFixed(4)}${allGrouped ? ` / ${allGrouped.mean.toFixed(4)}` : ""})` : ""),
  );
}
let doc: Record<string, unknown> = {};
try {
  doc = JSON.parse(readFileSync(values.out!, "utf8"));
} catch {}
doc[`${values.dataset}-k${K}-seed${seed}`] = out;
writeFileSync(values.out!, `${JSON.stringify(doc, null, 2)}\n`);
