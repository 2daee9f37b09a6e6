// fill, non-finite detection at every position (SIMD body and scalar tail), and gathers.
import { describe, expect, it } from "vitest";
import { get, put, randn, rng, runtime } from "../util/wasm.js";

describe("util", async () => {
  const rt = await runtime();

  it("fill_f32 writes exactly N values", () => {
    for (const n of [1, 3, 4, 5, 7, 17, 33]) {
      const p = put(rt, new Float32Array(n + 4).fill(-1));
      rt.k.fill_f32(p, n, 2.5);
      const got = get(rt, p, n + 4);
      expect(Array.from(got.subarray(0, n))).toEqual(new Array(n).fill(2.5));
      expect(Array.from(got.subarray(n))).toEqual([-1, -1, -1, -1]);
    }
  });

  it("has_nonfinite finds NaN, +Inf and -Inf at any position, and nothing in finite data", () => {
    const r = rng(71);
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 33]) {
      const x = randn(r, n, 1e3);
      x[0] = 3.4e38; // the largest finite magnitudes are not flagged
      if (n > 1) x[n - 1] = -3.4e38;
      const p = put(rt, x);
      expect(rt.k.has_nonfinite(p, n), `finite n=${n}`).toBe(0);
      for (let i = 0; i < n; i++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const v = rt.f32(p, n);
          const keep = v[i];
          v[i] = bad;
          expect(rt.k.has_nonfinite(p, n), `${bad} at ${i} of ${n}`).toBe(1);
          // A bad value just past the end is not part of x[N].
          if (i === n - 1) expect(rt.k.has_nonfinite(p, n - 1), `${bad} past ${n - 1}`).toBe(0);
          rt.f32(p, n)[i] = keep;
        }
      }
    }
  });

  it("gather_rows copies rows by index; gather_i32 gathers labels", () => {
    const r = rng(72);
    for (const C of [1, 3, 4, 7, 17]) {
      const rows = 10,
        B = 6;
      const src = randn(r, rows * C);
      const idx = Int32Array.from({ length: B }, () => Math.floor(r() * rows));
      idx[0] = rows - 1;
      const ps = put(rt, src),
        pi = put(rt, idx, "i32"),
        po = put(rt, new Float32Array(B * C));
      rt.k.gather_rows(po, ps, pi, B, C);
      const got = get(rt, po, B * C);
      for (let b = 0; b < B; b++)
        expect(Array.from(got.subarray(b * C, b * C + C))).toEqual(
          Array.from(src.subarray(idx[b] * C, idx[b] * C + C)),
        );
      const labels = Int32Array.from({ length: rows }, (_, i) => i * 7 - 3);
      const pl = put(rt, labels, "i32"),
        pol = put(rt, new Int32Array(B), "i32");
      rt.k.gather_i32(pol, pl, pi, B);
      expect(Array.from(rt.i32(pol, B))).toEqual(Array.from(idx, (i) => labels[i]));
    }
  });
});
