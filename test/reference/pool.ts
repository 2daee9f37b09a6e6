// Scalar reference for max pooling (pool = stride, valid): out[B,OH,OW,C] and the flat input index
// of each max (first max wins), and the backward scatter.

export function maxpool2dForward(
  x: Float32Array,
  B: number,
  H: number,
  W: number,
  C: number,
  PH: number,
  PW: number,
): { out: Float32Array; idx: Int32Array } {
  const OH = Math.floor(H / PH),
    OW = Math.floor(W / PW);
  const out = new Float32Array(B * OH * OW * C);
  const idx = new Int32Array(out.length);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity,
            bi = -1;
          for (let py = 0; py < PH; py++)
            for (let px = 0; px < PW; px++) {
              const e = ((b * H + oh * PH + py) * W + ow * PW + px) * C + c;
              if (bi < 0 || x[e] > best) {
                best = x[e];
                bi = e;
              }
            }
          const o = ((b * OH + oh) * OW + ow) * C + c;
          out[o] = best;
          idx[o] = bi;
        }
  return { out, idx };
}

export function maxpool2dBackward(dout: Float32Array, idx: Int32Array, inputLength: number): Float32Array {
  const dx = new Float32Array(inputLength);
  for (let o = 0; o < dout.length; o++) dx[idx[o]] += dout[o];
  return dx;
}
