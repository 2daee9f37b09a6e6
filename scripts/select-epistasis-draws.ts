// The default selection on draws of the two-locus epistasis case (the benchmark's 1,600 rows of
// 3,200), one line per draw: relevant in the top 2, open gates, irrelevant open, schedules tried.
// Run: npx tsx scripts/select-epistasis-draws.ts [0,1,...,9] ['{"schedule":"warm-up","lambda":0.02}']
import { makeEpistasis } from "../src/data/benchmarks.js";
import { selectFeatures } from "../src/select/select.js";

const seeds = (process.argv[2] ?? "0,1,2,3,4,5,6,7,8,9").split(",").map(Number);
const extra = JSON.parse(process.argv[3] ?? "{}");
for (const s of seeds) {
  const ds = makeEpistasis({ seed: s, nSamples: 3200 });
  const n = 1600;
  const r = await selectFeatures(ds.x.subarray(0, n * ds.d), ds.y.subarray(0, n), {
    features: ds.d,
    epochs: 300,
    seed: s,
    warn: false,
    ...extra,
  });
  const rel = new Set(ds.relevant);
  const top = r.features.slice(0, 2).map((f) => f.index);
  console.log(
    `draw ${s}: relevant in top 2 ${top.filter((j) => rel.has(j)).length}, open ${r.selected.length}, ` +
      `irrelevant open ${r.selected.filter((j) => !rel.has(j)).length}; ${r.schedulesTried.join(" -> ")}`,
  );
}
