// Winograd F(4x4, 3x3) convolution for conv.ts: 3x3 kernels, stride 1, NHWC, C and OC multiples
// of 4. Shapes and padding as conv2d_forward / conv2d_backward, which call in here.
import { gemm_nn, gemm_tn } from "./gemm";

// ---------------------------------------------------------------------------------------------
// Winograd F(4x4, 3x3) for 3x3 kernels (Lavin & Gray 2015): a 4x4 output tile costs 36
// multiplies per (c, oc) instead of 144. With V = B^T d B (6x6 input tile), U = G g G^T (kernel),
// M[xi] = sum_c V[xi, c] U[xi, c, :] (36 GEMMs, gemm.ts) and y = A^T M A. The backward pass uses
// the same tiles: dM = A dy A^T, dU[xi] += V[xi]^T dM[xi], dV[xi] = dM[xi] U[xi]^T,
// dx += B dV B^T, dkernel += G^T dU G. Transforms are f32x4 over channels (NHWC keeps channels
// contiguous), so this path needs C % 4 == 0 and OC % 4 == 0; tiles are processed WT at a time so
// the transformed data stays in L2. Partial tiles at the bottom/right and the "same" padding read
// zeros and drop what falls outside. Points 0, +-1, +-2, infinity:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]

const WT: i32 = 32; // tiles per chunk
export const TMP_BYTES: usize = 1024; // 36 + 6 vectors of transform temp at the start of scratch
// After the temp: a 16-byte tag and a copy of the kernel that U was computed from (see wino_u)
const TAG: u32 = 0x57494e4f; // "WINO"

@inline export function use_winograd(KH: i32, KW: i32, C: i32, OC: i32): bool {
  return KH == 3 && KW == 3 && C >= 4 && (C & 3) == 0 && (OC & 3) == 0;
}

/** Bytes between the 36 planes of a chunk of n tiles with `ch` channels: one cache line more than
 * the data, so that the planes do not all map to the same L1 sets (a 4 KiB multiple did, 15% slower). */
@inline export function plane_bytes(n: i32, ch: i32): usize {
  return (<usize>n * <usize>ch + 16) << 2;
}

/** Scratch floats of the Winograd path: the temp, the tag (4) and kernel copy (9*C*OC), U, Ut, dU
 * (36 planes of C*OC + 16 each), and per chunk V and dV (36 planes of WT*C + 16 each) and M (36
 * planes of WT*OC + 16). */
@inline export function wino_scratch_floats(C: i32, OC: i32): f64 {
  return <f64>(TMP_BYTES >> 2) + 4 + 9 * <f64>C * <f64>OC + 3 * 36 * (<f64>C * <f64>OC + 16) + 36 * (<f64>WT * <f64>(2 * C + OC) + 48);
}

/** Where U starts in the scratch: after the temp, the tag and the kernel copy. */
@inline export function u_at(scratch: usize, C: i32, OC: i32): usize {
  return scratch + TMP_BYTES + 16 + (<usize>(9 * C * OC) << 2);
}

// The tag slot at scratch + TMP_BYTES, shared by every transformed kernel a scratch can hold
// (F(4x4, 3x3)'s here, F(6x6, 3x3)'s in winograd6.ts): tag value, C, OC, the kernel's address,
// then the kernel's bits. Both kinds of U start at u_at, so whichever transform ran last owns the
// tag and the other sees a mismatch and transforms again.

/** Whether the scratch holds a transform of kind `kind` made from exactly these kernel bits:
 * keep = 1 compares them with the copy; keep = 2 (the caller's promise that the kernel at this
 * address never changes: an inference model's, prepacked) takes the address for them, sparing
 * the compare (73 KB a call for the Table 6 CNN's conv_2, 2.3 us of a one-image forward). */
export function kernel_kept(scratch: usize, kernel: usize, C: i32, OC: i32, kind: u32, keep: i32): bool {
  const tag = scratch + TMP_BYTES, copy = tag + 16;
  if (load<u32>(tag) != kind || load<i32>(tag, 4) != C || load<i32>(tag, 8) != OC) return false;
  if (keep == 2) return load<u32>(tag, 12) == <u32>kernel;
  const kb: usize = <usize>(9 * C * OC) << 2; // a multiple of 16: OC % 4 == 0
  let diff = v128.splat<i32>(0);
  for (let o: usize = 0; o < kb; o += 16) diff = v128.or(diff, v128.xor(v128.load(copy + o), v128.load(kernel + o)));
  return !v128.any_true(diff);
}

/** Clear the tag (before a transform overwrites U). */
export function kernel_untag(scratch: usize): void {
  store<u32>(scratch + TMP_BYTES, 0);
}

/** Tag the scratch as holding a transform of kind `kind` of these kernel bits. */
export function kernel_tag(scratch: usize, kernel: usize, C: i32, OC: i32, kind: u32): void {
  const tag = scratch + TMP_BYTES;
  memory.copy(tag + 16, kernel, <usize>(9 * C * OC) << 2);
  store<i32>(tag, C, 4);
  store<i32>(tag, OC, 8);
  store<u32>(tag, <u32>kernel, 12);
  store<u32>(tag, kind);
}

/** U = the transformed kernel (wino_kernel) at u_at(scratch), unless keep and the scratch already
 * holds it: at batch 1 the transform was 5% of a forward pass, and an inference model's kernels
 * never change. Every call leaves a tag and a copy of the kernel bits U came from; with keep (the
 * caller's promise that nothing else wrote this scratch since its last call here) the transform
 * is skipped only when the tag is set for this C, OC and the copy equals the kernel bit for bit,
 * so a changed kernel (a training step, weights set or loaded) is always transformed again, and
 * the result is the same bits either way. */
function wino_u(scratch: usize, kernel: usize, C: i32, OC: i32, keep: i32): void {
  if (keep && kernel_kept(scratch, kernel, C, OC, TAG, keep)) return;
  kernel_untag(scratch);
  wino_kernel(u_at(scratch, C, OC), plane_bytes(C, OC), kernel, C, OC, scratch);
  kernel_tag(scratch, kernel, C, OC, TAG);
}

@inline export function sp(x: f32): v128 {
  return f32x4.splat(x);
}

// o = B^T d (6 -> 6), stored at dst + k*st
@inline function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, st: usize): void {
  const a = f32x4.sub(d4, d2), b = f32x4.mul(sp(2), f32x4.sub(d3, d1));
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(sp(4), d0), f32x4.mul(sp(5), d2)), d4));
  v128.store(dst + st, f32x4.sub(f32x4.add(d3, d4), f32x4.mul(sp(4), f32x4.add(d1, d2))));
  v128.store(dst + 2 * st, f32x4.add(f32x4.sub(d4, d3), f32x4.mul(sp(4), f32x4.sub(d1, d2))));
  v128.store(dst + 3 * st, f32x4.add(a, b));
  v128.store(dst + 4 * st, f32x4.sub(a, b));
  v128.store(dst + 5 * st, f32x4.add(f32x4.sub(f32x4.mul(sp(4), d1), f32x4.mul(sp(5), d3)), d5));
}

// o = B v (6 -> 6)
@inline function b6(v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, dst: usize, st: usize): void {
  v128.store(dst, f32x4.mul(sp(4), v0));
  v128.store(dst + st, f32x4.add(f32x4.add(f32x4.mul(sp(4), f32x4.sub(v2, v1)), f32x4.mul(sp(2), f32x4.sub(v4, v3))), f32x4.mul(sp(4), v5)));
  v128.store(dst + 2 * st, f32x4.sub(f32x4.sub(f32x4.neg(f32x4.mul(sp(5), v0)), f32x4.mul(sp(4), f32x4.add(v1, v2))), f32x4.add(v3, v4)));
  v128.store(dst + 3 * st, f32x4.sub(f32x4.add(f32x4.sub(v1, v2), f32x4.mul(sp(2), f32x4.sub(v3, v4))), f32x4.mul(sp(5), v5)));
  v128.store(dst + 4 * st, f32x4.add(f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)), v4));
  v128.store(dst + 5 * st, v5);
}

// o = G g (3 -> 6)
@inline function g6(g0: v128, g1: v128, g2: v128, dst: usize, st: usize): void {
  const p = f32x4.add(f32x4.mul(sp(<f32>1 / 24), g0), f32x4.mul(sp(<f32>1 / 6), g2));
  const q = f32x4.mul(sp(<f32>1 / 12), g1);
  const s = f32x4.add(g0, g2);
  v128.store(dst, f32x4.mul(sp(0.25), g0));
  v128.store(dst + st, f32x4.mul(sp(<f32>-1 / 6), f32x4.add(s, g1)));
  v128.store(dst + 2 * st, f32x4.mul(sp(<f32>-1 / 6), f32x4.sub(s, g1)));
  v128.store(dst + 3 * st, f32x4.add(p, q));
  v128.store(dst + 4 * st, f32x4.sub(p, q));
  v128.store(dst + 5 * st, g2);
}

// o = G^T u (6 -> 3)
@inline function gt6(u0: v128, u1: v128, u2: v128, u3: v128, u4: v128, u5: v128, dst: usize, st: usize): void {
  const s12 = f32x4.add(u1, u2), s34 = f32x4.add(u3, u4);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(sp(0.25), u0), f32x4.mul(sp(<f32>1 / 6), s12)), f32x4.mul(sp(<f32>1 / 24), s34)));
  v128.store(dst + st, f32x4.add(f32x4.mul(sp(<f32>1 / 6), f32x4.sub(u2, u1)), f32x4.mul(sp(<f32>1 / 12), f32x4.sub(u3, u4))));
  v128.store(dst + 2 * st, f32x4.add(f32x4.mul(sp(<f32>1 / 6), f32x4.sub(s34, s12)), u5));
}

// y = A^T m (6 -> 4)
@inline function at6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, dst: usize, st: usize): void {
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(dst + st, f32x4.add(d12, f32x4.mul(sp(2), d34)));
  v128.store(dst + 2 * st, f32x4.add(s12, f32x4.mul(sp(4), s34)));
  v128.store(dst + 3 * st, f32x4.add(f32x4.add(d12, f32x4.mul(sp(8), d34)), m5));
}

// y = bias + A^T m (6 -> 4), then max(0, y) when relu (a constant at the call; pmax as act.ts's
// relu_forward, so the bits are those of a ReLU pass after the convolution)
@inline function at6b(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, bv: v128, dst: usize, st: usize, relu: bool): void {
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  const z = f32x4.splat(0);
  const y0 = f32x4.add(bv, f32x4.add(f32x4.add(m0, s12), s34));
  const y1 = f32x4.add(bv, f32x4.add(d12, f32x4.mul(sp(2), d34)));
  const y2 = f32x4.add(bv, f32x4.add(s12, f32x4.mul(sp(4), s34)));
  const y3 = f32x4.add(bv, f32x4.add(f32x4.add(d12, f32x4.mul(sp(8), d34)), m5));
  v128.store(dst, relu ? f32x4.pmax(z, y0) : y0);
  v128.store(dst + st, relu ? f32x4.pmax(z, y1) : y1);
  v128.store(dst + 2 * st, relu ? f32x4.pmax(z, y2) : y2);
  v128.store(dst + 3 * st, relu ? f32x4.pmax(z, y3) : y3);
}

// dst[k*st] += (B v)[k] (6 -> 6)
@inline function b6acc(v0: v128, v1: v128, v2: v128, v3: v128, v4: v128, v5: v128, dst: usize, st: usize): void {
  v128.store(dst, f32x4.add(v128.load(dst), f32x4.mul(sp(4), v0)));
  v128.store(dst + st, f32x4.add(v128.load(dst + st), f32x4.add(f32x4.add(f32x4.mul(sp(4), f32x4.sub(v2, v1)), f32x4.mul(sp(2), f32x4.sub(v4, v3))), f32x4.mul(sp(4), v5))));
  v128.store(dst + 2 * st, f32x4.add(v128.load(dst + 2 * st), f32x4.sub(f32x4.sub(f32x4.neg(f32x4.mul(sp(5), v0)), f32x4.mul(sp(4), f32x4.add(v1, v2))), f32x4.add(v3, v4))));
  v128.store(dst + 3 * st, f32x4.add(v128.load(dst + 3 * st), f32x4.sub(f32x4.add(f32x4.sub(v1, v2), f32x4.mul(sp(2), f32x4.sub(v3, v4))), f32x4.mul(sp(5), v5))));
  v128.store(dst + 4 * st, f32x4.add(v128.load(dst + 4 * st), f32x4.add(f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)), v4)));
  v128.store(dst + 5 * st, f32x4.add(v128.load(dst + 5 * st), v5));
}

// o = A y (4 -> 6)
@inline function a6(y0: v128, y1: v128, y2: v128, y3: v128, dst: usize, st: usize): void {
  const s02 = f32x4.add(y0, y2), s13 = f32x4.add(y1, y3);
  const t02 = f32x4.add(y0, f32x4.mul(sp(4), y2)), t13 = f32x4.add(f32x4.mul(sp(2), y1), f32x4.mul(sp(8), y3));
  v128.store(dst, y0);
  v128.store(dst + st, f32x4.add(s02, s13));
  v128.store(dst + 2 * st, f32x4.sub(s02, s13));
  v128.store(dst + 3 * st, f32x4.add(t02, t13));
  v128.store(dst + 4 * st, f32x4.sub(t02, t13));
  v128.store(dst + 5 * st, y3);
}

@inline export function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 4));
}

// Row h of an input column at p (rows rs bytes apart), or zeros where h is outside [0, H) or the
// column is (p = 0): the padding of a partial tile. A branch, not a select: the load must not run
// for a row outside the input.
@inline export function row_or_zero(p: usize, h: i32, H: i32, rs: usize): v128 {
  if (p != 0 && h >= 0 && h < H) return v128.load(p + <usize>h * rs);
  return f32x4.splat(0);
}

// The 2x2 window w of two output rows of a tile at p (row 0 at p, row 1 `row` vectors on): its
// four vectors folded as maxpool2d_forward folds a window (pmax in row-major order: the same bits).
@inline export function pool_window(p: usize, w: i32, row: i32): v128 {
  let m = ld(p, 2 * w);
  m = f32x4.pmax(m, ld(p, 2 * w + 1));
  m = f32x4.pmax(m, ld(p, row + 2 * w));
  return f32x4.pmax(m, ld(p, row + 2 * w + 1));
}

// U[xi][c][oc] = (G g G^T)[xi] for g = kernel[:, :, c, oc]; the planes U[xi] are up bytes apart.
function wino_kernel(U: usize, up: usize, kernel: usize, C: i32, OC: i32, tmp: usize): void {
  const plane: usize = <usize>C * <usize>OC << 2;
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < OC; o += 4) {
      const off: usize = (<usize>c * <usize>OC + <usize>o) << 2;
      for (let j = 0; j < 3; j++) {
        // column j of g -> tmp[a*6 + j]
        g6(v128.load(kernel + <usize>j * plane + off), v128.load(kernel + <usize>(3 + j) * plane + off),
          v128.load(kernel + <usize>(6 + j) * plane + off), tmp + (<usize>j << 4), 96);
      }
      for (let a = 0; a < 6; a++) {
        g6(ld(tmp, 6 * a), ld(tmp, 6 * a + 1), ld(tmp, 6 * a + 2), U + <usize>(6 * a) * up + off, up);
      }
    }
  }
}

// dkernel[:, :, c, oc] += (G^T dU G) for each (c, oc); the planes dU[xi] are up bytes apart.
function wino_kernel_grad(dkernel: usize, dU: usize, up: usize, C: i32, OC: i32, tmp: usize): void {
  const plane: usize = <usize>C * <usize>OC << 2;
  const tmp2 = tmp + 36 * 16;
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < OC; o += 4) {
      const off: usize = (<usize>c * <usize>OC + <usize>o) << 2;
      for (let b = 0; b < 6; b++) {
        // column b of dU -> tmp[i*6 + b]
        const u = dU + <usize>b * up + off;
        gt6(v128.load(u), v128.load(u + 6 * up), v128.load(u + 12 * up), v128.load(u + 18 * up),
          v128.load(u + 24 * up), v128.load(u + 30 * up), tmp + (<usize>b << 4), 96);
      }
      for (let i = 0; i < 3; i++) {
        gt6(ld(tmp, 6 * i), ld(tmp, 6 * i + 1), ld(tmp, 6 * i + 2), ld(tmp, 6 * i + 3), ld(tmp, 6 * i + 4), ld(tmp, 6 * i + 5), tmp2, 16);
        for (let j = 0; j < 3; j++) {
          const k = dkernel + <usize>(3 * i + j) * plane + off;
          v128.store(k, f32x4.add(v128.load(k), ld(tmp2, j)));
        }
      }
    }
  }
}

// V[xi][t - t0][c] = (B^T d B)[xi] for the 6x6 input tile of each tile t in [t0, t1).
function wino_input(V: usize, plane: usize, x: usize, t0: i32, t1: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, pt: i32, pl: i32, tmp: usize): void {
  const rs: usize = <usize>W * <usize>C << 2;
  for (let t = t0; t < t1; t++) {
    const b = t / (TH * TW), r = t % (TH * TW);
    const h0 = (r / TW) * 4 - pt, w0 = (r % TW) * 4 - pl;
    const inside = h0 >= 0 && h0 + 6 <= H && w0 >= 0 && w0 + 6 <= W;
    const img = x + (<usize>b * <usize>H * <usize>W * <usize>C << 2);
    const vt = V + (<usize>(t - t0) * <usize>C << 2);
    for (let c = 0; c < C; c += 4) {
      for (let s = 0; s < 6; s++) {
        // column s of the tile -> tmp[a*6 + s]
        const w = w0 + s;
        if (inside) {
          const p = img + ((<usize>(h0 * W + w) * <usize>C + <usize>c) << 2);
          bt6(v128.load(p), v128.load(p + rs), v128.load(p + 2 * rs), v128.load(p + 3 * rs), v128.load(p + 4 * rs), v128.load(p + 5 * rs), tmp + (<usize>s << 4), 96);
        } else {
          // a column outside the input is zeros; each row of it inside or not
          const p = w >= 0 && w < W ? img + ((<usize>w * <usize>C + <usize>c) << 2) : 0;
          bt6(row_or_zero(p, h0, H, rs), row_or_zero(p, h0 + 1, H, rs), row_or_zero(p, h0 + 2, H, rs),
            row_or_zero(p, h0 + 3, H, rs), row_or_zero(p, h0 + 4, H, rs), row_or_zero(p, h0 + 5, H, rs), tmp + (<usize>s << 4), 96);
        }
      }
      const vo = vt + (<usize>c << 2);
      for (let a = 0; a < 6; a++) {
        bt6(ld(tmp, 6 * a), ld(tmp, 6 * a + 1), ld(tmp, 6 * a + 2), ld(tmp, 6 * a + 3), ld(tmp, 6 * a + 4), ld(tmp, 6 * a + 5), vo + <usize>(6 * a) * plane, plane);
      }
    }
  }
}

// out[b, oh, ow, :] = bias + (A^T M A) for each tile t in [t0, t1), max(0, .) of it when relu;
// outputs past OH/OW dropped. pool: out is instead the 2x2 max pool of that output,
// [B, OH / 2, OW / 2, OC] (floor), each window folded as maxpool2d_forward folds it (pmax in
// row-major order: the same bits), while the tile's rows are in registers.
function wino_output(out: usize, M: usize, plane: usize, bias: usize, t0: i32, t1: i32, OH: i32, OW: i32, OC: i32, TH: i32, TW: i32, tmp: usize, relu: bool, pool: bool): void {
  if (pool) {
    if (relu) wino_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, true, true);
    else wino_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, false, true);
  } else if (relu) wino_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, true, false);
  else wino_output_as(out, M, plane, bias, t0, t1, OH, OW, OC, TH, TW, tmp, false, false);
}

@inline function wino_output_as(out: usize, M: usize, plane: usize, bias: usize, t0: i32, t1: i32, OH: i32, OW: i32, OC: i32, TH: i32, TW: i32, tmp: usize, relu: bool, pool: bool): void {
  const tmp2 = tmp + 36 * 16;
  const z = f32x4.splat(0);
  const cs: usize = <usize>OC << 2;
  const POH = OH >> 1, POW = OW >> 1;
  for (let t = t0; t < t1; t++) {
    const b = t / (TH * TW), r = t % (TH * TW);
    const oh = (r / TW) * 4, ow = (r % TW) * 4;
    const mt = M + (<usize>(t - t0) * <usize>OC << 2);
    const img = pool ? out + (<usize>b * <usize>POH * <usize>POW * <usize>OC << 2) : out + (<usize>b * <usize>OH * <usize>OW * <usize>OC << 2);
    const ns = min(4, OW - ow), nr = min(4, OH - oh);
    for (let o = 0; o < OC; o += 4) {
      const mo = mt + (<usize>o << 2);
      for (let bb = 0; bb < 6; bb++) {
        // column bb of M -> tmp[r*6 + bb]
        const m = mo + <usize>bb * plane;
        at6(v128.load(m), v128.load(m + 6 * plane), v128.load(m + 12 * plane), v128.load(m + 18 * plane),
          v128.load(m + 24 * plane), v128.load(m + 30 * plane), tmp + (<usize>bb << 4), 96);
      }
      const bv = bias ? v128.load(bias + (<usize>o << 2)) : z;
      if (pool) {
        // rows 2q and 2q + 1 of the tile -> tmp2[0..3] and tmp2[4..7], then two windows of each pair
        for (let q = 0; q < 2; q++) {
          const ph = (oh >> 1) + q;
          if (ph >= POH) break;
          const r0 = 12 * q, r1 = r0 + 6;
          at6b(ld(tmp, r0), ld(tmp, r0 + 1), ld(tmp, r0 + 2), ld(tmp, r0 + 3), ld(tmp, r0 + 4), ld(tmp, r0 + 5), bv, tmp2, 16, relu);
          at6b(ld(tmp, r1), ld(tmp, r1 + 1), ld(tmp, r1 + 2), ld(tmp, r1 + 3), ld(tmp, r1 + 4), ld(tmp, r1 + 5), bv, tmp2 + 64, 16, relu);
          for (let w = 0; w < 2; w++) {
            const pw = (ow >> 1) + w;
            if (pw >= POW) break;
            v128.store(img + ((<usize>(ph * POW + pw) * <usize>OC + <usize>o) << 2), pool_window(tmp2, w, 4));
          }
        }
        continue;
      }
      for (let rr = 0; rr < nr; rr++) {
        const p = img + ((<usize>((oh + rr) * OW + ow) * <usize>OC + <usize>o) << 2);
        if (ns == 4) {
          at6b(ld(tmp, 6 * rr), ld(tmp, 6 * rr + 1), ld(tmp, 6 * rr + 2), ld(tmp, 6 * rr + 3), ld(tmp, 6 * rr + 4), ld(tmp, 6 * rr + 5), bv, p, cs, relu);
        } else {
          at6b(ld(tmp, 6 * rr), ld(tmp, 6 * rr + 1), ld(tmp, 6 * rr + 2), ld(tmp, 6 * rr + 3), ld(tmp, 6 * rr + 4), ld(tmp, 6 * rr + 5), bv, tmp2, 16, relu);
          for (let s = 0; s < ns; s++) v128.store(p + <usize>s * cs, ld(tmp2, s));
        }
      }
    }
  }
}

// dM[xi][t - t0][oc] = (A dy A^T)[xi] for the 4x4 dout tile of each tile t (zeros past OH/OW).
function wino_dout(dM: usize, plane: usize, dout: usize, t0: i32, t1: i32, OH: i32, OW: i32, OC: i32, TH: i32, TW: i32, tmp: usize): void {
  const z = f32x4.splat(0);
  const rs: usize = <usize>OW * <usize>OC << 2, cs: usize = <usize>OC << 2;
  for (let t = t0; t < t1; t++) {
    const b = t / (TH * TW), r = t % (TH * TW);
    const oh = (r / TW) * 4, ow = (r % TW) * 4;
    const img = dout + (<usize>b * <usize>OH * <usize>OW * <usize>OC << 2);
    const full = oh + 4 <= OH && ow + 4 <= OW;
    const mt = dM + (<usize>(t - t0) * <usize>OC << 2);
    for (let o = 0; o < OC; o += 4) {
      const p = img + ((<usize>(oh * OW + ow) * <usize>OC + <usize>o) << 2);
      for (let s = 0; s < 4; s++) {
        // column s of dy -> tmp[a*4 + s]
        const q = p + <usize>s * cs;
        if (full) {
          a6(v128.load(q), v128.load(q + rs), v128.load(q + 2 * rs), v128.load(q + 3 * rs), tmp + (<usize>s << 4), 64);
        } else {
          let y0 = z, y1 = z, y2 = z, y3 = z;
          if (ow + s < OW) {
            y0 = v128.load(q);
            if (oh + 1 < OH) y1 = v128.load(q + rs);
            if (oh + 2 < OH) y2 = v128.load(q + 2 * rs);
            if (oh + 3 < OH) y3 = v128.load(q + 3 * rs);
          }
          a6(y0, y1, y2, y3, tmp + (<usize>s << 4), 64);
        }
      }
      const m = mt + (<usize>o << 2);
      for (let a = 0; a < 6; a++) {
        a6(ld(tmp, 4 * a), ld(tmp, 4 * a + 1), ld(tmp, 4 * a + 2), ld(tmp, 4 * a + 3), m + <usize>(6 * a) * plane, plane);
      }
    }
  }
}

// dinp[b, h0.., w0.., :] += (B dV B^T) for each tile t (positions outside the input dropped).
function wino_dinput(dinp: usize, dV: usize, plane: usize, t0: i32, t1: i32, H: i32, W: i32, C: i32, TH: i32, TW: i32, pt: i32, pl: i32, tmp: usize): void {
  const tmp2 = tmp + 36 * 16;
  const cs: usize = <usize>C << 2;
  for (let t = t0; t < t1; t++) {
    const b = t / (TH * TW), r = t % (TH * TW);
    const h0 = (r / TW) * 4 - pt, w0 = (r % TW) * 4 - pl;
    const img = dinp + (<usize>b * <usize>H * <usize>W * <usize>C << 2);
    const vt = dV + (<usize>(t - t0) * <usize>C << 2);
    const s0 = max(0, -w0), s1 = min(6, W - w0);
    for (let c = 0; c < C; c += 4) {
      const vo = vt + (<usize>c << 2);
      for (let bb = 0; bb < 6; bb++) {
        // column bb of dV -> tmp[r*6 + bb]
        const v = vo + <usize>bb * plane;
        b6(v128.load(v), v128.load(v + 6 * plane), v128.load(v + 12 * plane), v128.load(v + 18 * plane),
          v128.load(v + 24 * plane), v128.load(v + 30 * plane), tmp + (<usize>bb << 4), 96);
      }
      for (let rr = 0; rr < 6; rr++) {
        const h = h0 + rr;
        if (h < 0 || h >= H) continue;
        const p = img + ((<usize>(h * W + w0) * <usize>C + <usize>c) << 2);
        if (s0 == 0 && s1 == 6) {
          b6acc(ld(tmp, 6 * rr), ld(tmp, 6 * rr + 1), ld(tmp, 6 * rr + 2), ld(tmp, 6 * rr + 3), ld(tmp, 6 * rr + 4), ld(tmp, 6 * rr + 5), p, cs);
        } else {
          b6(ld(tmp, 6 * rr), ld(tmp, 6 * rr + 1), ld(tmp, 6 * rr + 2), ld(tmp, 6 * rr + 3), ld(tmp, 6 * rr + 4), ld(tmp, 6 * rr + 5), tmp2, 16);
          for (let s = s0; s < s1; s++) {
            const q = p + <usize>s * cs;
            v128.store(q, f32x4.add(v128.load(q), ld(tmp2, s)));
          }
        }
      }
    }
  }
}

export function wino_forward(out: usize, inp: usize, kernel: usize, bias: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, same: i32, relu: bool, keep: i32, pool: bool): void {
  const OH = same ? H : H - 2, OW = same ? W : W - 2;
  const p = same ? 1 : 0;
  const TH = (OH + 3) >> 2, TW = (OW + 3) >> 2;
  const T = B * TH * TW;
  const tmp = scratch;
  const up = plane_bytes(C, OC), kk: usize = 36 * up;
  const U = u_at(scratch, C, OC);
  const V = U + 3 * kk;
  const M = V + 36 * plane_bytes(WT, C);
  wino_u(scratch, kernel, C, OC, keep);
  for (let t0 = 0; t0 < T; t0 += WT) {
    const t1 = min(t0 + WT, T), n = t1 - t0;
    const pv = plane_bytes(n, C), pm = plane_bytes(n, OC);
    wino_input(V, pv, inp, t0, t1, H, W, C, TH, TW, p, p, tmp);
    for (let xi = 0; xi < 36; xi++) {
      gemm_nn(M + <usize>xi * pm, V + <usize>xi * pv, U + <usize>xi * up, n, C, OC, 0);
    }
    wino_output(out, M, pm, bias, t0, t1, OH, OW, OC, TH, TW, tmp, relu, pool);
  }
}

export function wino_backward(dinp: usize, dkernel: usize, dout: usize, inp: usize, kernel: usize, scratch: usize, B: i32, H: i32, W: i32, C: i32, OC: i32, same: i32): void {
  const OH = same ? H : H - 2, OW = same ? W : W - 2;
  const p = same ? 1 : 0;
  const TH = (OH + 3) >> 2, TW = (OW + 3) >> 2;
  const T = B * TH * TW;
  const tmp = scratch;
  const up = plane_bytes(C, OC), kk: usize = 36 * up;
  const U = u_at(scratch, C, OC), Ut = U + kk, dU = Ut + kk;
  const V = dU + kk;
  const dM = V + 36 * plane_bytes(WT, C);
  const dV = dM + 36 * plane_bytes(WT, OC);
  memory.fill(dU, 0, kk);
  if (dinp) {
    wino_u(scratch, kernel, C, OC, false);
    // Ut[xi][oc][c] = U[xi][c][oc]
    for (let xi = 0; xi < 36; xi++) {
      const u = U + <usize>xi * up, ut = Ut + <usize>xi * up;
      for (let c = 0; c < C; c++)
        for (let o = 0; o < OC; o++) store<f32>(ut + (<usize>(o * C + c) << 2), load<f32>(u + (<usize>(c * OC + o) << 2)));
    }
    memory.fill(dinp, 0, <usize>B * <usize>H * <usize>W * <usize>C << 2);
  }
  for (let t0 = 0; t0 < T; t0 += WT) {
    const t1 = min(t0 + WT, T), n = t1 - t0;
    const pv = plane_bytes(n, C), pm = plane_bytes(n, OC);
    wino_input(V, pv, inp, t0, t1, H, W, C, TH, TW, p, p, tmp);
    wino_dout(dM, pm, dout, t0, t1, OH, OW, OC, TH, TW, tmp);
    for (let xi = 0; xi < 36; xi++) {
      const v = V + <usize>xi * pv, m = dM + <usize>xi * pm;
      gemm_tn(dU + <usize>xi * up, v, m, C, n, OC, 1);
      if (dinp) gemm_nn(dV + <usize>xi * pv, m, Ut + <usize>xi * up, n, OC, C, 0);
    }
    if (dinp) wino_dinput(dinp, dV, pv, t0, t1, H, W, C, TH, TW, p, p, tmp);
  }
  wino_kernel_grad(dkernel, dU, up, C, OC, tmp);
}
