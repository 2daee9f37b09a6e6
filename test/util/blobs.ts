// Small labelled datasets made in code for model tests.
import { rng } from "./wasm.js";

/** `classes` Gaussian blobs in `d` dimensions; the first `informative` features carry the class. */
export function blobs(
  n: number,
  d: number,
  classes: number,
  seed = 1,
  informative = d,
): { x: Float32Array; y: Int32Array } {
  const r = rng(seed);
  const gauss = () => {
    const u = Math.max(r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
  const centers = Array.from({ length: classes }, () =>
    Array.from({ length: d }, (_, j) => (j < informative ? 3 * gauss() : 0)),
  );
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centers[c][j] + gauss();
  }
  return { x, y };
}
