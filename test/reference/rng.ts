// The PRNG of assembly/rng.ts in plain TypeScript: the TypeScript side can reproduce any value
// (and so any BSF mask or dropout mask) from (seed, stream, i) alone.
const M64 = (1n << 64n) - 1n;

function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The two 32-bit halves [k1 (low), k2 (high)] of the 64-bit key of (seed, stream). */
export function rngKey(seed: number, stream: number): [number, number] {
  const k = mix64(((BigInt(seed >>> 0) << 32n) | BigInt(stream >>> 0)) ^ 0x6a09e667f3bcc909n);
  return [Number(k & 0xffffffffn), Number(k >> 32n)];
}

/** 32 random bits: value i of the stream with this key. */
export function bitsAt(key: [number, number], i: number): number {
  return lowbias32((lowbias32((Math.imul(i >>> 0, 0x9e3779b9) + key[0]) >>> 0) ^ key[1]) >>> 0);
}

/** Uniform value i in [0,1) (24 bits) of the stream with this key. */
export function uniformAt(key: [number, number], i: number): number {
  return (bitsAt(key, i) >>> 8) / 16777216;
}

/** The first n uniform values of (seed, stream), as rng_uniform writes them. */
export function uniform(n: number, seed: number, stream: number): Float64Array {
  const key = rngKey(seed, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = uniformAt(key, i);
  return out;
}

/** Box-Muller on pairs (2k, 2k+1) as rng_normal does. */
export function normal(n: number, seed: number, stream: number, mean: number, std: number): Float64Array {
  const u = uniform(n + 1, seed, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]));
    const t = 2 * Math.PI * u[i + 1];
    out[i] = mean + std * r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(t);
  }
  return out;
}
