// Row-major f32 matrix products, the hot path of the dense layers.
//
// nn and tn share one register-blocked kernel: 4x8 tiles of C (tile.ts, the same routine as the
// direct convolution's) in eight f32x4 accumulators, no horizontal sums and no packing (kernels
// never allocate). nn and tn differ only in how A is walked (row stride K and k stride 1, or row
// stride 1 and k stride M).
// nt is a product of rows with rows: dot products along k, four per f32x4, reduced at the end.
import { gemm_packed, packed_ready } from "./gemm_packed";
import { madd, put, put1, tile } from "./tile";

// C[M,N] (+)= A @ B[K,N], A element (i, k) at a + i*sar + k*sak (bytes). The narrow edges (1 to 3
// columns, 1 to 3 rows) keep the same end-pointer k loop as the tile.
@inline function gemm_ab(
  c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32, sar: usize, sak: usize, ldb: usize, ldc: usize,
  rowtiles: bool,
): void {
  const kspan = <usize>K * sak;
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const ai = a + <usize>i * sar;
    const c0 = c + <usize>i * ldc;
    let j = 0;
    for (; j + 8 <= N; j += 8) tile(c0 + (<usize>j << 2), ldc, accumulate, false, z, z, ai, sar, sak, 0, b + (<usize>j << 2), ldb, 0, K, 1, 4, 8, false);
    for (; j + 4 <= N; j += 4) tile(c0 + (<usize>j << 2), ldc, accumulate, false, z, z, ai, sar, sak, 0, b + (<usize>j << 2), ldb, 0, K, 1, 4, 4, false);
    // 1 to 3 columns left (the 2-class output layer, the 41 and 23 of KDD99's): a 4 x r tile, four
    // accumulator chains. (A column of four gathered A values against one B value, r chains,
    // waited on the add latency: a 256 x 41 x 41 product took 1.16x the time of 256 x 41 x 40.)
    const r = N - j;
    const cj = c0 + (<usize>j << 2), bj = b + (<usize>j << 2);
    if (rowtiles && sak == 4 && (r == 1 || (r == 2 && K >= EDGE_DOT2_MIN_K))) edge_dot(cj, ldc, accumulate, ai, sar, bj, ldb, K, r);
    else if (r == 1) tile(cj, ldc, accumulate, false, z, z, ai, sar, sak, 0, bj, ldb, 0, K, 1, 4, 1, false);
    else if (r == 2) tile(cj, ldc, accumulate, false, z, z, ai, sar, sak, 0, bj, ldb, 0, K, 1, 4, 2, false);
    else if (r == 3) tile(cj, ldc, accumulate, false, z, z, ai, sar, sak, 0, bj, ldb, 0, K, 1, 4, 3, false);
  }
  // Up to 3 rows left. rowtiles: one row of nn by row_stream; two or three rows as 2 x 16 or 3 x 8
  // tiles (rows_tile), eight or six accumulator chains instead of the 1 x 8 tile's two, whose loop
  // waits on the add latency; then one row at a time.
  let j1 = 0;
  if (rowtiles) {
    const r = M - i;
    const ai = a + <usize>i * sar;
    const c0 = c + <usize>i * ldc;
    if (r == 1 && sak == 4 && N >= ROW_STREAM_MIN_N) {
      row_stream(c0, ai, b, K, N, accumulate, ldb);
      return;
    } else if (r == 2) for (; j1 + 16 <= N; j1 += 16) rows_tile(c0 + (<usize>j1 << 2), ldc, accumulate, ai, sar, sak, b + (<usize>j1 << 2), ldb, K, 2);
    else if (r == 3) for (; j1 + 8 <= N; j1 += 8) rows_tile(c0 + (<usize>j1 << 2), ldc, accumulate, ai, sar, sak, b + (<usize>j1 << 2), ldb, K, 3);
  }
  for (; i < M; i++) {
    const ai = a + <usize>i * sar;
    const aend = ai + kspan;
    const c0 = c + <usize>i * ldc;
    let j = j1;
    for (; j + 8 <= N; j += 8) tile(c0 + (<usize>j << 2), ldc, accumulate, false, z, z, ai, sar, sak, 0, b + (<usize>j << 2), ldb, 0, K, 1, 1, 8, false);
    for (; j + 4 <= N; j += 4) tile(c0 + (<usize>j << 2), ldc, accumulate, false, z, z, ai, sar, sak, 0, b + (<usize>j << 2), ldb, 0, K, 1, 1, 4, false);
    for (; j < N; j++) {
      let s: f32 = 0;
      let pb = b + (<usize>j << 2);
      let pa = ai;
      while (pa < aend) {
        s += load<f32>(pa) * load<f32>(pb);
        pb += ldb;
        pa += sak;
      }
      put1(c0 + (<usize>j << 2), s, accumulate);
    }
  }
}

// The last column (or two) of four rows of nn, A's rows contiguous along k, as dot products along
// k: each f32x4 holds four k of one row and one column (a column of B gathered lane by lane), so a
// step does four k on four chains where the 4 x r tile does one k with r of its four lanes used. A
// lone column gains most; a second costs its own gather and pays only over a long k, a third not
// at all (measured by bench/train/gemm-ab.ts; figures in docs/design/gemm.md). Each value is
// the lane sum of four partial sums over k mod 4, then the K % 4 last terms: other bits than the
// tile's k-order sum, so a row's bits in these columns depend on whether it lies in a 4-row block,
// as they already did in the relaxed build (threads.ts, PREDICT_ALIGN).
const EDGE_DOT2_MIN_K = 128;

function edge_dot(c: usize, ldc: usize, accumulate: i32, a: usize, sar: usize, b: usize, ldb: usize, K: i32, r: i32): void {
  if (r == 1) edge_body(c, ldc, accumulate, a, sar, b, ldb, K, 1);
  else edge_body(c, ldc, accumulate, a, sar, b, ldb, K, 2);
}

// Four k of column q of B (rows k .. k + 3 at pb, ldb bytes apart) as one vector.
@inline function column4(pb: usize, ldb: usize): v128 {
  let x = v128.load32_zero(pb);
  x = v128.load32_lane(pb + ldb, x, 1);
  x = v128.load32_lane(pb + ldb * 2, x, 2);
  return v128.load32_lane(pb + ldb * 3, x, 3);
}

// Rows 0..3 at c (ldc apart) of one column: lanes 0..3 of v.
@inline function put_column(c: usize, ldc: usize, v: v128, accumulate: i32): void {
  put1(c, f32x4.extract_lane(v, 0), accumulate);
  put1(c + ldc, f32x4.extract_lane(v, 1), accumulate);
  put1(c + ldc * 2, f32x4.extract_lane(v, 2), accumulate);
  put1(c + ldc * 3, f32x4.extract_lane(v, 3), accumulate);
}

// R = 1 or 2 (constant) columns at once: each row of A loaded once per step for both, 4 R chains.
@inline function edge_body(c: usize, ldc: usize, accumulate: i32, a: usize, sar: usize, b: usize, ldb: usize, K: i32, R: i32): void {
  const z = f32x4.splat(0);
  const k4 = K & ~3;
  const ldb4 = ldb << 2;
  let s00 = z, s10 = z, s20 = z, s30 = z; // row i, column 0
  let s01 = z, s11 = z, s21 = z, s31 = z;
  let pa = a, pb = b;
  const aend = a + (<usize>k4 << 2);
  while (pa < aend) {
    const x0 = column4(pb, ldb);
    const x1 = R > 1 ? column4(pb + 4, ldb) : z;
    let y = v128.load(pa);
    s00 = madd(y, x0, s00);
    if (R > 1) s01 = madd(y, x1, s01);
    y = v128.load(pa + sar);
    s10 = madd(y, x0, s10);
    if (R > 1) s11 = madd(y, x1, s11);
    y = v128.load(pa + sar * 2);
    s20 = madd(y, x0, s20);
    if (R > 1) s21 = madd(y, x1, s21);
    y = v128.load(pa + sar * 3);
    s30 = madd(y, x0, s30);
    if (R > 1) s31 = madd(y, x1, s31);
    pa += 16;
    pb += ldb4;
  }
  // the four rows' sums of a column in one vector, then the K % 4 last terms, rows as lanes
  let t0 = hsum4(s00, s10, s20, s30);
  let t1 = R > 1 ? hsum4(s01, s11, s21, s31) : z;
  for (let k = k4; k < K; k++) {
    const pk = a + (<usize>k << 2);
    let xa = v128.load32_zero(pk);
    xa = v128.load32_lane(pk + sar, xa, 1);
    xa = v128.load32_lane(pk + sar * 2, xa, 2);
    xa = v128.load32_lane(pk + sar * 3, xa, 3);
    const pbk = b + <usize>k * ldb;
    t0 = f32x4.add(t0, f32x4.mul(xa, v128.load32_splat(pbk)));
    if (R > 1) t1 = f32x4.add(t1, f32x4.mul(xa, v128.load32_splat(pbk, 4)));
  }
  put_column(c, ldc, t0, accumulate);
  if (R > 1) put_column(c + 4, ldc, t1, accumulate);
}

// R = 2 or 3 rows of C by 16 or 8 columns (R constant at the call): 8 or 6 f32x4
// accumulators, each adding its terms in k order as the other tiles do (the same bits in the
// SIMD128 build).
@inline function rows_tile(c: usize, ldc: usize, accumulate: i32, a: usize, sar: usize, sak: usize, b: usize, ldb: usize, K: i32, R: i32): void {
  if (R == 2) rows2(c, ldc, accumulate, a, sar, sak, b, ldb, K);
  else rows3(c, ldc, accumulate, a, sar, sak, b, ldb, K);
}
// Functions of their own, not inlined into gemm_ab: V8 allocates their accumulators without the
// enclosing loops' values competing for registers (inlined, a 1 x 32 tile ran at 0.7x the 1 x 8).
function rows2(c: usize, ldc: usize, accumulate: i32, a: usize, sar: usize, sak: usize, b: usize, ldb: usize, K: i32): void {
  rows_body(c, ldc, accumulate, a, sar, sak, b, ldb, K, 2);
}
function rows3(c: usize, ldc: usize, accumulate: i32, a: usize, sar: usize, sak: usize, b: usize, ldb: usize, K: i32): void {
  rows_body(c, ldc, accumulate, a, sar, sak, b, ldb, K, 3);
}
@inline function rows_body(c: usize, ldc: usize, accumulate: i32, a: usize, sar: usize, sak: usize, b: usize, ldb: usize, K: i32, R: i32): void {
  const z = f32x4.splat(0);
  let s0 = z, s1 = z, s2 = z, s3 = z, s4 = z, s5 = z, s6 = z, s7 = z;
  let pa = a, pb = b;
  const aend = a + <usize>K * sak;
  while (pa < aend) {
    if (R == 2) {
      const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
      const x0 = v128.load32_splat(pa), x1 = v128.load32_splat(pa + sar);
      s0 = madd(x0, b0, s0);
      s1 = madd(x0, b1, s1);
      s2 = madd(x0, b2, s2);
      s3 = madd(x0, b3, s3);
      s4 = madd(x1, b0, s4);
      s5 = madd(x1, b1, s5);
      s6 = madd(x1, b2, s6);
      s7 = madd(x1, b3, s7);
    } else {
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      const x0 = v128.load32_splat(pa), x1 = v128.load32_splat(pa + sar), x2 = v128.load32_splat(pa + sar * 2);
      s0 = madd(x0, b0, s0);
      s1 = madd(x0, b1, s1);
      s2 = madd(x1, b0, s2);
      s3 = madd(x1, b1, s3);
      s4 = madd(x2, b0, s4);
      s5 = madd(x2, b1, s5);
    }
    pb += ldb;
    pa += sak;
  }
  if (R == 2) {
    put(c, s0, accumulate); put(c + 16, s1, accumulate); put(c + 32, s2, accumulate); put(c + 48, s3, accumulate);
    put(c + ldc, s4, accumulate); put(c + ldc + 16, s5, accumulate); put(c + ldc + 32, s6, accumulate); put(c + ldc + 48, s7, accumulate);
  } else {
    put(c, s0, accumulate); put(c + 16, s1, accumulate);
    put(c + ldc, s2, accumulate); put(c + ldc + 16, s3, accumulate);
    put(c + ldc * 2, s4, accumulate); put(c + ldc * 2 + 16, s5, accumulate);
  }
}

// acc + x * y, never fused: row_stream's chains (8 terms per vector of C) are latency-bound, and a
// fused multiply-add (4 cycles) on the chain is slower than a multiply off it and an add (relaxed
// build at 1 x 336 x 168: 0.8x). The same bits as madd in the SIMD128 build.
@inline function mac(x: v128, y: v128, acc: v128): v128 {
  return f32x4.add(acc, f32x4.mul(x, y));
}

// One row's pass over 8 rows of B at b0..b7 with values at pa0..pa7 (row_stream's inner loops).
@inline function row_pass8(
  c: usize, n4: usize, nb: usize, pa0: usize, pa1: usize, pa2: usize, pa3: usize, pa4: usize, pa5: usize, pa6: usize, pa7: usize,
  b0: usize, b1: usize, b2: usize, b3: usize, b4: usize, b5: usize, b6: usize, b7: usize,
): void {
  const x0 = v128.load32_splat(pa0), x1 = v128.load32_splat(pa1), x2 = v128.load32_splat(pa2), x3 = v128.load32_splat(pa3);
  const x4 = v128.load32_splat(pa4), x5 = v128.load32_splat(pa5), x6 = v128.load32_splat(pa6), x7 = v128.load32_splat(pa7);
  let o: usize = 0;
  for (; o < n4; o += 16) {
    let s = v128.load(c + o);
    s = mac(x0, v128.load(b0 + o), s);
    s = mac(x1, v128.load(b1 + o), s);
    s = mac(x2, v128.load(b2 + o), s);
    s = mac(x3, v128.load(b3 + o), s);
    s = mac(x4, v128.load(b4 + o), s);
    s = mac(x5, v128.load(b5 + o), s);
    s = mac(x6, v128.load(b6 + o), s);
    s = mac(x7, v128.load(b7 + o), s);
    v128.store(c + o, s);
  }
  for (; o < nb; o += 4) {
    let s = load<f32>(c + o);
    s += load<f32>(pa0) * load<f32>(b0 + o);
    s += load<f32>(pa1) * load<f32>(b1 + o);
    s += load<f32>(pa2) * load<f32>(b2 + o);
    s += load<f32>(pa3) * load<f32>(b3 + o);
    s += load<f32>(pa4) * load<f32>(b4 + o);
    s += load<f32>(pa5) * load<f32>(b5 + o);
    s += load<f32>(pa6) * load<f32>(b6 + o);
    s += load<f32>(pa7) * load<f32>(b7 + o);
    store<f32>(c + o, s);
  }
}

// The same for one row of B at b0, its value at pa.
@inline function row_pass1(c: usize, n4: usize, nb: usize, pa: usize, b0: usize): void {
  const x = v128.load32_splat(pa);
  let o: usize = 0;
  for (; o < n4; o += 16) v128.store(c + o, mac(x, v128.load(b0 + o), v128.load(c + o)));
  for (; o < nb; o += 4) store<f32>(c + o, load<f32>(c + o) + load<f32>(pa) * load<f32>(b0 + o));
}

// One row of C (M = 1: the batch-1 dense forward; A is then K contiguous floats in nn and tn): B
// streamed in order, 8 rows at a time, each vector of C loaded, given its 8 products and stored:
// the loads walk 8 rows front to back (the hardware prefetcher follows them; 32 columns at a time
// down all of K walked B by strides and waited on the cache) and every vector of C has its own
// chain, so no add waits on the one before it. Each element still adds its terms in k order.
function row_stream(c: usize, a: usize, b: usize, K: i32, N: i32, accumulate: i32, ldb: usize): void {
  const n4 = <usize>(N & ~3) << 2, nb = <usize>N << 2;
  if (!accumulate) memory.fill(c, 0, nb);
  let k = 0;
  for (; k + 8 <= K; k += 8) {
    const pa = a + (<usize>k << 2);
    const b0 = b + <usize>k * ldb;
    row_pass8(c, n4, nb, pa, pa + 4, pa + 8, pa + 12, pa + 16, pa + 20, pa + 24, pa + 28,
      b0, b0 + ldb, b0 + ldb * 2, b0 + ldb * 3, b0 + ldb * 4, b0 + ldb * 5, b0 + ldb * 6, b0 + ldb * 7);
  }
  for (; k < K; k++) {
    row_pass1(c, n4, nb, a + (<usize>k << 2), b + <usize>k * ldb);
  }
}

// B in row_stream's order of reading, for one-row products of a B that does not change (an
// inference model's dense kernel, packed once at load): the 8-row groups of B one after the other,
// and in a group each vector of 4 columns down its 8 rows, 128 contiguous bytes; a last group of
// K % 8 rows the same with fewer. row_stream reads 8 rows 4 * N bytes apart in each pass, and
// its loads each need their own address; here one pointer walks the kernel front to back (the
// same loads, the same arithmetic): 1.25x at 9216 x 128 (66 against 53 us) and 1.18x at the Musk2
// net's shapes (bench/train/gemm-ab.ts --shapes rows). The last vector of a row with N % 4
// columns is padded with zeros, never read into C.
@inline function row_group_bytes(N: i32): usize {
  return <usize>((N + 3) >> 2) << 4; // one row of B in the packed layout
}

/** Bytes of row_pack's layout of a K x N matrix. */
export function row_pack_bytes(K: i32, N: i32): f64 {
  return <f64>K * <f64>row_group_bytes(N);
}

/** bp = B[K,N] in row_stream's order of reading (above). */
export function row_pack(bp: usize, b: usize, K: i32, N: i32): void {
  const ldb = <usize>N << 2, rg = row_group_bytes(N), n4 = N >> 2;
  for (let k0 = 0; k0 < K; k0 += 8) {
    const g = min(8, K - k0);
    const base = bp + <usize>k0 * rg;
    for (let i = 0; i < g; i++) {
      const src = b + <usize>(k0 + i) * ldb;
      let v = 0;
      for (; v < n4; v++) v128.store(base + (<usize>(v * g + i) << 4), v128.load(src + (<usize>v << 4)));
      if (v << 2 < N) {
        const dst = base + (<usize>(v * g + i) << 4);
        v128.store(dst, f32x4.splat(0));
        for (let j = v << 2; j < N; j++) store<f32>(dst + (<usize>(j - (v << 2)) << 2), load<f32>(src + (<usize>j << 2)));
      }
    }
  }
}

// The scalar tail of row_packed: columns [j, j1) of the last, partial vector of a group of g rows
// at p (row i's lanes at p + 16 i), each added in k order as row_stream adds its tail columns.
@inline function row_packed_tail(c: usize, pa: usize, p: usize, g: i32, j: i32, j1: i32): void {
  for (let l = 0; j < j1; j++, l++) {
    let s = load<f32>(c + (<usize>j << 2));
    for (let i = 0; i < g; i++) s += load<f32>(pa + (<usize>i << 2)) * load<f32>(p + (<usize>(4 * i + l) << 2));
    store<f32>(c + (<usize>j << 2), s);
  }
}

/** C[1,N] = A[1,K] @ B[K,N] with B in row_pack's layout (bp): the bits row_stream gives (every
 * element adds its K products in k order, unfused). */
export function row_packed(c: usize, a: usize, bp: usize, K: i32, N: i32): void {
  if (N <= 0) return;
  const rg = row_group_bytes(N);
  const n4 = N & ~3; // columns in whole vectors
  const oe = <usize>n4 << 2;
  memory.fill(c, 0, <usize>N << 2);
  let k = 0;
  for (; k + 8 <= K; k += 8) {
    const pa = a + (<usize>k << 2);
    const x0 = v128.load32_splat(pa), x1 = v128.load32_splat(pa, 4), x2 = v128.load32_splat(pa, 8), x3 = v128.load32_splat(pa, 12);
    const x4 = v128.load32_splat(pa, 16), x5 = v128.load32_splat(pa, 20), x6 = v128.load32_splat(pa, 24), x7 = v128.load32_splat(pa, 28);
    let p = bp + <usize>k * rg;
    for (let o: usize = 0; o < oe; o += 16) {
      let s = v128.load(c + o);
      s = mac(x0, v128.load(p), s);
      s = mac(x1, v128.load(p, 16), s);
      s = mac(x2, v128.load(p, 32), s);
      s = mac(x3, v128.load(p, 48), s);
      s = mac(x4, v128.load(p, 64), s);
      s = mac(x5, v128.load(p, 80), s);
      s = mac(x6, v128.load(p, 96), s);
      s = mac(x7, v128.load(p, 112), s);
      v128.store(c + o, s);
      p += 128;
    }
    if (n4 < N) row_packed_tail(c, pa, p, 8, n4, N);
  }
  if (k < K) {
    // the last group, g < 8 rows: per vector the same k order, one row at a time
    const g = K - k, gs = <usize>g << 4;
    const pa = a + (<usize>k << 2);
    let p = bp + <usize>k * rg;
    for (let o: usize = 0; o < oe; o += 16) {
      let s = v128.load(c + o);
      for (let i = 0; i < g; i++) s = mac(v128.load32_splat(pa + (<usize>i << 2)), v128.load(p + (<usize>i << 4)), s);
      v128.store(c + o, s);
      p += gs;
    }
    if (n4 < N) row_packed_tail(c, pa, p, g, n4, N);
  }
}

/** How many of a[0..K) are not zero (+0 and -0 are zero, NaN is not). */
export function count_nonzero(a: usize, K: i32): i32 {
  const z = f32x4.splat(0);
  let acc = i32x4.splat(0), k = 0;
  for (; k + 4 <= K; k += 4) acc = i32x4.sub(acc, f32x4.ne(v128.load(a + (<usize>k << 2)), z));
  let n = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; k < K; k++) n += i32(load<f32>(a + (<usize>k << 2)) != 0);
  return n;
}

// The set bits of a 4-bit mask m, 2 bits each (the j-th set bit's position at bits 2j..2j+1), in
// byte m of SET_BITS (m < 8: _LO, else _HI): a table in two constants, as kernels keep no data.
const SET_BITS_LO: u64 = 0x2409080204010000;
const SET_BITS_HI: u64 = 0xe439380e340d0c03;

/** rows[0..n) = the k < K with a[k] != 0, in order (+0 and -0 are zero, NaN is not); returns n.
 * rows has room for K. Four at a time without a branch on the data (a ReLU's zeros fall
 * anywhere; a scalar loop was slower). The lanes past a vector's nonzeros are written past the
 * list so far and overwritten by the next. */
export function nonzero_rows(rows: usize, a: usize, K: i32): i32 {
  const z = f32x4.splat(0);
  const field = i32x4(3, 12, 48, 192), up = i32x4(64, 16, 4, 1);
  let kv = i32x4(0, 0, 0, 0);
  let n = 0, k = 0;
  for (; k + 4 <= K; k += 4) {
    const m = i32x4.bitmask(f32x4.ne(v128.load(a + (<usize>k << 2)), z));
    const t = m < 8 ? SET_BITS_LO : SET_BITS_HI;
    const ctl = <i32>(t >> (<u64>(m & 7) << 3)) & 0xff;
    // lane j: bits 2j..2j+1 of ctl, the j-th nonzero's offset in the vector
    const at = i32x4.shr_u(i32x4.mul(v128.and(i32x4.splat(ctl), field), up), 6);
    v128.store(rows + (<usize>n << 2), i32x4.add(kv, at));
    kv = i32x4.add(kv, i32x4.splat(4));
    n += popcnt(m);
  }
  for (; k < K; k++) {
    store<i32>(rows + (<usize>n << 2), k);
    n += i32(load<f32>(a + (<usize>k << 2)) != 0);
  }
  return n;
}

/** C[1,N] = A[1,K] @ B[K,N] (B row-major and finite) over the n rows k = rows[0..n) (nonzero_rows)
 * only: the bits row_stream gives. A skipped term is 0 * b = +-0 (b finite), and an element's sum,
 * which starts at +0 and so is never -0 (x + -x rounds to +0), is unchanged by adding +-0; the
 * other terms are added in the same k order, unfused. */
export function row_sparse(c: usize, a: usize, b: usize, rows: usize, n: i32, N: i32): void {
  if (N <= 0) return;
  const nb = <usize>N << 2, n4 = <usize>(N & ~3) << 2;
  memory.fill(c, 0, nb);
  let r = 0;
  for (; r + 8 <= n; r += 8) {
    const p = rows + (<usize>r << 2);
    const k0 = <usize>load<i32>(p), k1 = <usize>load<i32>(p, 4), k2 = <usize>load<i32>(p, 8), k3 = <usize>load<i32>(p, 12);
    const k4 = <usize>load<i32>(p, 16), k5 = <usize>load<i32>(p, 20), k6 = <usize>load<i32>(p, 24), k7 = <usize>load<i32>(p, 28);
    row_pass8(
      c, n4, nb,
      a + (k0 << 2), a + (k1 << 2), a + (k2 << 2), a + (k3 << 2), a + (k4 << 2), a + (k5 << 2), a + (k6 << 2), a + (k7 << 2),
      b + k0 * nb, b + k1 * nb, b + k2 * nb, b + k3 * nb, b + k4 * nb, b + k5 * nb, b + k6 * nb, b + k7 * nb,
    );
  }
  for (; r < n; r++) {
    const k = <usize>load<i32>(rows + (<usize>r << 2));
    row_pass1(c, n4, nb, a + (k << 2), b + k * nb);
  }
}

// Cache blocking without packing (kernels may not allocate): a 4x8 tile walks a column panel of B
// down kc rows of ldb bytes, so kc is bounded to keep that walk (and the kc x N block of B that
// every row block re-reads) within KSPAN bytes: its pages stay in the TLB and its lines in L2.
// C is re-read once per k block, a few percent at kc >= 32. The Musk2 net's shapes (K, N <= 336)
// are one block; 1024^3 gains about 1.8x.
const KSPAN: usize = 256 * 1024;

// Columns [j0, j1) of C (c and b point at column 0; the whole product is 0, N): the k blocks are
// those of the whole product (kc from the full row of B), so a column range runs the same tiles.
@inline function gemm_ab_blocked(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32, sar: usize, sak: usize, rowtiles: bool, j0: i32, j1: i32): void {
  const n = j1 - j0;
  if (M <= 0 || n <= 0) return;
  const ldb = <usize>N << 2;
  const o = <usize>j0 << 2;
  if (K <= 0) {
    // An empty sum: C = 0, or unchanged when accumulating.
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(c + <usize>i * ldb + o, 0, <usize>n << 2);
    return;
  }
  const kmax = <i32>max<usize>(KSPAN / ldb, 32);
  const nkb = (K + kmax - 1) / kmax;
  const kc = (K + nkb - 1) / nkb; // equal blocks rather than a short last one
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kb = min(kc, K - k0);
    gemm_ab(c + o, a + <usize>k0 * sak, b + <usize>k0 * ldb + o, M, kb, n, k0 > 0 ? 1 : accumulate, sar, sak, ldb, ldb, rowtiles);
  }
}

// Whether the packed kernel (gemm_packed.ts) pays for its packing at this shape (measured by
// bench/train/gemm-speed.ts, docs/design/gemm.md): long rows of B and deep k (512^3 and up: the
// unpacked kernel's column walks down B then cross a page per step and B no longer stays in L2),
// or, in tn, a k stride of A (M floats) of a page or more (the dense kernel gradient of the CNN,
// M = 9216). Below that (the MLPs' products, Winograd's, and nn with N = 128 even at K = 9216) the
// unpacked kernel runs from cache and packing costs more than it saves.
@inline function use_packed(M: i32, K: i32, N: i32, tn: bool): bool {
  if (!packed_ready() || M < 16 || N < 16 || K < 16) return false;
  return (N >= PACK_MIN_NK && K >= PACK_MIN_NK && <i64>K * <i64>N >= PACK_MIN_KN) || (tn && M >= PACK_MIN_TN_M);
}
// row_stream below 16 columns: its per-row tail columns are scalar chains; the 1 x 8 tile wins.
const ROW_STREAM_MIN_N = 16;
// Whether one row of nn or tn goes to row_stream (the first rule of their dispatch).
@inline function one_row(M: i32, N: i32): bool {
  return M == 1 && N >= ROW_STREAM_MIN_N;
}
/** Whether a one-row nn product with N columns goes to row_stream (so row_packed can stand in). */
export function row_streams(N: i32): bool {
  return one_row(1, N);
}
const PACK_MIN_NK = 256;
const PACK_MIN_KN: i64 = 128 * 1024;
const PACK_MIN_TN_M = 1024;

/** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[K,N] */
export function gemm_nn(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  if (one_row(M, N)) row_stream(c, a, b, K, N, accumulate, <usize>N << 2);
  else if (use_packed(M, K, N, false)) gemm_packed(c, a, b, M, K, N, accumulate, <usize>K << 2, 4, <usize>N << 2, 4);
  else gemm_ab_blocked(c, a, b, M, K, N, accumulate, <usize>K << 2, 4, true, 0, N);
}

/** C[M,N] = (accumulate ? C : 0) + A[K,M]^T @ B[K,N] */
export function gemm_tn(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  if (one_row(M, N)) row_stream(c, a, b, K, N, accumulate, <usize>N << 2);
  else if (use_packed(M, K, N, true)) gemm_packed(c, a, b, M, K, N, accumulate, 4, <usize>M << 2, <usize>N << 2, 4);
  else gemm_ab_blocked(c, a, b, M, K, N, accumulate, 4, <usize>M << 2, true, 0, N);
}

/** Columns [j0, j1) of C[M,N] = A[M,K] @ B[K,N] (c and b point at column 0), each with the bits
 * gemm_nn gives it, so threads can compute disjoint column ranges of one product. Where gemm_nn
 * does not take the packed path (gemm_nn_packs 0), with j0 a multiple of 16 and j1 one too or N,
 * and at least 16 columns: one row is row_stream's k-order sum per column, whatever the width;
 * more rows run the k blocks of the whole product (its kc, from the full row of B) over the same
 * tile grid (4 x 8 tiles from j0, the 2 x 16 and 3 x 8 row tiles of the last M % 4 rows from j0,
 * the narrow edges only at N). */
export function gemm_nn_cols(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, j0: i32, j1: i32): void {
  if (one_row(M, N)) row_stream(c + (<usize>j0 << 2), a, b + (<usize>j0 << 2), K, j1 - j0, 0, <usize>N << 2);
  else gemm_ab_blocked(c, a, b, M, K, N, 0, <usize>K << 2, 4, true, j0, j1);
}

/** Whether gemm_nn takes the packed path at this shape (1) or not (0): the dispatch rule above,
 * for callers that cut a product into row ranges and must keep each row on the path it takes whole. */
export function gemm_nn_packs(M: i32, K: i32, N: i32): i32 {
  return !one_row(M, N) && use_packed(M, K, N, false) ? 1 : 0;
}

// The register-blocked kernel alone, as it was before the packed path and the row tiles: kept
// callable for the A/B of bench/train/gemm-speed.ts and the tests.
/** gemm_nn without the packed path or the row tiles. */
export function gemm_nn_simple(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  gemm_ab_blocked(c, a, b, M, K, N, accumulate, <usize>K << 2, 4, false, 0, N);
}

/** gemm_tn without the packed path or the row tiles. */
export function gemm_tn_simple(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  gemm_ab_blocked(c, a, b, M, K, N, accumulate, 4, <usize>M << 2, false, 0, N);
}

// [sum(x0), sum(x1), sum(x2), sum(x3)]: a transpose folded into the adds.
@inline function hsum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const s01 = f32x4.add(f32x4.shuffle(x0, x1, 0, 4, 1, 5), f32x4.shuffle(x0, x1, 2, 6, 3, 7));
  const s23 = f32x4.add(f32x4.shuffle(x2, x3, 0, 4, 1, 5), f32x4.shuffle(x2, x3, 2, 6, 3, 7));
  return f32x4.add(f32x4.shuffle(s01, s23, 0, 1, 4, 5), f32x4.shuffle(s01, s23, 2, 3, 6, 7));
}

// dot(x[K], y[K])
@inline function dot(x: usize, y: usize, K: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let k = 0;
  for (; k + 8 <= K; k += 8) {
    const o = <usize>k << 2;
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
    s1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), s1);
  }
  for (; k + 4 <= K; k += 4) {
    const o = <usize>k << 2;
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
  }
  // The lanes summed as (0 + 2) + (1 + 3), not in lane order as tile.ts's hsum: the order dot has
  // always had, so that gemm_nt's edge rows and columns keep their bits.
  const h = f32x4.add(s0, s1);
  const q = f32x4.add(h, f32x4.shuffle(h, h, 2, 3, 0, 1));
  let s = f32x4.extract_lane(q, 0) + f32x4.extract_lane(q, 1);
  for (; k < K; k++) s += load<f32>(x + (<usize>k << 2)) * load<f32>(y + (<usize>k << 2));
  return s;
}

// [B[0,k], B[1,k], B[2,k], B[3,k]] for the four rows of B at p (row stride lda), o = 4k bytes.
@inline function quad_col(p: usize, lda: usize, o: usize): v128 {
  let y = v128.load32_splat(p + o);
  y = f32x4.replace_lane(y, 1, load<f32>(p + lda + o));
  y = f32x4.replace_lane(y, 2, load<f32>(p + lda * 2 + o));
  return f32x4.replace_lane(y, 3, load<f32>(p + lda * 3 + o));
}

// nt on a k block of K columns of the row-major A[M,lda] and B[N,lda]. Column quads of C are the
// outer loop, so the four B rows of a quad stay in L1 while every row pair of A streams past (A is
// the smaller operand here: a batch of rows); a 2x4 tile keeps eight dot-product accumulators.
@inline function gemm_nt_block(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32, lda: usize, ldc: usize): void {
  const span = <usize>(K & ~3) << 2;
  const lda2 = lda * 2, lda3 = lda * 3;
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    const bj = b + <usize>j * lda;
    const cj = c + (<usize>j << 2);
    if (K < 4) {
      // No full f32x4 along k (the 2-class output layer's dinp): gather the quad's k columns once,
      // then each row of C is K broadcasts against them.
      // (only the k < K columns are read: nothing past the end of B)
      const z = f32x4.splat(0);
      const y0 = K > 0 ? quad_col(bj, lda, 0) : z;
      const y1 = K > 1 ? quad_col(bj, lda, 4) : z;
      const y2 = K > 2 ? quad_col(bj, lda, 8) : z;
      for (let i = 0; i < M; i++) {
        const ai = a + <usize>i * lda;
        let r = f32x4.splat(0);
        if (K > 0) r = f32x4.mul(v128.load32_splat(ai), y0);
        if (K > 1) r = madd(v128.load32_splat(ai, 4), y1, r);
        if (K > 2) r = madd(v128.load32_splat(ai, 8), y2, r);
        put(cj + <usize>i * ldc, r, accumulate);
      }
      continue;
    }
    let i = 0;
    for (; i + 2 <= M; i += 2) {
      const ai = a + <usize>i * lda;
      const aend = ai + span;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      let pa = ai, pb = bj;
      while (pa < aend) {
        const x0 = v128.load(pa), x1 = v128.load(pa + lda);
        const y0 = v128.load(pb);
        s00 = madd(x0, y0, s00);
        s10 = madd(x1, y0, s10);
        const y1 = v128.load(pb + lda);
        s01 = madd(x0, y1, s01);
        s11 = madd(x1, y1, s11);
        const y2 = v128.load(pb + lda2);
        s02 = madd(x0, y2, s02);
        s12 = madd(x1, y2, s12);
        const y3 = v128.load(pb + lda3);
        s03 = madd(x0, y3, s03);
        s13 = madd(x1, y3, s13);
        pa += 16;
        pb += 16;
      }
      let r0 = hsum4(s00, s01, s02, s03);
      let r1 = hsum4(s10, s11, s12, s13);
      // The last K % 4 products: column k of the four B rows as one vector.
      for (let o = span; o < (<usize>K << 2); o += 4) {
        const y = quad_col(bj, lda, o);
        r0 = madd(v128.load32_splat(ai + o), y, r0);
        r1 = madd(v128.load32_splat(ai + lda + o), y, r1);
      }
      const ci = cj + <usize>i * ldc;
      put(ci, r0, accumulate);
      put(ci + ldc, r1, accumulate);
    }
    if (i < M) {
      const ai = a + <usize>i * lda;
      const ci = cj + <usize>i * ldc;
      for (let q = 0; q < 4; q++) put1(ci + (<usize>q << 2), dot(ai, bj + <usize>q * lda, K), accumulate);
    }
  }
  for (; j < N; j++) {
    const bj = b + <usize>j * lda;
    for (let i = 0; i < M; i++) {
      put1(c + <usize>i * ldc + (<usize>j << 2), dot(a + <usize>i * lda, bj, K), accumulate);
    }
  }
}

/** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[N,K]^T */
export function gemm_nt(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  if (use_packed(M, K, N, false)) gemm_packed(c, a, b, M, K, N, accumulate, <usize>K << 2, 4, 4, <usize>K << 2);
  else gemm_nt_simple(c, a, b, M, K, N, accumulate);
}

/** gemm_nt without the packed path. */
export function gemm_nt_simple(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  if (M <= 0 || N <= 0) return;
  const lda = <usize>K << 2;
  const ldc = <usize>N << 2;
  // k blocks (multiples of 4) keep the M x kc block of A, re-read for every column quad, in L2.
  const kmax = <i32>(max<usize>(KSPAN / (<usize>M << 2), 64) & ~3);
  const nkb = max((K + kmax - 1) / kmax, 1);
  const kc = (((K + nkb - 1) / nkb) + 3) & ~3;
  let k0 = 0;
  do {
    const kb = min(kc, K - k0);
    gemm_nt_block(c, a + (<usize>k0 << 2), b + (<usize>k0 << 2), M, kb, N, k0 > 0 ? 1 : accumulate, lda, ldc);
    k0 += kc;
  } while (k0 < K);
}
