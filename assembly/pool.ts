// Max pooling, NHWC, pool = stride (Keras' default), padding valid: windows never overlap, and
// trailing rows/columns that do not fill a window are dropped (their gradient is 0). The forward
// pass records, per output value, the flat index (within inp, i32) of the max it took; ties go to
// the first max in row-major window order. Backward scatters dout through those indices.

// out[B, OH, OW, C], idx[B, OH, OW, C] (i32), inp[B, H, W, C]; OH = H / PH, OW = W / PW (floor).
export function maxpool2d_forward(out: usize, idx: usize, inp: usize, B: i32, H: i32, W: i32, C: i32, PH: i32, PW: i32): void {
  const OH = H / PH, OW = W / PW;
  const rowStride: usize = <usize>W * <usize>C; // floats per input row
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        // flat index of the window's top-left element, channel 0
        const base = ((<usize>(b * H + oh * PH)) * <usize>W + <usize>(ow * PW)) * <usize>C;
        const o = ((<usize>(b * OH + oh)) * <usize>OW + <usize>ow) * <usize>C;
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          const first = base + <usize>c;
          let m = v128.load(inp + (first << 2));
          let mi = i32x4.add(i32x4.splat(<i32>first), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
          for (let py = 0; py < PH; py++) {
            for (let px = 0; px < PW; px++) {
              if (py == 0 && px == 0) continue;
              const e = base + <usize>py * rowStride + <usize>(px * C + c);
              const v = v128.load(inp + (e << 2));
              const gt = f32x4.gt(v, m); // strict: the first max wins
              m = v128.bitselect(v, m, gt);
              mi = v128.bitselect(i32x4.add(i32x4.splat(<i32>e), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0)), mi, gt);
            }
          }
          v128.store(out + ((o + <usize>c) << 2), m);
          v128.store(idx + ((o + <usize>c) << 2), mi);
        }
        for (; c < C; c++) {
          let mi = base + <usize>c;
          let m = load<f32>(inp + (mi << 2));
          for (let py = 0; py < PH; py++) {
            for (let px = 0; px < PW; px++) {
              const e = base + <usize>py * rowStride + <usize>(px * C + c);
              const v = load<f32>(inp + (e << 2));
              if (v > m) {
                m = v;
                mi = e;
              }
            }
          }
          store<f32>(out + ((o + <usize>c) << 2), m);
          store<i32>(idx + ((o + <usize>c) << 2), <i32>mi);
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
