// The register tile of every matrix-product loop (gemm.ts, and the direct convolution of conv.ts),
// with the small f32x4 helpers those loops share. Not a kernel file: index.ts does not export it.

// acc + x * y. A build with relaxed SIMD ("enable": ["simd", "relaxed-simd"]) gets one fused
// multiply-add instead of two ops, which is what bounds these loops (1.2-1.3x on x64); results
// then differ from the plain build by rounding only.
@inline export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

// x0 + x1 + x2 + x3, added in lane order. (gemm.ts's dot adds pairs instead: its results, and so
// every kernel's, stay bit-identical to what they were when each file had its own copy.)
@inline export function hsum(x: v128): f32 {
  return f32x4.extract_lane(x, 0) + f32x4.extract_lane(x, 1) + f32x4.extract_lane(x, 2) + f32x4.extract_lane(x, 3);
}

// acc + x * y, fused (madd) only when fuse: a loop of one or two accumulator chains waits on each
// add, and fused multiply-add's longer latency made such loops slower (relaxed build: conv1's
// dkernel, whose M = 3 rows are all 1-row tiles, took 1.25x as long fused). Same result as madd in
// the SIMD128 build either way.
@inline function madd_if(fuse: bool, x: v128, y: v128, acc: v128): v128 {
  return fuse ? madd(x, y, acc) : f32x4.add(acc, f32x4.mul(x, y));
}

@inline export function put(p: usize, v: v128, accumulate: i32): void {
  v128.store(p, accumulate ? f32x4.add(v128.load(p), v) : v);
}

@inline export function put1(p: usize, v: f32, accumulate: i32): void {
  store<f32>(p, accumulate ? load<f32>(p) + v : v);
}

// The first W (1 to 4) floats at p as lanes 0..W-1, zeros above: a row of B narrower than a
// vector (the last 1 to 3 columns), read without touching the floats past it.
@inline function load_w(p: usize, W: i32): v128 {
  if (W == 1) return v128.load32_zero(p);
  if (W == 2) return v128.load64_zero(p);
  if (W == 3) return f32x4.replace_lane(v128.load64_zero(p), 2, load<f32>(p, 8));
  return v128.load(p);
}

// Lanes 0..W-1 of v into C at p (W = 1 to 4).
@inline function put_w(p: usize, v: v128, accumulate: i32, W: i32): void {
  if (W >= 4) {
    put(p, v, accumulate);
    return;
  }
  put1(p, f32x4.extract_lane(v, 0), accumulate);
  if (W > 1) put1(p + 4, f32x4.extract_lane(v, 1), accumulate);
  if (W > 2) put1(p + 8, f32x4.extract_lane(v, 2), accumulate);
}

// An R x W block of C (R = 4 or 1 rows, W = 8, 4 or 1 to 3 columns; R, W, from_c and adjacent must be
// constants at the call so the unused accumulators and branches fold away), in up to eight f32x4
// accumulators:
//   C[r, 0..W) = (accumulate ? C[r] : 0) + init[r] + sum over s < S, then k < K, of A(r,s,k) * B(s,k)
// A(r,s,k) is the float at a + r*sar + s*sas + k*sak; B(s,k) the W contiguous floats at
// b + s*sbs + k*ldb; init[r] is C[r] itself when from_c (the terms are added into C one by one, as
// a gradient's += does), else the same [i0, i1] (zeros, or a bias row) for every row. All strides
// are bytes. (No runtime test picks the init inside the tile: one cost the conv loops 2-7%.)
// Each accumulator adds its terms in (s, k) order, one per step, so the result does not depend on
// R or W. The S segments are the kernel rows of a convolution (S = 1 for gemm).
// A step loads B once and broadcasts one A value per row: no horizontal sums, no packing. The k
// loop walks one A pointer to an end pointer and reaches the other rows by offsets: fewer live
// registers and loop ops than a counter plus a pointer per row, which measured 20% faster (V8 x64,
// plain SIMD, where the 16 mul/add ops per step already fill the issue width). adjacent says that
// sar = 4 (dkernel's rows of A are adjacent floats): the row loads then take immediate offsets,
// which V8 folds into the address; pa + 4 costs one more add per load (wasm addresses wrap at
// 2^32), and a sar == 4 test would stay in the loop where sar is not a constant. A 1-row tile does
// not fuse its multiply-adds (madd_if).
@inline export function tile(
  c: usize, ldc: usize, accumulate: i32, from_c: bool, i0: v128, i1: v128,
  a: usize, sar: usize, sak: usize, sas: usize, b: usize, ldb: usize, sbs: usize,
  K: i32, S: i32, R: i32, W: i32, adjacent: bool,
): void {
  const z = f32x4.splat(0);
  let s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z, s30 = z, s31 = z;
  if (from_c) {
    s00 = load_w(c, W);
    if (W == 8) s01 = v128.load(c, 16);
    if (R == 4) {
      s10 = load_w(c + ldc, W); s20 = load_w(c + ldc * 2, W); s30 = load_w(c + ldc * 3, W);
      if (W == 8) {
        s11 = v128.load(c + ldc, 16); s21 = v128.load(c + ldc * 2, 16); s31 = v128.load(c + ldc * 3, 16);
      }
    }
  } else {
    s00 = s10 = s20 = s30 = i0;
    s01 = s11 = s21 = s31 = i1;
  }
  const sar2 = sar * 2, sar3 = sar * 3;
  const kspan = <usize>K * sak;
  // The segments run while the B pointer is short of its end; for S = 1 and sas = sbs = 0 (gemm)
  // the optimizer folds that test to false, so gemm's k loop is not wrapped in a second loop.
  // (so S >= 1, and sbs > 0 when S > 1)
  const bend = b + <usize>S * sbs;
  let sa = a, sb = b;
  do {
    let pa = sa, pb = sb;
    const aend = pa + kspan;
    while (pa < aend) {
      const b0 = load_w(pb, W);
      const b1 = W == 8 ? v128.load(pb, 16) : z;
      const x0 = v128.load32_splat(pa);
      s00 = madd_if(R == 4, x0, b0, s00);
      if (W == 8) s01 = madd_if(R == 4, x0, b1, s01);
      if (R == 4) {
        const x1 = adjacent ? v128.load32_splat(pa, 4) : v128.load32_splat(pa + sar);
        s10 = madd(x1, b0, s10);
        if (W == 8) s11 = madd(x1, b1, s11);
        const x2 = adjacent ? v128.load32_splat(pa, 8) : v128.load32_splat(pa + sar2);
        s20 = madd(x2, b0, s20);
        if (W == 8) s21 = madd(x2, b1, s21);
        const x3 = adjacent ? v128.load32_splat(pa, 12) : v128.load32_splat(pa + sar3);
        s30 = madd(x3, b0, s30);
        if (W == 8) s31 = madd(x3, b1, s31);
      }
      pb += ldb;
      pa += sak;
    }
    sa += sas;
    sb += sbs;
  } while (sb < bend);
  put_w(c, s00, accumulate, W);
  if (W == 8) put(c + 16, s01, accumulate);
  if (R == 4) {
    put_w(c + ldc, s10, accumulate, W); put_w(c + ldc * 2, s20, accumulate, W); put_w(c + ldc * 3, s30, accumulate, W);
    if (W == 8) {
      put(c + ldc + 16, s11, accumulate); put(c + ldc * 2 + 16, s21, accumulate); put(c + ldc * 3 + 16, s31, accumulate);
    }
  }
}
