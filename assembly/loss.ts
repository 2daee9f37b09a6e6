// Regression head: mean squared error on a linear output. Keras' mean_squared_error averages the
// squared error over the output dims, then the caller averages over the batch; forward returns the
// batch sum (as softmax_xent_forward does) so evaluation can sum batches and divide by n once.

/** Returns sum_b sum_v (pred[b,v] - target[b,v])^2 / V (pred, target: f32[B,V]), accumulated in f64
 * so a sum over thousands of rows keeps its digits. */
export function mse_forward(pred: usize, target: usize, B: i32, V: i32): f64 {
  const N = B * V;
  let s: f64 = 0;
  // One flat loop: a row of V outputs is contiguous, and the 1/V of each row is the same factor.
  for (let i = 0; i < N; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(target + o);
    s += d * d;
  }
  return s / <f64>V;
}

/** dpred[B,V] = 2 (pred - target) / V * scale (scale = 1/B for the batch mean, as
 * softmax_xent_backward's); in place over pred is allowed (each element is read before written). */
export function mse_backward(dpred: usize, pred: usize, target: usize, B: i32, V: i32, scale: f32): void {
  const N = B * V;
  const c: f32 = (<f32>2 / <f32>V) * scale;
  const cv = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    v128.store(dpred + o, f32x4.mul(f32x4.sub(v128.load(pred + o), v128.load(target + o)), cv));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    store<f32>(dpred + o, (load<f32>(pred + o) - load<f32>(target + o)) * c);
  }
}
