// Scalar references for the per-position BSF gate (assembly/bsf_position.ts). The uniform values u
// are passed in (the tests read them from the rng_uniform kernel, whose own tests pin the PRNG).

/** Position gate on x[B,P,C]: mask[b,p] = u[b*P+p] < w[p]; out = x * mask[b,p]. */
export function bsfPositionForward(
  x: Float32Array,
  w: Float32Array,
  u: Float32Array,
  B: number,
  P: number,
  C: number,
): { out: Float32Array; mask: Float32Array } {
  const mask = new Float32Array(B * P);
  const out = new Float32Array(B * P * C);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < P; p++) {
      const m = u[b * P + p] < w[p] ? 1 : 0;
      mask[b * P + p] = m;
      for (let c = 0; c < C; c++) out[(b * P + p) * C + c] = x[(b * P + p) * C + c] * m;
    }
  return { out, mask };
}

export function bsfPositionBackward(
  dout: Float32Array,
  x: Float32Array,
  mask: Float32Array,
  w: Float32Array,
  B: number,
  P: number,
  C: number,
  scaled: boolean,
): { dx: Float32Array; dw: Float32Array } {
  const dx = new Float32Array(x.length);
  const dw = new Float64Array(P);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < P; p++)
      for (let c = 0; c < C; c++) {
        const i = (b * P + p) * C + c;
        dx[i] = dout[i] * mask[b * P + p];
        dw[p] += dout[i] * x[i];
      }
  if (scaled) for (let p = 0; p < P; p++) dw[p] *= w[p];
  return { dx, dw: Float32Array.from(dw) };
}

export function bsfPositionInfer(
  x: Float32Array,
  w: Float32Array,
  B: number,
  P: number,
  C: number,
  threshold: number,
  expectation: boolean,
): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < P; p++) {
      const g = expectation ? w[p] : w[p] > threshold ? 1 : 0;
      for (let c = 0; c < C; c++) out[(b * P + p) * C + c] = x[(b * P + p) * C + c] * g;
    }
  return out;
}
