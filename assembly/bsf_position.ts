// Position gates ("shareAxis" = channels): one BSF weight w[p] per position p of a [B, P, C]
// activation (NHWC flattened to P = H*W positions, or the L positions of a spectrum), one mask per
// (sample, position) shared over the C channels. The counterpart of bsf_channel_* in bsf.ts with
// the roles of P and C swapped; the semantics (DESIGN.md section 1) are the same.
import { draw_mask } from "./mask";
import { hsum } from "./tile";

// y[r, 0..C) = x[r, 0..C) * g for one row of C channels and one gate value g.
@inline function scale_row(out: usize, inp: usize, g: f32, C: i32): void {
  const gv = f32x4.splat(g);
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    v128.store(out + o, f32x4.mul(v128.load(inp + o), gv));
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    store<f32>(out + o, load<f32>(inp + o) * g);
  }
}

// sum over c of dout[r, c] * inp[r, c]
@inline function dot_row(dout: usize, inp: usize, C: i32): f32 {
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(dout + o), v128.load(inp + o)));
  }
  let s = hsum(acc);
  for (; c < C; c++) {
    const o = <usize>c << 2;
    s += load<f32>(dout + o) * load<f32>(inp + o);
  }
  return s;
}

/** mask[B,P] = (u < w[p]) as 0/1 with u = uniform value (b*P + p) of (seed, stream);
 * out[b,p,c] = inp[b,p,c] * mask[b,p]. out[B,P,C], inp[B,P,C], w[P]. */
export function bsf_position_forward(
  out: usize, mask: usize, inp: usize, w: usize, B: i32, P: i32, C: i32, seed: u32, stream: u32, row0: i32,
): void {
  // The same draw as the dense gate's, with the P positions as its units.
  draw_mask(mask, w, B, P, seed, stream, row0);
  const row = <usize>C << 2;
  const n = <usize>B * <usize>P;
  for (let bp: usize = 0; bp < n; bp++) scale_row(out + bp * row, inp + bp * row, load<f32>(mask + (bp << 2)), C);
}

/** dinp[B,P,C] = dout * mask[b,p] (skipped when dinp is 0);
 * dw[p] += sum_b sum_c dout*inp (straight-through) or w[p] * that sum (scaled = 1). */
export function bsf_position_backward(
  dinp: usize, dw: usize, dout: usize, inp: usize, mask: usize, w: usize, B: i32, P: i32, C: i32, scaled: i32,
): void {
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const bp = <usize>b * <usize>P + <usize>p;
      const po = <usize>p << 2;
      const g = dot_row(dout + bp * row, inp + bp * row, C);
      store<f32>(dw + po, load<f32>(dw + po) + (scaled ? g * load<f32>(w + po) : g));
      if (dinp) scale_row(dinp + bp * row, dout + bp * row, load<f32>(mask + (bp << 2)), C);
    }
  }
}

/** out[B,P,C] = inp * (w[p] > threshold) (expectation = 0) or inp * w[p] (expectation = 1). */
export function bsf_position_infer(
  out: usize, inp: usize, w: usize, B: i32, P: i32, C: i32, threshold: f32, expectation: i32,
): void {
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const bp = <usize>b * <usize>P + <usize>p;
      const wp = load<f32>(w + (<usize>p << 2));
      const g: f32 = expectation ? wp : wp > threshold ? <f32>1 : <f32>0;
      scale_row(out + bp * row, inp + bp * row, g, C);
    }
  }
}
