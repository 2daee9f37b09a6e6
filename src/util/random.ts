// Seeded PRNG for TypeScript-side randomness (shuffles, splits, synthetic data). Not the wasm
// kernels' PRNG (assembly/rng.ts); this one never touches wasm memory.
//
// Generator: xoshiro128** (Blackman & Vigna), 32-bit state words, seeded through splitmix32.
// Every operation is integer arithmetic (Math.imul, shifts) or a single IEEE-754 double operation,
// so a seed yields the same stream in every JavaScript engine. normal() needs a logarithm: the
// ECMAScript spec leaves Math.log's last bit to the engine, so this file carries a port of
// fdlibm's log (plain double arithmetic, identical everywhere) instead.
import { ConfigError } from "../errors.js";

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/** splitmix32 step: the seeding hash (Vigna). Returns [nextState, output]. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

type Mutable = { length: number; [i: number]: unknown };

export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN; // second normal deviate of the polar method, NaN when none is cached

  /** `seed`: any integer with |seed| < 2^53 (both 32-bit halves are mixed in). */
  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed)) throw new ConfigError(`random seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO32) >>> 0;
    let st = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      let o: number;
      [st, o] = splitmix32(st);
      out.push(o);
    }
    if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 1; // the all-zero state is a fixed point
    [this.s0, this.s1, this.s2, this.s3] = out;
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2 ^ s0,
      s3 = this.s3 ^ s1;
    const x = Math.imul(s1, 5);
    const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO53;
  }

  /** Uniform double in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling); n a positive safe integer. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`int(n) needs a positive integer, got ${n}`);
    if (n <= TWO32) {
      const limit = TWO32 - (TWO32 % n); // largest multiple of n not above 2^32
      let u = this.uint32();
      while (u >= limit) u = this.uint32();
      return u % n;
    }
    // n > 2^32: rejection on 53-bit integers.
    const limit = TWO53 - (TWO53 % n);
    for (;;) {
      const u = (this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6);
      if (u < limit) return u % n;
    }
  }

  /** Standard normal deviate times std plus mean (Marsaglia's polar method). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return mean + std * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * log(s)) / s); // sqrt is exactly rounded by IEEE-754
    this.spare = v * f;
    return mean + std * (u * f);
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T extends Mutable>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** k distinct integers from [0, n), in random order (Floyd's algorithm; O(k) memory). */
  sample(n: number, k: number): number[] {
    if (!Number.isSafeInteger(k) || k < 0 || k > n)
      throw new ConfigError(`cannot sample ${k} distinct values from ${n}`);
    const chosen = new Set<number>();
    const out: number[] = [];
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      const v = chosen.has(t) ? j : t;
      chosen.add(v);
      out.push(v);
    }
    return this.shuffle(out);
  }

  /** An independent generator seeded from this one's stream (for sub-tasks that must not share a stream). */
  fork(): Random {
    const r = new Random(0);
    r.s0 = this.uint32();
    r.s1 = this.uint32();
    r.s2 = this.uint32();
    r.s3 = this.uint32() | 1;
    return r;
  }

  /** The state words (to save and restore a stream). */
  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  static fromState(state: readonly number[]): Random {
    if (state.length !== 4 || state.every((w) => w >>> 0 === 0))
      throw new ConfigError("random state must be 4 words, not all zero");
    const r = new Random(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((w) => w >>> 0);
    return r;
  }
}

// ---- fdlibm e_log.c, ported: natural logarithm with plain double arithmetic ----

const view = new DataView(new ArrayBuffer(8));
const ln2_hi = 6.9314718036912381649e-1;
const ln2_lo = 1.90821492927058770002e-10;
const two54 = 1.8014398509481984e16;
const Lg1 = 6.66666666666673513e-1;
const Lg2 = 3.999999999940941908e-1;
const Lg3 = 2.857142874366239149e-1;
const Lg4 = 2.222219843214978396e-1;
const Lg5 = 1.818357216161805012e-1;
const Lg6 = 1.531383769920937332e-1;
const Lg7 = 1.479819860511658591e-1;

/** Natural logarithm, bit-identical on every engine (fdlibm's algorithm, error < 1 ulp). */
export function log(x: number): number {
  view.setFloat64(0, x);
  let hx = view.getInt32(0);
  const lx = view.getUint32(4);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= two54; // subnormal: scale up
    view.setFloat64(0, x);
    hx = view.getInt32(0);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  view.setInt32(0, hx | (i0 ^ 0x3ff00000)); // normalize x or x/2
  x = view.getFloat64(0);
  k += i0 >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^-20
    if (f === 0) return k === 0 ? 0 : k * ln2_hi + k * ln2_lo;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : k * ln2_hi - (R - k * ln2_lo - f);
  }
  const s = f / (2.0 + f);
  const dk = k;
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * ln2_hi - (hfsq - (s * (hfsq + R) + dk * ln2_lo) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * ln2_hi - (s * (f - R) - dk * ln2_lo - f);
}
