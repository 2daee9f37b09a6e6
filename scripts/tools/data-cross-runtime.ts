// Prints hashes of seeded/parsed data so runtimes can be compared bit for bit:
//   npx tsx scripts/tools/data-cross-runtime.ts
//   npx bun run scripts/tools/data-cross-runtime.ts
//   npx deno run --allow-read --allow-env --unstable-sloppy-imports scripts/tools/data-cross-runtime.ts
// The lines must be identical (checked 2026-11-25: Node 20, Bun 1.4, Deno 2.9).
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Random } from "../../src/util/random.js";
import { makeClassification } from "../../src/data/synthetic.js";
import { stratifiedKFold } from "../../src/data/split.js";
import { readCsv } from "../../src/data/csv-node.js";

const hash = (words: ArrayLike<number>): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
};
const f64words = (a: number[]) => new Uint32Array(Float64Array.from(a).buffer);

const r = new Random(123);
console.log("Random(123) 1e5 next()   ", hash(f64words(Array.from({ length: 1e5 }, () => r.next()))));
console.log("Random(123) 1e5 normal() ", hash(f64words(Array.from({ length: 1e5 }, () => r.normal()))));
const ds = makeClassification({ seed: 9, nSamples: 5000, shuffleFeatures: true });
console.log("makeClassification(seed 9)", hash(new Uint32Array(ds.x.buffer)), hash(ds.y));
console.log(
  "stratifiedKFold(y, 10, 1) ",
  hash(Int32Array.from(stratifiedKFold(ds.y, 10, 1).flatMap((f) => Array.from(f.validation)))),
);
const dir = process.env.BSFNET_DATA ?? resolve(fileURLToPath(new URL("../..", import.meta.url)), "../shared/data");
for (const [file, opts] of [
  ["musk2/clean2.tsv.gz", { label: "target" }],
  ["kddcup99/kddcup.data_10_percent.gz", { header: false }],
] as const) {
  const t = performance.now();
  const d = await readCsv(resolve(dir, file), opts);
  console.log(
    `readCsv ${file}`.padEnd(26),
    hash(new Uint32Array(d.x.buffer)),
    hash(d.y),
    `(${Math.round(performance.now() - t)} ms, not compared)`,
  );
}
