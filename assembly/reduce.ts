// Data-parallel training: each thread accumulates its slice's parameter gradients in its own
// buffer; once per step the buffers are summed into the first in a fixed order (thread 1, 2, ...),
// so a run with the same thread count is bit-for-bit repeatable.

/** dst[N] += src[N]; src is zeroed as it is read when clearSrc = 1 (ready for the next step). */
export function grad_reduce(dst: usize, src: usize, N: i32, clearSrc: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    if (clearSrc) v128.store(src + o, zero);
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    if (clearSrc) store<f32>(src + o, 0);
  }
}
