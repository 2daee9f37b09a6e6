// Scalar float64 reference of the dense layer (Keras layout: weight is (in, out)).

/** out[B,OC] = inp[B,C] @ weight[C,OC] + bias[OC] (bias optional). */
export function denseForward(
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  B: number,
  C: number,
  OC: number,
): Float64Array {
  const out = new Float64Array(B * OC);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < OC; o++) {
      let s = bias ? bias[o] : 0;
      for (let c = 0; c < C; c++) s += inp[b * C + c] * weight[c * OC + o];
      out[b * OC + o] = s;
    }
  return out;
}

/** Gradients of sum(dout * out): dinp = dout @ W^T, dweight = inp^T @ dout, dbias = column sums. */
export function denseBackward(
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  B: number,
  C: number,
  OC: number,
): { dinp: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const dinp = new Float64Array(B * C);
  const dweight = new Float64Array(C * OC);
  const dbias = new Float64Array(OC);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < OC; o++) {
      const d = dout[b * OC + o];
      dbias[o] += d;
      for (let c = 0; c < C; c++) {
        dinp[b * C + c] += d * weight[c * OC + o];
        dweight[c * OC + o] += inp[b * C + c] * d;
      }
    }
  return { dinp, dweight, dbias };
}
