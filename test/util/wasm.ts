// Test helpers: a fresh runtime on the release build, and typed arrays placed in its memory.
import { existsSync, readFileSync } from "node:fs";
import { Runtime } from "../../src/runtime/runtime.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";

let shared: Promise<Runtime> | undefined;

/** The release build, loaded once per test file. */
export function runtime(): Promise<Runtime> {
  shared ??= Runtime.load();
  return shared;
}

/** Both kernel builds, each by its file: SIMD128, and relaxed SIMD (fused multiply-add, and
 * kernels of its own where it measured faster) where the engine runs it, on Node 20 by the V8 flag
 * enableRelaxedSimd sets. Call before any module is compiled in this file's process: after that,
 * and once the flag is set, `runtime()` would load the relaxed build. */
export async function kernelBuilds(): Promise<[name: string, load: () => Promise<Runtime>][]> {
  const relaxed = await enableRelaxedSimd();
  const file = (name: string) => new URL(`../../build/${name}`, import.meta.url);
  const builds: [string, () => Promise<Runtime>][] = [
    ["simd128", () => Runtime.load(readFileSync(file("bsfnet.wasm")))],
  ];
  const relaxedFile = file("bsfnet.relaxed.wasm");
  if (relaxed && existsSync(relaxedFile)) builds.push(["relaxed-simd", () => Runtime.load(readFileSync(relaxedFile))]);
  return builds;
}

/** Copies `data` into fresh wasm memory; returns its pointer. */
export function put(rt: Runtime, data: ArrayLike<number>, kind: "f32" | "i32" = "f32"): number {
  const ptr = rt.alloc(data.length * 4);
  (kind === "f32" ? rt.f32(ptr, data.length) : rt.i32(ptr, data.length)).set(data);
  return ptr;
}

/** A copy (not a view) of n floats at ptr. */
export function get(rt: Runtime, ptr: number, n: number): Float32Array {
  return rt.f32(ptr, n).slice();
}

/** Deterministic test data: mulberry32. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(r: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Central finite difference of loss() with respect to the f32 at ptr[i] (restored afterwards).
 * The step actually taken is measured after f32 rounding. */
export function centralDiff(rt: Runtime, ptr: number, i: number, eps: number, loss: () => number): number {
  const x = rt.f32(ptr, i + 1)[i];
  const xp = Math.fround(x + eps);
  const xm = Math.fround(x - eps);
  rt.f32(ptr, i + 1)[i] = xp;
  const lp = loss();
  rt.f32(ptr, i + 1)[i] = xm;
  const lm = loss();
  rt.f32(ptr, i + 1)[i] = x;
  return (lp - lm) / (xp - xm);
}

/** A few distinct indices in [0, n): all of them when n <= count. */
export function sampleIndices(r: () => number, n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const s = new Set<number>([0, n - 1]);
  while (s.size < count) s.add(Math.floor(r() * n));
  return [...s];
}

/** sum a[i] * b[i] in float64. */
export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Worst disagreement between central differences of `loss` over every element of `x` (an array
 * the loss reads) and the analytic gradient `grad`: absolute, or relative to max(1, |grad|).
 */
export function worstFiniteDiff(
  x: Float32Array,
  grad: ArrayLike<number>,
  eps: number,
  loss: () => number,
  relative = false,
): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const lp = loss();
    x[i] = keep - eps;
    const lm = loss();
    x[i] = keep;
    const err = Math.abs((lp - lm) / (2 * eps) - grad[i]);
    worst = Math.max(worst, relative ? err / Math.max(1, Math.abs(grad[i])) : err);
  }
  return worst;
}
