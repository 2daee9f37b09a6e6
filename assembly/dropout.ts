// Inverted dropout (Keras semantics): in training each value is kept with probability 1 - rate and
// scaled by 1 / (1 - rate); at inference the layer is the identity (no kernel call). The keep/drop
// draw for value i is uniform value i of the counter PRNG (seed, stream), so a step's mask can be
// recomputed from (seed, stream) alone; forward stores it (0 or the scale) for backward.
import { rngKey, rngU01At } from "./rng";

// out[N] = inp * mask, mask[N] = (u(first + i) >= rate) ? 1 / (1 - rate) : 0 with u(j) = value j of
// (seed, stream); first is where a thread's slice of the batch starts (row0 * row width), so slices
// draw what one thread would. rate >= 1 drops everything. In place allowed (out == inp).
export function dropout_forward(
  out: usize, mask: usize, inp: usize, N: i32, rate: f32, seed: u32, stream: u32, first: i32,
): void {
  const key = rngKey(seed, stream);
  const scale: f32 = rate < 1 ? <f32>1 / (<f32>1 - rate) : 0;
  for (let i = 0; i < N; i++) {
    const o = <usize>i << 2;
    const m: f32 = rngU01At(key, <u64>(<u32>first + <u32>i)) >= rate ? scale : 0;
    store<f32>(mask + o, m);
    store<f32>(out + o, load<f32>(inp + o) * m);
  }
}

// dinp[N] = dout * mask (in place allowed: dinp == dout).
export function dropout_backward(dinp: usize, dout: usize, mask: usize, N: i32): void {
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    v128.store(dinp + o, f32x4.mul(v128.load(dout + o), v128.load(mask + o)));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    store<f32>(dinp + o, load<f32>(dout + o) * load<f32>(mask + o));
  }
}
