// Counter-based PRNG: value i of stream (seed, stream) is a pure function of the three, so any
// kernel (or thread) can ask for value i directly and a run is reproducible whatever the batch
// order. No state is carried between calls.
//
// Value i = H(H(i * PHI + k1) ^ k2) with H = lowbias32 (Wellons' 32-bit integer hash, a bijection
// with near-ideal avalanche) and (k1, k2) the two halves of a 64-bit key mixed from (seed, stream)
// by splitmix64's finalizer. Two keyed rounds make streams unrelated rather than shifted copies of
// one sequence. Everything is 32-bit, so four values come out of one f32x4 pass (i32x4.mul is one
// instruction; a 64-bit hash is not), which is what BSF masks and dropout need per training step.
// Within a stream, i -> value is a bijection on u32: no repeats among the first 2^32 values.

const PHI: u32 = 0x9e3779b9;
const INV24: f32 = 1.0 / 16777216.0;

// splitmix64's finalizer: a bijection on u64, so distinct (seed, stream) get distinct keys.
@inline function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

@inline function lowbias32(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  return x ^ (x >> 16);
}

@inline function lowbias32x4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/** The 64-bit key of stream (seed, stream); compute once per kernel call. */
@inline export function rngKey(seed: u32, stream: u32): u64 {
  return mix64(((<u64>seed << 32) | <u64>stream) ^ 0x6a09e667f3bcc909);
}

/** 32 random bits: value i of the stream keyed by `key` (i taken mod 2^32). */
@inline export function rngBitsAt(key: u64, i: u64): u32 {
  return lowbias32(lowbias32(<u32>i * PHI + <u32>key) ^ <u32>(key >> 32));
}

/** Uniform value i in [0,1) with 24 bits: every value is exact in f32 and never rounds up to 1. */
@inline export function rngU01At(key: u64, i: u64): f32 {
  return <f32>(rngBitsAt(key, i) >> 8) * INV24;
}

/** Uniform value i of (seed, stream): the same number rng_uniform writes at out[i]. */
@inline export function rngUniformAt(seed: u32, stream: u32, i: u64): f32 {
  return rngU01At(rngKey(seed, stream), i);
}

/** Uniform values i, i+1, i+2, i+3 of the stream keyed by `key`, as one f32x4 (equal to rngU01At's). */
@inline export function rngU01x4(key: u64, i: u32): v128 {
  const ctr = i32x4.add(i32x4.splat(i), i32x4(0, 1, 2, 3));
  const x = i32x4.add(i32x4.mul(ctr, i32x4.splat(PHI)), i32x4.splat(<u32>key));
  const h = lowbias32x4(v128.xor(lowbias32x4(x), i32x4.splat(<u32>(key >> 32))));
  // < 2^24, so the signed conversion (one instruction on x64, unlike the unsigned one) is exact.
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(h, 8)), f32x4.splat(INV24));
}

/** out[n] = uniform [0,1) values i = 0..n-1 of (seed, stream). */
export function rng_uniform(out: usize, n: i32, seed: u32, stream: u32): void {
  const key = rngKey(seed, stream);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), rngU01x4(key, <u32>i));
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), rngU01At(key, <u64>i));
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
