// Counter-based PRNG: value i of stream (seed, stream) is splitmix64's output at position i of the
// sequence keyed by (seed, stream). No state is carried between calls, so any kernel (or thread)
// can ask for value i directly and a run is reproducible whatever the batch order.
//
// The key is a bijective mix of (seed << 32 | stream), so distinct (seed, stream) pairs get
// distinct 64-bit keys; two streams would only overlap if their keys differed by a multiple of the
// Weyl increment smaller than the number of values drawn, which for random 64-bit keys is ~n/2^64.

const GAMMA: u64 = 0x9e3779b97f4a7c15;
const INV24: f32 = 1.0 / 16777216.0;

// splitmix64's finalizer (Stafford's mix13): a bijection on u64 with full avalanche.
@inline function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** The 64-bit key of stream (seed, stream); compute once per kernel call, then use rngU01At. */
@inline export function rngKey(seed: u32, stream: u32): u64 {
  return mix64(((<u64>seed << 32) | <u64>stream) ^ 0x6a09e667f3bcc909);
}

/** Raw 64 random bits of value i of the stream keyed by `key`. */
@inline export function rngBitsAt(key: u64, i: u64): u64 {
  return mix64(key + (i + 1) * GAMMA);
}

/** Uniform value i in [0,1) with 24 bits: every value is exact in f32 and never rounds up to 1. */
@inline export function rngU01At(key: u64, i: u64): f32 {
  return <f32>(<u32>(rngBitsAt(key, i) >> 40)) * INV24;
}

/** Uniform value i of (seed, stream): the same number rng_uniform writes at out[i]. */
@inline export function rngUniformAt(seed: u32, stream: u32, i: u64): f32 {
  return rngU01At(rngKey(seed, stream), i);
}

/** out[n] = uniform [0,1) values i = 0..n-1 of (seed, stream). */
export function rng_uniform(out: usize, n: i32, seed: u32, stream: u32): void {
  const key = rngKey(seed, stream);
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), rngU01At(key, <u64>i));
}

/** out[n] = normal(mean, std): Box-Muller on pairs (values 2k, 2k+1 give out[2k], out[2k+1]). */
export function rng_normal(out: usize, n: i32, seed: u32, stream: u32, mean: f32, std: f32): void {
  const key = rngKey(seed, stream);
  for (let i = 0; i < n; i += 2) {
    // 1 - u lies in (0, 1], so the log is finite; f64 keeps the tails accurate.
    const u1 = 1.0 - <f64>rngU01At(key, <u64>i);
    const u2 = <f64>rngU01At(key, <u64>(i + 1));
    const r = Math.sqrt(-2.0 * Math.log(u1));
    const t = 2.0 * Math.PI * u2;
    store<f32>(out + (<usize>i << 2), mean + std * <f32>(r * Math.cos(t)));
    if (i + 1 < n) store<f32>(out + (<usize>(i + 1) << 2), mean + std * <f32>(r * Math.sin(t)));
  }
}
