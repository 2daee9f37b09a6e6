// Test helpers: a fresh runtime on the release build, and typed arrays placed in its memory.
import { Runtime } from "../../src/runtime/runtime.js";

let shared: Promise<Runtime> | undefined;

/** The release build, loaded once per test file. */
export function runtime(): Promise<Runtime> {
  shared ??= Runtime.load();
  return shared;
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
