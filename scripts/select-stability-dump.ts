// Dumps every run of a stability selection (importance, run mean, open gates per run) so that
// ranking and selection rules can be compared on the same runs without retraining.
// Run: npx tsx scripts/select-stability-dump.ts <wine|musk2|parity|epistasis|led|madelon|copies|waveform> <seed> <out.json> [--runs 10] [--data-seed S] [--workers W]
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { readCsv } from "../src/data/csv-node.js";
import { dataFile } from "../src/data/datadir.js";
import { stabilitySelection } from "../src/select/stability.js";
import { parallelRunner } from "../src/select/pool.js";
import {
  makeEpistasis,
  makeLed,
  makeMadelon,
  makeParity,
  makeRedundantCopies,
  makeWaveform,
} from "../src/data/benchmarks.js";
import { WINE_NAMES } from "./lib/common.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string" }, "data-seed": { type: "string" }, workers: { type: "string" } },
});
const [name, seedS, out] = positionals;
const seed = Number(seedS);
const ds0 = Number(values["data-seed"] ?? 0);
async function load() {
  if (name === "wine")
    return {
      ...(await readCsv(dataFile("wine/wine.data"), { header: false, label: 0, names: ["class", ...WINE_NAMES] })),
      epochs: 300,
      truth: undefined as number[] | undefined,
    };
  if (name === "musk2") {
    const ds = await readCsv(dataFile("musk2/clean2.tsv.gz"), {
      header: true,
      label: "target",
      drop: ["conformation_name", "molecule_name"],
    });
    return { ...ds, epochs: 100, truth: undefined };
  }
  const make: Record<string, [number, (s: number, n: number) => ReturnType<typeof makeParity>]> = {
    parity: [1100, (s, n) => makeParity({ seed: s, nSamples: n })],
    epistasis: [1600, (s, n) => makeEpistasis({ seed: s, nSamples: n })],
    led: [2000, (s, n) => makeLed({ seed: s, nSamples: n })],
    madelon: [1000, (s, n) => makeMadelon({ seed: s, nSamples: n })],
    copies: [1000, (s, n) => makeRedundantCopies({ seed: s, nSamples: n })],
    waveform: [2000, (s, n) => makeWaveform({ seed: s, nSamples: n })],
  };
  const [n, f] = make[name];
  const d = f(ds0, 2 * n);
  return {
    x: d.x.subarray(0, n * d.d),
    y: d.y.subarray(0, n),
    d: d.d,
    n,
    featureNames: undefined,
    epochs: 300,
    truth: d.groups.flat(),
  };
}
const ds = await load();
const o = { features: ds.d, epochs: ds.epochs, seed };
const r = await stabilitySelection(ds.x, ds.y, {
  ...o,
  runs: Number(values.runs ?? 10),
  runner: parallelRunner(ds.x, ds.y, o, Number(values.workers ?? 0)),
});
writeFileSync(
  out,
  JSON.stringify({
    name,
    seed,
    dataSeed: ds0,
    d: ds.d,
    truth: ds.truth,
    seconds: r.seconds,
    runs: r.runs.map((q) => ({ ...q, importance: [...q.importance], runMean: [...q.runMean] })),
  }),
);
console.log(`${name} seed ${seed}: ${r.seconds.toFixed(1)} s`);
