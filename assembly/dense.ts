// The dense layer, forward and backward, on top of gemm. Keras layout: weight is (in, out), so
// the forward pass broadcasts one input value against a contiguous row of the kernel.
import { gemm_nn, gemm_nt, gemm_tn } from "./gemm";

/** out[B,OC] = inp[B,C] @ weight[C,OC] + bias[OC]; bias 0 = none. */
export function dense_forward(out: usize, inp: usize, weight: usize, bias: usize, B: i32, C: i32, OC: i32): void {
  gemm_nn(out, inp, weight, B, C, OC, 0);
  if (!bias) return;
  const row = <usize>OC << 2;
  for (let b = 0; b < B; b++) {
    const o = out + <usize>b * row;
    let j = 0;
    for (; j + 4 <= OC; j += 4) {
      const q = <usize>j << 2;
      v128.store(o + q, f32x4.add(v128.load(o + q), v128.load(bias + q)));
    }
    for (; j < OC; j++) {
      const q = <usize>j << 2;
      store<f32>(o + q, load<f32>(o + q) + load<f32>(bias + q));
    }
  }
}

/** dinp[B,C] = dout[B,OC] @ weight[C,OC]^T (skipped when dinp is 0);
 * dweight[C,OC] += inp[B,C]^T @ dout[B,OC]; dbias[OC] += sum_b dout[b,:] (skipped when 0). */
export function dense_backward(
  dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize, B: i32, C: i32, OC: i32,
): void {
  if (dinp) gemm_nt(dinp, dout, weight, B, OC, C, 0);
  gemm_tn(dweight, inp, dout, C, B, OC, 1);
  if (!dbias) return;
  const row = <usize>OC << 2;
  for (let b = 0; b < B; b++) {
    const o = dout + <usize>b * row;
    let j = 0;
    for (; j + 4 <= OC; j += 4) {
      const q = <usize>j << 2;
      v128.store(dbias + q, f32x4.add(v128.load(dbias + q), v128.load(o + q)));
    }
    for (; j < OC; j++) {
      const q = <usize>j << 2;
      store<f32>(dbias + q, load<f32>(dbias + q) + load<f32>(o + q));
    }
  }
}
