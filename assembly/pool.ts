// Max pooling, NHWC, pool = stride (Keras' default), padding valid: windows never overlap, and
// trailing rows/columns that do not fill a window are dropped (their gradient is 0). The forward
// pass records, per output value, the flat index (within inp, i32) of the max it took; ties go to
// the first max in row-major window order. Backward scatters dout through those indices.

// out[B, OH, OW, C], idx[B, OH, OW, C] (i32), inp[B, H, W, C]; OH = H / PH, OW = W / PW (floor).
// idx 0: no indices (inference, where no backward follows): only the max is written.
export function maxpool2d_forward(out: usize, idx: usize, inp: usize, B: i32, H: i32, W: i32, C: i32, PH: i32, PW: i32): void {
  if (idx) pool_rows(out, idx, inp, B, H, W, C, PH, PW, true);
  else pool_rows(out, 0, inp, B, H, W, C, PH, PW, false);
}

const LANES = v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0);

// A window row at a time: each output row is first the max over the windows' first input row, then
// each later input row is folded into it, so the input is read as one stream, row after row. (Two
// rows read side by side, window by window, ran 3-10x slower once the input no longer fit in cache:
// 23 ms at the CNN's 256 x 24 x 24 x 64.) The fold visits each window's elements in row-major order
// and keeps m unless v is strictly greater: the first max, ties and NaNs included, as one pass over
// the window would find. (Folding a row's own maximum in instead would not: a row starting with NaN
// would hide a larger value after it.) Without indices the step is pmax(m, v) (`m < v ? v : m`,
// one maxps), the same choice.
@inline function pool_rows(
  out: usize, idx: usize, inp: usize, B: i32, H: i32, W: i32, C: i32, PH: i32, PW: i32, withIdx: bool,
): void {
  const OH = H / PH, OW = W / PW;
  const rowBytes: usize = (<usize>W * <usize>C) << 2;
  const colBytes: usize = <usize>C << 2;
  const winBytes: usize = colBytes * <usize>PW;
  const c4: usize = <usize>(C & ~3) << 2;
  const outRow: usize = <usize>OW * colBytes;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const ro: usize = <usize>(b * OH + oh) * outRow; // byte offset of the output row
      for (let py = 0; py < PH; py++) {
        const ri: usize = <usize>(b * H + oh * PH + py) * rowBytes; // byte offset of the input row
        for (let ow = 0; ow < OW; ow++) {
          const wi = ri + <usize>ow * winBytes;
          const wo = ro + <usize>ow * colBytes;
          let q: usize = 0;
          for (; q < c4; q += 16) {
            const e0 = wi + q;
            const po = out + wo + q, pi = idx + wo + q;
            // the first input row starts from its first element, each later row from the maxima so far
            let m = py > 0 ? v128.load(po) : v128.load(inp + e0);
            const px0 = py > 0 ? 0 : 1;
            if (withIdx) {
              let mi = py > 0 ? v128.load(pi) : i32x4.add(i32x4.splat(<i32>(e0 >> 2)), LANES);
              for (let px = px0; px < PW; px++) {
                const e = e0 + <usize>px * colBytes;
                const v = v128.load(inp + e);
                const gt = f32x4.gt(v, m);
                m = v128.bitselect(v, m, gt);
                mi = v128.bitselect(i32x4.add(i32x4.splat(<i32>(e >> 2)), LANES), mi, gt);
              }
              v128.store(pi, mi);
            } else {
              for (let px = px0; px < PW; px++) m = f32x4.pmax(m, v128.load(inp + e0 + <usize>px * colBytes));
            }
            v128.store(po, m);
          }
          for (; q < colBytes; q += 4) {
            const e0 = wi + q;
            const po = out + wo + q, pi = idx + wo + q;
            let m = py > 0 ? load<f32>(po) : load<f32>(inp + e0);
            let mi = withIdx ? (py > 0 ? load<i32>(pi) : <i32>(e0 >> 2)) : 0;
            for (let px = py > 0 ? 0 : 1; px < PW; px++) {
              const e = e0 + <usize>px * colBytes;
              const v = load<f32>(inp + e);
              if (v > m) {
                m = v;
                mi = <i32>(e >> 2);
              }
            }
            store<f32>(po, m);
            if (withIdx) store<i32>(pi, mi);
          }
        }
      }
    }
  }
}

// dinp[B, H, W, C] (written: zero, then dout at each recorded max), dout[B, OH, OW, C], idx as forward.
export function maxpool2d_backward(dinp: usize, dout: usize, idx: usize, B: i32, H: i32, W: i32, C: i32, PH: i32, PW: i32): void {
  memory.fill(dinp, 0, (<usize>B * <usize>H * <usize>W * <usize>C) << 2);
  const n = B * (H / PH) * (W / PW) * C;
  for (let i = 0; i < n; i++) {
    const e = <usize>load<i32>(idx + (<usize>i << 2));
    store<f32>(dinp + (e << 2), load<f32>(dout + (<usize>i << 2)));
  }
}

// MaxPool1D: out[B, L / P, C], idx (i32) same shape, inp[B, L, C]; = maxpool2d with H = 1.
export function maxpool1d_forward(out: usize, idx: usize, inp: usize, B: i32, L: i32, C: i32, P: i32): void {
  maxpool2d_forward(out, idx, inp, B, 1, L, C, 1, P);
}

export function maxpool1d_backward(dinp: usize, dout: usize, idx: usize, B: i32, L: i32, C: i32, P: i32): void {
  maxpool2d_backward(dinp, dout, idx, B, 1, L, C, 1, P);
}
