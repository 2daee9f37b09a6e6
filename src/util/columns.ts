// The one column gather: rows of a row-major matrix restricted to some columns. Feature
// selection, cross-validation, pruning (a model that reads fewer inputs) and inference use it.
import { ShapeError } from "../errors.js";

/** Columns `cols` (in that order) of the rows of x (row-major, `width` values a row); of every
 * row, or of the rows `rows` in that order. Indices are checked. */
export function takeColumns(
  x: ArrayLike<number>,
  width: number,
  cols: ArrayLike<number>,
  rows?: ArrayLike<number>,
): Float32Array {
  if (x.length % width !== 0)
    throw new ShapeError(`got ${x.length} values, not a multiple of the ${width} values of a row`, "input");
  const n = x.length / width;
  const m = cols.length;
  for (let c = 0; c < m; c++) {
    if (!Number.isInteger(cols[c]) || cols[c] < 0 || cols[c] >= width)
      throw new ShapeError(`column index ${cols[c]} out of range 0..${width - 1}`);
  }
  const count = rows ? rows.length : n;
  const out = new Float32Array(count * m);
  for (let i = 0; i < count; i++) {
    const r = rows ? rows[i] : i;
    if (rows && (!Number.isInteger(r) || r < 0 || r >= n))
      throw new ShapeError(`row index ${r} out of range 0..${n - 1}`);
    const src = r * width;
    const dst = i * m;
    for (let c = 0; c < m; c++) out[dst + c] = x[src + cols[c]];
  }
  return out;
}
