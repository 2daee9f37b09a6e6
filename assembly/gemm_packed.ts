// The packed, cache-blocked GEMM (in the manner of GotoBLAS / BLIS) for the large products: C is
// computed in KC-deep slices; each slice of B (KC x NC) is copied into NR-column panels laid out
// k-major, each MC-row block of A into MR-row panels laid out k-major, and a 4x8 micro-kernel runs
// over the packed panels with two B loads and four A broadcasts per step from one pointer each
// (immediate offsets, no strides; the relaxed build loads the four A values as one vector and
// splats its lanes: SPLAT_BY_SHUFFLE). Packing absorbs the transposes: nn, nt and tn differ only in
// the strides the packers read. See docs/design/gemm.md for the block sizes and where this is used.
//
// The scratch (the packed A block, the packed B slice and one edge tile) is caller memory handed
// over once by gemm_workspace and kept in this instance's globals: kernels never allocate, and
// instances sharing one memory (one per thread) each keep their own region.
import { madd, put, put1 } from "./tile";

// 6 x 8: twelve f32x4 accumulators, two B vectors and one broadcast: 15 of x64's 16 xmm registers
// (V8 keeps one as scratch). 4 x 8 (eight accumulators) leaves the FP pipes idle a third of the time.
const MR = 4;
const NR = 8;
// KC: one B micro-panel (KC x 8 floats, 8 KB) stays in L1 (48 KB) beside the A panel streaming
// past (4 KB). MC: the packed A block (128 x 256 floats, 128 KB) stays in L2 (1 MB). NC: the
// packed B slice (256 x 2048 floats, 2 MB) in L2/L3; each of its panels is reused by every A panel.
const KC = 256;
const MC = 128; // a multiple of MR (120 for MR = 6)
const NC = 2048; // a multiple of NR
const A_BYTES: usize = MC * KC * 4;
const B_BYTES: usize = KC * NC * 4;
const EDGE_BYTES: usize = 6 * NR * 4; // room for MR = 6
const WS_BYTES: usize = A_BYTES + B_BYTES + EDGE_BYTES;

const B_IN_L1: usize = 24 * 1024; // half of L1

// The relaxed build loads the micro-kernel's four A values as one vector and splats each lane by a
// shuffle; the SIMD128 build broadcasts each from memory. V8 (x64) does not fold a broadcast's
// immediate offset into its address, so each broadcast past the first costs a `lea`, while a shuffle
// (vpshufd) takes port 5, which fused multiply-adds leave idle (bench/train/gemm-ab.ts; figures in
// docs/design/gemm.md). Where port 5 also adds (SIMD128) the shuffles were no faster, nor in
// tile.ts's tn tiles. Same values in the same order: same bits.
const SPLAT_BY_SHUFFLE = ASC_FEATURE_RELAXED_SIMD;

let ws: usize = 0;

/** The bytes gemm_workspace needs for the packed path. */
export function gemm_workspace_bytes(): i32 {
  return <i32>WS_BYTES;
}

/** Hand this instance a 16-byte aligned scratch region for the packed GEMM (bytes >=
 * gemm_workspace_bytes()); ptr 0 or a smaller region switches back to the unpacked kernel. */
export function gemm_workspace(ptr: usize, bytes: usize): void {
  ws = ptr != 0 && bytes >= WS_BYTES && (ptr & 15) == 0 ? ptr : 0;
}

/** Whether the packed path is set up (a workspace was given). */
@inline export function packed_ready(): bool {
  return ws != 0;
}

// [r0[t], r1[t], r2[t], r3[t]] for t = 0..3: a 4x4 transpose in eight shuffles.
@inline function transpose_store(d: usize, ld: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(d + ld, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(d + ld * 2, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(d + ld * 3, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// A block (mb x kb, element (i, k) at a + i*sar + k*sak) -> MR-row panels, panel p at
// dst + p*MR*kb*4, element (r, k) at + (k*MR + r)*4; rows past mb are zeros.
function pack_a(dst: usize, a: usize, sar: usize, sak: usize, mb: i32, kb: i32): void {
  const ld: usize = MR * 4;
  let i0 = 0;
  if (sar == 4 && MR == 4) {
    // tn: four panels at a time, so that each k takes one 64-byte run of its row of A whole (a
    // panel at a time read each run four times, one k row after the other, and k rows M floats
    // apart, a multiple of 4 KB at the CNN's M, all fall in one L1 set)
    const pst: usize = <usize>MR * <usize>kb * 4;
    for (; i0 + 4 * MR <= mb; i0 += 4 * MR) {
      const src = a + (<usize>i0 << 2), d0 = dst + <usize>i0 * <usize>kb * 4;
      for (let k = 0; k < kb; k++) {
        const s = src + <usize>k * sak, d = d0 + <usize>k * ld;
        v128.store(d, v128.load(s));
        v128.store(d + pst, v128.load(s, 16));
        v128.store(d + pst * 2, v128.load(s, 32));
        v128.store(d + pst * 3, v128.load(s, 48));
      }
    }
  }
  for (; i0 < mb; i0 += MR) {
    const rows = min(MR, mb - i0);
    const src = a + <usize>i0 * sar;
    const d0 = dst + <usize>i0 * <usize>kb * 4;
    if (rows == MR && sar == 4) {
      // tn: the MR values of one k are adjacent
      for (let k = 0; k < kb; k++) {
        const s = src + <usize>k * sak, d = d0 + <usize>k * ld;
        v128.store(d, v128.load(s));
        if (MR == 6) store<u64>(d + 16, load<u64>(s + 16));
      }
    } else if (rows == MR && sak == 4) {
      // nn: rows of A run along k; 4 k at a time by a transpose of rows 0-3, rows 4-5 paired
      let k = 0;
      for (; k + 4 <= kb; k += 4) {
        const s = src + (<usize>k << 2), d = d0 + <usize>k * ld;
        transpose_store(d, ld, v128.load(s), v128.load(s + sar), v128.load(s + sar * 2), v128.load(s + sar * 3));
        if (MR == 6) {
          const r4 = v128.load(s + sar * 4), r5 = v128.load(s + sar * 5);
          const lo = f32x4.shuffle(r4, r5, 0, 4, 1, 5), hi = f32x4.shuffle(r4, r5, 2, 6, 3, 7);
          store<i64>(d + 16, i64x2.extract_lane(lo, 0));
          store<i64>(d + ld + 16, i64x2.extract_lane(lo, 1));
          store<i64>(d + ld * 2 + 16, i64x2.extract_lane(hi, 0));
          store<i64>(d + ld * 3 + 16, i64x2.extract_lane(hi, 1));
        }
      }
      for (; k < kb; k++) {
        const s = src + (<usize>k << 2), d = d0 + <usize>k * ld;
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * sar));
      }
    } else {
      for (let k = 0; k < kb; k++) {
        const s = src + <usize>k * sak, d = d0 + <usize>k * ld;
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(s + <usize>r * sar) : 0);
      }
    }
  }
}

// B slice (kb x nb, element (k, j) at b + k*sbk + j*sbj) -> NR-column panels, panel q at
// dst + q*NR*kb*4, element (k, j) at + (k*NR + j)*4; columns past nb are zeros.
function pack_b(dst: usize, b: usize, sbk: usize, sbj: usize, kb: i32, nb: i32): void {
  const ld: usize = NR * 4;
  for (let j0 = 0; j0 < nb; j0 += NR) {
    const cols = min(NR, nb - j0);
    const src = b + <usize>j0 * sbj;
    const d0 = dst + <usize>j0 * <usize>kb * 4;
    if (cols == NR && sbj == 4) {
      // nn, tn: a row of B is contiguous
      for (let k = 0; k < kb; k++) {
        const s = src + <usize>k * sbk, d = d0 + <usize>k * ld;
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
    } else if (cols == NR && sbk == 4) {
      // nt: B is stored as rows of k; two 4x4 transposes per 4 k
      let k = 0;
      for (; k + 4 <= kb; k += 4) {
        const s = src + (<usize>k << 2), d = d0 + <usize>k * ld;
        transpose_store(d, ld, v128.load(s), v128.load(s + sbj), v128.load(s + sbj * 2), v128.load(s + sbj * 3));
        const s4 = s + sbj * 4;
        transpose_store(d + 16, ld, v128.load(s4), v128.load(s4 + sbj), v128.load(s4 + sbj * 2), v128.load(s4 + sbj * 3));
      }
      for (; k < kb; k++) {
        const s = src + (<usize>k << 2), d = d0 + <usize>k * ld;
        for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + <usize>j * sbj));
      }
    } else {
      for (let k = 0; k < kb; k++) {
        const s = src + <usize>k * sbk, d = d0 + <usize>k * ld;
        for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < cols ? load<f32>(s + <usize>j * sbj) : 0);
      }
    }
  }
}

// C[MR, NR] block at c (+)= A panel @ B panel over kb steps. A partial block (rows < MR or
// cols < NR, at the edges of C) goes through the edge tile so nothing past C is touched.
// A function of its own, not inlined: V8 then allocates the 15 xmm registers of its k loop without
// the outer loops' values competing for them (inlined into gemm_packed it ran at half the speed).
function micro(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, rows: i32, cols: i32): void {
  const z = f32x4.splat(0);
  let s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z;
  let s30 = z, s31 = z, s40 = z, s41 = z, s50 = z, s51 = z;
  const end = pb + (<usize>kb << 5);
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const av = SPLAT_BY_SHUFFLE ? v128.load(pa) : z;
    let x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 0, 0, 0, 0) : v128.load32_splat(pa);
    s00 = madd(x, b0, s00);
    s01 = madd(x, b1, s01);
    x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 1, 1, 1, 1) : v128.load32_splat(pa, 4);
    s10 = madd(x, b0, s10);
    s11 = madd(x, b1, s11);
    x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 2, 2, 2, 2) : v128.load32_splat(pa, 8);
    s20 = madd(x, b0, s20);
    s21 = madd(x, b1, s21);
    x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 3, 3, 3, 3) : v128.load32_splat(pa, 12);
    s30 = madd(x, b0, s30);
    s31 = madd(x, b1, s31);
    if (MR == 6) {
      x = v128.load32_splat(pa, 16);
      s40 = madd(x, b0, s40);
      s41 = madd(x, b1, s41);
      x = v128.load32_splat(pa, 20);
      s50 = madd(x, b0, s50);
      s51 = madd(x, b1, s51);
    }
    pa += MR * 4;
    pb += NR * 4;
  }
  if (rows == MR && cols == NR) {
    put(c, s00, accumulate); put(c + 16, s01, accumulate);
    put(c + ldc, s10, accumulate); put(c + ldc + 16, s11, accumulate);
    put(c + ldc * 2, s20, accumulate); put(c + ldc * 2 + 16, s21, accumulate);
    put(c + ldc * 3, s30, accumulate); put(c + ldc * 3 + 16, s31, accumulate);
    if (MR == 6) {
      put(c + ldc * 4, s40, accumulate); put(c + ldc * 4 + 16, s41, accumulate);
      put(c + ldc * 5, s50, accumulate); put(c + ldc * 5 + 16, s51, accumulate);
    }
    return;
  }
  const e = ws + A_BYTES + B_BYTES;
  v128.store(e, s00); v128.store(e, s01, 16); v128.store(e, s10, 32); v128.store(e, s11, 48);
  v128.store(e, s20, 64); v128.store(e, s21, 80); v128.store(e, s30, 96); v128.store(e, s31, 112);
  if (MR == 6) {
    v128.store(e, s40, 128); v128.store(e, s41, 144); v128.store(e, s50, 160); v128.store(e, s51, 176);
  }
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) put1(c + <usize>r * ldc + (<usize>j << 2), load<f32>(e + (<usize>(r * NR + j) << 2)), accumulate);
  }
}

// n full C blocks (MR x NR each, MR = 4: its eight accumulators) in one call: micro's loop n
// times, its call and set-up paid once (at a k of 32 steps they were a fifth of the time). along_b (a constant at the two callers):
// the blocks run along a row of C, one A panel against n adjacent B panels; otherwise down a
// column of C, n adjacent A panels against one B panel. Adjacent panels are kb steps each, the
// next starting where the last ends, so the walking pointer runs on and only the other resets.
@inline function micro_run(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, n: i32, along_b: bool): void {
  const z = f32x4.splat(0);
  const cstep: usize = along_b ? <usize>NR << 2 : <usize>MR * ldc;
  for (let q = 0; q < n; q++) {
    let s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z, s30 = z, s31 = z;
    let x0 = pa, y0 = pb; // the panel that resets
    for (let k = 0; k < kb; k++) {
      const qb = along_b ? pb : y0, qa = along_b ? x0 : pa;
      const b0 = v128.load(qb), b1 = v128.load(qb, 16);
      const av = SPLAT_BY_SHUFFLE ? v128.load(qa) : z;
      let x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 0, 0, 0, 0) : v128.load32_splat(qa);
      s00 = madd(x, b0, s00);
      s01 = madd(x, b1, s01);
      x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 1, 1, 1, 1) : v128.load32_splat(qa, 4);
      s10 = madd(x, b0, s10);
      s11 = madd(x, b1, s11);
      x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 2, 2, 2, 2) : v128.load32_splat(qa, 8);
      s20 = madd(x, b0, s20);
      s21 = madd(x, b1, s21);
      x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 3, 3, 3, 3) : v128.load32_splat(qa, 12);
      s30 = madd(x, b0, s30);
      s31 = madd(x, b1, s31);
      if (along_b) {
        x0 += MR * 4;
        pb += NR * 4;
      } else {
        pa += MR * 4;
        y0 += NR * 4;
      }
    }
    const cq = c + <usize>q * cstep;
    put(cq, s00, accumulate); put(cq + 16, s01, accumulate);
    put(cq + ldc, s10, accumulate); put(cq + ldc + 16, s11, accumulate);
    put(cq + ldc * 2, s20, accumulate); put(cq + ldc * 2 + 16, s21, accumulate);
    put(cq + ldc * 3, s30, accumulate); put(cq + ldc * 3 + 16, s31, accumulate);
  }
}

// Functions of their own for the reason micro is one.
function micro_row(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, n: i32): void {
  micro_run(c, ldc, accumulate, pa, pb, kb, n, true);
}
function micro_col(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, n: i32): void {
  micro_run(c, ldc, accumulate, pa, pb, kb, n, false);
}

/** C[M,N] (+)= A @ B with A(i, k) at a + i*sar + k*sak and B(k, j) at b + k*sbk + j*sbj (bytes),
 * C row-major. Needs a workspace (packed_ready()); M, N, K > 0. */
export function gemm_packed(
  c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32, sar: usize, sak: usize, sbk: usize, sbj: usize,
): void {
  const ldc = <usize>N << 2;
  const pA = ws, pB = ws + A_BYTES;
  // equal k slices rather than a short last one
  const nkb = (K + KC - 1) / KC;
  const kc = (K + nkb - 1) / nkb;
  for (let jc = 0; jc < N; jc += NC) {
    const nb = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += kc) {
      const kb = min(kc, K - pc);
      const acc = pc > 0 ? 1 : accumulate;
      pack_b(pB, b + <usize>pc * sbk + <usize>jc * sbj, sbk, sbj, kb, nb);
      // Shallow: the whole packed B slice fits in L1 (tn at the CNN's batch of 32). The A blocks
      // are then as tall as the A block's room holds, so that tn reads each k row of A in runs
      // of that many floats (MC's 128 rows made runs of 512 bytes, one per k row, M floats apart)
      const shallow = <usize>kb * <usize>nb * 4 <= B_IN_L1;
      const mc = shallow ? max(MC, (<i32>(A_BYTES / (<usize>kb * 4)) / (4 * MR)) * (4 * MR)) : MC;
      for (let ic = 0; ic < M; ic += mc) {
        const mb = min(mc, M - ic);
        pack_a(pA, a + <usize>ic * sar + <usize>pc * sak, sar, sak, mb, kb);
        const cb = c + <usize>ic * ldc + (<usize>jc << 2);
        if (shallow) {
          // rows of blocks then walk C along its rows, which a shallow k makes the larger stream;
          // the full blocks of a row in one call, a partial one (last rows, last columns) by micro
          for (let ir = 0; ir < mb; ir += MR) {
            const rows = min(MR, mb - ir);
            const pai = pA + <usize>ir * <usize>kb * 4;
            const ci = cb + <usize>ir * ldc;
            const full = rows == MR ? nb / NR : 0;
            micro_row(ci, ldc, acc, pai, pB, kb, full);
            for (let jr = full * NR; jr < nb; jr += NR) {
              micro(ci + (<usize>jr << 2), ldc, acc, pai, pB + <usize>jr * <usize>kb * 4, kb, rows, min(NR, nb - jr));
            }
          }
        } else {
          for (let jr = 0; jr < nb; jr += NR) {
            const cols = min(NR, nb - jr);
            const pbj = pB + <usize>jr * <usize>kb * 4;
            const full = cols == NR ? mb / MR : 0;
            micro_col(cb + (<usize>jr << 2), ldc, acc, pA, pbj, kb, full);
            for (let ir = full * MR; ir < mb; ir += MR) {
              micro(cb + <usize>ir * ldc + (<usize>jr << 2), ldc, acc, pA + <usize>ir * <usize>kb * 4, pbj, kb, min(MR, mb - ir), cols);
            }
          }
        }
      }
    }
  }
}
