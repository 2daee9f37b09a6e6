// Scalar references of the activations and the softmax / cross-entropy head.

export const relu = (x: ArrayLike<number>): Float64Array => Float64Array.from(x, (v) => Math.max(v, 0));
export const reluBackward = (dout: ArrayLike<number>, out: ArrayLike<number>): Float64Array =>
  Float64Array.from(dout, (d, i) => (out[i] > 0 ? d : 0));
export const tanh = (x: ArrayLike<number>): Float64Array => Float64Array.from(x, Math.tanh);
export const tanhBackward = (dout: ArrayLike<number>, out: ArrayLike<number>): Float64Array =>
  Float64Array.from(dout, (d, i) => d * (1 - out[i] * out[i]));

/** Row-wise softmax of logits[B,V], max-subtracted. */
export function softmax(logits: ArrayLike<number>, B: number, V: number): Float64Array {
  const p = new Float64Array(B * V);
  for (let b = 0; b < B; b++) {
    let mx = -Infinity;
    for (let v = 0; v < V; v++) mx = Math.max(mx, logits[b * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += p[b * V + v] = Math.exp(logits[b * V + v] - mx);
    for (let v = 0; v < V; v++) p[b * V + v] /= s;
  }
  return p;
}

/** Summed cross-entropy over the batch, probability floored at 1e-7 (Keras). */
export function xentLoss(probs: ArrayLike<number>, labels: ArrayLike<number>, B: number, V: number): number {
  let l = 0;
  for (let b = 0; b < B; b++) l -= Math.log(Math.max(probs[b * V + labels[b]], 1e-7));
  return l;
}

/** dlogits = (probs - onehot(labels)) * scale */
export function xentBackward(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  B: number,
  V: number,
  scale: number,
): Float64Array {
  const d = new Float64Array(B * V);
  for (let b = 0; b < B; b++)
    for (let v = 0; v < V; v++) d[b * V + v] = (probs[b * V + v] - (v === labels[b] ? 1 : 0)) * scale;
  return d;
}

/** Index of the first maximum of each row. */
export function argmaxRows(probs: ArrayLike<number>, B: number, V: number): Int32Array {
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (probs[b * V + v] > probs[b * V + best]) best = v;
    out[b] = best;
  }
  return out;
}
