// GEMM GFLOP/s at the Musk2 net's shapes (dense 168 -> 168 -> 168 -> 336 -> 168 -> 2), one thread.
// Run: npm run asbuild && npx tsx bench/train/gemm-speed.ts [path/to.wasm]
// The relaxed-SIMD build (fused multiply-add):
//   npx asc assembly/index.ts --target release --enable relaxed-simd -o build/bsfnet.relaxed.wasm
//   node --experimental-wasm-relaxed-simd --import tsx bench/train/gemm-speed.ts build/bsfnet.relaxed.wasm
// Each layer (B, C, OC) is timed as its forward (nn: B,C,OC), backward dinp (nt: B,OC,C) and
// backward dweight (tn: C,B,OC). Time is this process's CPU time (process.cpuUsage), not wall time:
// on a shared machine that leaves out the time the thread is descheduled; each number is the best
// of 7 samples.
import { readFileSync } from "node:fs";
import { Runtime } from "../../src/runtime/runtime.js";

const LAYERS: [number, number][] = [
  [168, 168],
  [168, 336],
  [336, 168],
  [168, 2],
];
const BATCHES = [32, 128];
const wasm = process.argv[2];
const rt = wasm ? await Runtime.load(readFileSync(wasm)) : await Runtime.load();

/** CPU milliseconds used by this process so far. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function time(fn: () => void, flops: number): number {
  // V8 first runs wasm in its baseline compiler and swaps in optimized code from a background
  // thread; 100 ms of calls gets past that even on a busy machine.
  const t = cpuNow();
  while (cpuNow() - t < 100) fn();
  // Enough calls for ~20 ms per sample; best of 7 samples.
  let reps = 1;
  for (;;) {
    const t0 = cpuNow();
    for (let r = 0; r < reps; r++) fn();
    if (cpuNow() - t0 > 20) break;
    reps *= 2;
  }
  let best = Infinity;
  for (let s = 0; s < 7; s++) {
    const t0 = cpuNow();
    for (let r = 0; r < reps; r++) fn();
    best = Math.min(best, (cpuNow() - t0) / reps);
  }
  return flops / (best * 1e6);
}

const rows: string[] = [
  "| B | C | OC | nn (M,K,N) | GFLOP/s | nt (M,K,N) | GFLOP/s | tn (M,K,N) | GFLOP/s |",
  "|---|---|---|---|---|---|---|---|---|",
];
let total = 0,
  count = 0;
for (const B of BATCHES) {
  for (const [C, OC] of LAYERS) {
    const inp = rt.alloc(B * C * 4),
      w = rt.alloc(C * OC * 4),
      out = rt.alloc(B * OC * 4);
    const dinp = rt.alloc(B * C * 4),
      dw = rt.alloc(C * OC * 4);
    rt.f32(inp, B * C).forEach((_, i, a) => {
      a[i] = Math.sin(i);
    });
    rt.f32(w, C * OC).forEach((_, i, a) => {
      a[i] = Math.cos(i);
    });
    rt.f32(out, B * OC).forEach((_, i, a) => {
      a[i] = Math.sin(i * 0.7);
    });
    const flops = 2 * B * C * OC;
    const nn = time(() => rt.k.gemm_nn(out, inp, w, B, C, OC, 0), flops);
    const nt = time(() => rt.k.gemm_nt(dinp, out, w, B, OC, C, 0), flops);
    const tn = time(() => rt.k.gemm_tn(dw, inp, out, C, B, OC, 1), flops);
    rows.push(
      `| ${B} | ${C} | ${OC} | ${B},${C},${OC} | ${nn.toFixed(1)} | ${B},${OC},${C} | ${nt.toFixed(1)} | ${C},${B},${OC} | ${tn.toFixed(1)} |`,
    );
    if (OC > 2) {
      total += nn + nt + tn;
      count += 3;
    }
    for (const [p, n] of [
      [dw, C * OC],
      [dinp, B * C],
      [out, B * OC],
      [w, C * OC],
      [inp, B * C],
    ])
      rt.release(p, n * 4);
  }
}
console.log(rows.join("\n"));
console.log(`mean over the non-output layers: ${(total / count).toFixed(1)} GFLOP/s`);
