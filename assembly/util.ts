// Small memory utilities used by the training loop (batch gathering, divergence checks).

/** out[N] = value */
export function fill_f32(out: usize, N: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= N; i += 4) v128.store(out + (<usize>i << 2), v);
  for (; i < N; i++) store<f32>(out + (<usize>i << 2), value);
}

/** 1 if any of x[N] is NaN or +-Infinity, else 0. */
export function has_nonfinite(x: usize, N: i32): i32 {
  // Non-finite <=> all exponent bits set; an integer test needs no float compare semantics.
  const EXP: u32 = 0x7f800000;
  const e = i32x4.splat(EXP);
  let i = 0;
  let bad = i32x4.splat(0);
  for (; i + 4 <= N; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    bad = v128.or(bad, i32x4.eq(v128.and(v, e), e));
  }
  if (v128.any_true(bad)) return 1;
  for (; i < N; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & EXP) == EXP) return 1;
  }
  return 0;
}

/** out[b, :] = src[idx[b], :] for b < B; idx: i32[B]; rows of C floats. */
export function gather_rows(out: usize, src: usize, idx: usize, B: i32, C: i32): void {
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const r = <usize>load<i32>(idx + (<usize>b << 2));
    memory.copy(out + <usize>b * row, src + r * row, row);
  }
}

/** out[b] = src[idx[b]] (i32) */
export function gather_i32(out: usize, src: usize, idx: usize, B: i32): void {
  for (let b = 0; b < B; b++) {
    const r = <usize>load<i32>(idx + (<usize>b << 2));
    store<i32>(out + (<usize>b << 2), load<i32>(src + (r << 2)));
  }
}
