// Writes the paper's MNIST split as `bsfnet attention mnist --seed S` draws it, as raw little-endian
// arrays for a reference implementation in another framework: train.x / val.x (float32 [n, 28, 28],
// pixels / 255), train.y / val.y (int32 [n]) and split.json.
//   npx tsx scripts/reference/export-mnist-split.ts --out DIR [--seed 0] [--data DIR]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMnistPaperSplit } from "../../src/data/mnist.js";
import { dataDir } from "../../src/data/datadir.js";
import { integer, parse } from "../../src/cli/args.js";
import { ConfigError } from "../../src/errors.js";

const USAGE = "npx tsx scripts/reference/export-mnist-split.ts --out DIR [--seed 0] [--data DIR]";
const { values: v } = parse(
  process.argv.slice(2),
  { out: { type: "string" }, seed: { type: "string" }, data: { type: "string" } },
  USAGE,
);
if (typeof v.out !== "string") throw new ConfigError(`--out DIR is required\n${USAGE}`);
const seed = integer(v.seed, "seed", 0, 0);
const { train, validation } = await loadMnistPaperSplit({
  dir: join(dataDir(v.data as string | undefined), "mnist"),
  seed,
});
mkdirSync(v.out, { recursive: true });
const bytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
for (const [name, d] of [
  ["train", train],
  ["val", validation],
] as const) {
  writeFileSync(join(v.out, `${name}.x`), bytes(d.x));
  writeFileSync(join(v.out, `${name}.y`), bytes(d.y));
}
writeFileSync(
  join(v.out, "split.json"),
  `${JSON.stringify({ seed, train: train.n, validation: validation.n, shape: [28, 28] })}\n`,
);
console.log(`wrote ${train.n} training and ${validation.n} validation images (seed ${seed}) to ${v.out}`);
