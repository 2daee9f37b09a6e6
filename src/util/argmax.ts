// Row-wise argmax of class scores (first maximum wins), shared by training and inference.
export function argmaxRows(p: Float32Array, classes: number): Int32Array {
  const out = new Int32Array(p.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (p[i * classes + j] > p[i * classes + best]) best = j;
    out[i] = best;
  }
  return out;
}
