// Compares ranking and selection rules of stability selection on the same runs (dumped by
// scripts/select-stability-dump.ts for selector seeds 0 and 1), without retraining: the figures
// behind docs/design/stability-selection.md.
// Run: npx tsx scripts/select-stability-rules.ts <dir> <case> [<case> ...]
//   where <dir> holds <case>-d<D>-s<S>.json (generated cases, data seeds D) or <case>-<S>.json (real)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface Run {
  selected: number[];
  importance: number[];
  runMean: number[];
}
interface Dump {
  d: number;
  truth?: number[];
  runs: Run[];
}
const T = 0.1;
const runRanking = (r: Run, d: number) =>
  Array.from({ length: d }, (_, j) => j).sort((a, b) => {
    const ca = r.importance[a] <= T ? 1 : 0;
    const cb = r.importance[b] <= T ? 1 : 0;
    return ca - cb || (ca ? 0 : r.importance[b] - r.importance[a]) || r.runMean[b] - r.runMean[a] || a - b;
  });
function rules(doc: Dump) {
  const { d, runs } = doc;
  const R = runs.length;
  const pos = runs.map((r) => {
    const p = new Array<number>(d);
    for (const [i, j] of runRanking(r, d).entries()) p[j] = i;
    return p;
  });
  const idx = Array.from({ length: d }, (_, j) => j);
  const freq = idx.map((j) => runs.filter((r) => r.selected.includes(j)).length / R);
  const mimp = idx.map((j) => runs.reduce((a, r) => a + r.importance[j], 0) / R);
  const mrm = idx.map((j) => runs.reduce((a, r) => a + r.runMean[j], 0) / R);
  const mrank = idx.map((j) => pos.reduce((a, p) => a + p[j], 0) / R);
  const opens = runs.map((r) => r.selected.length).sort((a, b) => a - b);
  const median = R % 2 ? opens[(R - 1) / 2] : (opens[R / 2 - 1] + opens[R / 2]) / 2;
  const q = Math.max(1, Math.min(Math.floor(median), Math.floor(Math.sqrt(4 * 0.8 * d))));
  const topq = idx.map((j) => pos.filter((p) => p[j] < q).length / R);
  return {
    old: [...idx].sort((a, b) => freq[b] - freq[a] || mimp[b] - mimp[a] || mrm[b] - mrm[a] || a - b),
    meanRank: [...idx].sort((a, b) => mrank[a] - mrank[b] || freq[b] - freq[a] || a - b),
    oldSelected: idx.filter((j) => freq[j] >= 0.5),
    newSelected: idx.filter((j) => topq[j] >= 0.9 - 1e-9),
    q,
  };
}
const common = (a: number[], b: number[], k: number) => a.slice(0, k).filter((j) => b.slice(0, k).includes(j)).length;
const [dir, ...cases] = process.argv.slice(2);
for (const c of cases) {
  if (existsSync(join(dir, `${c}-0.json`))) {
    const [a, b] = [0, 1].map((s) => rules(JSON.parse(readFileSync(join(dir, `${c}-${s}.json`), "utf8"))));
    console.log(
      `${c}: top-10 agreement of seeds 0 and 1: old rule ${common(a.old, b.old, 10)}/10, mean rank ${common(a.meanRank, b.meanRank, 10)}/10; ` +
        `selected: frequency >= 0.5 ${a.oldSelected.length}, ${b.oldSelected.length}; top-q rule (q ${a.q}) ${a.newSelected.length}, ${b.newSelected.length}`,
    );
    continue;
  }
  const rows: string[] = [];
  for (let D = 0; existsSync(join(dir, `${c}-d${D}-s0.json`)); D++) {
    const docs = [0, 1].map((s) => JSON.parse(readFileSync(join(dir, `${c}-d${D}-s${s}.json`), "utf8")) as Dump);
    const truth = new Set(docs[0].truth);
    const k = c === "copies" ? 5 : truth.size;
    const [a, b] = docs.map(rules);
    const found = (r: number[]) => r.slice(0, k).filter((j) => truth.has(j)).length;
    const noise = (s: number[]) => s.filter((j) => !truth.has(j)).length;
    rows.push(
      `draw ${D}: relevant in top ${k} old ${found(a.old)} / mean rank ${found(a.meanRank)}; agreement old ${common(a.old, b.old, k)} / ` +
        `mean rank ${common(a.meanRank, b.meanRank, k)}; selected (irrelevant) freq>=0.5 ${a.oldSelected.length} (${noise(a.oldSelected)}), ` +
        `top-q q=${a.q} ${a.newSelected.length} (${noise(a.newSelected)})`,
    );
  }
  console.log(`${c}:\n  ${rows.join("\n  ")}`);
}
