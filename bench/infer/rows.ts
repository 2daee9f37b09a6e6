// bsfnet/infer's speed by batch on the peer bench's three nets (bench/peers/nets.ts: the Musk2 and
// KDD99 MLPs, the Table 6 CNN; untrained, seed 0: inference costs the same whatever the weights,
// but for a one-row call's dense layers, which skip zero inputs: these nets' hidden layers see
// about 50% zeros, the CNN's dense layer 30%; a trained MNIST CNN on MNIST 80%: bench/infer/zeros.ts),
// for the A/B of the rows-per-call rule (src/model/plan.ts inferenceRows) and the kernels it runs.
//   npx tsx bench/infer/rows.ts [--wasm simd128|relaxed] [--nets musk2,kdd99,cnn]
//     [--batches 1,32,128,256,1024] [--rows default,256,32] [--base DIR] [--seconds S]
// --rows: the InferenceModel batchSize option of each column ("default": none given).
// --base DIR: also a checkout of before (its src/ and build/), loaded in this process; every
// measurement alternates between the sides (rounds of --seconds each), so a busy machine's drift
// falls on both. Prints the median CPU µs per predict call over the rounds and the spread (min-max).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildFile, option } from "../lib/ab.js";
import { cpuMsPerCall as median } from "../lib/measure.js";
import { modelToBytes } from "../../src/io/file.js";
import { InferenceModel } from "../../src/infer/index.js";
import { ready } from "../../src/runtime/runtime.js";
import { bsfnetNet, netData, netPlan, type NetName } from "../peers/nets.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => option(args, name, dflt);
const wasm = opt("--wasm", "simd128");
const nets = opt("--nets", "musk2,kdd99,cnn").split(",") as NetName[];
const batches = opt("--batches", "1,32,128,256,1024").split(",").map(Number);
const rowsList = opt("--rows", "default").split(",");
const base = args.includes("--base") ? resolve(opt("--base", "")) : undefined;
const seconds = Number(opt("--seconds", "0.4"));
const ROUNDS = Number(opt("--rounds", "5"));

const file = await buildFile(wasm);
const here = resolve(import.meta.dirname, "../..");

interface Side {
  name: string;
  load: (bytes: Uint8Array, batchSize?: number) => Promise<{ predict(x: Float32Array): Float32Array }>;
}
async function side(name: string, root: string, cls: typeof InferenceModel): Promise<Side> {
  const mod = new WebAssembly.Module(readFileSync(`${root}/build/${file}`));
  return { name, load: (bytes, batchSize) => cls.load(mod, bytes, batchSize ? { batchSize } : {}) };
}
const sides: Side[] = [];
if (base) {
  const m = await import(pathToFileURL(`${base}/src/infer/index.ts`).href);
  sides.push(await side("before", base, m.InferenceModel));
}
sides.push(await side(base ? "after" : "bsfnet", here, InferenceModel));

await ready(); // the Sequential that makes each model file lives on the default runtime
const fmt = (ms: number) => (ms * 1000).toFixed(ms < 1 ? 1 : 0);
console.log(`wasm ${wasm}; CPU µs per predict call, median of ${ROUNDS} rounds [min-max]; samples/s after`);
for (const net of nets) {
  const plan = netPlan(net, true);
  const model = bsfnetNet(plan);
  await model.build();
  const bytes = modelToBytes(model);
  const { x } = netData(plan, Math.max(...batches));
  const runs: { label: string; predict: (x: Float32Array) => Float32Array }[] = [];
  for (const s of sides)
    for (const r of rowsList) {
      const im = await s.load(bytes, r === "default" ? undefined : Number(r));
      runs.push({ label: `${s.name}${rowsList.length > 1 ? ` rows=${r}` : ""}`, predict: (v) => im.predict(v) });
    }
  for (const B of batches) {
    const xb = x.slice(0, B * plan.inputs);
    for (const r of runs) median(() => r.predict(xb), 0.3); // warm-up by time: V8's tiers
    const got: number[][] = runs.map(() => []);
    for (let round = 0; round < ROUNDS; round++)
      runs.forEach((r, i) => {
        got[i].push(median(() => r.predict(xb), seconds));
      });
    const cols = got.map((g, i) => {
      g.sort((a, b) => a - b);
      const med = g[g.length >> 1];
      return `${runs[i].label} ${fmt(med)} [${fmt(g[0])}-${fmt(g[g.length - 1])}] ${Math.round((B / med) * 1000).toLocaleString("en")}/s`;
    });
    const ratio =
      runs.length === 2
        ? `  after/before speed ${(got[0][got[0].length >> 1] / got[1][got[1].length >> 1]).toFixed(2)}x`
        : "";
    console.log(`${net.padEnd(6)} B=${String(B).padEnd(5)} ${cols.join("  |  ")}${ratio}`);
  }
  model.dispose();
}
