// Anatomy of one bsfnet inference call on the peer bench's nets (bench/peers/nets.ts: the Musk2 and
// KDD99 MLPs, the Table 6 CNN; untrained, seed 0): `Sequential.predictSync` of B rows (chunked as
// predict chunks them; no one-row copies: those are bsfnet/infer's, but a one-row call may list
// its nonzero inputs, and its dense rows are then GFLOP/s of the whole product) on a tracing runtime
// (bench/lib/trace.ts) that times every kernel call, dense and conv layers told apart by their
// shapes. Per kernel, µs per call of predict: the median over the traced calls after a warm-up by
// time; beside it the GFLOP/s of the dense and conv rows (direct-form FLOPs; a 3×3 Winograd
// convolution's are its F(6×6, 3×3) products) and the whole call's wall time (the JavaScript
// around the kernels, and the tracer's own cost, are the difference from their sum).
//   npx tsx bench/infer/anatomy.ts [--nets kdd99,musk2,cnn] [--batches 1,256] [--seconds S]
// The build is the loader's default (relaxed where Node runs it; BSFNET_WASM=simd128 for the other).
import { option } from "../lib/ab.js";
import { KernelTrace } from "../lib/trace.js";
import { cnnLabel } from "../cnn/step.js";
import { winogradF6x6Flops } from "../ceiling/ceilings.js";
import { bsfnetNet, netData, netPlan, type NetName } from "../peers/nets.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => option(args, name, dflt);
const nets = opt("--nets", "kdd99,musk2,cnn").split(",") as NetName[];
const batches = opt("--batches", "1,256").split(",").map(Number);
const seconds = Number(opt("--seconds", "1"));
for (const n of nets) if (!["musk2", "kdd99", "cnn"].includes(n)) throw new Error(`--nets: unknown net ${n}`);
for (const B of batches) if (!Number.isInteger(B) || B < 1) throw new Error(`--batches: ${B} is not a row count`);

/** FLOPs of a labelled call, from its arguments (abi.ts order); null for the other kernels. */
function flops(name: string, a: readonly number[]): number | null {
  if (name === "dense_forward") return 2 * a[4] * a[5] * a[6]; // out, inp, weight, bias, B, C, OC
  // out, inp, packed, weight, rows, bias, C, OC: counted on the whole product, zeros or not
  if (name === "dense_forward_row") return 2 * a[6] * a[7];
  if (name === "conv2d_forward") {
    // out, inp, kernel, bias, ws, B, H, W, C, OC, KH, KW, same
    const [B, H, W, C, OC, KH, KW, same] = a.slice(5, 13);
    const OH = same ? H : H - KH + 1,
      OW = same ? W : W - KW + 1;
    if (KH === 3 && KW === 3 && C % 4 === 0 && OC % 4 === 0) return B * winogradF6x6Flops({ OH, OW, C, OC });
    return 2 * B * OH * OW * KH * KW * C * OC;
  }
  return null;
}

/** What a one-row dense call may read: its one-row copy, and a list of the nonzero inputs. */
function rowSources(a: readonly number[]): string {
  return [a[2] ? "copy" : "", a[4] ? "list" : ""].filter(Boolean).join(", ");
}

const flopOf = new Map<string, number | null>();
const trace = await KernelTrace.load((name, a) => {
  const label =
    name === "dense_forward_row" ? `dense_forward_row ${a[6]} → ${a[7]} (${rowSources(a)})` : cnnLabel(name, a);
  if (!flopOf.has(label)) flopOf.set(label, flops(name, a));
  return label;
});
for (const net of nets) {
  const p = netPlan(net, true);
  const m = bsfnetNet(p);
  await m.build(undefined, trace.runtime);
  for (const B of batches) {
    const { x } = netData(p, B);
    flopOf.clear(); // a label's FLOPs are those of its calls at this batch size
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 500) m.predictSync(x); // warm-up by time: V8's tiers
    trace.clear();
    let calls = 0;
    const t1 = performance.now();
    while (performance.now() - t1 < seconds * 1000) {
      m.predictSync(x);
      trace.endStep();
      calls++;
    }
    const wall = ((performance.now() - t1) / calls) * 1000;
    const parts = trace.parts();
    const sum = parts.reduce((s, r) => s + r.us, 0);
    console.log(`${net}, ${B} row${B === 1 ? "" : "s"} (Sequential.predictSync, ${calls} calls): µs per call`);
    for (const r of parts) {
      const f = flopOf.get(r.name);
      const rate = f ? `  ${((f * (r.calls || 1)) / (r.us * 1e3)).toFixed(1).padStart(5)} GFLOP/s` : "";
      console.log(`  ${r.name.padEnd(44)} ${String(r.calls).padStart(3)}× ${r.us.toFixed(2).padStart(9)}${rate}`);
    }
    console.log(`  ${"sum of the kernels".padEnd(44)}      ${sum.toFixed(2).padStart(9)}`);
    console.log(`  ${"whole call (wall, traced)".padEnd(44)}      ${wall.toFixed(2).padStart(9)}`);
  }
  m.dispose();
}
