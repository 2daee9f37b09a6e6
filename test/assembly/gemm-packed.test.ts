// The packed, cache-blocked path (assembly/gemm_packed.ts) and the one-row / small-M paths of
// gemm_nn / gemm_nt / gemm_tn, against the float64 scalar references: shapes that take the packed
// path and cross each of its block boundaries (MR = 4, NR = 8, KC = 256, MC = 128, NC = 2048), edges
// that are not multiples of 4 or 16, M = 1..9, accumulate 0/1, all three orientations; the
// unpacked fallback when no workspace is set; and the *_simple kernels kept for the A/B.
import { describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.js";
import { gemmNN, gemmNT, gemmTN } from "../reference/gemm.js";
import { get, kernelBuilds, maxAbsDiff, put, randn, rng } from "../util/wasm.js";

const builds = await kernelBuilds();

type Variant = "nn" | "nt" | "tn";
const REF = { nn: gemmNN, nt: gemmNT, tn: gemmTN };
const GUARD = 8;

// Packed when N >= 256, K >= 256 and K*N >= 131072, or in tn when M >= 1024 (and M, N, K >= 16).
const PACKED: [number, number, number][] = [
  [16, 512, 256], // the smallest M packed; K in two equal k slices
  [17, 257, 513], // K one past a slice, N one past a panel; M = 4*4 + 1
  [131, 300, 450], // M past one MC block (128) by 3, N % 8 = 2, K % 4 = 0
  [37, 261, 2051], // N past NC (2048) by 3, K odd
  [259, 517, 263], // two MC blocks plus 3 rows, three k slices, N % 8 = 7
  [1030, 19, 21], // tn only: the page-strided A; nn and nt take the unpacked path here
  [2100, 32, 40], // tn only: shallow k, A blocks of 1,024 rows (two, then 52: three 16-row packs and one of 4)
  [22, 1024, 258], // M % 4 = 2, N % 16 = 2
];
const SMALL_M: [number, number, number][] = [];
for (let M = 1; M <= 9; M++) {
  for (const [K, N] of [
    [1, 1],
    [7, 3],
    [9, 8],
    [33, 17],
    [168, 168],
    [300, 129],
    [5, 41],
    [1100, 36],
  ])
    SMALL_M.push([M, K, N]);
}

function check(
  rt: Runtime,
  fn: string,
  v: Variant,
  M: number,
  K: number,
  N: number,
  accumulate: number,
  seed: number,
): number {
  const r = rng(seed);
  const a = randn(r, M * K),
    b = randn(r, K * N),
    c0 = randn(r, M * N);
  const pa = put(rt, a),
    pb = put(rt, b);
  const withGuard = new Float32Array(M * N + GUARD).fill(Number.NaN);
  withGuard.set(c0);
  const pc = put(rt, withGuard);
  (rt.k as unknown as Record<string, (...x: number[]) => void>)[fn](pc, pa, pb, M, K, N, accumulate);
  const got = get(rt, pc, M * N + GUARD);
  rt.release(pc, (M * N + GUARD) * 4);
  rt.release(pb, K * N * 4);
  rt.release(pa, M * K * 4);
  const want = new Float64Array(c0);
  REF[v](want, a, b, M, K, N, accumulate === 1);
  const err = maxAbsDiff(got.subarray(0, M * N), want);
  const tag = `${fn} ${M}x${K}x${N} acc=${accumulate}`;
  expect(err, `${tag}: max abs err ${err}`).toBeLessThanOrEqual(2e-6 * (K + 1));
  expect(
    got.subarray(M * N).every((x) => Number.isNaN(x)),
    `${tag} wrote past C`,
  ).toBe(true);
  return err;
}

describe.each(builds)("gemm packed and small-M paths (%s build)", async (build, load) => {
  const rt = await load();
  for (const v of ["nn", "nt", "tn"] as Variant[]) {
    for (const accumulate of [0, 1]) {
      it(`gemm_${v} accumulate=${accumulate}: packed shapes across every block boundary`, () => {
        let worst = 0;
        PACKED.forEach(([M, K, N], i) => {
          worst = Math.max(worst, check(rt, `gemm_${v}`, v, M, K, N, accumulate, 100 * i + accumulate));
        });
        console.log(`gemm_${v} packed acc=${accumulate} (${build}): max abs err ${worst.toExponential(2)}`);
      });
      it(`gemm_${v} accumulate=${accumulate}: M = 1..9 (the row paths)`, () => {
        SMALL_M.forEach(([M, K, N], i) => {
          check(rt, `gemm_${v}`, v, M, K, N, accumulate, 7 * i + accumulate);
        });
      });
      it(`gemm_${v}_simple accumulate=${accumulate} (the kernel of before) still matches`, () => {
        for (const [M, K, N] of [
          PACKED[1],
          PACKED[2],
          [1, 168, 168] as [number, number, number],
          [5, 33, 17] as [number, number, number],
        ]) {
          check(rt, `gemm_${v}_simple`, v, M, K, N, accumulate, M + K + N);
        }
      });
    }
  }

  it("without a workspace the products fall back to the unpacked kernel, with the same results as it", () => {
    const [M, K, N] = [40, 300, 520];
    const r = rng(11);
    const a = put(rt, randn(r, M * K)),
      b = put(rt, randn(r, K * N));
    const c1 = rt.alloc(M * N * 4),
      c2 = rt.alloc(M * N * 4);
    const ws = rt.alloc(rt.k.gemm_workspace_bytes());
    try {
      rt.k.gemm_workspace(0, 0);
      rt.k.gemm_nn(c1, a, b, M, K, N, 0);
      rt.k.gemm_nn_simple(c2, a, b, M, K, N, 0);
      expect(Array.from(get(rt, c1, M * N))).toEqual(Array.from(get(rt, c2, M * N)));
      // a region too small (or misaligned) is refused the same way
      rt.k.gemm_workspace(ws, rt.k.gemm_workspace_bytes() - 16);
      rt.k.gemm_nn(c1, a, b, M, K, N, 0);
      expect(Array.from(get(rt, c1, M * N))).toEqual(Array.from(get(rt, c2, M * N)));
      rt.k.gemm_workspace(ws + 4, rt.k.gemm_workspace_bytes());
      rt.k.gemm_nn(c1, a, b, M, K, N, 0);
      expect(Array.from(get(rt, c1, M * N))).toEqual(Array.from(get(rt, c2, M * N)));
      // with one, this shape is packed: the same values to rounding, not the same bits
      rt.k.gemm_workspace(ws, rt.k.gemm_workspace_bytes());
      rt.k.gemm_nn(c1, a, b, M, K, N, 0);
      expect(maxAbsDiff(get(rt, c1, M * N), get(rt, c2, M * N))).toBeLessThan(1e-3);
      expect(Array.from(get(rt, c1, M * N))).not.toEqual(Array.from(get(rt, c2, M * N)));
    } finally {
      rt.gemmWorkspace(); // a fresh region for the other tests of this runtime
    }
  });

  it("the row paths give every row the bits of the same row computed alone", () => {
    // M = 1 (row_stream), 2 and 3 (rows_tile) and the 4-row tiles all add each element's terms in k
    // order: a row's result does not depend on the batch it is in (SIMD128 only: the relaxed build
    // fuses in some paths and not in others).
    if (build !== "simd128") return;
    const [K, N] = [168, 168];
    const r = rng(5);
    const x = randn(r, 7 * K),
      w = randn(r, K * N);
    const pw = put(rt, w);
    const rows = (M: number) => {
      const pa = put(rt, x.subarray(0, M * K)),
        pc = rt.alloc(M * N * 4);
      rt.k.gemm_nn(pc, pa, pw, M, K, N, 0);
      const out = get(rt, pc, M * N);
      rt.release(pc, M * N * 4);
      rt.release(pa, M * K * 4);
      return out;
    };
    const all = rows(7);
    for (const M of [1, 2, 3, 4, 5]) expect(Array.from(rows(M)), `M=${M}`).toEqual(Array.from(all.subarray(0, M * N)));
  });
});
