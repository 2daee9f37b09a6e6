// Scalar references of the optimizer steps (Keras formulations), in float64.

export interface AdamState {
  p: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** One Keras Adam step at step t (1-based); returns lr_t as the kernel's caller computes it. */
export function adamStep(
  s: AdamState,
  g: ArrayLike<number>,
  t: number,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
): number {
  const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
  for (let i = 0; i < s.p.length; i++) {
    s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
    s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i];
    s.p[i] -= (lrT * s.m[i]) / (Math.sqrt(s.v[i]) + eps);
  }
  return lrT;
}

/** velocity = momentum * velocity - lr * g; p += velocity (nesterov: p += momentum * velocity - lr * g). */
export function sgdStep(
  p: Float64Array,
  vel: Float64Array,
  g: ArrayLike<number>,
  lr: number,
  momentum: number,
  nesterov: boolean,
): void {
  for (let i = 0; i < p.length; i++) {
    if (momentum === 0) {
      p[i] -= lr * g[i];
      continue;
    }
    vel[i] = momentum * vel[i] - lr * g[i];
    p[i] += nesterov ? momentum * vel[i] - lr * g[i] : vel[i];
  }
}
