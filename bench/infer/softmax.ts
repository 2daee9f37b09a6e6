// softmax_forward alone at the peer nets' heads (KDD99: 23 classes, the CNN: 10, Musk2: 2), for the
// A/B of the kernel: this build against a checkout of before, in one process, alternating.
//   node --experimental-wasm-relaxed-simd --import tsx bench/infer/softmax.ts [--wasm simd128|relaxed]
//     [--base DIR] [--shapes 256x23,256x10,256x2] [--rounds 11]
// Prints the median CPU µs per call over the rounds and the spread (min-max), and exp_forward alone
// over the same B * V floats; also checks that both sides give the same bits, so a speed-up that
// changed the probabilities would say so.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Runtime } from "../../src/runtime/runtime.js";
import { buildFile, middle as med, option } from "../lib/ab.js";
import { cpuMsPerCall } from "../lib/measure.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => option(args, name, dflt);
const wasm = opt("--wasm", "relaxed");
const base = args.includes("--base") ? resolve(opt("--base", "")) : undefined;
const shapes = opt("--shapes", "256x23,256x10,256x2")
  .split(",")
  .map((s) => s.split("x").map(Number));
const ROUNDS = Number(opt("--rounds", "11"));
const seconds = Number(opt("--seconds", "0.3"));

const file = await buildFile(wasm);
const here = resolve(import.meta.dirname, "../..");
const roots: [string, string][] = base
  ? [
      ["before", base],
      ["after", here],
    ]
  : [["bsfnet", here]];
const sides = await Promise.all(
  roots.map(async ([name, root]) => ({ name, rt: await Runtime.load(readFileSync(`${root}/build/${file}`)) })),
);

console.log(`wasm ${wasm}; CPU µs per softmax_forward call, median of ${ROUNDS} rounds [min-max]`);
for (const [B, V] of shapes) {
  // logits of spread 6 (a trained head's range), the same on both sides
  let s = 1;
  const x = Float32Array.from({ length: B * V }, () => ((s = (s * 48271) % 2147483647) / 2147483647 - 0.5) * 12);
  const runs = sides.map(({ name, rt }) => {
    const px = rt.alloc(B * V * 4);
    const pp = rt.alloc(B * V * 4);
    const pe = rt.alloc(B * V * 4); // exp_forward's own output: pp keeps the softmax for the bits check
    rt.f32(px, B * V).set(x);
    return {
      name,
      call: () => rt.k.softmax_forward(pp, px, B, V),
      exp: () => rt.k.exp_forward(pe, px, B * V),
      out: () => rt.f32(pp, B * V).slice(),
    };
  });
  for (const run of runs) cpuMsPerCall(run.call, 0.3); // warm-up by time: V8's tiers
  const t = runs.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, run] of runs.entries()) t[i].push(cpuMsPerCall(run.call, seconds) * 1000);
  // the exponentials alone over the same B * V floats, on the last side: what part of the softmax they are
  const expUs = cpuMsPerCall(runs[runs.length - 1].exp, seconds) * 1000;
  const bits = runs.map((run) => new Uint32Array(run.out().buffer));
  const same = bits.every((b) => b.every((v, i) => v === bits[0][i]));
  const cells = runs.map(
    (run, i) => `${run.name} ${med(t[i]).toFixed(2)} [${Math.min(...t[i]).toFixed(2)}-${Math.max(...t[i]).toFixed(2)}]`,
  );
  const ratio =
    runs.length === 2
      ? `  before/after ${(med(t[0]) / med(t[1])).toFixed(2)}x, bits ${same ? "identical" : "DIFFER"}`
      : "";
  console.log(`${B}x${V}  ${cells.join("  |  ")}${ratio}; exp_forward alone ${expUs.toFixed(2)}`);
}
