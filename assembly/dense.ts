// The dense layer, forward and backward, on top of gemm. Keras layout: weight is (in, out), so
// the forward pass broadcasts one input value against a contiguous row of the kernel.
import { relu_forward } from "./act";
import { cut_at } from "./cut";
import { grad_reduce } from "./reduce";
import {
  count_nonzero, gemm_nn, gemm_nn_cols, gemm_nn_packs, gemm_nt, gemm_tn, nonzero_rows, row_pack, row_pack_bytes, row_packed, row_sparse,
  row_streams,
} from "./gemm";

/** out[B,OC] = inp[B,C] @ weight[C,OC] + bias[OC], then max(0, .) when relu; bias 0 = none. */
export function dense_forward(out: usize, inp: usize, weight: usize, bias: usize, B: i32, C: i32, OC: i32, relu: i32): void {
  gemm_nn(out, inp, weight, B, C, OC, 0);
  epilogue(out, bias, B, OC, <usize>OC << 2, relu);
}

/** How many parts dense_forward_part can cut a forward of B rows into: OC >= 32 outputs into
 * column ranges of 16 or more (OC / 16 parts at most) where the product is not packed
 * (gemm_nn_packs); 1 elsewhere (not cut). */
export function dense_parts(B: i32, C: i32, OC: i32): i32 {
  return B >= 1 && C > 0 && OC >= 32 && !gemm_nn_packs(B, C, OC) ? OC >> 4 : 1;
}

/** Part `part` of `parts` (parts <= dense_parts) of dense_forward: the outputs of columns
 * [j0, j1), cut at multiples of 16, with the bits dense_forward gives them (gemm_nn_cols, then
 * the same bias and ReLU per value). */
export function dense_forward_part(out: usize, inp: usize, weight: usize, bias: usize, B: i32, C: i32, OC: i32, relu: i32, part: i32, parts: i32): void {
  const j0 = cut_at(OC, part, parts, 16), j1 = cut_at(OC, part + 1, parts, 16);
  if (j1 <= j0) return;
  gemm_nn_cols(out, inp, weight, B, C, OC, j0, j1);
  const o = <usize>j0 << 2, ld = <usize>OC << 2, n = j1 - j0;
  epilogue(out + o, bias ? bias + o : 0, B, n, ld, relu);
}

/** Bytes of the one-row copy of a C x OC kernel (dense_row_pack); 0 where a one-row forward does
 * not stream its kernel (OC < 16: the 1 x 8 tile) and no copy pays. */
export function dense_row_pack_bytes(C: i32, OC: i32): f64 {
  return C > 0 && row_streams(OC) ? row_pack_bytes(C, OC) : 0;
}

/** packed = weight[C,OC] laid out for dense_forward_row (gemm.ts row_pack), once per kernel. */
export function dense_row_pack(packed: usize, weight: usize, C: i32, OC: i32): void {
  row_pack(packed, weight, C, OC);
}

/** out[1,OC] = dense_forward of one row: where rows is not 0 (scratch for C ints, given only with
 * a finite weight) and enough of the input is zero (sparse_pays), from the kernel's rows of its
 * nonzero inputs only (row_sparse); otherwise from the kernel's dense_row_pack copy in one pass,
 * or, with packed 0 (no copy), as dense_forward does. The same bits every way. */
export function dense_forward_row(out: usize, inp: usize, packed: usize, weight: usize, rows: usize, bias: usize, C: i32, OC: i32, relu: i32): void {
  if (rows && sparse_pays(count_nonzero(inp, C), C, OC, packed != 0)) row_sparse(out, inp, weight, rows, nonzero_rows(rows, inp, C), OC);
  else if (packed) row_packed(out, inp, packed, C, OC);
  else gemm_nn(out, inp, weight, 1, C, OC, 0);
  epilogue(out, bias, 1, OC, <usize>OC << 2, relu);
}

// Whether n nonzero inputs of C are few enough for row_sparse to beat the other path: it reads
// the rows it needs one by one where row_packed streams the copy, so a row costs it more (more
// so from L3), plus the list. Against the copy: from 40% zeros in a kernel
// of up to 1 MB, 50% past it (168 x 168 1.25x at 40%, 9216 x 128 1.14x at 50%). Against
// row_stream (no copy: a Sequential's kernel), whose rows cost about as much as row_sparse's:
// from 25% (1.11-1.26x at 30%, 1.46-1.74x at 50%). bench/train/gemm-ab.ts --shapes sparse and
// --shapes listed. A trained MNIST CNN's dense layer sees about 80% zeros (bench/infer/zeros.ts;
// 2.1x against the copy at 78%); below the threshold only the count is added.
@inline function sparse_pays(n: i32, C: i32, OC: i32, copy: bool): bool {
  if (!copy) return n * 4 <= C * 3;
  const inL2 = <i64>C * <i64>OC <= 256 * 1024; // a 1 MB kernel
  return inL2 ? n * 5 <= C * 3 : n * 2 <= C;
}

// Every dense forward's last step on its outputs out[b, :OC] (rows `row` bytes apart): + bias
// (0: none), then max(0, .) when relu.
@inline function epilogue(out: usize, bias: usize, B: i32, OC: i32, row: usize, relu: i32): void {
  if (bias) {
    if (relu) bias_rows(out, bias, B, OC, row, true);
    else bias_rows(out, bias, B, OC, row, false);
  } else if (relu) {
    if (row == <usize>OC << 2) relu_forward(out, out, B * OC);
    else for (let b = 0; b < B; b++) relu_forward(out + <usize>b * row, out + <usize>b * row, OC);
  }
}

// out[b, :OC] += bias (rows `row` bytes apart), then max(0, .) when relu (a constant here): one
// pass over the output where a bias pass and a ReLU pass were two (a 256 x 41 layer spent a fifth
// of its time in them). pmax as relu_forward, and its scalar tail agrees with it on every value
// (NaN and -0 give +0): the bits of the two passes.
@inline function bias_rows(out: usize, bias: usize, B: i32, OC: i32, row: usize, relu: bool): void {
  const z = f32x4.splat(0);
  for (let b = 0; b < B; b++) {
    const o = out + <usize>b * row;
    let j = 0;
    for (; j + 4 <= OC; j += 4) {
      const q = <usize>j << 2;
      const y = f32x4.add(v128.load(o + q), v128.load(bias + q));
      v128.store(o + q, relu ? f32x4.pmax(z, y) : y);
    }
    for (; j < OC; j++) {
      const q = <usize>j << 2;
      const y = load<f32>(o + q) + load<f32>(bias + q);
      store<f32>(o + q, relu ? (y > 0 ? y : 0) : y);
    }
  }
}

/** dinp[B,C] = dout[B,OC] @ weight[C,OC]^T (skipped when dinp is 0);
 * dweight[C,OC] += inp[B,C]^T @ dout[B,OC] (skipped when 0); dbias[OC] += sum_b dout[b,:]
 * (skipped when 0). */
export function dense_backward(
  dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize, B: i32, C: i32, OC: i32,
): void {
  if (dinp) gemm_nt(dinp, dout, weight, B, OC, C, 0);
  if (dweight) gemm_tn(dweight, inp, dout, C, B, OC, 1);
  if (!dbias) return;
  const row = <usize>OC << 2;
  for (let b = 0; b < B; b++) grad_reduce(dbias, dout + <usize>b * row, OC, 0);
}
