// The selection benchmark of issue 9: generated cases with known truth and the shared real
// datasets; bsfnet's gate schedules side by side with reference selectors computed in the same run
// (random-forest importances, mutual information, L1 logistic regression: scikit-learn through
// scripts/reference/select_sklearn.py when `python3 -c "import sklearn"` works, skipped with a
// notice otherwise). Writes docs/select-benchmark.md and docs/results/select-benchmark.json.
//
// Run: npx tsx scripts/select-benchmark.ts [--seeds 5] [--cases parity,epistasis,...] [--real wine,musk2]
//      [--no-real] [--no-reference] [--data DIR] [--out docs] [--selectors bsf-runs10,bsf-k,...] [--merge]
// --merge reruns only the chosen cases and selectors and keeps every other row of the existing
// docs/results/select-benchmark.json; the report marks the rows of such a partial run.
//
// Protocol. Generated cases: each seed draws 2n rows; the selectors see the first n, and "CV
// accuracy of the top k" is 5-fold cross-validation of the paper's classifier on the other n rows,
// restricted to the top k columns (k = the number of relevant groups), so no row that chose the
// features scores them. "Agreement" is the share of the top k that selector seeds 0 and 1 have in
// common on the data of seed 0. Real datasets have no truth and no second half: the selectors see
// every row and the CV figure is the row-level 10-fold figure the paper reports (optimistic by the
// selection on the same rows; the grouped Musk2 figure keeps molecules apart), and "agreement" is
// over selector seeds on the same rows.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  makeEpistasis,
  makeLed,
  makeMadelon,
  makeParity,
  makeRedundantCopies,
  makeWaveform,
  type BenchmarkDataset,
} from "../src/data/benchmarks.js";
import { readCsv } from "../src/data/csv-node.js";
import { dataFile } from "../src/data/datadir.js";
import { takeRows, type Dataset } from "../src/data/dataset.js";
import { selectFeatures, type GateSchedule } from "../src/select/select.js";
import { selectK } from "../src/select/path.js";
import { stabilitySelection } from "../src/select/stability.js";
import { parallelRunner } from "../src/select/pool.js";
import { crossValidate } from "../src/select/crossval.js";
import { writeFileAtomic } from "../src/util/atomic.js";
import { DEFAULT_THRESHOLD } from "../src/layers/bsf.js";
import { WINE_NAMES } from "./lib/common.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string" },
    cases: { type: "string" },
    real: { type: "string" },
    "no-real": { type: "boolean" },
    "no-reference": { type: "boolean" },
    data: { type: "string" },
    out: { type: "string" },
    selectors: { type: "string" },
    merge: { type: "boolean" },
  },
});
const selWanted = values.selectors?.split(",");
const want = (id: string) => !selWanted || selWanted.includes(id);
const partial = values.merge === true;
// biome-ignore lint/suspicious/noExplicitAny: the previous run's JSON, read back as written
let previous: any;
if (partial)
  previous = JSON.parse(readFileSync(join(values.out ?? "docs", "results", "select-benchmark.json"), "utf8"));
const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
const SEEDS = Array.from({ length: Number(values.seeds ?? 5) }, (_, i) => i);
const OUT = values.out ?? "docs";
const t0 = performance.now();
const log = (s: string) => console.log(s);

// ---- cases -------------------------------------------------------------------------------------
interface Case {
  id: string;
  title: string;
  make: (seed: number, n: number) => BenchmarkDataset;
  n: number;
}
const CASES: Case[] = [
  { id: "parity", title: "parity of 5 among 10 bits", n: 1100, make: (seed, n) => makeParity({ seed, nSamples: n }) },
  {
    id: "epistasis",
    title: "two-locus epistasis, 2 of 20 SNPs (0/1/2)",
    n: 1600,
    make: (seed, n) => makeEpistasis({ seed, nSamples: n }),
  },
  {
    id: "madelon",
    title: "MADELON-style: 5 informative + 5 redundant combinations + 40 noise",
    n: 1000,
    make: (seed, n) => makeMadelon({ seed, nSamples: n }),
  },
  {
    id: "madelon-4c",
    title: "MADELON-style, 4 clusters per class: 8 + 4 redundant + 28 noise",
    n: 1500,
    make: (seed, n) =>
      makeMadelon({ seed, nSamples: n, nInformative: 8, nRedundant: 4, nNoise: 28, nClustersPerClass: 4 }),
  },
  {
    id: "led",
    title: "LED: 7 noisy segments + 17 random bits, 10 classes",
    n: 2000,
    make: (seed, n) => makeLed({ seed, nSamples: n }),
  },
  {
    id: "waveform",
    title: "waveform: 19 informative of 21 + 19 noise, 3 classes",
    n: 2000,
    make: (seed, n) => makeWaveform({ seed, nSamples: n }),
  },
  {
    id: "copies",
    title: "redundant copies: 5 informative, each with a noisy copy, + 20 noise",
    n: 1000,
    make: (seed, n) => makeRedundantCopies({ seed, nSamples: n }),
  },
];
const wanted = values.cases?.split(",");
const cases = CASES.filter((c) => !wanted || wanted.includes(c.id));

// ---- selectors ---------------------------------------------------------------------------------
interface Ranked {
  ranking: number[];
  /** bsfnet: the open gates (stability: frequency >= 0.5); references: none */
  open?: number[];
  seconds: number;
  note?: string;
}
type Selector = { id: string; title: string; run: (ds: Dataset, seed: number, k: number) => Promise<Ranked> };
const EPOCHS = 300;
const bsf =
  (schedule: GateSchedule): Selector["run"] =>
  async (ds, seed) => {
    const r = await selectFeatures(ds.x, ds.y, { features: ds.d, epochs: EPOCHS, seed, schedule, warn: false });
    return { ranking: r.features.map((f) => f.index), open: r.selected, seconds: r.seconds, note: r.schedule };
  };
const BSF_SELECTORS: Selector[] = [
  { id: "bsf-penalty-first", title: "bsfnet, penalty from epoch 1 (the old default)", run: bsf("penalty-first") },
  { id: "bsf-warm-up", title: "bsfnet, gates at 0.7, 20% warm-up + 40% ramp", run: bsf("warm-up") },
  { id: "bsf-auto", title: "bsfnet default (auto)", run: bsf("auto") },
  {
    id: "bsf-runs10",
    title: "bsfnet default, --runs 10",
    run: async (ds, seed) => {
      const o = { features: ds.d, epochs: EPOCHS, seed };
      const r = await stabilitySelection(ds.x, ds.y, { ...o, runs: 10, runner: parallelRunner(ds.x, ds.y, o) });
      return { ranking: r.features.map((f) => f.index), open: r.selected, seconds: r.seconds };
    },
  },
];
const REFERENCE_IDS = [
  ["rf", "random-forest importances (sklearn, 500 trees)"],
  ["mi", "mutual information (sklearn)"],
  ["l1", "L1 logistic regression, entry along the C path (sklearn)"],
];

// ---- scikit-learn references --------------------------------------------------------------------
const haveSklearn = !values["no-reference"] && spawnSync("python3", ["-c", "import sklearn"]).status === 0;
const refNotice = haveSklearn
  ? ""
  : values["no-reference"]
    ? "reference selectors skipped (--no-reference)"
    : 'reference selectors skipped: `python3 -c "import sklearn"` failed (pip install scikit-learn to include them)';
if (refNotice) log(`notice: ${refNotice}`);
const tmp = mkdtempSync(join(tmpdir(), "bsfnet-selbench-"));
const refJobs: { id: string; file: string; seed: number }[] = [];
function queueReference(id: string, ds: Dataset, seed: number): void {
  if (!haveSklearn || !REFERENCE_IDS.some(([r]) => want(r))) return;
  const file = join(tmp, `${id}.csv`);
  const lines: string[] = [];
  for (let i = 0; i < ds.n; i++) lines.push([...ds.x.subarray(i * ds.d, (i + 1) * ds.d), ds.y[i]].join(","));
  writeFileSync(file, `${lines.join("\n")}\n`);
  refJobs.push({ id, file, seed });
}
let sklearnVersion = "";
function runReferences(): Record<string, Record<string, { ranking: number[]; seconds: number }>> {
  if (!haveSklearn || refJobs.length === 0) return {};
  const manifest = join(tmp, "manifest.json");
  const out = join(tmp, "reference.json");
  writeFileSync(manifest, JSON.stringify({ jobs: refJobs }));
  execFileSync("python3", ["scripts/reference/select_sklearn.py", manifest, out], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  refJobs.length = 0;
  const doc = JSON.parse(readFileSync(out, "utf8"));
  sklearnVersion = doc.sklearn;
  return doc.results;
}

// ---- scoring -----------------------------------------------------------------------------------
const cvCache = new Map<string, number>();
async function cvTopK(
  ds: Dataset,
  cols: number[],
  key: string,
  folds: number,
  epochs: number,
  groups?: Int32Array,
): Promise<number> {
  const id = `${key}|${[...cols].sort((a, b) => a - b).join(",")}|${groups ? "g" : "r"}`;
  if (!cvCache.has(id)) {
    const r = await crossValidate(ds.x, ds.y, { features: ds.d, subset: cols, folds, epochs, seed: 0, groups });
    cvCache.set(id, r.mean);
  }
  return cvCache.get(id)!;
}
const overlap = (a: number[], b: number[], k: number) =>
  a.slice(0, k).filter((j) => b.slice(0, k).includes(j)).length / k;

interface Row {
  selector: string;
  found: number[]; // per seed: relevant groups in the top k
  irrelevantOpen: (number | null)[];
  cv: number[];
  agreement: number | null;
  seconds: number[];
  /** when the row was computed (rows kept by --merge keep theirs; none: the last full run) */
  run?: string;
}

function halves(ds: BenchmarkDataset, n: number): { sel: Dataset; ev: Dataset } {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  const b = Int32Array.from({ length: ds.n - n }, (_, i) => n + i);
  const part = (idx: Int32Array): Dataset => ({
    ...ds,
    x: takeRows(ds.x, ds.d, idx),
    y: Int32Array.from(idx, (i) => ds.y[i]),
    n: idx.length,
  });
  return { sel: part(a), ev: part(b) };
}

const results: Record<string, unknown> = {};
const tables: string[] = [];
const selectorTitles = new Map<string, string>([
  ...BSF_SELECTORS.map((s) => [s.id, s.title] as [string, string]),
  ...(REFERENCE_IDS as [string, string][]),
]);

for (const c of cases) {
  log(`== ${c.id}: ${c.title}, ${c.n} rows to select on, seeds ${SEEDS.join(",")}`);
  const data = SEEDS.map((s) => {
    const ds = c.make(s, 2 * c.n);
    return { seed: s, ...halves(ds, c.n), truth: ds };
  });
  for (const d of data) queueReference(`${c.id}-s${d.seed}`, d.sel, d.seed);
  queueReference(`${c.id}-s0-r1`, data[0].sel, 1);
  const refs = runReferences();
  const rankings: Record<string, Ranked[]> = {};
  const second: Record<string, Ranked> = {};
  for (const s of BSF_SELECTORS.filter((q) => want(q.id))) {
    rankings[s.id] = [];
    for (const d of data) rankings[s.id].push(await s.run(d.sel, d.seed, d.truth.groups.length));
    second[s.id] = await s.run(data[0].sel, 1, data[0].truth.groups.length);
    log(`  ${s.id}: ${rankings[s.id].map((r) => r.seconds.toFixed(1)).join(", ")} s`);
  }
  for (const [id] of REFERENCE_IDS) {
    if (!refs[`${c.id}-s0`] || !want(id)) continue;
    rankings[id] = data.map((d) => refs[`${c.id}-s${d.seed}`][id]);
    second[id] = refs[`${c.id}-s0-r1`][id];
  }
  const rows: Row[] = [];
  const base: { all: number[]; truth: number[] } = previous?.generated[c.id]?.baseline ?? { all: [], truth: [] };
  for (const d of previous?.generated[c.id] ? [] : data) {
    base.all.push(
      await cvTopK(
        d.ev,
        Array.from({ length: d.ev.d }, (_, j) => j),
        `${c.id}-${d.seed}`,
        5,
        100,
      ),
    );
    base.truth.push(
      await cvTopK(
        d.ev,
        d.truth.groups.map((g) => g[0]),
        `${c.id}-${d.seed}`,
        5,
        100,
      ),
    );
  }
  for (const [id, rs] of Object.entries(rankings)) {
    const row: Row = { selector: id, found: [], irrelevantOpen: [], cv: [], agreement: null, seconds: [], run: stamp };
    for (const [i, d] of data.entries()) {
      const k = d.truth.groups.length;
      const top = rs[i].ranking.slice(0, k);
      row.found.push(d.truth.groups.filter((g) => g.some((j) => top.includes(j))).length);
      const rel = new Set(d.truth.relevant);
      row.irrelevantOpen.push(rs[i].open ? rs[i].open!.filter((j) => !rel.has(j)).length : null);
      row.cv.push(await cvTopK(d.ev, top, `${c.id}-${d.seed}`, 5, 100));
      row.seconds.push(rs[i].seconds);
    }
    row.agreement = overlap(rs[0].ranking, second[id].ranking, data[0].truth.groups.length);
    rows.push(row);
  }
  const k = data[0].truth.groups.length;
  results[c.id] = {
    title: c.title,
    rows: c.n,
    features: data[0].sel.d,
    k,
    seeds: SEEDS,
    baseline: base,
    selectors: rows,
    rankings: Object.fromEntries(
      Object.entries(rankings).map(([id, rs]) => [
        id,
        rs.map((r) => ({ top: r.ranking.slice(0, k), open: r.open, note: r.note })),
      ]),
    ),
  };
  log(renderGenerated(c.id, results[c.id] as GeneratedEntry));
}

// ---- real datasets -----------------------------------------------------------------------------
interface RealPreset {
  id: string;
  title: string;
  load: () => Promise<{ ds: Dataset; groups?: Int32Array }>;
  k: number;
  selectEpochs: number;
  cvEpochs: number;
  folds: number;
  seeds: number[];
  runs: boolean;
}
const WINE = WINE_NAMES;
const REAL: RealPreset[] = [
  {
    id: "wine",
    title: "Wine (178 rows, 13 features, 3 classes)",
    k: 6,
    selectEpochs: 300,
    cvEpochs: 200,
    folds: 10,
    seeds: [0, 1],
    runs: true,
    load: async () => ({
      ds: await readCsv(dataFile("wine/wine.data", values.data), {
        header: false,
        label: 0,
        names: ["class", ...WINE],
      }),
    }),
  },
  {
    id: "musk2",
    title: "Musk2 (6,598 conformations of 102 molecules, 166 features)",
    k: 42,
    selectEpochs: 100,
    cvEpochs: 60,
    folds: 10,
    seeds: [0, 1],
    runs: true,
    load: async () => {
      const ds = await readCsv(dataFile("musk2/clean2.tsv.gz", values.data), {
        header: true,
        label: "target",
        drop: ["conformation_name"],
      });
      const j = ds.featureNames.indexOf("molecule_name");
      const groups = Int32Array.from({ length: ds.n }, (_, i) => ds.x[i * ds.d + j]);
      const keep = Array.from({ length: ds.d }, (_, c) => c).filter((c) => c !== j);
      const x = new Float32Array(ds.n * keep.length);
      for (let i = 0; i < ds.n; i++) for (const [q, c] of keep.entries()) x[i * keep.length + q] = ds.x[i * ds.d + c];
      return { ds: { ...ds, x, d: keep.length, featureNames: keep.map((c) => ds.featureNames[c]) }, groups };
    },
  },
];
const realWanted = values["no-real"] ? [] : (values.real?.split(",") ?? REAL.map((r) => r.id));
const realResults: Record<string, unknown> = {};
for (const p of REAL.filter((r) => realWanted.includes(r.id))) {
  let loaded: { ds: Dataset; groups?: Int32Array };
  try {
    loaded = await p.load();
  } catch (e) {
    log(`notice: ${p.id} skipped: ${(e as Error).message}`);
    realResults[p.id] = { skipped: (e as Error).message };
    continue;
  }
  const { ds, groups } = loaded;
  log(`== ${p.id}: ${ds.n} rows, ${ds.d} features`);
  for (const s of p.seeds) queueReference(`${p.id}-s${s}`, ds, s);
  const refs = runReferences();
  const sel: Record<string, Ranked[]> = {};
  const runOpt = { features: ds.d, epochs: p.selectEpochs };
  // bsfnet: the default; exactly k by the lambda search; and stability selection over 10 halves
  for (const s of p.seeds) {
    if (want("bsf-auto")) {
      const a = await selectFeatures(ds.x, ds.y, { ...runOpt, seed: s, warn: false });
      (sel["bsf-auto"] ??= []).push({ ranking: a.features.map((f) => f.index), open: a.selected, seconds: a.seconds });
    }
    if (!want("bsf-k")) continue;
    const kk = await selectK(ds.x, ds.y, p.k, { ...runOpt, seed: s, warn: false });
    (sel["bsf-k"] ??= []).push({
      ranking: [...kk.selected, ...kk.features.map((f) => f.index).filter((j) => !kk.selected.includes(j))],
      open: kk.selected,
      seconds: kk.seconds,
      note: `lambda ${kk.lambda.toPrecision(3)}: ${kk.openAtLambda} open; path ${kk.path.map((q) => `${q.lambda.toPrecision(2)}:${q.open}`).join(" ")}`,
    });
    log(`  seed ${s}: --k ${p.k}: ${sel["bsf-k"].at(-1)!.note} (${kk.seconds.toFixed(1)} s)`);
  }
  if (p.runs && want("bsf-runs10")) {
    sel["bsf-runs10"] = [];
    for (const s of p.seeds) {
      const o = { ...runOpt, seed: s };
      const r = await stabilitySelection(ds.x, ds.y, { ...o, runs: 10, runner: parallelRunner(ds.x, ds.y, o) });
      sel["bsf-runs10"].push({ ranking: r.features.map((f) => f.index), open: r.selected, seconds: r.seconds });
      log(`  seed ${s}: --runs 10 in ${r.seconds.toFixed(1)} s`);
    }
  }
  for (const [id] of REFERENCE_IDS)
    if (refs[`${p.id}-s${p.seeds[0]}`] && want(id)) sel[id] = p.seeds.map((s) => refs[`${p.id}-s${s}`][id]);
  const all = Array.from({ length: ds.d }, (_, j) => j);
  // --merge keeps the previous run's all-features figures (the same protocol and seed)
  const old = previous?.real[p.id];
  const allRow = old?.all ?? (await cvTopK(ds, all, p.id, p.folds, p.cvEpochs));
  const allGrouped = old
    ? old.allGrouped
    : groups
      ? await cvTopK(ds, all, p.id, p.folds, p.cvEpochs, groups)
      : undefined;
  const rows: Record<string, unknown>[] = [];
  for (const [id, rs] of Object.entries(sel)) {
    const top = rs[0].ranking.slice(0, p.k);
    const cv = await cvTopK(ds, top, p.id, p.folds, p.cvEpochs);
    const cvG = groups ? await cvTopK(ds, top, p.id, p.folds, p.cvEpochs, groups) : undefined;
    const agree10 = rs.length > 1 ? overlap(rs[0].ranking, rs[1].ranking, 10) : null;
    const agreeK = rs.length > 1 ? overlap(rs[0].ranking, rs[1].ranking, p.k) : null;
    rows.push({
      selector: id,
      top,
      open: rs.map((r) => r.open?.length ?? null),
      cv,
      cvGrouped: cvG,
      agreeTop10: agree10,
      agreeTopK: agreeK,
      seconds: rs.map((r) => r.seconds),
      notes: rs.map((r) => r.note),
      run: stamp,
    });
    log(
      `  ${id}: top ${p.k} CV ${cv.toFixed(4)}${cvG !== undefined ? `, grouped ${cvG.toFixed(4)}` : ""}; top-10 agreement ${agree10}`,
    );
  }
  realResults[p.id] = {
    title: p.title,
    features: ds.d,
    k: p.k,
    folds: p.folds,
    cvEpochs: p.cvEpochs,
    selectEpochs: p.selectEpochs,
    seeds: p.seeds,
    all: allRow,
    allGrouped,
    selectors: rows,
  };
}

// ---- rendering (from the JSON, so that --merge can mix rows of two runs) ----------------------
interface GeneratedEntry {
  title: string;
  rows: number;
  features: number;
  k: number;
  baseline: { all: number[]; truth: number[] };
  selectors: Row[];
}
interface RealRow {
  selector: string;
  open: (number | null)[];
  cv: number;
  cvGrouped?: number;
  agreeTop10: number | null;
  agreeTopK: number | null;
  seconds: number[];
  notes: (string | undefined)[];
  run?: string;
}
interface RealEntry {
  title: string;
  features?: number;
  k: number;
  folds: number;
  cvEpochs: number;
  selectEpochs: number;
  seeds: number[];
  all: number;
  allGrouped?: number;
  selectors: RealRow[];
  skipped?: string;
}
function avg(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
function mark(run?: string): string {
  return run && partial ? " †" : "";
}
function renderGenerated(id: string, e: GeneratedEntry): string {
  const k = e.k;
  return [
    `### ${e.title}`,
    "",
    `${e.rows} rows to select on (another ${e.rows} held out for the CV column), ${e.features} features, k = ${k} ` +
      `relevant ${id === "copies" ? "groups (a group is found when any copy is in the top k)" : "features"}. ` +
      `CV accuracy on the held-out rows with all features: ${avg(e.baseline.all).toFixed(4)}, with the true relevant ones: ${avg(e.baseline.truth).toFixed(4)}.`,
    "",
    "| selector | relevant in top k (per seed) | seeds with all found | irrelevant gates open (per seed) | CV accuracy of top k | agreement between seeds | seconds |",
    "|---|---|---|---|---|---|---|",
    ...e.selectors.map(
      (r) =>
        `| ${selectorTitles.get(r.selector)}${mark(r.run)} | ${r.found.join(" ")} | ${r.found.filter((f) => f === k).length}/${r.found.length} | ` +
        `${r.irrelevantOpen.every((v) => v === null) ? "—" : r.irrelevantOpen.join(" ")} | ${avg(r.cv).toFixed(4)} | ${r.agreement!.toFixed(2)} | ${avg(r.seconds).toFixed(2)} |`,
    ),
    "",
  ].join("\n");
}
const FEATURES: Record<string, number> = { wine: 13, musk2: 166 };
function renderReal(id: string, e: RealEntry): string {
  if (e.skipped) return `### ${e.title}\n\nSkipped: ${e.skipped}\n`;
  const titles: Record<string, string> = {
    "bsf-auto": "bsfnet default (auto)",
    "bsf-k": `bsfnet --k ${e.k}`,
    "bsf-runs10": "bsfnet --runs 10",
    "bsf-runs10-k": `bsfnet --runs 10 --k ${e.k}`,
    rf: "random-forest importances",
    mi: "mutual information",
    l1: "L1 logistic regression",
  };
  const grouped = e.allGrouped !== undefined && e.allGrouped !== null;
  const f4 = (v: unknown) => (typeof v === "number" ? v.toFixed(4) : "—");
  return [
    `### ${e.title}`,
    "",
    `Selection on every row (selector seeds ${e.seeds.join(", ")}; ${e.selectEpochs} epochs for bsfnet); ${e.folds}-fold CV of the paper's classifier ` +
      `(${e.cvEpochs} epochs) on the top ${e.k} of seed ${e.seeds[0]}. All ${e.features ?? FEATURES[id]} features: ${f4(e.all)} row-level` +
      (grouped ? `, ${f4(e.allGrouped)} grouped by molecule.` : "."),
    "",
    `| selector | gates open (per seed) | CV accuracy of top ${e.k} (row-level) |${grouped ? " grouped by molecule |" : ""} agreement between seeds, top 10 | top ${e.k} | seconds (per seed) |`,
    `|---|---|---|${grouped ? "---|" : ""}---|---|---|`,
    ...e.selectors.map(
      (r) =>
        `| ${titles[r.selector]}${mark(r.run)} | ${r.open.map((v) => v ?? "—").join(" ")} | ${f4(r.cv)} |` +
        `${grouped ? ` ${f4(r.cvGrouped)} |` : ""} ${r.agreeTop10 === null ? "—" : `${Math.round(r.agreeTop10 * 10)}/10`} | ` +
        `${r.agreeTopK === null ? "—" : `${Math.round(r.agreeTopK * e.k)}/${e.k}`} | ${r.seconds.map((v) => v.toFixed(1)).join(" ")} |`,
    ),
    "",
    ...e.selectors
      .filter((r) => r.selector === "bsf-k")
      .flatMap((r) => r.notes.map((n, i) => `- \`--k ${e.k}\`, seed ${e.seeds[i]}: ${n}${mark(r.run)}`)),
    "",
  ].join("\n");
}

// ---- merge -------------------------------------------------------------------------------------
if (partial) {
  const mergeRows = <R extends { selector: string }>(old: R[], fresh: R[]) => [
    ...old.map((r) => fresh.find((f) => f.selector === r.selector) ?? r),
    ...fresh.filter((f) => !old.some((r) => r.selector === f.selector)),
  ];
  for (const [id, e] of Object.entries(previous.generated as Record<string, GeneratedEntry>)) {
    const fresh = results[id] as GeneratedEntry | undefined;
    results[id] = fresh ? { ...e, ...fresh, selectors: mergeRows(e.selectors, fresh.selectors) } : e;
  }
  for (const [id, e] of Object.entries(previous.real as Record<string, RealEntry>)) {
    const fresh = realResults[id] as RealEntry | undefined;
    realResults[id] = fresh
      ? { ...e, ...fresh, all: e.all, allGrouped: e.allGrouped, selectors: mergeRows(e.selectors, fresh.selectors) }
      : e;
  }
}
const genIds = CASES.map((c) => c.id).filter((id) => results[id]);
const realIds = REAL.map((r) => r.id).filter((id) => realResults[id]);
tables.push(...genIds.map((id) => renderGenerated(id, results[id] as GeneratedEntry)));
tables.push(...realIds.map((id) => renderReal(id, realResults[id] as RealEntry)));

// ---- report ------------------------------------------------------------------------------------
const seconds = (performance.now() - t0) / 1000;
mkdirSync(join(OUT, "results"), { recursive: true });
// --out is where this copy was written, not part of what was computed
const argsLine = process.argv
  .slice(2)
  .filter((a, i, all) => a !== "--out" && all[i - 1] !== "--out")
  .join(" ");
// a partial run keeps the full run's time and sklearn version, and lists itself in `partialRuns`
const partialRuns = partial
  ? [...(previous.partialRuns ?? []), { at: stamp, command: `npm run bench:select -- ${argsLine}`, seconds }]
  : undefined;
const doc = {
  command: "npm run bench:select",
  ...(partialRuns ? { partialRuns } : {}),
  seeds: SEEDS,
  selectEpochs: EPOCHS,
  threshold: DEFAULT_THRESHOLD,
  sklearn: (partial ? previous.sklearn : sklearnVersion) || null,
  referenceNotice: refNotice || null,
  generated: results,
  real: realResults,
  seconds: partial ? previous.seconds : seconds,
  node: process.version,
};
await writeFileAtomic(join(OUT, "results", "select-benchmark.json"), `${JSON.stringify(doc, null, 1)}\n`);
const md = `# Feature-selection benchmark

Produced by \`npm run bench:select\` (scripts/select-benchmark.ts) in ${(doc.seconds / 60).toFixed(1)} min on Node ${process.version}, 
${doc.sklearn ? `reference selectors from scikit-learn ${doc.sklearn} (scripts/reference/select_sklearn.py)` : `**${refNotice}**`};
figures in [results/select-benchmark.json](results/select-benchmark.json). Do not edit by hand.
${
  partialRuns
    ? `\nRows marked † are from later partial runs (\`--merge\`: only those cases and selectors rerun, every other row kept from the full run), on a machine shared with other jobs, so their seconds are not comparable with the rest:\n${partialRuns.map((r: { at: string; command: string; seconds: number }) => `- ${r.at} UTC: \`${r.command}\` (${(r.seconds / 60).toFixed(1)} min)`).join("\n")}\n`
    : ""
}

**Protocol.** Generated cases (src/data/benchmarks.ts) have known truth; each seed draws new data (and new
positions for the relevant columns) and the selectors see ${"`n`"} rows; "CV accuracy of top k" is 5-fold
cross-validation of the paper's classifier (100 epochs) on another ${"`n`"} rows of the same draw, restricted
to the top k columns, where k is the number of relevant features (groups, for copies). "Irrelevant gates
open" counts open gates (weight > ${DEFAULT_THRESHOLD}) outside the truth (for --runs 10: features selected, i.e. in the
top q of at least 90% of the runs; see docs/design/stability-selection.md). "Agreement between seeds" is the share of the top k that selector seeds 0 and 1 share on the data of seed 0.
bsfnet runs ${EPOCHS} epochs (the CLI default), lambda 0.01. Real datasets: see each table.

**Schedules.** *penalty-first* is the paper's schedule and bsfnet's old default: the L1 penalty acts from the first
step. *warm-up*: gates start at 0.7, 20% of the epochs without the penalty, then a linear ramp to lambda over 40% (and at least
15,000 optimizer steps in all). *auto*, the default now: penalty-first, and when that run closes every gate, a
warm-up run from the same seed.

## Generated cases

${tables.filter((t) => !REAL.some((r) => t.startsWith(`### ${r.title}`))).join("\n")}
## Real datasets

${tables.filter((t) => REAL.some((r) => t.startsWith(`### ${r.title}`))).join("\n")}
`;
await writeFileAtomic(join(OUT, "select-benchmark.md"), md);
log(
  `wrote ${join(OUT, "select-benchmark.md")} and ${join(OUT, "results", "select-benchmark.json")} (${seconds.toFixed(0)} s)`,
);
