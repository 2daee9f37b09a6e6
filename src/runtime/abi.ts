// The contract between TypeScript and the wasm kernels (assembly/*.ts).
// Every pointer is a byte offset into the module's exported memory, 16-byte aligned, f32 unless
// named otherwise; every size is an int. Argument order follows llm.c: outputs, inputs, params,
// dims. Parameter gradients accumulate (+=); activation gradients (dinp) are written (=), and a
// dinp of 0 means "not needed" (the first layer). A kernel never allocates.
export interface WasmKernels {
  readonly memory: WebAssembly.Memory;

  // --- rng.ts: counter-based PRNG. Value i of stream (seed, stream) is a pure function of the three,
  // so a run is reproducible whatever the batch order or thread count.
  /** out[n] = uniform [0,1) values i = 0..n-1 of (seed, stream). */
  rng_uniform(out: number, n: number, seed: number, stream: number): void;
  /** out[n] = normal(mean, std) values of (seed, stream) (Box-Muller on pairs). */
  rng_normal(out: number, n: number, seed: number, stream: number, mean: number, std: number): void;

  // --- gemm.ts: row-major f32 matrix products, register-blocked f32x4.
  /** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[K,N] */
  gemm_nn(c: number, a: number, b: number, M: number, K: number, N: number, accumulate: number): void;
  /** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[N,K]^T */
  gemm_nt(c: number, a: number, b: number, M: number, K: number, N: number, accumulate: number): void;
  /** C[M,N] = (accumulate ? C : 0) + A[K,M]^T @ B[K,N] */
  gemm_tn(c: number, a: number, b: number, M: number, K: number, N: number, accumulate: number): void;
  /** The three products on the register-blocked kernel alone (no packed path, no row tiles): the
   * kernel of before gemm_packed.ts, kept for A/B measurements and tests. */
  gemm_nn_simple(c: number, a: number, b: number, M: number, K: number, N: number, accumulate: number): void;
  gemm_nt_simple(c: number, a: number, b: number, M: number, K: number, N: number, accumulate: number): void;
  gemm_tn_simple(c: number, a: number, b: number, M: number, K: number, N: number, accumulate: number): void;
  /** Bytes of scratch the packed (cache-blocked) GEMM needs. */
  gemm_workspace_bytes(): number;
  /** Hand this instance its packed-GEMM scratch (16-byte aligned, >= gemm_workspace_bytes() bytes),
   * kept in the instance's globals; until then (or after ptr 0) gemm_* use the unpacked kernel
   * only. KernelMemory does this at construction. */
  gemm_workspace(ptr: number, bytes: number): void;

  // --- dense.ts
  /** out[B,OC] = inp[B,C] @ weight[C,OC] + bias[OC], then max(0, .) when relu is 1 (the bits of
   * relu_forward after it); bias 0 = none. */
  dense_forward(
    out: number,
    inp: number,
    weight: number,
    bias: number,
    B: number,
    C: number,
    OC: number,
    relu: number,
  ): void;
  /** How many parts dense_forward_part can cut a forward of B rows into (1: not cut): 32 outputs
   * or more, in column ranges of 16 or more, where the product is not on the packed path. */
  dense_parts(B: number, C: number, OC: number): number;
  /** Part `part` of `parts` of dense_forward: a range of output columns (cut at multiples of 16),
   * each with the bits dense_forward gives it; threads compute disjoint parts. */
  dense_forward_part(
    out: number,
    inp: number,
    weight: number,
    bias: number,
    B: number,
    C: number,
    OC: number,
    relu: number,
    part: number,
    parts: number,
  ): void;
  /** Bytes of a one-row copy of a C x OC kernel (dense_row_pack), 0 where a one-row forward gains
   * nothing from one (OC < 16). */
  dense_row_pack_bytes(C: number, OC: number): number;
  /** packed = weight[C,OC] laid out as a one-row forward reads it (16-byte aligned,
   * dense_row_pack_bytes). For a kernel that does not change: an inference model's. */
  dense_row_pack(packed: number, weight: number, C: number, OC: number): void;
  /** dense_forward of one row (B = 1) with the kernel read from its dense_row_pack copy (packed 0:
   * no copy, as dense_forward reads it), or, where rows (scratch for C ints) is not 0 and enough of
   * the input is zero (with a copy 40%, 50% for a kernel past 1 MB; without one 25%), only the
   * rows of `weight` whose input is not zero: the same bits every way, provided `weight` is finite
   * (pass rows = 0 otherwise: 0 * Infinity is NaN, a skipped one is not). */
  dense_forward_row(
    out: number,
    inp: number,
    packed: number,
    weight: number,
    rows: number,
    bias: number,
    C: number,
    OC: number,
    relu: number,
  ): void;
  /** dinp[B,C] = dout @ weight^T (skipped when dinp is 0); dweight[C,OC] += inp^T @ dout
   * (skipped when dweight is 0); dbias[OC] += sum_b dout (skipped when dbias is 0). */
  dense_backward(
    dinp: number,
    dweight: number,
    dbias: number,
    dout: number,
    inp: number,
    weight: number,
    B: number,
    C: number,
    OC: number,
  ): void;

  // --- dense_cols.ts
  /** Bytes of the training workspace of dense_forward_train / dense_backward_train (B rows, C
   * inputs, OC units). */
  dense_train_ws_bytes(B: number, C: number, OC: number): number;
  /** dense_forward in training: where at most half of the input's columns hold a nonzero across
   * the batch (closed gates, silenced units), over those columns only (the bits of the layer
   * without those columns; the whole product's up to rounding, and but for a non-finite weight,
   * whose 0 * w is skipped); records in ws what it did for dense_backward_train. */
  dense_forward_train(
    out: number,
    inp: number,
    weight: number,
    bias: number,
    ws: number,
    B: number,
    C: number,
    OC: number,
    relu: number,
  ): void;
  /** dense_backward after dense_forward_train on the same ws: the input and bias gradients whole,
   * the kernel gradient's rows of the nonzero columns only (the others' terms are all zero). */
  dense_backward_train(
    dinp: number,
    dweight: number,
    dbias: number,
    dout: number,
    inp: number,
    weight: number,
    ws: number,
    B: number,
    C: number,
    OC: number,
  ): void;

  // --- act.ts (in place allowed: out == inp, dinp == dout)
  relu_forward(out: number, inp: number, N: number): void;
  /** dinp = dout * (out > 0) */
  relu_backward(dinp: number, dout: number, out: number, N: number): void;
  tanh_forward(out: number, inp: number, N: number): void;
  /** dinp = dout * (1 - out^2) */
  tanh_backward(dinp: number, dout: number, out: number, N: number): void;
  /** probs[B,V] = softmax(logits[B,V]) (max-subtracted). */
  softmax_forward(probs: number, logits: number, B: number, V: number): void;
  /** out[N] = exp(inp[N]) with the bits of AssemblyScript's Mathf.exp (the softmax's exponential) */
  exp_forward(out: number, inp: number, N: number): void;
  /** probs = softmax(logits); returns sum over the batch of -log(probs[b, labels[b]]) (labels: i32[B]),
   * with the probability floored at 1e-7 as Keras does. */
  softmax_xent_forward(probs: number, logits: number, labels: number, B: number, V: number): number;
  /** dlogits[B,V] = (probs - onehot(labels)) * scale (scale = 1/B for a mean loss). */
  softmax_xent_backward(dlogits: number, probs: number, labels: number, B: number, V: number, scale: number): void;
  /** number of rows b with argmax(probs[b]) == labels[b] (first max wins). */
  argmax_correct(probs: number, labels: number, B: number, V: number): number;

  // --- loss.ts: the regression head (a linear output).
  /** sum over the batch of mean over v of (pred[b,v] - target[b,v])^2 (f32[B,V] each; Keras'
   * mean_squared_error before the batch mean), accumulated in f64. */
  mse_forward(pred: number, target: number, B: number, V: number): number;
  /** dpred[B,V] = 2 (pred - target) / V * scale (scale = 1/B for a mean loss); in place over pred allowed. */
  mse_backward(dpred: number, pred: number, target: number, B: number, V: number, scale: number): void;

  // --- bsf.ts: Binary Stochastic Filtering gates (DESIGN.md section 1).
  /** mask[B,C] = (u < w[c]) as 0/1 with u = uniform value ((row0 + b)*C + c) of (seed, stream);
   * out[B,C] = inp * mask. row0 (default 0): the first row of this slice in the whole batch, so a
   * thread's slice draws what one thread draws for those rows (the same for every mask kernel). */
  bsf_forward(
    out: number,
    mask: number,
    inp: number,
    w: number,
    B: number,
    C: number,
    seed: number,
    stream: number,
    row0?: number,
  ): void;
  /** dinp = dout * mask (skipped when dinp is 0); dw[c] += sum_b dout*inp (scaled = 0, straight-through)
   * or dw[c] += w[c] * sum_b dout*inp (scaled = 1). */
  bsf_backward(
    dinp: number,
    dw: number,
    dout: number,
    inp: number,
    mask: number,
    w: number,
    B: number,
    C: number,
    scaled: number,
  ): void;
  /** out = inp * (w > threshold) (expectation = 0) or out = inp * w (expectation = 1). */
  bsf_infer(out: number, inp: number, w: number, B: number, C: number, threshold: number, expectation: number): void;
  /** Channel gate on [B,P,C] (P positions, NHWC flattened): mask[B,C] = (u < w[c]) with u = value
   * ((row0 + b)*C + c); out[b,p,c] = inp[b,p,c] * mask[b,c]. */
  bsf_channel_forward(
    out: number,
    mask: number,
    inp: number,
    w: number,
    B: number,
    P: number,
    C: number,
    seed: number,
    stream: number,
    row0?: number,
  ): void;
  /** dinp = dout * mask[b,c] (skipped when 0); dw[c] += sum_b sum_p dout*inp (times w[c] when scaled). */
  bsf_channel_backward(
    dinp: number,
    dw: number,
    dout: number,
    inp: number,
    mask: number,
    w: number,
    B: number,
    P: number,
    C: number,
    scaled: number,
  ): void;
  bsf_channel_infer(
    out: number,
    inp: number,
    w: number,
    B: number,
    P: number,
    C: number,
    threshold: number,
    expectation: number,
  ): void;
  /** dw[N] += lambda * sign(w) (sign(0) = 0, as Keras' L1 regularizer). */
  l1_backward(dw: number, w: number, N: number, lambda: number): void;
  /** sum |w[i]| */
  l1_value(w: number, N: number): number;
  /** w = min(max(w, lo), hi) */
  clip(w: number, N: number, lo: number, hi: number): void;

  // --- optim.ts: one loop over flat parameter memory.
  /** Keras Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr_t * m / (sqrt(v) + eps),
   * lr_t = lr * sqrt(1-b2^t) / (1-b1^t) computed by the caller. clearGrads = 1 also zeroes grads. */
  adam_step(
    params: number,
    grads: number,
    m: number,
    v: number,
    N: number,
    lrT: number,
    beta1: number,
    beta2: number,
    eps: number,
    clearGrads?: number,
  ): void;
  /** velocity = momentum * velocity - lr * g; p += velocity (or nesterov: p += momentum*velocity - lr*g).
   * With momentum 0 the velocity buffer is not touched (may be 0). */
  sgd_step(
    params: number,
    grads: number,
    velocity: number,
    N: number,
    lr: number,
    momentum: number,
    nesterov: number,
  ): void;
  /** x[i] = 0 where |x[i]| < tiny (keeps decaying optimizer moments out of the slow subnormal range). */
  flush_tiny(x: number, N: number, tiny: number): void;

  // --- util.ts
  /** out[N] = value */
  fill_f32(out: number, N: number, value: number): void;
  /** 1 if any of x[N] is NaN or +-Infinity, else 0. */
  has_nonfinite(x: number, N: number): number;
  /** out[b, :] = src[idx[b], :] for b < B; idx: i32[B]; rows of C floats. */
  gather_rows(out: number, src: number, idx: number, B: number, C: number): void;
  /** out[b] = src[idx[b]] (i32) */
  gather_i32(out: number, src: number, idx: number, B: number): void;

  // --- conv.ts: NHWC, stride 1, kernel (KH, KW, C, OC) as Keras, padding same = 1 (Keras "same":
  // total KH-1 rows, the extra one at the bottom) or valid = 0. OH, OW = H-KH+1, W-KW+1 (valid) or H, W.
  // Not in place (outputs must not overlap inputs); one scratch block per concurrently running call.
  // Conv1D (inp[B,L,C], kernel[K,C,OC]) is conv2d with H = 1, KH = 1.
  /** Bytes of scratch (a 16-byte aligned block) conv2d_forward (backward = 0) or conv2d_backward (backward = 1,
   * hasDinp = dinp != 0) needs. 3x3 kernels with C, OC multiples of 4 (Winograd): 4*max(3716 + 117*C*OC +
   * 1152*(2C+OC), 3844 + 73*C*OC + 2048*(C+OC)) for both (the training F(4x4, 3x3) and the inference
   * F(6x6, 3x3)), independent of B, H, W. Otherwise: forward same ? 4*B*(H+KH-1)*(W+KW-1)*C : 0;
   * backward 4*(align4(KH*KW*C*OC) + B*(H+KH-1)*(W+KW-1)*max(same ? C : 0, hasDinp ? OC : 0)). */
  conv2d_scratch_bytes(
    B: number,
    H: number,
    W: number,
    C: number,
    OC: number,
    KH: number,
    KW: number,
    same: number,
    backward: number,
    hasDinp: number,
  ): number;
  /** out[B,OH,OW,OC] = conv(inp[B,H,W,C], kernel[KH,KW,C,OC]) + bias[OC] (bias 0 = none); relu = 1:
   * max(0, that), applied while the output is in cache (the same bits as relu_forward after it).
   * keep = 1: the caller promises that since its previous conv2d_ call on `scratch` (same shape)
   * nothing else wrote it; the Winograd path then reuses the transformed kernel it left there when
   * the kernel's bits are unchanged (compared bit for bit: the results are the same either way).
   * keep = 2: as 1, and the caller also promises that the kernel at this address never changes
   * (an inference model's after prepack): the address is compared instead of the bits.
   * pool = 1 (only where conv2d_pools is 1): out is instead the 2x2 max pool of that output,
   * [B, OH/2, OW/2, OC] (floor), with the bits of maxpool2d_forward after the unpooled call.
   * infer = 1: no backward follows (inference); the Winograd path then takes F(6x6, 3x3), 21% fewer
   * multiplies than the F(4x4, 3x3) training uses, about twice its rounding error (assembly/winograd6.ts). */
  conv2d_forward(
    out: number,
    inp: number,
    kernel: number,
    bias: number,
    scratch: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OC: number,
    KH: number,
    KW: number,
    same: number,
    relu: number,
    keep: number,
    pool: number,
    infer: number,
  ): void;
  /** 1 when conv2d_forward can 2x2 max-pool its output at this shape (pool = 1), else 0. */
  conv2d_pools(KH: number, KW: number, C: number, OC: number): number;
  /** How many parts conv2d_forward_part can cut an inference forward into (1: not cut): ranges of
   * F(6x6, 3x3) output tiles, where that keeps every output's bits. */
  conv2d_parts(B: number, H: number, W: number, C: number, OC: number, KH: number, KW: number, same: number): number;
  /** Part `part` of `parts` of conv2d_forward with infer = 1 (3x3, the Winograd path): the outputs
   * (pool = 1: pooled) of one range of tiles, with the whole call's bits; scratch is the caller's. */
  conv2d_forward_part(
    out: number,
    inp: number,
    kernel: number,
    bias: number,
    scratch: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OC: number,
    same: number,
    relu: number,
    keep: number,
    pool: number,
    part: number,
    parts: number,
  ): void;
  /** dinp[B,H,W,C] written (skipped when 0); dkernel += ; dbias += (skipped when 0). */
  conv2d_backward(
    dinp: number,
    dkernel: number,
    dbias: number,
    dout: number,
    inp: number,
    kernel: number,
    scratch: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OC: number,
    KH: number,
    KW: number,
    same: number,
  ): void;

  // --- pool.ts: max pooling, pool = stride, valid (trailing rows/columns dropped); idx: i32, flat
  // index into inp of each output's max (ties: the first in row-major window order). Not in place.
  /** out[B,H/PH,W/PW,C], idx (same shape, i32) from inp[B,H,W,C]. */
  maxpool2d_forward(
    out: number,
    idx: number,
    inp: number,
    B: number,
    H: number,
    W: number,
    C: number,
    PH: number,
    PW: number,
  ): void;
  /** dinp[B,H,W,C] written: zeros, then dout at each recorded max. */
  maxpool2d_backward(
    dinp: number,
    dout: number,
    idx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    PH: number,
    PW: number,
  ): void;
  /** out[B,L/P,C], idx from inp[B,L,C]. */
  maxpool1d_forward(out: number, idx: number, inp: number, B: number, L: number, C: number, P: number): void;
  maxpool1d_backward(dinp: number, dout: number, idx: number, B: number, L: number, C: number, P: number): void;

  // --- dropout.ts: inverted dropout; identity at inference (no call). In place allowed.
  /** mask[N] = (u(first + i) >= rate) ? 1/(1-rate) : 0, u(j) = uniform value j of (seed, stream);
   * out = inp * mask. first (default 0) = row0 * values per row for a thread's slice. */
  dropout_forward(
    out: number,
    mask: number,
    inp: number,
    N: number,
    rate: number,
    seed: number,
    stream: number,
    first?: number,
  ): void;
  /** dinp[N] = dout * mask */
  dropout_backward(dinp: number, dout: number, mask: number, N: number): void;

  // --- bsf_position.ts: position gate on [B,P,C], one w[p] per position shared over channels.
  /** mask[B,P] = (u < w[p]) as 0/1 with u = value ((row0 + b)*P + p) of (seed, stream);
   * out[b,p,c] = inp[b,p,c] * mask[b,p]. */
  bsf_position_forward(
    out: number,
    mask: number,
    inp: number,
    w: number,
    B: number,
    P: number,
    C: number,
    seed: number,
    stream: number,
    row0?: number,
  ): void;
  /** dinp = dout * mask[b,p] (skipped when 0); dw[p] += sum_b sum_c dout*inp (times w[p] when scaled). */
  bsf_position_backward(
    dinp: number,
    dw: number,
    dout: number,
    inp: number,
    mask: number,
    w: number,
    B: number,
    P: number,
    C: number,
    scaled: number,
  ): void;
  /** out = inp * (w[p] > threshold) (expectation = 0) or inp * w[p] (expectation = 1). */
  bsf_position_infer(
    out: number,
    inp: number,
    w: number,
    B: number,
    P: number,
    C: number,
    threshold: number,
    expectation: number,
  ): void;

  // --- gates.ts: the BSF layer's reparameterized gate variants; kind 1 = gaussian (STG: theta = mu,
  // z = clamp(mu + sigma*eps + 0.5, 0, 1)), kind 2 = hard concrete (L0: theta = log alpha). One z per
  // (sample, gate) from PRNG index i = (row0 + b)*C + c (gaussian: value i of rng_normal's Box-Muller pairing;
  // hard concrete: uniform value i). f32 arithmetic.
  /** z[B,C] = samples of the gates theta[C] */
  gate_sample(
    z: number,
    theta: number,
    B: number,
    C: number,
    kind: number,
    sigma: number,
    seed: number,
    stream: number,
    row0?: number,
  ): void;
  /** z = gate_sample(theta); out[b,p,c] = inp[b,p,c] * z[b,c] over [B,P,C] (P = 1 for one gate per unit). */
  gate_forward(
    out: number,
    z: number,
    inp: number,
    theta: number,
    B: number,
    P: number,
    C: number,
    kind: number,
    sigma: number,
    seed: number,
    stream: number,
    row0?: number,
  ): void;
  /** dinp = dout * z[b,c] (skipped when 0); dtheta[c] += sum dout*inp * dz/dtheta (0 where z is clamped). */
  gate_backward(
    dinp: number,
    dtheta: number,
    dout: number,
    inp: number,
    z: number,
    B: number,
    P: number,
    C: number,
    kind: number,
  ): void;
  /** out[R,C] = inp * scale(theta[c]): the inference gate clamp(mu + 0.5, 0, 1) or
   * clamp(sigmoid(log alpha) * 1.2 - 0.1, 0, 1), 0 at or below threshold. */
  gate_infer(out: number, inp: number, theta: number, R: number, C: number, kind: number, threshold: number): void;
  /** sum_c P(z_c > 0): Phi((mu + 0.5) / sigma) or sigmoid(log alpha + (2/3) log 11) */
  gate_penalty_value(theta: number, N: number, kind: number, sigma: number): number;
  /** dtheta[N] += lambda * dP(z > 0)/dtheta */
  gate_penalty_backward(dtheta: number, theta: number, N: number, lambda: number, kind: number, sigma: number): void;

  // --- reduce.ts: data-parallel training (src/runtime/threads.ts).
  /** dst[N] += src[N]; src zeroed as it is read when clearSrc = 1. */
  grad_reduce(dst: number, src: number, N: number, clearSrc: number): void;

  // --- normalize.ts: the Normalization layer (standardization over the last axis).
  /** inv[F] = f32(1 / max(sqrt(max(variance, 0)), 1e-7)); out[B,F] = f32((inp - mean) * inv) in f64
   * (rounded once). In place allowed. */
  normalize_forward(out: number, inv: number, inp: number, mean: number, variance: number, B: number, F: number): void;
  /** dinp[B,F] = dout * inv (the forward's inv). In place allowed. */
  normalize_backward(dinp: number, dout: number, inv: number, B: number, F: number): void;
}

/** Names of every export the TypeScript side relies on; the loader checks them all at load time. */
export const KERNEL_NAMES: readonly (keyof WasmKernels)[] = [
  "memory",
  "rng_uniform",
  "rng_normal",
  "gemm_nn",
  "gemm_nt",
  "gemm_tn",
  "gemm_nn_simple",
  "gemm_nt_simple",
  "gemm_tn_simple",
  "gemm_workspace_bytes",
  "gemm_workspace",
  "dense_forward",
  "dense_parts",
  "dense_forward_part",
  "dense_row_pack_bytes",
  "dense_row_pack",
  "dense_forward_row",
  "dense_backward",
  "dense_train_ws_bytes",
  "dense_forward_train",
  "dense_backward_train",
  "relu_forward",
  "relu_backward",
  "tanh_forward",
  "tanh_backward",
  "softmax_forward",
  "exp_forward",
  "softmax_xent_forward",
  "softmax_xent_backward",
  "argmax_correct",
  "mse_forward",
  "mse_backward",
  "bsf_forward",
  "bsf_backward",
  "bsf_infer",
  "bsf_channel_forward",
  "bsf_channel_backward",
  "bsf_channel_infer",
  "l1_backward",
  "l1_value",
  "clip",
  "adam_step",
  "sgd_step",
  "flush_tiny",
  "fill_f32",
  "has_nonfinite",
  "gather_rows",
  "gather_i32",
  "conv2d_scratch_bytes",
  "conv2d_forward",
  "conv2d_pools",
  "conv2d_parts",
  "conv2d_forward_part",
  "conv2d_backward",
  "maxpool2d_forward",
  "maxpool2d_backward",
  "maxpool1d_forward",
  "maxpool1d_backward",
  "dropout_forward",
  "dropout_backward",
  "bsf_position_forward",
  "bsf_position_backward",
  "bsf_position_infer",
  "gate_sample",
  "gate_forward",
  "gate_backward",
  "gate_infer",
  "gate_penalty_value",
  "gate_penalty_backward",
  "grad_reduce",
  "normalize_forward",
  "normalize_backward",
];
