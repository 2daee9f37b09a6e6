// Winograd F(6x6, 3x3) for the inference forward pass of conv.ts (conv2d_forward with infer = 1):
// a 6x6 output tile from an 8x8 input tile costs 64 multiplies per (c, oc) where F(4x4, 3x3)
// (winograd.ts, which training keeps, forward and backward) costs 36 per 4x4 tile: 1.78 against
// 2.25 per output, so the 64 GEMMs per chunk do 21% less work. The price is rounding: points
// 0, +-1, +-2, +-1/2 and infinity put factors up to 21/4 and 32 in the transforms: against the
// exact convolution the largest error is 9e-6 of the largest output at the Table 6 CNN's conv2
// (F(4x4, 3x3): 4e-6) and 1.7e-5 at C = 128 (7e-6) (test/assembly/conv2d-winograd6.test.ts). Same shapes, NHWC, C and OC
// multiples of 4, as the F(4x4, 3x3) path, and the same fused ReLU and 2x2 max pool.
//   B^T = [1 0 -21/4 0 21/4 0 -1 0; 0 1 1 -17/4 -17/4 1 1 0; 0 -1 1 17/4 -17/4 -1 1 0;
//          0 1/2 1/4 -5/2 -5/4 2 1 0; 0 -1/2 1/4 5/2 -5/4 -2 1 0; 0 2 4 -5/2 -5 1/2 1 0;
//          0 -2 4 5/2 -5 -1/2 1 0; 0 -1 0 21/4 0 -21/4 0 1]
//   G = [1 0 0; -2/9 -2/9 -2/9; -2/9 2/9 -2/9; 1/90 1/45 2/45; 1/90 -1/45 2/45;
//        32/45 16/45 8/45; 32/45 -16/45 8/45; 0 0 1]
//   A^T = [1 1 1 1 1 1 1 0; 0 1 -1 2 -2 1/2 -1/2 0; 0 1 1 4 4 1/4 1/4 0; 0 1 -1 8 -8 1/8 -1/8 0;
//          0 1 1 16 16 1/16 1/16 0; 0 1 -1 32 -32 1/32 -1/32 1]
import { gemm_nn, gemm_nn_packs } from "./gemm";
import { kernel_kept, kernel_tag, kernel_untag, ld, plane_bytes, pool_window, row_or_zero, sp, TMP_BYTES, u_at } from "./winograd";

const WT6: i32 = 32; // tiles per chunk
const TAG6: u32 = 0x36494e57; // "WIN6"
const TMP6_BYTES: usize = 2048; // 64 + 8 vectors, after M

/** Scratch floats of this path: the shared temp and tag slot (winograd.ts), the kernel copy, U
 * (64 planes of C*OC + 16), and per chunk V (64 planes of WT6*C + 16) and M (64 of WT6*OC + 16),
 * then its own temp. */
@inline export function wino6_scratch_floats(C: i32, OC: i32): f64 {
  return <f64>((TMP_BYTES + 16 + TMP6_BYTES) >> 2) + 9 * <f64>C * <f64>OC + 64 * (<f64>C * <f64>OC + 16) + 64 * (<f64>WT6 * <f64>(C + OC) + 32);
}

// o = G g (3 -> 8)
@inline function g8(g0: v128, g1: v128, g2: v128, dst: usize, st: usize): void {
  const s = f32x4.add(g0, g2);
  const a = f32x4.add(f32x4.mul(sp(<f32>1 / 90), g0), f32x4.mul(sp(<f32>2 / 45), g2)), b = f32x4.mul(sp(<f32>1 / 45), g1);
  const c = f32x4.add(f32x4.mul(sp(<f32>32 / 45), g0), f32x4.mul(sp(<f32>8 / 45), g2)), d = f32x4.mul(sp(<f32>16 / 45), g1);
  v128.store(dst, g0);
  v128.store(dst + st, f32x4.mul(sp(<f32>-2 / 9), f32x4.add(s, g1)));
  v128.store(dst + 2 * st, f32x4.mul(sp(<f32>-2 / 9), f32x4.sub(s, g1)));
  v128.store(dst + 3 * st, f32x4.add(a, b));
  v128.store(dst + 4 * st, f32x4.sub(a, b));
  v128.store(dst + 5 * st, f32x4.add(c, d));
  v128.store(dst + 6 * st, f32x4.sub(c, d));
  v128.store(dst + 7 * st, g2);
}

// o = B^T d (8 -> 8), stored at dst + k*st
@inline function bt8(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, d6: v128, d7: v128, dst: usize, st: usize): void {
  const e = f32x4.sub(f32x4.add(d2, d6), f32x4.mul(sp(4.25), d4));
  const f = f32x4.sub(f32x4.add(d1, d5), f32x4.mul(sp(4.25), d3));
  const g = f32x4.add(f32x4.sub(f32x4.mul(sp(0.25), d2), f32x4.mul(sp(1.25), d4)), d6);
  const h = f32x4.add(f32x4.sub(f32x4.mul(sp(0.5), d1), f32x4.mul(sp(2.5), d3)), f32x4.mul(sp(2), d5));
  const i = f32x4.add(f32x4.sub(f32x4.mul(sp(4), d2), f32x4.mul(sp(5), d4)), d6);
  const j = f32x4.add(f32x4.sub(f32x4.mul(sp(2), d1), f32x4.mul(sp(2.5), d3)), f32x4.mul(sp(0.5), d5));
  v128.store(dst, f32x4.add(f32x4.sub(d0, d6), f32x4.mul(sp(5.25), f32x4.sub(d4, d2))));
  v128.store(dst + st, f32x4.add(e, f));
  v128.store(dst + 2 * st, f32x4.sub(e, f));
  v128.store(dst + 3 * st, f32x4.add(g, h));
  v128.store(dst + 4 * st, f32x4.sub(g, h));
  v128.store(dst + 5 * st, f32x4.add(i, j));
  v128.store(dst + 6 * st, f32x4.sub(i, j));
  v128.store(dst + 7 * st, f32x4.add(f32x4.sub(d7, d1), f32x4.mul(sp(5.25), f32x4.sub(d3, d5))));
}

// y = A^T m (8 -> 6), stored at dst + k*st; final (an output row): plus bv, then max(0, .) when relu
@inline function at8(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, m6: v128, m7: v128, dst: usize, st: usize, bv: v128, final: bool, relu: bool): void {
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  const s56 = f32x4.add(m5, m6), d56 = f32x4.sub(m5, m6);
  let y0 = f32x4.add(f32x4.add(f32x4.add(m0, s12), s34), s56);
  let y1 = f32x4.add(f32x4.add(d12, f32x4.mul(sp(2), d34)), f32x4.mul(sp(0.5), d56));
  let y2 = f32x4.add(f32x4.add(s12, f32x4.mul(sp(4), s34)), f32x4.mul(sp(0.25), s56));
  let y3 = f32x4.add(f32x4.add(d12, f32x4.mul(sp(8), d34)), f32x4.mul(sp(0.125), d56));
  let y4 = f32x4.add(f32x4.add(s12, f32x4.mul(sp(16), s34)), f32x4.mul(sp(0.0625), s56));
  let y5 = f32x4.add(f32x4.add(f32x4.add(d12, f32x4.mul(sp(32), d34)), f32x4.mul(sp(0.03125), d56)), m7);
  if (final) {
    const z = f32x4.splat(0);
    y0 = f32x4.add(bv, y0); y1 = f32x4.add(bv, y1); y2 = f32x4.add(bv, y2);
    y3 = f32x4.add(bv, y3); y4 = f32x4.add(bv, y4); y5 = f32x4.add(bv, y5);
    if (relu) {
      y0 = f32x4.pmax(z, y0); y1 = f32x4.pmax(z, y1); y2 = f32x4.pmax(z, y2);
      y3 = f32x4.pmax(z, y3); y4 = f32x4.pmax(z, y4); y5 = f32x4.pmax(z, y5);
    }
  }
  v128.store(dst, y0);
  v128.store(dst + st, y1);
  v128.store(dst + 2 * st, y2);
  v128.store(dst + 3 * st, y3);
  v128.store(dst + 4 * st, y4);
  v128.store(dst + 5 * st, y5);
}

// U[xi][c][oc] = (G g G^T)[xi] for g = kernel[:, :, c, oc]; the planes U[xi] are up bytes apart.
function wino6_kernel(U: usize, up: usize, kernel: usize, C: i32, OC: i32, tmp: usize): void {
  const plane: usize = <usize>C * <usize>OC << 2;
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < OC; o += 4) {
      const off: usize = (<usize>c * <usize>OC + <usize>o) << 2;
      for (let j = 0; j < 3; j++) {
        // column j of g -> tmp[a*3 + j]
        g8(v128.load(kernel + <usize>j * plane + off), v128.load(kernel + <usize>(3 + j) * plane + off),
          v128.load(kernel + <usize>(6 + j) * plane + off), tmp + (<usize>j << 4), 48);
      }
      for (let a = 0; a < 8; a++) {
        g8(ld(tmp, 3 * a), ld(tmp, 3 * a + 1), ld(tmp, 3 * a + 2), U + <usize>(8 * a) * up + off, up);
      }
    }
  }
}

// V[xi][t - t0][c] = (B^T d B)[xi] for the 8x8 input tile of each tile t in [t0, t1).
function wino6_input(V: usize, plane: usize, x: usize, t0: i32, t1: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, pt: i32, pl: i32, tmp: usize): void {
  const rs: usize = <usize>W * <usize>C << 2;
  for (let t = t0; t < t1; t++) {
    const b = t / (TH * TW), r = t % (TH * TW);
    const h0 = (r / TW) * 6 - pt, w0 = (r % TW) * 6 - pl;
    const inside = h0 >= 0 && h0 + 8 <= H && w0 >= 0 && w0 + 8 <= W;
    const img = x + (<usize>b * <usize>H * <usize>W * <usize>C << 2);
    const vt = V + (<usize>(t - t0) * <usize>C << 2);
    for (let c = 0; c < C; c += 4) {
      for (let s = 0; s < 8; s++) {
        // column s of the tile -> tmp[a*8 + s]
        const w = w0 + s;
        if (inside) {
          const p = img + ((<usize>(h0 * W + w) * <usize>C + <usize>c) << 2);
          bt8(v128.load(p), v128.load(p + rs), v128.load(p + 2 * rs), v128.load(p + 3 * rs), v128.load(p + 4 * rs),
            v128.load(p + 5 * rs), v128.load(p + 6 * rs), v128.load(p + 7 * rs), tmp + (<usize>s << 4), 128);
        } else {
          const p = w >= 0 && w < W ? img + ((<usize>w * <usize>C + <usize>c) << 2) : 0;
          bt8(row_or_zero(p, h0, H, rs), row_or_zero(p, h0 + 1, H, rs), row_or_zero(p, h0 + 2, H, rs), row_or_zero(p, h0 + 3, H, rs),
            row_or_zero(p, h0 + 4, H, rs), row_or_zero(p, h0 + 5, H, rs), row_or_zero(p, h0 + 6, H, rs), row_or_zero(p, h0 + 7, H, rs),
            tmp + (<usize>s << 4), 128);
        }
      }
      const vo = vt + (<usize>c << 2);
      for (let a = 0; a < 8; a++) {
        const q = 8 * a;
        bt8(ld(tmp, q), ld(tmp, q + 1), ld(tmp, q + 2), ld(tmp, q + 3), ld(tmp, q + 4), ld(tmp, q + 5), ld(tmp, q + 6), ld(tmp, q + 7),
          vo + <usize>q * plane, plane);
      }
    }
  }
}

// out[b, oh, ow, :] = bias + (A^T M A) for each tile t in [t0, t1), max(0, .) of it when relu;
// outputs past OH/OW dropped. pool: out is the 2x2 max pool of that output, [B, OH/2, OW/2, OC],
// each window folded as maxpool2d_forward folds it (pmax in row-major order).
function wino6_output(out: usize, M: usize, plane: usize, bias: usize, t0: i32, t1: i32, OH: i32, OW: i32, OC: i32, TH: i32, TW: i32, tmp: usize, relu: bool, pool: bool): void {
  if (pool) {
    if (relu) wino6_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, true, true);
    else wino6_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, false, true);
  } else if (relu) wino6_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, true, false);
  else wino6_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, false, false);
}

@inline function wino6_output_as(out: usize, M: usize, plane: usize, bias: usize, t0: i32, t1: i32, OH: i32, OW: i32, OC: i32, TH: i32, TW: i32, tmp: usize, relu: bool, pool: bool): void {
  const tmp2 = tmp + 64 * 16; // one tile row of 6 vectors (two when pooling)
  const z = f32x4.splat(0);
  const cs: usize = <usize>OC << 2;
  const POH = OH >> 1, POW = OW >> 1;
  for (let t = t0; t < t1; t++) {
    const b = t / (TH * TW), r = t % (TH * TW);
    const oh = (r / TW) * 6, ow = (r % TW) * 6;
    const mt = M + (<usize>(t - t0) * <usize>OC << 2);
    const img = pool ? out + (<usize>b * <usize>POH * <usize>POW * <usize>OC << 2) : out + (<usize>b * <usize>OH * <usize>OW * <usize>OC << 2);
    const ns = min(6, OW - ow), nr = min(6, OH - oh);
    for (let o = 0; o < OC; o += 4) {
      const mo = mt + (<usize>o << 2);
      for (let bb = 0; bb < 8; bb++) {
        // column bb of M -> tmp[r*8 + bb]
        const m = mo + <usize>bb * plane;
        at8(v128.load(m), v128.load(m + 8 * plane), v128.load(m + 16 * plane), v128.load(m + 24 * plane),
          v128.load(m + 32 * plane), v128.load(m + 40 * plane), v128.load(m + 48 * plane), v128.load(m + 56 * plane),
          tmp + (<usize>bb << 4), 128, z, false, false);
      }
      const bv = bias ? v128.load(bias + (<usize>o << 2)) : z;
      if (pool) {
        for (let q = 0; q < 3; q++) {
          const ph = (oh >> 1) + q;
          if (ph >= POH) break;
          const r0 = 16 * q, r1 = r0 + 8;
          at8(ld(tmp, r0), ld(tmp, r0 + 1), ld(tmp, r0 + 2), ld(tmp, r0 + 3), ld(tmp, r0 + 4), ld(tmp, r0 + 5), ld(tmp, r0 + 6), ld(tmp, r0 + 7),
            tmp2, 16, bv, true, relu);
          at8(ld(tmp, r1), ld(tmp, r1 + 1), ld(tmp, r1 + 2), ld(tmp, r1 + 3), ld(tmp, r1 + 4), ld(tmp, r1 + 5), ld(tmp, r1 + 6), ld(tmp, r1 + 7),
            tmp2 + 96, 16, bv, true, relu);
          for (let w = 0; w < 3; w++) {
            const pw = (ow >> 1) + w;
            if (pw >= POW) break;
            v128.store(img + ((<usize>(ph * POW + pw) * <usize>OC + <usize>o) << 2), pool_window(tmp2, w, 6));
          }
        }
        continue;
      }
      for (let rr = 0; rr < nr; rr++) {
        const p = img + ((<usize>((oh + rr) * OW + ow) * <usize>OC + <usize>o) << 2);
        const q = 8 * rr;
        if (ns == 6) {
          at8(ld(tmp, q), ld(tmp, q + 1), ld(tmp, q + 2), ld(tmp, q + 3), ld(tmp, q + 4), ld(tmp, q + 5), ld(tmp, q + 6), ld(tmp, q + 7),
            p, cs, bv, true, relu);
        } else {
          at8(ld(tmp, q), ld(tmp, q + 1), ld(tmp, q + 2), ld(tmp, q + 3), ld(tmp, q + 4), ld(tmp, q + 5), ld(tmp, q + 6), ld(tmp, q + 7),
            tmp2, 16, bv, true, relu);
          for (let s = 0; s < ns; s++) v128.store(p + <usize>s * cs, ld(tmp2, s));
        }
      }
    }
  }
}

/** The F(6x6, 3x3) forward: as winograd.ts's wino_forward (keep, relu, pool alike). */
export function wino6_forward(out: usize, inp: usize, kernel: usize, bias: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, same: i32, relu: bool, keep: i32, pool: bool): void {
  wino6_forward_tiles(out, inp, kernel, bias, scratch, B, H, W, C, OC, same, relu, keep, pool, 0, wino6_tiles(B, H, W, same));
}

/** Output tiles of the F(6x6, 3x3) forward: 6 x 6 each, over B images. */
export function wino6_tiles(B: i32, H: i32, W: i32, same: i32): i32 {
  const OH = same ? H : H - 2, OW = same ? W : W - 2;
  return B * ((OH + 5) / 6) * ((OW + 5) / 6);
}

/** Whether tile ranges cut at multiples of 4 give every output the bits of the whole call: each
 * chunk's product runs unpacked (a 4-row block is then computed alone, whatever the rows around
 * it; the packed path's blocks depend on M). Chunks start at multiples of WT6, itself one of 4. */
export function wino6_cuts_exact(B: i32, H: i32, W: i32, C: i32, OC: i32, same: i32): bool {
  return gemm_nn_packs(min(WT6, wino6_tiles(B, H, W, same)), C, OC) == 0;
}

/** The tiles [ta, tb) of wino6_forward, in the chunks the whole call has (the WT6 grid) cut to
 * the range: with ta and tb multiples of 4 (or tb the last tile) and wino6_cuts_exact, each
 * output gets the bits of the whole call, so threads can compute disjoint tile ranges of it. */
export function wino6_forward_tiles(out: usize, inp: usize, kernel: usize, bias: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, same: i32, relu: bool, keep: i32, pool: bool, ta: i32, tb: i32): void {
  const OH = same ? H : H - 2, OW = same ? W : W - 2;
  const p = same ? 1 : 0;
  const TH = (OH + 5) / 6, TW = (OW + 5) / 6;
  const up = plane_bytes(C, OC);
  const U = u_at(scratch, C, OC);
  const V = U + 64 * up;
  const M = V + 64 * plane_bytes(WT6, C);
  const tmp = M + 64 * plane_bytes(WT6, OC);
  if (!keep || !kernel_kept(scratch, kernel, C, OC, TAG6, keep)) {
    kernel_untag(scratch);
    wino6_kernel(U, up, kernel, C, OC, tmp);
    kernel_tag(scratch, kernel, C, OC, TAG6);
  }
  for (let t0 = ta; t0 < tb; t0 = (t0 / WT6 + 1) * WT6) {
    const t1 = min((t0 / WT6 + 1) * WT6, tb), n = t1 - t0;
    const pv = plane_bytes(n, C), pm = plane_bytes(n, OC);
    wino6_input(V, pv, inp, t0, t1, H, W, C, TH, TW, p, p, tmp);
    for (let xi = 0; xi < 64; xi++) {
      gemm_nn(M + <usize>xi * pm, V + <usize>xi * pv, U + <usize>xi * up, n, C, OC, 0);
    }
    wino6_output(out, M, pm, bias, t0, t1, OH, OW, OC, TH, TW, tmp, relu, pool);
  }
}
