// The packed, cache-blocked GEMM (in the manner of GotoBLAS / BLIS) for the large products: C is
// computed in KC-deep slices; each slice of B (KC x NC) is copied into NR-column panels laid out
// k-major, each MC-row block of A into MR-row panels laid out k-major, and a 4x8 micro-kernel runs
// over the packed panels with two B loads and four A values per step from one pointer each
// (immediate offsets, no strides; the SIMD128 build packs each A value splat over a vector, the
// relaxed build loads the four as one vector and splats its lanes: A_SPLAT, SPLAT_BY_SHUFFLE).
// Packing absorbs the transposes: nn, nt and tn differ only in the strides the packers read. See
// docs/design/gemm.md for the block sizes and where this is used.
//
// The scratch (the packed A block, the packed B slice and one edge tile) is caller memory handed
// over once by gemm_workspace and kept in this instance's globals: kernels never allocate, and
// instances sharing one memory (one per thread) each keep their own region.
import { madd, put1 } from "./tile";

// 4 x 8: eight f32x4 accumulators. 6 x 8 (twelve, with two B vectors and an A value 15 of x64's 16
// xmm registers; V8 keeps one as scratch) spilled in V8's loop and ran at 29 against 42 GFLOP/s.
const MR = 4;
const NR = 8;
// KC: one B micro-panel (KC x 8 floats, 8 KB) stays in L1 (32-48 KB) beside the A panel streaming
// past (4 KB; 16 KB packed splat). MC: the packed A block (128 x 256 floats, 128 KB) stays in L2 (1 MB). NC: the
// packed B slice (256 x 2048 floats, 2 MB) in L2/L3; each of its panels is reused by every A panel.
const KC = 256;
const MC = 128; // a multiple of MR
const NC = 2048; // a multiple of NR
// The SIMD128 build packs each A value splat over a whole vector (A_SPLAT floats a value): its
// micro-kernels then read the four row values as plain loads with immediate offsets, which V8
// folds into the address, where a broadcast from memory costs a `lea` each (it does not fold a
// broadcast's offset). The relaxed build loads the four values as one vector and splats them by
// shuffles (SPLAT_BY_SHUFFLE below), so it packs them as they are.
const A_SPLAT: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 4;
const A_STEP: usize = <usize>(MR * 4 * A_SPLAT); // bytes of one k of a packed A panel
const A_BYTES: usize = <usize>MC * KC * 4 * A_SPLAT;
const B_BYTES: usize = KC * NC * 4;
const EDGE_BYTES: usize = MR * NR * 4;
const WS_BYTES: usize = A_BYTES + B_BYTES + EDGE_BYTES;

const B_IN_L1: usize = 24 * 1024; // half of L1

// The relaxed build loads the micro-kernel's four A values as one vector and splats each lane by a
// shuffle (vpshufd: port 5, which fused multiply-adds leave idle; bench/train/gemm-ab.ts, figures
// in docs/design/gemm.md); a broadcast from memory would cost a `lea` each past the first, as V8
// (x64) does not fold a broadcast's immediate offset into its address. Where port 5 also adds
// (SIMD128) shuffles were no faster; that build packs A splat instead (A_SPLAT). Same values in
// the same order: same bits.
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

// The four values v of one k of an A panel at d, as the build packs them (A_SPLAT).
@inline function put_a4(d: usize, v: v128): void {
  if (A_SPLAT == 1) {
    v128.store(d, v);
    return;
  }
  v128.store(d, f32x4.shuffle(v, v, 0, 0, 0, 0));
  v128.store(d, f32x4.shuffle(v, v, 1, 1, 1, 1), 16);
  v128.store(d, f32x4.shuffle(v, v, 2, 2, 2, 2), 32);
  v128.store(d, f32x4.shuffle(v, v, 3, 3, 3, 3), 48);
}

// [r0[t], r1[t], r2[t], r3[t]] for t = 0..3, ld bytes apart: a 4x4 transpose in eight shuffles,
// each vector stored as it is (B panels) or as the build packs A (a_panel, a constant: put_a4).
@inline function transpose_store(d: usize, ld: usize, r0: v128, r1: v128, r2: v128, r3: v128, a_panel: bool): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  const c0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), c1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
  const c2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), c3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
  if (a_panel) {
    put_a4(d, c0); put_a4(d + ld, c1); put_a4(d + ld * 2, c2); put_a4(d + ld * 3, c3);
  } else {
    v128.store(d, c0); v128.store(d + ld, c1); v128.store(d + ld * 2, c2); v128.store(d + ld * 3, c3);
  }
}

// Rows 0..rows-1 (up to 4) of one column of A at s, rows sar bytes apart, as a vector; zeros past rows.
@inline function column4(s: usize, sar: usize, rows: i32): v128 {
  let v = f32x4.splat(0);
  if (rows > 0) v = f32x4.replace_lane(v, 0, load<f32>(s));
  if (rows > 1) v = f32x4.replace_lane(v, 1, load<f32>(s + sar));
  if (rows > 2) v = f32x4.replace_lane(v, 2, load<f32>(s + sar * 2));
  if (rows > 3) v = f32x4.replace_lane(v, 3, load<f32>(s + sar * 3));
  return v;
}

// A block (mb x kb, element (i, k) at a + i*sar + k*sak) -> MR-row panels, panel p at
// dst + p*kb*A_STEP, element (r, k) at + k*A_STEP + r*4*A_SPLAT (A_SPLAT copies); rows past mb are
// zeros.
function pack_a(dst: usize, a: usize, sar: usize, sak: usize, mb: i32, kb: i32): void {
  const pst: usize = <usize>kb * A_STEP;
  let i0 = 0;
  if (sar == 4) {
    // tn: four panels at a time, so that each k takes one 64-byte run of its row of A whole (a
    // panel at a time read each run four times, one k row after the other, and k rows M floats
    // apart, a multiple of 4 KB at the CNN's M, all fall in one L1 set)
    for (; i0 + 4 * MR <= mb; i0 += 4 * MR) {
      const src = a + (<usize>i0 << 2), d0 = dst + <usize>(i0 / MR) * pst;
      for (let k = 0; k < kb; k++) {
        const s = src + <usize>k * sak, d = d0 + <usize>k * A_STEP;
        put_a4(d, v128.load(s));
        put_a4(d + pst, v128.load(s, 16));
        put_a4(d + pst * 2, v128.load(s, 32));
        put_a4(d + pst * 3, v128.load(s, 48));
      }
    }
  }
  for (; i0 < mb; i0 += MR) {
    const rows = min(MR, mb - i0);
    const src = a + <usize>i0 * sar;
    const d0 = dst + <usize>(i0 / MR) * pst;
    if (rows == MR && sar == 4) {
      // tn: the MR values of one k are adjacent
      for (let k = 0; k < kb; k++) put_a4(d0 + <usize>k * A_STEP, v128.load(src + <usize>k * sak));
    } else if (rows == MR && sak == 4) {
      // nn: rows of A run along k; 4 k at a time by a 4x4 transpose
      let k = 0;
      for (; k + 4 <= kb; k += 4) {
        const s = src + (<usize>k << 2);
        transpose_store(d0 + <usize>k * A_STEP, A_STEP, v128.load(s), v128.load(s + sar), v128.load(s + sar * 2), v128.load(s + sar * 3), true);
      }
      for (; k < kb; k++) put_a4(d0 + <usize>k * A_STEP, column4(src + (<usize>k << 2), sar, MR));
    } else {
      for (let k = 0; k < kb; k++) put_a4(d0 + <usize>k * A_STEP, column4(src + <usize>k * sak, sar, rows));
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
        transpose_store(d, ld, v128.load(s), v128.load(s + sbj), v128.load(s + sbj * 2), v128.load(s + sbj * 3), false);
        const s4 = s + sbj * 4;
        transpose_store(d + 16, ld, v128.load(s4), v128.load(s4 + sbj), v128.load(s4 + sbj * 2), v128.load(s4 + sbj * 3), false);
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

// n full C blocks (MR x NR each, MR = 4: eight accumulators) in one call, the call and its set-up
// paid once (one call a block, at a k of 32 steps, left them a fifth of the time). along_b (a
// constant at the two callers): the blocks run along a row of C, one A panel against n adjacent B
// panels; otherwise down a column of C, n adjacent A panels against one B panel. Adjacent panels
// are kb steps each, the next starting where the last ends, so the walking pointer runs on and
// only the other resets.
@inline function micro_run(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, n: i32, along_b: bool): void {
  const z = f32x4.splat(0);
  const cstep: usize = along_b ? <usize>NR << 2 : <usize>MR * ldc;
  for (let q = 0; q < n; q++) {
    let s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z, s30 = z, s31 = z;
    // the block's C, when accumulating, is where its sums start: its loads then issue ahead of
    // the k loop, not after it (SIMD128 7-11% faster, relaxed tn 3-4%; C + a1 + a2 + ..., as
    // tile.ts's from_c adds a gradient's terms)
    const cq = c + <usize>q * cstep;
    if (accumulate) {
      s00 = v128.load(cq); s01 = v128.load(cq, 16);
      s10 = v128.load(cq + ldc); s11 = v128.load(cq + ldc, 16);
      s20 = v128.load(cq + ldc * 2); s21 = v128.load(cq + ldc * 2, 16);
      s30 = v128.load(cq + ldc * 3); s31 = v128.load(cq + ldc * 3, 16);
    }
    let x0 = pa, y0 = pb; // the panel that resets
    // the loop ends on the walking pointer (a counter beside it cost the SIMD128 build 5%)
    const end = along_b ? pb + (<usize>kb << 5) : pa + <usize>kb * A_STEP;
    while ((along_b ? pb : pa) < end) {
      const qb = along_b ? pb : y0, qa = along_b ? x0 : pa;
      const b0 = v128.load(qb), b1 = v128.load(qb, 16);
      const av = SPLAT_BY_SHUFFLE ? v128.load(qa) : z;
      let x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 0, 0, 0, 0) : A_SPLAT == 4 ? v128.load(qa) : v128.load32_splat(qa);
      s00 = madd(x, b0, s00);
      s01 = madd(x, b1, s01);
      x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 1, 1, 1, 1) : A_SPLAT == 4 ? v128.load(qa, 16) : v128.load32_splat(qa, 4);
      s10 = madd(x, b0, s10);
      s11 = madd(x, b1, s11);
      x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 2, 2, 2, 2) : A_SPLAT == 4 ? v128.load(qa, 32) : v128.load32_splat(qa, 8);
      s20 = madd(x, b0, s20);
      s21 = madd(x, b1, s21);
      x = SPLAT_BY_SHUFFLE ? f32x4.shuffle(av, av, 3, 3, 3, 3) : A_SPLAT == 4 ? v128.load(qa, 48) : v128.load32_splat(qa, 12);
      s30 = madd(x, b0, s30);
      s31 = madd(x, b1, s31);
      if (along_b) {
        x0 += A_STEP;
        pb += NR * 4;
      } else {
        pa += A_STEP;
        y0 += NR * 4;
      }
    }
    v128.store(cq, s00); v128.store(cq, s01, 16);
    v128.store(cq + ldc, s10); v128.store(cq + ldc, s11, 16);
    v128.store(cq + ldc * 2, s20); v128.store(cq + ldc * 2, s21, 16);
    v128.store(cq + ldc * 3, s30); v128.store(cq + ldc * 3, s31, 16);
  }
}

// Functions of their own, not inlined: V8 then allocates the xmm registers of the k loop without
// the outer loops' values competing for them (the k loop inlined into gemm_packed ran at half speed).
function micro_row(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, n: i32): void {
  micro_run(c, ldc, accumulate, pa, pb, kb, n, true);
}
function micro_col(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, n: i32): void {
  micro_run(c, ldc, accumulate, pa, pb, kb, n, false);
}

// A partial C block (rows < MR or cols < NR, at the edges of C) at c (+)= A panel @ B panel over
// kb steps: one block of micro_run into the zeroed edge tile (rows NR floats apart), then its
// rows x cols into C, so nothing past C is touched. The sums are micro_run's (0 + a1 + ... = a1 + ...).
function micro(c: usize, ldc: usize, accumulate: i32, pa: usize, pb: usize, kb: i32, rows: i32, cols: i32): void {
  const e = ws + A_BYTES + B_BYTES;
  memory.fill(e, 0, EDGE_BYTES);
  micro_run(e, NR * 4, 1, pa, pb, kb, 1, true);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) put1(c + <usize>r * ldc + (<usize>j << 2), load<f32>(e + (<usize>(r * NR + j) << 2)), accumulate);
  }
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
      if (<usize>kb * <usize>nb * 4 <= B_IN_L1) {
        // Shallow: the whole packed B slice fits in L1 (tn at the CNN's batch of 32). A is packed
        // 4 * MR rows at a time just before they are used, into a few KB that stay in L1 beside
        // B (a whole MC block packed first went out to L2 and came back), so that tn also reads
        // each k row of A in 64-byte runs; rows of blocks then walk C along its rows, which a
        // shallow k makes the larger stream. The full blocks of a row in one call, a partial one
        // (last rows, last columns) by micro.
        for (let ig = 0; ig < M; ig += 4 * MR) {
          const mb = min(4 * MR, M - ig);
          pack_a(pA, a + <usize>ig * sar + <usize>pc * sak, sar, sak, mb, kb);
          for (let ir = 0; ir < mb; ir += MR) {
            const rows = min(MR, mb - ir);
            const pai = pA + <usize>(ir / MR) * <usize>kb * A_STEP;
            const ci = c + <usize>(ig + ir) * ldc + (<usize>jc << 2);
            const full = rows == MR ? nb / NR : 0;
            micro_row(ci, ldc, acc, pai, pB, kb, full);
            for (let jr = full * NR; jr < nb; jr += NR) {
              micro(ci + (<usize>jr << 2), ldc, acc, pai, pB + <usize>jr * <usize>kb * 4, kb, rows, min(NR, nb - jr));
            }
          }
        }
        continue;
      }
      for (let ic = 0; ic < M; ic += MC) {
        const mb = min(MC, M - ic);
        pack_a(pA, a + <usize>ic * sar + <usize>pc * sak, sar, sak, mb, kb);
        const cb = c + <usize>ic * ldc + (<usize>jc << 2);
        for (let jr = 0; jr < nb; jr += NR) {
          const cols = min(NR, nb - jr);
          const pbj = pB + <usize>jr * <usize>kb * 4;
          const full = cols == NR ? mb / MR : 0;
          micro_col(cb + (<usize>jr << 2), ldc, acc, pA, pbj, kb, full);
          for (let ir = full * MR; ir < mb; ir += MR) {
            micro(cb + <usize>ir * ldc + (<usize>jr << 2), ldc, acc, pA + <usize>(ir / MR) * <usize>kb * A_STEP, pbj, kb, min(MR, mb - ir), cols);
          }
        }
      }
    }
  }
}
