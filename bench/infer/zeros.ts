// The share of exact zeros in the input of each one-row dense call (what dense_forward_row may
// skip: assembly/dense.ts, sparse_pays), on
// - the peer bench's three nets, untrained, on their own data (bench/peers/nets.ts), as
//   `npm run bench` and bench/infer/rows.ts run them;
// - the Table 6 CNN trained 2 epochs on 10,000 MNIST training images (seed 0), on MNIST test
//   images, and the test images themselves (what an MLP's first layer gets). Skipped with a
//   notice when MNIST is not in the data directory (--data DIR, else BSFNET_DATA, else
//   ../shared/data).
// Counted on a tracing runtime (bench/lib/trace.ts) at every dense_forward_row call of
// Sequential.predictSync, one row at a time, over --rows rows (default 64); the calls of a row
// numbered in order (#1 is the first dense layer's).
//   npx tsx bench/infer/zeros.ts [--rows 64] [--data DIR]
import { existsSync } from "node:fs";
import { dataDir } from "../../src/data/datadir.js";
import { loadMnist, sampleSubsets } from "../../src/data/mnist.js";
import type { Sequential } from "../../src/model/sequential.js";
import { option } from "../lib/ab.js";
import { KernelTrace } from "../lib/trace.js";
import { bsfnetCnn } from "../cnn/cnn.js";
import { bsfnetNet, NETS, netData, netPlan } from "../peers/nets.js";

const args = process.argv.slice(2);
const rows = Number(option(args, "--rows", "64"));
if (!Number.isInteger(rows) || rows < 1) {
  console.error(`zeros.ts: --rows must be a positive integer, got ${option(args, "--rows", "")}`);
  process.exit(2);
}
const mnistDir = `${dataDir(args.includes("--data") ? option(args, "--data", "") : undefined)}/mnist`;

/** per one-row dense call of a predict, in order (label "C -> OC"): zeros seen and values seen */
let counts = new Map<string, [number, number]>();
let call = 0;
const trace = await KernelTrace.load((name, a) => {
  if (name !== "dense_forward_row") return name;
  const C = a[6];
  const x = trace.runtime.f32(a[1], C);
  let z = 0;
  for (let i = 0; i < C; i++) if (x[i] === 0) z++;
  const label = `#${++call} ${C} -> ${a[7]}`;
  const c = counts.get(label) ?? [0, 0];
  counts.set(label, [c[0] + z, c[1] + C]);
  return name;
});

/** The zero share entering each one-row dense layer of `m` over the first `n` rows (D values each) of x. */
function report(what: string, m: Sequential, x: Float32Array, n: number, D: number): void {
  counts = new Map();
  for (let r = 0; r < n; r++) {
    call = 0;
    m.predictSync(x.subarray(r * D, (r + 1) * D));
  }
  const cells = [...counts].map(([l, [z, t]]) => `${l}: ${((100 * z) / t).toFixed(1)}%`);
  console.log(`${what} (${n} rows): ${cells.join(", ") || "no one-row dense call"}`);
}

console.log("zeros in the input of each one-row dense call (Sequential.predictSync)");
for (const net of NETS) {
  const p = netPlan(net, true);
  const m = bsfnetNet(p);
  await m.build(undefined, trace.runtime);
  report(`${net}, untrained, its peer-bench data`, m, netData(p, rows).x, rows, p.inputs);
  m.dispose();
}

if (!existsSync(mnistDir)) {
  console.log(`MNIST: not found at ${mnistDir}, skipped (--data DIR)`);
} else {
  const test = await loadMnist("test", { dir: mnistDir });
  let z = 0;
  for (let i = 0; i < rows * 784; i++) if (test.x[i] === 0) z++;
  console.log(`MNIST test images (${rows}): ${((100 * z) / (rows * 784)).toFixed(1)}% of pixels zero`);
  const [train] = sampleSubsets(await loadMnist("train", { dir: mnistDir }), [10000], 0);
  const m = bsfnetCnn(false, 0);
  await m.build(undefined, trace.runtime);
  await m.fit(train.x, train.y, { epochs: 2, batchSize: 64, verbose: 0 });
  report("Table 6 CNN trained 2 epochs on 10,000 MNIST images, MNIST test images", m, test.x, rows, 784);
  m.dispose();
}
