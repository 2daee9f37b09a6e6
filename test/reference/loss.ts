// Scalar references of the regression head (assembly/loss.ts), in float64.

/** Sum over the batch of the mean over the V outputs of (pred - target)^2 (Keras' mean_squared_error
 * per sample, summed). */
export function mseLoss(pred: ArrayLike<number>, target: ArrayLike<number>, B: number, V: number): number {
  let l = 0;
  for (let b = 0; b < B; b++) {
    let row = 0;
    for (let v = 0; v < V; v++) row += (pred[b * V + v] - target[b * V + v]) ** 2;
    l += row / V;
  }
  return l;
}

/** dpred = 2 (pred - target) / V * scale */
export function mseBackward(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  B: number,
  V: number,
  scale: number,
): Float64Array {
  return Float64Array.from({ length: B * V }, (_, i) => ((2 * (pred[i] - target[i])) / V) * scale);
}
