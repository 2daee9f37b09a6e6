// Row-major f32 matrix products, the hot path of the dense layers.
//
// nn and tn share one register-blocked kernel: 4x8 tiles of C (tile.ts, the same routine as the
// direct convolution's) in eight f32x4 accumulators, no horizontal sums and no packing (kernels
// never allocate). nn and tn differ only in how A is walked (row stride K and k stride 1, or row
// stride 1 and k stride M).
// nt is a product of rows with rows: dot products along k, four per f32x4, reduced at the end.
import { madd, put, put1, tile } from "./tile";

// The 4 lanes of v into a column of C: p, p + ldc, p + 2 ldc, p + 3 ldc.
@inline function put_col(p: usize, ldc: usize, v: v128, accumulate: i32): void {
  put1(p, f32x4.extract_lane(v, 0), accumulate);
  put1(p + ldc, f32x4.extract_lane(v, 1), accumulate);
  put1(p + ldc * 2, f32x4.extract_lane(v, 2), accumulate);
  put1(p + ldc * 3, f32x4.extract_lane(v, 3), accumulate);
}

// C[M,N] (+)= A @ B[K,N], A element (i, k) at a + i*sar + k*sak (bytes). The narrow edges (1 to 3
// columns, 1 to 3 rows) keep the same end-pointer k loop as the tile.
@inline function gemm_ab(
  c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32, sar: usize, sak: usize, ldb: usize, ldc: usize,
): void {
  const sar2 = sar * 2, sar3 = sar * 3;
  const kspan = <usize>K * sak;
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const ai = a + <usize>i * sar;
    const aend = ai + kspan;
    const c0 = c + <usize>i * ldc;
    let j = 0;
    for (; j + 8 <= N; j += 8) tile(c0 + (<usize>j << 2), ldc, accumulate, false, z, z, ai, sar, sak, 0, b + (<usize>j << 2), ldb, 0, K, 1, 4, 8, false);
    for (; j + 4 <= N; j += 4) tile(c0 + (<usize>j << 2), ldc, accumulate, false, z, z, ai, sar, sak, 0, b + (<usize>j << 2), ldb, 0, K, 1, 4, 4, false);
    // 1 to 3 columns left (the 2-class output layer): the tile's 4 A values form one vector
    // (one load in tn, a gather in nn) shared by the remaining columns.
    const r = N - j;
    if (r > 0) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
      let pb = b + (<usize>j << 2);
      let pa = ai;
      while (pa < aend) {
        let x: v128;
        if (sar == 4) {
          x = v128.load(pa);
        } else {
          x = v128.load32_splat(pa);
          x = f32x4.replace_lane(x, 1, load<f32>(pa + sar));
          x = f32x4.replace_lane(x, 2, load<f32>(pa + sar2));
          x = f32x4.replace_lane(x, 3, load<f32>(pa + sar3));
        }
        s0 = madd(x, v128.load32_splat(pb), s0);
        if (r > 1) s1 = madd(x, v128.load32_splat(pb, 4), s1);
        if (r > 2) s2 = madd(x, v128.load32_splat(pb, 8), s2);
        pb += ldb;
        pa += sak;
      }
      const o = <usize>j << 2;
      put_col(c0 + o, ldc, s0, accumulate);
      if (r > 1) put_col(c0 + o + 4, ldc, s1, accumulate);
      if (r > 2) put_col(c0 + o + 8, ldc, s2, accumulate);
    }
  }
  // Up to 3 rows left: one row at a time.
  for (; i < M; i++) {
    const ai = a + <usize>i * sar;
    const aend = ai + kspan;
    const c0 = c + <usize>i * ldc;
    let j = 0;
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

// Cache blocking without packing (kernels may not allocate): a 4x8 tile walks a column panel of B
// down kc rows of ldb bytes, so kc is bounded to keep that walk (and the kc x N block of B that
// every row block re-reads) within KSPAN bytes: its pages stay in the TLB and its lines in L2.
// C is re-read once per k block, a few percent at kc >= 32. The Musk2 net's shapes (K, N <= 336)
// are one block; 1024^3 gains about 1.8x.
const KSPAN: usize = 256 * 1024;

@inline function gemm_ab_blocked(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32, sar: usize, sak: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    // An empty sum: C = 0, or unchanged when accumulating.
    if (!accumulate) memory.fill(c, 0, (<usize>M * <usize>N) << 2);
    return;
  }
  const ldb = <usize>N << 2;
  const kmax = <i32>max<usize>(KSPAN / ldb, 32);
  const nkb = (K + kmax - 1) / kmax;
  const kc = (K + nkb - 1) / nkb; // equal blocks rather than a short last one
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kb = min(kc, K - k0);
    gemm_ab(c, a + <usize>k0 * sak, b + <usize>k0 * ldb, M, kb, N, k0 > 0 ? 1 : accumulate, sar, sak, ldb, ldb);
  }
}

/** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[K,N] */
export function gemm_nn(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  gemm_ab_blocked(c, a, b, M, K, N, accumulate, <usize>K << 2, 4);
}

/** C[M,N] = (accumulate ? C : 0) + A[K,M]^T @ B[K,N] */
export function gemm_tn(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, accumulate: i32): void {
  gemm_ab_blocked(c, a, b, M, K, N, accumulate, 4, <usize>M << 2);
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
