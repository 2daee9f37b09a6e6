// Binary Stochastic Filtering gates (DESIGN.md section 1). A gate w[c] in [0,1] keeps unit c of
// each sample with probability w[c]; the mask is drawn from the counter-based PRNG at index
// b*C + c, so the TypeScript side can reproduce (or resample) any mask from (seed, stream) alone.
import { draw_mask, mul_row } from "./mask";


// --- dense gates: one gate per unit of a [B,C] activation

/** mask[B,C] = (u < w[c]); out[B,C] = inp * mask. w: [C]. */
export function bsf_forward(
  out: usize, mask: usize, inp: usize, w: usize, B: i32, C: i32, seed: u32, stream: u32, row0: i32,
): void {
  draw_mask(mask, w, B, C, seed, stream, row0);
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const o = <usize>b * row;
    mul_row(out + o, inp + o, mask + o, C);
  }
}

/** dinp[B,C] = dout * mask (skipped when dinp is 0);
 * dw[C] += sum_b dout*inp (straight-through) or w * sum_b dout*inp (scaled = 1). */
export function bsf_backward(
  dinp: usize, dw: usize, dout: usize, inp: usize, mask: usize, w: usize, B: i32, C: i32, scaled: i32,
): void {
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const r = <usize>b * row;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = r + (<usize>c << 2);
      const d = v128.load(dout + o);
      const g = f32x4.mul(d, v128.load(inp + o));
      const wo = dw + (<usize>c << 2);
      v128.store(wo, f32x4.add(v128.load(wo), scaled ? f32x4.mul(g, v128.load(w + (<usize>c << 2))) : g));
      if (dinp) v128.store(dinp + o, f32x4.mul(d, v128.load(mask + o)));
    }
    for (; c < C; c++) {
      const o = r + (<usize>c << 2);
      const d = load<f32>(dout + o);
      const g = d * load<f32>(inp + o);
      const wo = dw + (<usize>c << 2);
      store<f32>(wo, load<f32>(wo) + (scaled ? g * load<f32>(w + (<usize>c << 2)) : g));
      if (dinp) store<f32>(dinp + o, d * load<f32>(mask + o));
    }
  }
}

// Inference gate value for 4 units: w itself (expectation) or the 0/1 step (w > threshold).
@inline function gate4(w: v128, thr: v128, one: v128, expectation: i32): v128 {
  return expectation ? w : v128.and(f32x4.gt(w, thr), one);
}

@inline function gate1(w: f32, threshold: f32, expectation: i32): f32 {
  return expectation ? w : w > threshold ? <f32>1 : <f32>0;
}

// out[R,C] = inp * gate(w[c]) for R rows of C (R = B for dense gates, B*P for channel gates).
@inline function infer_rows(out: usize, inp: usize, w: usize, R: i32, C: i32, threshold: f32, expectation: i32): void {
  const thr = f32x4.splat(threshold), one = f32x4.splat(1);
  const row = <usize>C << 2;
  for (let r = 0; r < R; r++) {
    const ro = <usize>r * row;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      v128.store(out + ro + o, f32x4.mul(v128.load(inp + ro + o), gate4(v128.load(w + o), thr, one, expectation)));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(out + ro + o, load<f32>(inp + ro + o) * gate1(load<f32>(w + o), threshold, expectation));
    }
  }
}

/** out[B,C] = inp * (w > threshold) (expectation = 0) or inp * w (expectation = 1). */
export function bsf_infer(out: usize, inp: usize, w: usize, B: i32, C: i32, threshold: f32, expectation: i32): void {
  infer_rows(out, inp, w, B, C, threshold, expectation);
}

// --- channel gates: one gate per channel of an NHWC [B,P,C] activation, one mask per (b, c)

/** mask[B,C] = (u < w[c]) with u = value b*C + c; out[b,p,c] = inp[b,p,c] * mask[b,c]. */
export function bsf_channel_forward(
  out: usize, mask: usize, inp: usize, w: usize, B: i32, P: i32, C: i32, seed: u32, stream: u32, row0: i32,
): void {
  draw_mask(mask, w, B, C, seed, stream, row0);
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const m = mask + <usize>b * row;
    for (let p = 0; p < P; p++) {
      const o = (<usize>b * <usize>P + <usize>p) * row;
      mul_row(out + o, inp + o, m, C);
    }
  }
}

/** dinp[B,P,C] = dout * mask[b,c] (skipped when dinp is 0);
 * dw[C] += sum_b sum_p dout*inp (times w[c] when scaled). */
export function bsf_channel_backward(
  dinp: usize, dw: usize, dout: usize, inp: usize, mask: usize, w: usize, B: i32, P: i32, C: i32, scaled: i32,
): void {
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const m = mask + <usize>b * row;
    for (let p = 0; p < P; p++) {
      const r = (<usize>b * <usize>P + <usize>p) * row;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const co = <usize>c << 2;
        const o = r + co;
        const d = v128.load(dout + o);
        const g = f32x4.mul(d, v128.load(inp + o));
        v128.store(dw + co, f32x4.add(v128.load(dw + co), scaled ? f32x4.mul(g, v128.load(w + co)) : g));
        if (dinp) v128.store(dinp + o, f32x4.mul(d, v128.load(m + co)));
      }
      for (; c < C; c++) {
        const co = <usize>c << 2;
        const o = r + co;
        const d = load<f32>(dout + o);
        const g = d * load<f32>(inp + o);
        store<f32>(dw + co, load<f32>(dw + co) + (scaled ? g * load<f32>(w + co) : g));
        if (dinp) store<f32>(dinp + o, d * load<f32>(m + co));
      }
    }
  }
}

/** out[B,P,C] = inp * gate(w[c]), as bsf_infer. */
export function bsf_channel_infer(
  out: usize, inp: usize, w: usize, B: i32, P: i32, C: i32, threshold: f32, expectation: i32,
): void {
  infer_rows(out, inp, w, B * P, C, threshold, expectation);
}

// --- the L1 penalty and the [0,1] constraint on gate weights

/** dw[N] += lambda * sign(w) (sign(0) = 0, as Keras' L1 regularizer). */
export function l1_backward(dw: usize, w: usize, N: i32, lambda: f32): void {
  const z = f32x4.splat(0), l = f32x4.splat(lambda);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(w + o);
    const s = f32x4.sub(v128.and(f32x4.gt(x, z), l), v128.and(f32x4.lt(x, z), l));
    v128.store(dw + o, f32x4.add(v128.load(dw + o), s));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(w + o);
    const s: f32 = x > 0 ? lambda : x < 0 ? -lambda : 0;
    store<f32>(dw + o, load<f32>(dw + o) + s);
  }
}

/** sum |w[i]|, accumulated in f64. */
export function l1_value(w: usize, N: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < N; i++) s += <f64>Mathf.abs(load<f32>(w + (<usize>i << 2)));
  return s;
}

/** w[N] = min(max(w, lo), hi) */
export function clip(w: usize, N: i32, lo: f32, hi: f32): void {
  const l = f32x4.splat(lo), h = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    v128.store(w + o, f32x4.pmin(h, f32x4.pmax(l, v128.load(w + o))));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    store<f32>(w + o, min(max(load<f32>(w + o), lo), hi));
  }
}
