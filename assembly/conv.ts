// Conv2D (and Conv1D: the same kernels with H = KH = 1), NHWC, stride 1, padding "valid" or "same"
// (Keras: pad total k-1, the extra one at the bottom/right). Kernel (KH, KW, C, OC) as Keras stores
// it, bias (OC).
//
// Two algorithms, chosen by shape (both measured at the paper's Table 6 shapes, bench/cnn/conv-speed.ts):
// - 3x3 kernels with C and OC multiples of 4: Winograd F(4x4, 3x3) (winograd.ts), 4x fewer multiplies
//   than direct, the 36 small GEMMs per tile chunk done by gemm.ts. About 3x faster than the
//   direct path on conv2 of the MNIST CNN (26x26x32 -> 24x24x64, batch 32: forward 17 -> 6 ms,
//   backward 41 -> 11.5 ms on the 2-core EPYC dev machines).
// - C < 4 with OC a multiple of 4 (the first layer on images), forward: conv_few below.
// - Everything else (1x1, 5x5, 2x3, odd channel counts, Conv1D, conv1's backward): a
//   direct SIMD convolution as an implicit GEMM (no im2col): for an output pixel (b, oh, ow) and
//   a kernel row i, the KW*C input values it needs, x[b, oh+i, ow..ow+KW-1, 0..C-1], are
//   contiguous in NHWC, and so is the kernel slice k[i] = (KW*C, OC). One output row is then
//     out[b, oh, :, :] = bias + sum_i X_i (OW, KW*C; rows C floats apart, overlapping) @ k[i] (KW*C, OC)
//   in 4x8 register blocks. The input gradient is the same valid convolution of the zero-padded
//   dout with the flipped, transposed kernel; the kernel gradient is X_i^T @ dout.
//
// Scratch (caller-planned, 16-byte aligned): conv2d_scratch_bytes(...) gives the bytes.
//   Winograd path: 3716 + 117*C*OC + 1152*(2*C + OC) floats, whatever B, H, W (forward and backward)
//   direct, forward:  same ? B*(H+KH-1)*(W+KW-1)*C floats : 0   (the zero-padded input)
//   direct, backward: align4(KH*KW*C*OC) + B*(H+KH-1)*(W+KW-1)*max(same ? C : 0, dinp ? OC : 0)
//             floats (the flipped kernel, then the padded input for dkernel, reused for the padded dout)

import { relu_forward } from "./act";
import { cut_at } from "./cut";
import { hsum, madd, tile } from "./tile";
import { use_winograd, wino_backward, wino_forward, wino_scratch_floats } from "./winograd";
import { wino6_cuts_exact, wino6_forward, wino6_forward_tiles, wino6_scratch_floats, wino6_tiles } from "./winograd6";

// ---------------------------------------------------------------------------------------------
// Implicit-GEMM forward core: out[B, OH, OW, OC] = bias + valid conv of x[B, Hx, Wx, C] with
// k[KH, KW, C, OC], OH = Hx-KH+1, OW = Wx-KW+1. bias 0 = none.

/** One output column by dot products: c[m] = bias + sum_i sum_k a[i*as + m*lda + k] * b[i*bs + k]
 * (k contiguous in a and b; 4 rows share each load of b). */
function rowdot(c: usize, a: usize, b: usize, bias: usize, M: i32, K: i32, lda: usize, ldc: usize, KH: i32, as: usize, bs: usize): void {
  const z = f32x4.splat(0);
  const k4 = K & ~3;
  let m0 = 0;
  for (; m0 + 4 <= M; m0 += 4) {
    let s0 = z, s1 = z, s2 = z, s3 = z;
    let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
    for (let i = 0; i < KH; i++) {
      const pa = a + <usize>i * as + <usize>m0 * lda;
      const pb = b + <usize>i * bs;
      let k = 0;
      for (; k < k4; k += 4) {
        const o: usize = <usize>k << 2;
        const bv = v128.load(pb + o);
        s0 = madd(v128.load(pa + o), bv, s0);
        s1 = madd(v128.load(pa + lda + o), bv, s1);
        s2 = madd(v128.load(pa + 2 * lda + o), bv, s2);
        s3 = madd(v128.load(pa + 3 * lda + o), bv, s3);
      }
      for (; k < K; k++) {
        const o: usize = <usize>k << 2;
        const bk = load<f32>(pb + o);
        t0 += load<f32>(pa + o) * bk;
        t1 += load<f32>(pa + lda + o) * bk;
        t2 += load<f32>(pa + 2 * lda + o) * bk;
        t3 += load<f32>(pa + 3 * lda + o) * bk;
      }
    }
    const bv: f32 = bias ? load<f32>(bias) : 0;
    const pc = c + <usize>m0 * ldc;
    store<f32>(pc, bv + t0 + hsum(s0));
    store<f32>(pc + ldc, bv + t1 + hsum(s1));
    store<f32>(pc + 2 * ldc, bv + t2 + hsum(s2));
    store<f32>(pc + 3 * ldc, bv + t3 + hsum(s3));
  }
  for (; m0 < M; m0++) {
    let s0 = z;
    let t0: f32 = 0;
    for (let i = 0; i < KH; i++) {
      const pa = a + <usize>i * as + <usize>m0 * lda;
      const pb = b + <usize>i * bs;
      let k = 0;
      for (; k < k4; k += 4) s0 = madd(v128.load(pa + (<usize>k << 2)), v128.load(pb + (<usize>k << 2)), s0);
      for (; k < K; k++) t0 += load<f32>(pa + (<usize>k << 2)) * load<f32>(pb + (<usize>k << 2));
    }
    store<f32>(c + <usize>m0 * ldc, (bias ? load<f32>(bias) : 0) + t0 + hsum(s0));
  }
}

/** Output row block: c[m, n] = bias[n] + sum_i sum_k a[i*as + m*lda + k] * b[i*bs + k*N + n] for
 * m < M, n < N, k < K; a, b, c, bias are byte pointers; lda, ldc, as, bs are byte strides. */
function rowblock(c: usize, a: usize, b: usize, bias: usize, M: i32, K: i32, N: i32, lda: usize, ldc: usize, KH: i32, as: usize, bs: usize, bt: bool): void {
  const ldb: usize = <usize>N << 2;
  if (bt || N == 1) {
    // Few output columns (the input gradient of a layer with C < 4; bt: b is stored [KH][N][K]):
    // dot products along k, contiguous in both a and b.
    for (let n = 0; n < N; n++) {
      rowdot(c + (<usize>n << 2), a, b + (<usize>n * <usize>K << 2), bias ? bias + (<usize>n << 2) : 0, M, K, lda, ldc, KH, as, bs);
    }
    return;
  }
  // 8 columns at a time, then 4: the k steps of a kernel row i are the K = KW*C floats of a row
  // of X_i (4 bytes apart) against the rows of k[i] (N floats apart); the KH kernel rows are the
  // tile's segments.
  const z = f32x4.splat(0);
  let n0 = 0;
  for (; n0 + 8 <= N; n0 += 8) {
    const pb = b + (<usize>n0 << 2);
    let b0 = z, b1 = z;
    if (bias) {
      b0 = v128.load(bias + (<usize>n0 << 2));
      b1 = v128.load(bias + (<usize>n0 << 2), 16);
    }
    let m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) tile(c + <usize>m0 * ldc + (<usize>n0 << 2), ldc, 0, false, b0, b1, a + <usize>m0 * lda, lda, 4, as, pb, ldb, bs, K, KH, 4, 8, false);
    for (; m0 < M; m0++) tile(c + <usize>m0 * ldc + (<usize>n0 << 2), ldc, 0, false, b0, b1, a + <usize>m0 * lda, lda, 4, as, pb, ldb, bs, K, KH, 1, 8, false);
  }
  for (; n0 + 4 <= N; n0 += 4) {
    const pb = b + (<usize>n0 << 2);
    const b0 = bias ? v128.load(bias + (<usize>n0 << 2)) : z;
    let m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) tile(c + <usize>m0 * ldc + (<usize>n0 << 2), ldc, 0, false, b0, z, a + <usize>m0 * lda, lda, 4, as, pb, ldb, bs, K, KH, 4, 4, false);
    for (; m0 < M; m0++) tile(c + <usize>m0 * ldc + (<usize>n0 << 2), ldc, 0, false, b0, z, a + <usize>m0 * lda, lda, 4, as, pb, ldb, bs, K, KH, 1, 4, false);
  }
  // remaining 1..3 columns, scalar
  for (; n0 < N; n0++) {
    const bv: f32 = bias ? load<f32>(bias + (<usize>n0 << 2)) : 0;
    for (let m0 = 0; m0 < M; m0++) {
      let acc = bv;
      for (let i = 0; i < KH; i++) {
        let pa = a + <usize>i * as + <usize>m0 * lda;
        let pb = b + <usize>i * bs + (<usize>n0 << 2);
        for (let k = 0; k < K; k++) {
          acc += load<f32>(pa) * load<f32>(pb);
          pa += 4;
          pb += ldb;
        }
      }
      store<f32>(c + <usize>m0 * ldc + (<usize>n0 << 2), acc);
    }
  }
}

/** out[B, Hx-KH+1, Wx-KW+1, OC] = bias + valid conv(x[B, Hx, Wx, C], k[KH, KW, C, OC]), then
 * max(0, .) when relu. */
function conv_valid(out: usize, x: usize, k: usize, bias: usize, B: i32, Hx: i32, Wx: i32, C: i32, OC: i32, KH: i32, KW: i32, kt: bool, relu: bool): void {
  const OH = Hx - KH + 1, OW = Wx - KW + 1;
  const rowIn: usize = <usize>Wx * <usize>C << 2; // bytes per input row
  const rowOut: usize = <usize>OW * <usize>OC << 2;
  const kRow: usize = <usize>KW * <usize>C * <usize>OC << 2; // bytes per kernel row i
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const o = out + (<usize>(b * OH + oh)) * rowOut;
      rowblock(o, x + (<usize>(b * Hx + oh)) * rowIn, k, bias, OW, KW * C, OC, <usize>C << 2, <usize>OC << 2, KH, rowIn, kRow, kt);
      // the row is still in L1: a separate pass over the whole output would read it back from memory
      if (relu) relu_forward(o, o, OW * OC);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Few input channels (C < 4, OC a multiple of 4: the first layer on images), forward only. K =
// KW*C is short, and rowblock's 4-pixel tiles end each output row with 1-pixel tiles (26 = 6*4 + 2
// for conv1) of two accumulator chains. Here the output pixels of one image are taken 4 at a time
// across row ends (each pixel has its own input pointer), by 8 or 4 output channels: eight f32x4
// accumulators, two kernel vectors and four broadcasts per tap, each pixel's OC outputs written
// together. conv1 of the MNIST CNN at batch 256: 0.81-0.88x rowblock's time (batch 1: 0.97-1.04x).

/** out[b, p, n0..n0+W) for the 4 pixels whose input windows start at a0..a3 and outputs at
 * c0..c3: bias + sum over taps (i < KH, k < K) of x[a_r + i*rowIn + 4k] * k[(i*K + k)*OC + n0..],
 * then max(0, .) when relu. W = 8 or 4 and relu are constants at the call. */
@inline function few_tile(c0: usize, c1: usize, c2: usize, c3: usize, a0: usize, a1: usize, a2: usize, a3: usize, kb: usize, bias: usize, K: i32, KH: i32, rowIn: usize, ldb: usize, W: i32, relu: bool): void {
  const z = f32x4.splat(0);
  let s00 = z, s01 = z;
  if (bias) {
    s00 = v128.load(bias);
    if (W == 8) s01 = v128.load(bias, 16);
  }
  let s10 = s00, s11 = s01, s20 = s00, s21 = s01, s30 = s00, s31 = s01;
  const kspan: usize = <usize>K << 2;
  let pb = kb;
  for (let i = 0; i < KH; i++) {
    const row: usize = <usize>i * rowIn;
    let o = row;
    const end = row + kspan;
    while (o < end) {
      const b0 = v128.load(pb);
      const b1 = W == 8 ? v128.load(pb, 16) : z;
      const x0 = v128.load32_splat(a0 + o);
      s00 = madd(x0, b0, s00);
      if (W == 8) s01 = madd(x0, b1, s01);
      const x1 = v128.load32_splat(a1 + o);
      s10 = madd(x1, b0, s10);
      if (W == 8) s11 = madd(x1, b1, s11);
      const x2 = v128.load32_splat(a2 + o);
      s20 = madd(x2, b0, s20);
      if (W == 8) s21 = madd(x2, b1, s21);
      const x3 = v128.load32_splat(a3 + o);
      s30 = madd(x3, b0, s30);
      if (W == 8) s31 = madd(x3, b1, s31);
      pb += ldb;
      o += 4;
    }
  }
  if (relu) {
    s00 = f32x4.pmax(z, s00); s10 = f32x4.pmax(z, s10); s20 = f32x4.pmax(z, s20); s30 = f32x4.pmax(z, s30);
    if (W == 8) {
      s01 = f32x4.pmax(z, s01); s11 = f32x4.pmax(z, s11); s21 = f32x4.pmax(z, s21); s31 = f32x4.pmax(z, s31);
    }
  }
  v128.store(c0, s00); v128.store(c1, s10); v128.store(c2, s20); v128.store(c3, s30);
  if (W == 8) {
    v128.store(c0, s01, 16); v128.store(c1, s11, 16); v128.store(c2, s21, 16); v128.store(c3, s31, 16);
  }
}

/** The 8- and 4-channel blocks of 4 pixels (see few_tile); relu a constant at the call. */
@inline function few_pixels(c0: usize, c1: usize, c2: usize, c3: usize, a0: usize, a1: usize, a2: usize, a3: usize, k: usize, bias: usize, K: i32, KH: i32, OC: i32, rowIn: usize, relu: bool): void {
  const ldb: usize = <usize>OC << 2;
  let n0 = 0;
  for (; n0 + 8 <= OC; n0 += 8) {
    const o: usize = <usize>n0 << 2;
    few_tile(c0 + o, c1 + o, c2 + o, c3 + o, a0, a1, a2, a3, k + o, bias ? bias + o : 0, K, KH, rowIn, ldb, 8, relu);
  }
  if (n0 < OC) {
    const o: usize = <usize>n0 << 2;
    few_tile(c0 + o, c1 + o, c2 + o, c3 + o, a0, a1, a2, a3, k + o, bias ? bias + o : 0, K, KH, rowIn, ldb, 4, relu);
  }
}

/** out[B, OH, OW, OC] = bias + valid conv(x[B, Hx, Wx, C], k[KH, KW, C, OC]) (max(0, .) when relu),
 * for OC % 4 == 0; the last block of an image repeats its last pixel (written twice, same value). */
function conv_few(out: usize, x: usize, k: usize, bias: usize, B: i32, Hx: i32, Wx: i32, C: i32, OC: i32, KH: i32, KW: i32, relu: bool): void {
  const OH = Hx - KH + 1, OW = Wx - KW + 1, P = OH * OW;
  const rowIn: usize = <usize>Wx * <usize>C << 2;
  const px: usize = <usize>C << 2; // input step between pixels of a row
  const pc: usize = <usize>OC << 2; // output step between pixels
  const K = KW * C;
  for (let b = 0; b < B; b++) {
    const xb = x + <usize>b * <usize>Hx * rowIn;
    const ob = out + <usize>b * <usize>P * pc;
    for (let p0 = 0; p0 < P; p0 += 4) {
      // pixels p0..p0+3 (the last repeated past P), each with its input window: a block crosses rows
      const q1 = min(p0 + 1, P - 1), q2 = min(p0 + 2, P - 1), q3 = min(p0 + 3, P - 1);
      const a0 = xb + <usize>(p0 / OW) * rowIn + <usize>(p0 % OW) * px;
      const a1 = xb + <usize>(q1 / OW) * rowIn + <usize>(q1 % OW) * px;
      const a2 = xb + <usize>(q2 / OW) * rowIn + <usize>(q2 % OW) * px;
      const a3 = xb + <usize>(q3 / OW) * rowIn + <usize>(q3 % OW) * px;
      const c0 = ob + <usize>p0 * pc, c1 = ob + <usize>q1 * pc, c2 = ob + <usize>q2 * pc, c3 = ob + <usize>q3 * pc;
      if (relu) few_pixels(c0, c1, c2, c3, a0, a1, a2, a3, k, bias, K, KH, OC, rowIn, true);
      else few_pixels(c0, c1, c2, c3, a0, a1, a2, a3, k, bias, K, KH, OC, rowIn, false);
    }
  }
}

/** dst[B, Hp, Wp, C] = src[B, H, W, C] placed at (top, left), zeros elsewhere. */
function pad_nhwc(dst: usize, src: usize, B: i32, H: i32, W: i32, C: i32, Hp: i32, Wp: i32, top: i32, left: i32): void {
  memory.fill(dst, 0, (<usize>B * <usize>Hp * <usize>Wp * <usize>C) << 2);
  const rowBytes: usize = (<usize>W * <usize>C) << 2;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      memory.copy(
        dst + (((<usize>(b * Hp + h + top)) * <usize>Wp + <usize>left) * <usize>C << 2),
        src + ((<usize>(b * H + h)) * rowBytes),
        rowBytes,
      );
    }
  }
}

/** dk[m, n] += sum over output pixels p of x_p[m] * d_p[n] (m < M = KW*C, n < N = OC), where for
 * pixel (oh, ow) of one image x_p = x + (oh*Wx + ow)*C floats and d_p = d + (oh*OW + ow)*N floats. */
function dkernel_rows(dk: usize, x: usize, d: usize, M: i32, N: i32, C: i32, Wx: i32, OH: i32, OW: i32): void {
  const ldk: usize = <usize>N << 2;
  const xs: usize = <usize>C << 2; // step between pixels of a row
  const xrow: usize = <usize>Wx * <usize>C << 2;
  const ds: usize = <usize>N << 2;
  // The tile starts from dk and adds one pixel per step: x_p's 4 rows of M are 4 bytes apart, its
  // pixels xs apart; the OH output rows are the segments (xrow apart in x, OW pixels apart in d).
  const dseg: usize = <usize>OW * ds;
  const z = f32x4.splat(0); // the tile's i0, i1: unused, it starts from dk
  let n0 = 0;
  for (; n0 + 8 <= N; n0 += 8) {
    const pd = d + (<usize>n0 << 2);
    let m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) {
      const pk = dk + <usize>m0 * ldk + (<usize>n0 << 2);
      tile(pk, ldk, 0, true, z, z, x + (<usize>m0 << 2), 4, xs, xrow, pd, ds, dseg, OW, OH, 4, 8, true);
    }
    for (; m0 < M; m0++) {
      const pk = dk + <usize>m0 * ldk + (<usize>n0 << 2);
      tile(pk, ldk, 0, true, z, z, x + (<usize>m0 << 2), 4, xs, xrow, pd, ds, dseg, OW, OH, 1, 8, true);
    }
  }
  for (; n0 + 4 <= N; n0 += 4) {
    const pd = d + (<usize>n0 << 2);
    let m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) {
      const pk = dk + <usize>m0 * ldk + (<usize>n0 << 2);
      tile(pk, ldk, 0, true, z, z, x + (<usize>m0 << 2), 4, xs, xrow, pd, ds, dseg, OW, OH, 4, 4, true);
    }
    for (; m0 < M; m0++) {
      const pk = dk + <usize>m0 * ldk + (<usize>n0 << 2);
      tile(pk, ldk, 0, true, z, z, x + (<usize>m0 << 2), 4, xs, xrow, pd, ds, dseg, OW, OH, 1, 4, true);
    }
  }
  for (; n0 < N; n0++) {
    for (let m0 = 0; m0 < M; m0++) {
      const pk = dk + <usize>m0 * ldk + (<usize>n0 << 2);
      let acc = load<f32>(pk);
      let pd = d + (<usize>n0 << 2);
      for (let oh = 0; oh < OH; oh++) {
        let px = x + <usize>oh * xrow + (<usize>m0 << 2);
        for (let ow = 0; ow < OW; ow++) {
          acc += load<f32>(px) * load<f32>(pd);
          px += xs;
          pd += ds;
        }
      }
      store<f32>(pk, acc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The kernels

/** 1 when conv2d_forward can also 2x2 max-pool its output (pool = 1) at this shape: the Winograd
 * path (3x3 kernels, C and OC multiples of 4); 0 elsewhere. */
export function conv2d_pools(KH: i32, KW: i32, C: i32, OC: i32): i32 {
  return use_winograd(KH, KW, C, OC) ? 1 : 0;
}

/** How many parts conv2d_forward_part can cut an inference forward (infer = 1) into: on the
 * F(6x6, 3x3) path, ranges of output tiles cut at multiples of 4 (one part per 4 tiles at most)
 * where that keeps every output's bits (wino6_cuts_exact); 1 elsewhere (not cut). */
export function conv2d_parts(B: i32, H: i32, W: i32, C: i32, OC: i32, KH: i32, KW: i32, same: i32): i32 {
  if (!use_winograd(KH, KW, C, OC) || !wino6_cuts_exact(B, H, W, C, OC, same)) return 1;
  return max(1, wino6_tiles(B, H, W, same) >> 2);
}

/** Part `part` of `parts` (parts <= conv2d_parts) of conv2d_forward with infer = 1: the outputs
 * (or, pool = 1, the pooled outputs) of one range of tiles, with the bits the whole call gives
 * them; scratch is this caller's own (each thread keeps its transformed kernel there). */
export function conv2d_forward_part(out: usize, inp: usize, kernel: usize, bias: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, same: i32, relu: i32, keep: i32, pool: i32, part: i32, parts: i32): void {
  const T = wino6_tiles(B, H, W, same);
  const ta = cut_at(T, part, parts, 4), tb = cut_at(T, part + 1, parts, 4);
  if (tb > ta) wino6_forward_tiles(out, inp, kernel, bias, scratch, B, H, W, C, OC, same, relu != 0, keep, pool != 0, ta, tb);
}

/** Bytes of scratch conv2d_forward (backward = 0) or conv2d_backward (backward = 1) needs; for the
 * backward pass, hasDinp = 0 when dinp is skipped. */
export function conv2d_scratch_bytes(B: i32, H: i32, W: i32, C: i32, OC: i32, KH: i32, KW: i32, same: i32, backward: i32, hasDinp: i32): f64 {
  if (use_winograd(KH, KW, C, OC)) return max(wino_scratch_floats(C, OC), wino6_scratch_floats(C, OC)) * 4;
  const plane = <f64>B * <f64>(H + KH - 1) * <f64>(W + KW - 1);
  if (!backward) return same ? plane * <f64>C * 4 : 0;
  const kf = <f64>(((KH * KW * C * OC) + 3) & ~3);
  const ch = max(same ? C : 0, hasDinp ? OC : 0);
  return (kf + plane * <f64>ch) * 4;
}

// out[B, OH, OW, OC], inp[B, H, W, C], kernel[KH, KW, C, OC], bias[OC] (0 = none);
// OH, OW = H-KH+1, W-KW+1 (same = 0) or H, W (same = 1); relu = 1: out = max(0, conv + bias) (the
// layer's ReLU applied while the output is in cache; the same bits as relu_forward after it);
// keep = 1: since the caller's previous conv2d_ call on this scratch (same shape) nothing else
// wrote it, so the Winograd path may reuse the transformed kernel it left there if the kernel's
// bits are unchanged (winograd.ts wino_u; the same results); keep = 2: the same, and the kernel at
// this address never changes (an inference model's), so its address stands for its bits (no
// compare); scratch: see the top of the file.
// pool = 1 (only where conv2d_pools says so): out is the 2x2 max pool of that output,
// [B, OH / 2, OW / 2, OC], with the bits of maxpool2d_forward after this call (an inference
// plan's conv then pool as one pass: the full output is never stored).
// infer = 1: no backward follows (inference); the Winograd path then takes F(6x6, 3x3)
// (winograd6.ts: 21% fewer multiplies, about twice F(4x4, 3x3)'s rounding error); training keeps
// F(4x4, 3x3) forward and backward.
export function conv2d_forward(out: usize, inp: usize, kernel: usize, bias: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, KH: i32, KW: i32, same: i32, relu: i32, keep: i32, pool: i32, infer: i32): void {
  if (use_winograd(KH, KW, C, OC)) {
    if (infer) wino6_forward(out, inp, kernel, bias, scratch, B, H, W, C, OC, same, relu != 0, keep, pool != 0);
    else wino_forward(out, inp, kernel, bias, scratch, B, H, W, C, OC, same, relu != 0, keep, pool != 0);
    return;
  }
  let x = inp, Hx = H, Wx = W;
  if (same) {
    Hx = H + KH - 1; Wx = W + KW - 1;
    pad_nhwc(scratch, inp, B, H, W, C, Hx, Wx, (KH - 1) >> 1, (KW - 1) >> 1);
    x = scratch;
  }
  if (C < 4 && (OC & 3) == 0) conv_few(out, x, kernel, bias, B, Hx, Wx, C, OC, KH, KW, relu != 0);
  else conv_valid(out, x, kernel, bias, B, Hx, Wx, C, OC, KH, KW, false, relu != 0);
}

// dinp[B, H, W, C] (written; skipped when 0), dkernel[KH, KW, C, OC] (+=), dbias[OC] (+=; skipped
// when 0), dout[B, OH, OW, OC], inp[B, H, W, C], kernel[KH, KW, C, OC]; scratch: see the top.
export function conv2d_backward(dinp: usize, dkernel: usize, dbias: usize, dout: usize, inp: usize, kernel: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, KH: i32, KW: i32, same: i32): void {
  const pt = same ? (KH - 1) >> 1 : 0, pl = same ? (KW - 1) >> 1 : 0;
  const OH = same ? H : H - KH + 1, OW = same ? W : W - KW + 1;
  const Hp = H + KH - 1, Wp = W + KW - 1;
  const kfBytes: usize = <usize>(((KH * KW * C * OC) + 3) & ~3) << 2;
  const kf = scratch;
  const big = scratch + kfBytes;

  // dbias[n] += sum over every output pixel of dout[., n]
  if (dbias) {
    const P = B * OH * OW;
    let n0 = 0;
    for (; n0 + 4 <= OC; n0 += 4) {
      let acc = v128.load(dbias + (<usize>n0 << 2));
      let pd = dout + (<usize>n0 << 2);
      for (let p = 0; p < P; p++) {
        acc = f32x4.add(acc, v128.load(pd));
        pd += <usize>OC << 2;
      }
      v128.store(dbias + (<usize>n0 << 2), acc);
    }
    for (; n0 < OC; n0++) {
      let acc = load<f32>(dbias + (<usize>n0 << 2));
      let pd = dout + (<usize>n0 << 2);
      for (let p = 0; p < P; p++) {
        acc += load<f32>(pd);
        pd += <usize>OC << 2;
      }
      store<f32>(dbias + (<usize>n0 << 2), acc);
    }
  }

  if (use_winograd(KH, KW, C, OC)) {
    wino_backward(dinp, dkernel, dout, inp, kernel, scratch, B, H, W, C, OC, same);
    return;
  }

  // dkernel[i] (KW*C, OC) += sum over pixels of X_i^T dout, one image at a time (stays in cache)
  let x = inp, Hx = H, Wx = W;
  if (same) {
    pad_nhwc(big, inp, B, H, W, C, Hp, Wp, pt, pl);
    x = big; Hx = Hp; Wx = Wp;
  }
  const kRow: usize = <usize>KW * <usize>C * <usize>OC << 2;
  const xImg: usize = <usize>Hx * <usize>Wx * <usize>C << 2;
  const dImg: usize = <usize>OH * <usize>OW * <usize>OC << 2;
  const xRow: usize = <usize>Wx * <usize>C << 2;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < KH; i++) {
      dkernel_rows(dkernel + <usize>i * kRow, x + <usize>b * xImg + <usize>i * xRow, dout + <usize>b * dImg, KW * C, OC, C, Wx, OH, OW);
    }
  }

  // dinp = valid conv of dout (zero-padded to Hp x Wp) with kf[i, j, o, c] = kernel[KH-1-i, KW-1-j, c, o];
  // for C < 4 kf is stored [i, c, j, o] instead (dot products along (j, o), see rowblock)
  if (dinp) {
    const kt = C < 4;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const src = kernel + (<usize>((KH - 1 - i) * KW + (KW - 1 - j)) * <usize>C * <usize>OC << 2);
        for (let c = 0; c < C; c++) {
          for (let o = 0; o < OC; o++) {
            const d = kt ? ((i * C + c) * KW + j) * OC + o : ((i * KW + j) * OC + o) * C + c;
            store<f32>(kf + (<usize>d << 2), load<f32>(src + (<usize>(c * OC + o) << 2)));
          }
        }
      }
    }
    pad_nhwc(big, dout, B, OH, OW, OC, Hp, Wp, KH - 1 - pt, KW - 1 - pl);
    conv_valid(dinp, big, kf, 0, B, Hp, Wp, OC, C, KH, KW, kt, false);
  }
}
