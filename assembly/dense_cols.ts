// The dense layer in training where whole columns of its input are zero across the batch: the
// inputs a BSF gate has closed (w = 0 passes nothing; on the peer bench's Musk2 net 85% of the
// first layer's inputs from step ~700 on) or units a ReLU silenced for every row. Such a column
// adds nothing to the forward and nothing to its kernel rows' gradient, so both products run over
// the nonzero columns only; the input gradient stays whole (a gate's weight needs it at every
// input, to reopen). The forward records what it did in the workspace's header, and the backward
// follows the record.
//
// Workspace (dense_train_ws_bytes), 16-byte aligned parts:
//   n: i32 (-1: the forward ran whole) | cols: C i32 | xs: B x H floats | sub: H x OC floats
// with H = C / 2, the widest input that is compacted: xs holds the listed columns of the input
// (and, before that, the columns' nonzero flags), sub the listed rows of the kernel (forward) or
// their gradient (backward).
import { dense_backward, dense_forward } from "./dense";
import { gemm_tn, nonzero_rows } from "./gemm";
import { grad_reduce } from "./reduce";

// Rows below this are not scanned (a step that short gains nothing worth the scan).
const MIN_B = 4;

@inline function half(C: i32): i32 {
  return C >> 1;
}
@inline function a16(bytes: usize): usize {
  return (bytes + 15) & ~15;
}
@inline function cols_at(ws: usize): usize {
  return ws + 16;
}
@inline function xs_at(ws: usize, C: i32): usize {
  return cols_at(ws) + a16(<usize>C << 2);
}
@inline function sub_at(ws: usize, B: i32, C: i32): usize {
  return xs_at(ws, C) + a16(<usize>B * <usize>half(C) << 2);
}

/** Bytes of dense_forward_train's workspace for B rows of C inputs and OC units. */
export function dense_train_ws_bytes(B: i32, C: i32, OC: i32): f64 {
  return <f64>sub_at(0, B, C) + <f64>a16(<usize>half(C) * <usize>OC << 2);
}

/** out[B,OC] = dense_forward(inp[B,C], weight[C,OC], bias, relu); where at most half of inp's
 * columns hold a nonzero (+0 and -0 are zero, NaN is not), over those columns only: the listed
 * columns of inp and rows of weight are copied into ws and multiplied as a B x n x OC product.
 * A skipped term is 0 * w, which adds nothing to a finite sum: the results are those of the same
 * layer without the zero columns, bit for bit, and the whole product's up to rounding where a
 * shorter k or a shorter M puts an element in another kind of tile (gemm.ts: edge_dot groups k by
 * its index mod 4; the relaxed build's one-row tiles do not fuse), or where a skipped row of the
 * weight is not finite (its 0 * w would have been NaN). ws holds the record dense_backward_train
 * reads. */
export function dense_forward_train(out: usize, inp: usize, weight: usize, bias: usize, ws: usize, B: i32, C: i32, OC: i32, relu: i32): void {
  // (C >= 2 and B >= MIN_B: xs then has room for the C flags the scan writes)
  let n = B >= MIN_B && C >= 2 ? nonzero_columns(cols_at(ws), xs_at(ws, C), inp, B, C) : C;
  if (n > half(C)) {
    store<i32>(ws, -1);
    dense_forward(out, inp, weight, bias, B, C, OC, relu);
    return;
  }
  // an all-zero input (every gate closed): one zero column, so the product is not empty
  if (n == 0) {
    store<i32>(cols_at(ws), 0);
    n = 1;
  }
  store<i32>(ws, n);
  const cols = cols_at(ws), xs = xs_at(ws, C), sub = sub_at(ws, B, C);
  const row = <usize>C << 2, ldx = <usize>n << 2, wrow = <usize>OC << 2;
  for (let b = 0; b < B; b++) {
    const s = inp + <usize>b * row, d = xs + <usize>b * ldx;
    for (let i = 0; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>load<i32>(cols + (<usize>i << 2)) << 2)));
  }
  for (let i = 0; i < n; i++) memory.copy(sub + <usize>i * wrow, weight + <usize>load<i32>(cols + (<usize>i << 2)) * wrow, wrow);
  dense_forward(out, xs, sub, bias, B, n, OC, relu);
}

/** dense_backward after dense_forward_train on the same ws, inp and weight: dinp whole (skipped
 * when 0), dbias whole; dweight's rows of the listed columns += xs^T @ dout, the others untouched
 * (their terms are all zero). */
export function dense_backward_train(
  dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize, ws: usize, B: i32, C: i32, OC: i32,
): void {
  const n = load<i32>(ws);
  if (n < 0) {
    dense_backward(dinp, dweight, dbias, dout, inp, weight, B, C, OC);
    return;
  }
  dense_backward(dinp, 0, dbias, dout, inp, weight, B, C, OC); // dinp and dbias only
  const cols = cols_at(ws), xs = xs_at(ws, C), sub = sub_at(ws, B, C);
  gemm_tn(sub, xs, dout, n, B, OC, 0);
  const wrow = <usize>OC << 2;
  for (let i = 0; i < n; i++) grad_reduce(dweight + <usize>load<i32>(cols + (<usize>i << 2)) * wrow, sub + <usize>i * wrow, OC, 0);
}

// cols[0..n) = the columns of inp[B,C] with a nonzero in some row, in order; returns n. flags
// (room for C floats) gets each column's OR of its rows' nonzero masks: all ones (a NaN as a float)
// or +0, which nonzero_rows then lists. Four columns at a time down the rows, until all four have
// shown a nonzero: a dense input (a ReLU's, half zeros) costs a few rows of each, not the batch.
function nonzero_columns(cols: usize, flags: usize, inp: usize, B: i32, C: i32): i32 {
  const z = f32x4.splat(0);
  const row = <usize>C << 2, end = inp + <usize>B * row;
  let j = 0;
  for (; j + 4 <= C; j += 4) {
    const q = <usize>j << 2;
    let m = i32x4.splat(0);
    for (let p = inp + q; p < end; p += row) {
      m = v128.or(m, f32x4.ne(v128.load(p), z));
      if (i32x4.all_true(m)) break;
    }
    v128.store(flags + q, m);
  }
  for (; j < C; j++) {
    const q = <usize>j << 2;
    let m = 0;
    for (let p = inp + q; p < end; p += row)
      if (load<f32>(p) != 0) {
        m = -1;
        break;
      }
    store<i32>(flags + q, m);
  }
  return nonzero_rows(cols, flags, C);
}
