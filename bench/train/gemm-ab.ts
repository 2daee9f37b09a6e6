// The GEMM kernels of this build against a checkout of before, in one process, alternating rounds:
// the A/B for a change to assembly/gemm*.ts on a machine whose speed drifts between runs.
//   node --experimental-wasm-relaxed-simd --import tsx bench/train/gemm-ab.ts --base DIR
//     [--wasm relaxed|simd128] [--shapes nn:512x512x512,tn:9216x32x128] [--rounds 11] [--seconds S] [--best]
// DIR is a checkout of before with its build (`npm ci && npm run asbuild` there). A shape is
// v:MxKxN, v one of nn, nt, tn (gemm_v's M, K, N; tn accumulates, as a kernel gradient does), or
// dense / linear (dense_forward of M rows, K inputs, N units, with a bias, with and without ReLU),
// or row (M = 1: dense_forward with ReLU, on a build with dense_forward_row that, from the
// kernel's one-row copy, as bsfnet/infer's model calls it; `--shapes rows`: the paper's nets' ones).
// A row shape may end in %Z: Z percent of the input row zeros, at seeded places, as a ReLU leaves
// them (a build whose dense_forward_row takes a list may then read only the rows it needs;
// `--shapes sparse`: 0, 30, 40, 50 and 78% at the CNN's and the Musk2 net's shapes). listed:
// the same one-row call with the list but no copy, as a Sequential runs it (a build without the
// list: dense_forward; `--shapes listed`: 0, 10, 20, 30 and 50%).
// The default shapes are gemm-speed.ts's headline three and the CNN's kernel gradient at batch 128;
// `--shapes kdd99` is the KDD99 net's dense layers at 256 rows.
// Prints each side's median GFLOP/s over the rounds [min-max], after/before, and whether both give
// the same bits (a speed-up that changed the results would say so).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Runtime } from "../../src/runtime/runtime.js";
import { buildFile, middle as med, option, rowForwardOf } from "../lib/ab.js";
import { cpuMsPerCall } from "../lib/measure.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => option(args, name, dflt);
const usage = (msg: string): never => {
  console.error(`gemm-ab.ts: ${msg}`);
  process.exit(2);
};
if (!args.includes("--base")) usage("--base DIR is required (a checkout of before, built)");
const base = resolve(opt("--base", ""));
const wasm = opt("--wasm", "relaxed");
const ROUNDS = Number(opt("--rounds", "11"));
const seconds = Number(opt("--seconds", "0.3"));
// --best: each round's fastest sample and the fastest round, not medians (a noisy host)
const best = args.includes("--best");
const NAMED: Record<string, string> = {
  kdd99: "dense:256x41x41,dense:256x41x82,dense:256x82x41,linear:256x41x23",
  rows: "row:1x9216x128,row:1x168x168,row:1x168x336,row:1x336x168,row:1x41x41,row:1x41x82,row:1x82x41",
  sparse: ["1x9216x128", "1x168x168", "1x336x168", "1x41x82"]
    .flatMap((d) => [0, 30, 40, 50, 78].map((z) => `row:${d}%${z}`))
    .join(","),
  listed: ["1x9216x128", "1x168x168", "1x336x168", "1x41x82"]
    .flatMap((d) => [0, 10, 20, 30, 50].map((z) => `listed:${d}%${z}`))
    .join(","),
};
const VARIANTS = ["nn", "nt", "tn", "dense", "linear", "row", "listed"] as const;
type Variant = (typeof VARIANTS)[number];
const shapeList = opt("--shapes", "nn:512x512x512,nn:1024x1024x1024,tn:9216x32x128,tn:9216x128x128");
const shapes = (NAMED[shapeList] ?? shapeList).split(",").map((s) => {
  const [v, spec] = s.split(":");
  const [dims, zeros] = (spec ?? "").split("%");
  const [M, K, N] = dims.split("x").map(Number);
  const z = zeros === undefined ? 0 : Number(zeros);
  if (
    !VARIANTS.includes(v as Variant) ||
    ![M, K, N].every((d) => Number.isInteger(d) && d > 0) ||
    ((v === "row" || v === "listed") && M !== 1) ||
    (zeros !== undefined && ((v !== "row" && v !== "listed") || !(z >= 0 && z <= 100)))
  )
    usage(
      `--shapes: "${s}" is not v:MxKxN[%Z] with v one of ${VARIANTS.join(", ")}, M = 1 and Z in [0, 100] for row and listed only (or one of: ${Object.keys(NAMED).join(", ")})`,
    );
  return { v: v as Variant, M, K, N, z };
});

const file = await buildFile(wasm);
const here = resolve(import.meta.dirname, "../..");
for (const root of [base, here])
  if (!existsSync(`${root}/build/${file}`)) usage(`${root}/build/${file} is missing (run npm run asbuild there)`);
// Each side loads its build with its own loader: the kernel list checked at load is the one that
// build was made for (a kernel added since would fail the older build's check).
async function loaderOf(root: string): Promise<typeof Runtime> {
  const path = `${root}/src/runtime/runtime.ts`;
  if (root === here || !existsSync(path)) return Runtime;
  return ((await import(pathToFileURL(path).href)) as { Runtime: typeof Runtime }).Runtime;
}
const sides = await Promise.all(
  [
    ["before", base],
    ["after", here],
  ].map(async ([name, root]) => ({
    name,
    rt: await (await loaderOf(root)).load(readFileSync(`${root}/build/${file}`)),
  })),
);

const range = (a: number[]) => `[${Math.min(...a).toFixed(1)}-${Math.max(...a).toFixed(1)}]`;
console.log(
  `wasm ${wasm}; GFLOP/s per call, ${best ? "best" : "median"} of ${ROUNDS} alternating rounds [min-max]${best ? " (each round's fastest sample)" : ""}`,
);
for (const { v, M, K, N, z } of shapes) {
  // the same operands on both sides, from one seeded generator
  let s = 1;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647 - 0.5;
  const A = Float32Array.from({ length: M * K }, rnd);
  for (let i = 0; i < A.length; i++) if (rnd() + 0.5 < z / 100) A[i] = 0;
  const B = Float32Array.from({ length: K * N }, rnd);
  const C = Float32Array.from({ length: M * N }, rnd);
  const bias = Float32Array.from({ length: N }, rnd);
  const accumulate = v === "tn" ? 1 : 0;
  const runs = sides.map(({ rt }) => {
    const [pa, pb, pc, pbias] = [A, B, C, bias].map((x) => {
      const p = rt.alloc(x.length * 4);
      rt.f32(p, x.length).set(x);
      return p;
    });
    const k = rt.k;
    const row = v === "row" || v === "listed" ? rowForwardOf(k) : null;
    // listed: the list without the copy, as a Sequential's one-row call runs; a build without the
    // list runs dense_forward there
    const copyBytes = row && v === "row" ? k.dense_row_pack_bytes(K, N) : 0;
    const rowCall = row && (copyBytes > 0 || (v === "listed" && row.listed)) ? row.call : null;
    const copy = copyBytes ? rt.alloc(copyBytes) : 0;
    if (copy) k.dense_row_pack(copy, pb, K, N);
    const list = row?.listed ? rt.alloc(K * 4) : 0;
    const call = rowCall
      ? () => rowCall(pc, pa, copy, pb, list, pbias, K, N, 1)
      : v === "dense" || v === "linear" || v === "row" || v === "listed"
        ? () => k.dense_forward(pc, pa, pb, pbias, M, K, N, v === "linear" ? 0 : 1)
        : () => k[`gemm_${v}`](pc, pa, pb, M, K, N, accumulate);
    // the bits of one call from the same C (accumulate reads it)
    const bits = () => {
      rt.f32(pc, C.length).set(C);
      call();
      return new Uint32Array(rt.f32(pc, C.length).slice().buffer);
    };
    const free = () => {
      for (const [i, p] of [pa, pb, pc, pbias].entries()) rt.release(p, [A, B, C, bias][i].length * 4);
      if (copy) rt.release(copy, copyBytes);
      if (list) rt.release(list, K * 4);
    };
    return { call, bits, free };
  });
  const [b0, b1] = runs.map((r) => r.bits());
  const same = b0.every((x, i) => x === b1[i]);
  for (const run of runs) cpuMsPerCall(run.call, 0.3); // warm-up by time: V8's tiers
  const g = runs.map(() => [] as number[]);
  const flop = 2 * M * K * N;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [1, 0] : [0, 1];
    for (const i of order) g[i].push(flop / (cpuMsPerCall(runs[i].call, seconds, best) * 1e6));
  }
  for (const run of runs) run.free();
  const pick = (x: number[]) => (best ? Math.max(...x) : med(x));
  const cells = sides.map(({ name }, i) => `${name} ${pick(g[i]).toFixed(1)} ${range(g[i])}`);
  const ratio = (pick(g[1]) / pick(g[0])).toFixed(3);
  console.log(
    `${v} ${M}x${K}x${N}${z ? ` ${z}% zeros` : ""}  ${cells.join("  |  ")}  after/before ${ratio}x, bits ${same ? "identical" : "DIFFER"}`,
  );
}
