// Scalar reference of the Normalization kernels: the TypeScript loop the layer ran before
// assembly/normalize.ts (in f64, rounded to f32 once), which the kernel must match bit for bit.

/** inverse standard deviations, f32-rounded: 1 / max(sqrt(max(variance, 0)), 1e-7) */
export function inverseStd(variance: ArrayLike<number>): Float32Array {
  return Float32Array.from(variance, (v) => 1 / Math.max(Math.sqrt(Math.max(v, 0)), 1e-7));
}

/** out[B,F] = f32((x - mean) * inv) */
export function normalize(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  F: number,
): Float32Array {
  const inv = inverseStd(variance);
  return Float32Array.from(x, (v, i) => (v - mean[i % F]) * inv[i % F]);
}

/** dinp[B,F] = f32(dout * inv) */
export function normalizeBackward(dout: ArrayLike<number>, variance: ArrayLike<number>, F: number): Float32Array {
  const inv = inverseStd(variance);
  return Float32Array.from(dout, (g, i) => g * inv[i % F]);
}
