// Paper section 3.1 and Fig. 6: cluster separation of Wine with all 13 features and with the 6 that
// BSF selected (docs/results/select-wine.json, written by npm run repro:wine): the silhouette
// coefficient (the paper: 0.2798 -> 0.3785, scikit-learn's implementation) and two t-SNE maps side
// by side. t-SNE: @saehrimnir/druidjs (TSNE, perplexity 30, 1,000 iterations, fixed seed).
// Features standardized (zero mean, unit variance) as in the paper.
// Writes docs/results/silhouette-wine.json, docs/tsne-wine.svg and docs/silhouette-wine.md.
//   npx tsx scripts/silhouette-wine.ts [--perplexity 30] [--iterations 1000] [--seed 0] [--data DIR] [--out docs]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TSNE } from "@saehrimnir/druidjs";
import { Standardizer } from "../src/data/standardize.js";
import { takeColumns } from "../src/util/columns.js";
import { scatterPanels, silhouette } from "../src/report/plot.js";
import { Opts, commandLine, loadWine, root, writeJson, writeText } from "./lib/common.js";

const o = new Opts(
  process.argv.slice(2),
  "npx tsx scripts/silhouette-wine.ts [--perplexity 30] [--iterations 1000] [--seed 0] [--data DIR] [--out docs]",
);
const PERPLEXITY = o.num("perplexity", 30);
const ITER = o.num("iterations", 1000);
const SEED = o.num("seed", 0);
const command = commandLine("repro:silhouette-wine", process.argv.slice(2));

const t0 = performance.now();
const ds = await loadWine(o.data);
const sel = JSON.parse(readFileSync(join(root, "docs/results/select-wine.json"), "utf8")) as {
  selected: number[];
  selectedNames: string[];
};
const features = sel.selected;
const rows = Array.from({ length: ds.n }, (_, i) => i);
const z = Standardizer.fit(ds.x, ds.d).transform(ds.x);
const zSel = takeColumns(z, ds.d, features, rows);
const rawSel = takeColumns(ds.x, ds.d, features, rows);
const sil = {
  original: silhouette(z, ds.d, ds.y),
  truncated: silhouette(zSel, features.length, ds.y),
  unstandardized: { original: silhouette(ds.x, ds.d, ds.y), truncated: silhouette(rawSel, features.length, ds.y) },
};
const toRows = (x: Float32Array, d: number) =>
  Array.from({ length: ds.n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
const embed = (x: Float32Array, d: number) =>
  new TSNE(toRows(x, d), { perplexity: PERPLEXITY, seed: SEED, d: 2 }).transform(ITER) as
    | number[][]
    | { to2dArray?: number[][] };
const asPoints = (m: unknown): [number, number][] => {
  const arr = Array.isArray(m) ? (m as number[][]) : ((m as { to2dArray: number[][] }).to2dArray ?? []);
  return arr.map((p) => [Number(p[0]), Number(p[1])]);
};
const pAll = asPoints(embed(z, ds.d));
const pSel = asPoints(embed(zSel, features.length));
// the silhouette of the 2-D maps too (a number for what the figure shows)
const flat = (p: [number, number][]) => Float32Array.from(p.flat());
const silMaps = { original: silhouette(flat(pAll), 2, ds.y), truncated: silhouette(flat(pSel), 2, ds.y) };
const seconds = (performance.now() - t0) / 1000;
const f4 = (v: number) => v.toFixed(4);
await writeText(
  o.out,
  "tsne-wine.svg",
  scatterPanels(
    [
      { title: `(a) all 13 features (silhouette ${f4(sil.original)})`, points: pAll, classes: ds.y },
      { title: `(b) the 6 BSF features (silhouette ${f4(sil.truncated)})`, points: pSel, classes: ds.y },
    ],
    {
      title: "Wine, t-SNE of the standardized features (paper Fig. 6)",
      classNames: ds.classNames.map((c) => `cultivar ${c}`),
    },
  ),
);
const json = {
  command,
  original: sil.original,
  truncated: sil.truncated,
  features,
  featureNames: sel.selectedNames,
  standardized: true,
  unstandardized: sil.unstandardized,
  tsne: {
    library: "@saehrimnir/druidjs 0.9.0 (TSNE)",
    perplexity: PERPLEXITY,
    iterations: ITER,
    seed: SEED,
    silhouetteOfMaps: silMaps,
    original: pAll,
    truncated: pSel,
  },
  paper: { original: 0.2798, truncated: 0.3785 },
  seconds,
};
await writeJson(o.out, "silhouette-wine.json", json);
await writeText(
  o.out,
  "silhouette-wine.md",
  `# Wine: silhouettes and t-SNE (paper section 3.1, Fig. 6)

Produced by \`${command}\` (scripts/silhouette-wine.ts) in ${seconds.toFixed(1)} s; figures in
[results/silhouette-wine.json](results/silhouette-wine.json). Do not edit by hand.

The 6 features are those of [select-wine.md](select-wine.md): ${sel.selectedNames.map((n, i) => `${n} (${features[i]})`).join(", ")}.
Silhouette coefficient (mean over the 178 wines, Euclidean, classes = cultivars), standardized features:

| | features | silhouette | paper |
|---|---|---|---|
| original | 13 | ${f4(sil.original)} | 0.2798 |
| truncated (BSF) | 6 | ${f4(sil.truncated)} | 0.3785 |

Unstandardized (raw units; Proline dominates every distance): ${f4(sil.unstandardized.original)} → ${f4(sil.unstandardized.truncated)}.
Of the 2-D t-SNE maps: ${f4(silMaps.original)} → ${f4(silMaps.truncated)}.

![t-SNE](tsne-wine.svg)

t-SNE by [@saehrimnir/druidjs](https://www.npmjs.com/package/@saehrimnir/druidjs) 0.9.0 (perplexity ${PERPLEXITY}, ${ITER} iterations, seed ${SEED}):
a maintained (releases through 2026), dependency-free ES module with TypeScript types, used here as a devDependency for this figure only (LGPL-3.0; nothing of it ships in bsfnet).
`,
);
console.log(`silhouette ${f4(sil.original)} -> ${f4(sil.truncated)} (paper 0.2798 -> 0.3785); ${seconds.toFixed(1)} s`);
