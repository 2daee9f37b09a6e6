// Scalar references of the BSF gates (DESIGN.md section 1), mask drawn from the same PRNG values.
import { rngKey, uniformAt } from "./rng.js";

/** mask[B,C] = (u(b*C + c) < w[c]) */
export function bsfMask(w: ArrayLike<number>, B: number, C: number, seed: number, stream: number): Float64Array {
  const key = rngKey(seed, stream);
  const m = new Float64Array(B * C);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) m[b * C + c] = uniformAt(key, b * C + c) < Math.fround(w[c]) ? 1 : 0;
  return m;
}

/** out[b,p,c] = inp[b,p,c] * mask[b,c] over [B,P,C] (P = 1 for dense gates). */
export function bsfApply(
  inp: ArrayLike<number>,
  mask: ArrayLike<number>,
  B: number,
  P: number,
  C: number,
): Float64Array {
  const out = new Float64Array(B * P * C);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < P; p++)
      for (let c = 0; c < C; c++) out[(b * P + p) * C + c] = inp[(b * P + p) * C + c] * mask[b * C + c];
  return out;
}

/** dinp = dout * mask; dw[c] = sum_b sum_p dout*inp (times w[c] when scaled). */
export function bsfBackward(
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  mask: ArrayLike<number>,
  w: ArrayLike<number>,
  B: number,
  P: number,
  C: number,
  scaled: boolean,
): { dinp: Float64Array; dw: Float64Array } {
  const dinp = new Float64Array(B * P * C);
  const dw = new Float64Array(C);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < P; p++)
      for (let c = 0; c < C; c++) {
        const i = (b * P + p) * C + c;
        dinp[i] = dout[i] * mask[b * C + c];
        dw[c] += dout[i] * inp[i];
      }
  if (scaled) for (let c = 0; c < C; c++) dw[c] *= w[c];
  return { dinp, dw };
}

/** Deterministic inference: inp * (w > threshold), or inp * w in expectation mode. */
export function bsfInfer(
  inp: ArrayLike<number>,
  w: ArrayLike<number>,
  R: number,
  C: number,
  threshold: number,
  expectation: boolean,
): Float64Array {
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++) out[r * C + c] = inp[r * C + c] * (expectation ? w[c] : w[c] > threshold ? 1 : 0);
  return out;
}
