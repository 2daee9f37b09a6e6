// GEMM GFLOP/s at the three shapes: 512³ and 1024³ (gemm_nn) and the dense
// kernel-gradient shape of the Table 6 CNN's 9216 → 128 layer at batch 32 (gemm_tn, M = 9216,
// K = 32, N = 128), with today's gemm_* exports. A stand-in: bench/train/gemm-speed.ts's
// measureGemm({ quick, wasm }) replaces it when it exists (bench/run.ts asks for it first).
import type { Runtime } from "../../src/runtime/runtime.js";

export type GemmShape = "512" | "1024" | "tn";
export type GemmFigures = Record<GemmShape, number>;

/** CPU milliseconds of this process: leaves out the time a shared machine deschedules us. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** GFLOP/s of fn: 0.5 s of calls first (V8's optimizing tier), then the best of 7 samples of
 * at least 30 ms (CPU time). */
export function gflops(fn: () => void, flops: number, quick = false): number {
  let t = cpuNow();
  while (cpuNow() - t < (quick ? 200 : 500)) fn();
  let reps = 1;
  for (;;) {
    t = cpuNow();
    for (let r = 0; r < reps; r++) fn();
    if (cpuNow() - t >= (quick ? 10 : 30)) break;
    reps *= 2;
  }
  let best = Infinity;
  for (let s = 0; s < (quick ? 3 : 7); s++) {
    t = cpuNow();
    for (let r = 0; r < reps; r++) fn();
    best = Math.min(best, (cpuNow() - t) / reps);
  }
  return flops / (best * 1e6);
}

export function measureGemmFallback(rt: Runtime, quick = false): GemmFigures {
  const fill = (n: number, f: (i: number) => number) => {
    const p = rt.alloc(n * 4);
    const a = rt.f32(p, n);
    for (let i = 0; i < n; i++) a[i] = f(i);
    return p;
  };
  const out: Partial<GemmFigures> = {};
  for (const n of [512, 1024]) {
    const a = fill(n * n, Math.sin);
    const b = fill(n * n, Math.cos);
    const c = fill(n * n, () => 0);
    out[String(n) as GemmShape] = gflops(() => rt.k.gemm_nn(c, a, b, n, n, n, 0), 2 * n ** 3, quick);
    for (const p of [c, b, a]) rt.release(p, n * n * 4);
  }
  const [M, K, N] = [9216, 32, 128];
  const a = fill(K * M, Math.sin);
  const b = fill(K * N, Math.cos);
  const c = fill(M * N, () => 0);
  out.tn = gflops(() => rt.k.gemm_tn(c, a, b, M, K, N, 1), 2 * M * K * N, quick);
  for (const [p, n] of [
    [c, M * N],
    [b, K * N],
    [a, K * M],
  ])
    rt.release(p, n * 4);
  return out as GemmFigures;
}

/** Two rounds of GEMM figures as one: each figure the larger (a figure one round lacks comes from
 * the other). */
export function betterGemm(a: Partial<GemmFigures>, b: Partial<GemmFigures>): Partial<GemmFigures> {
  const out: Partial<GemmFigures> = { ...b, ...a };
  for (const k of ["512", "1024", "tn"] as const) {
    const x = a[k],
      y = b[k];
    if (x !== undefined && y !== undefined) out[k] = Math.max(x, y);
  }
  return out;
}
