// Scalar references for the conv kernels: the textbook loops, written from the definition with an
// explicit bounds check instead of padding buffers, in f64. Slow and obviously right.
// Layouts: x[B,H,W,C] NHWC, k[KH,KW,C,OC], bias[OC]; same: Keras padding (top = (KH-1) >> 1).

export interface ConvShape {
  B: number;
  H: number;
  W: number;
  C: number;
  OC: number;
  KH: number;
  KW: number;
  same: boolean;
}

export function outSize(s: ConvShape): { OH: number; OW: number } {
  return s.same ? { OH: s.H, OW: s.W } : { OH: s.H - s.KH + 1, OW: s.W - s.KW + 1 };
}

/** Calls f(b, oh, ow, o, xIndex, kIndex) for every multiply-add of the convolution. */
function eachTap(s: ConvShape, f: (outIndex: number, o: number, xi: number, ki: number) => void): void {
  const { B, H, W, C, OC, KH, KW } = s;
  const { OH, OW } = outSize(s);
  const pt = s.same ? (KH - 1) >> 1 : 0;
  const pl = s.same ? (KW - 1) >> 1 : 0;
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let i = 0; i < KH; i++) {
          const h = oh + i - pt;
          if (h < 0 || h >= H) continue;
          for (let j = 0; j < KW; j++) {
            const w = ow + j - pl;
            if (w < 0 || w >= W) continue;
            for (let c = 0; c < C; c++) {
              const xi = ((b * H + h) * W + w) * C + c;
              for (let o = 0; o < OC; o++) {
                f(((b * OH + oh) * OW + ow) * OC + o, o, xi, ((i * KW + j) * C + c) * OC + o);
              }
            }
          }
        }
}

export function conv2dForward(s: ConvShape, x: Float32Array, k: Float32Array, bias: Float32Array | null): Float32Array {
  const { OH, OW } = outSize(s);
  const acc = new Float64Array(s.B * OH * OW * s.OC);
  if (bias) for (let p = 0; p < acc.length; p++) acc[p] = bias[p % s.OC];
  eachTap(s, (oi, _o, xi, ki) => {
    acc[oi] += x[xi] * k[ki];
  });
  return Float32Array.from(acc);
}

export function conv2dBackward(
  s: ConvShape,
  dout: Float32Array,
  x: Float32Array,
  k: Float32Array,
): { dx: Float32Array; dk: Float32Array; dbias: Float32Array } {
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(k.length);
  const db = new Float64Array(s.OC);
  for (let p = 0; p < dout.length; p++) db[p % s.OC] += dout[p];
  eachTap(s, (oi, _o, xi, ki) => {
    dx[xi] += dout[oi] * k[ki];
    dk[ki] += dout[oi] * x[xi];
  });
  return { dx: Float32Array.from(dx), dk: Float32Array.from(dk), dbias: Float32Array.from(db) };
}
