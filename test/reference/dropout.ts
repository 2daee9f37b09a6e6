// Scalar reference for inverted dropout (assembly/dropout.ts). The uniform values u are passed in
// (the tests read them from the rng_uniform kernel, whose own tests pin the PRNG).

/** Inverted dropout: keep when u >= rate, scaled by 1/(1-rate). */
export function dropoutForward(
  x: Float32Array,
  u: Float32Array,
  rate: number,
): { out: Float32Array; mask: Float32Array } {
  const scale = Math.fround(1 / Math.fround(1 - Math.fround(rate))); // as f32 arithmetic in wasm
  const mask = new Float32Array(x.length);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    mask[i] = u[i] >= Math.fround(rate) ? scale : 0;
    out[i] = x[i] * mask[i];
  }
  return { out, mask };
}
