// Standardization over the last axis (src/layers/normalization.ts). The forward works in f64 and
// rounds to f32 once, as the TypeScript loop it replaces did, so every model file predicts the same
// bits as before the kernel. Its backward needs only f32: a product of two f32 is exact in f64, so
// one f32 multiply rounds the same way.

/** inv[F] = f32(1 / max(sqrt(max(variance, 0)), 1e-7)) (1e-7: Keras' epsilon for a constant column);
 * out[B,F] = f32((inp - mean) * inv), in f64. In place allowed (out == inp). */
export function normalize_forward(out: usize, inv: usize, inp: usize, mean: usize, variance: usize, B: i32, F: i32): void {
  for (let j = 0; j < F; j++) {
    const q = <usize>j << 2;
    store<f32>(inv + q, <f32>(1.0 / Math.max(Math.sqrt(Math.max(<f64>load<f32>(variance + q), 0)), 1e-7)));
  }
  const row = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const x = inp + <usize>b * row;
    const y = out + <usize>b * row;
    let j = 0;
    for (; j + 2 <= F; j += 2) {
      const q = <usize>j << 2;
      const d = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(x + q)), f64x2.promote_low_f32x4(v128.load64_zero(mean + q)));
      v128.store64_lane(y + q, f32x4.demote_f64x2_zero(f64x2.mul(d, f64x2.promote_low_f32x4(v128.load64_zero(inv + q)))), 0);
    }
    if (j < F) {
      const q = <usize>j << 2;
      store<f32>(y + q, <f32>((<f64>load<f32>(x + q) - <f64>load<f32>(mean + q)) * <f64>load<f32>(inv + q)));
    }
  }
}

/** dinp[B,F] = dout * inv (inv: the forward's). In place allowed (dinp == dout). */
export function normalize_backward(dinp: usize, dout: usize, inv: usize, B: i32, F: i32): void {
  const row = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const g = dout + <usize>b * row;
    const d = dinp + <usize>b * row;
    let j = 0;
    for (; j + 4 <= F; j += 4) {
      const q = <usize>j << 2;
      v128.store(d + q, f32x4.mul(v128.load(g + q), v128.load(inv + q)));
    }
    for (; j < F; j++) {
      const q = <usize>j << 2;
      store<f32>(d + q, load<f32>(g + q) * load<f32>(inv + q));
    }
  }
}
