// gemm_nn / gemm_nt / gemm_tn against float64 scalar references, on shapes that hit every
// register-block edge (sizes not multiples of 4 or 8) and on the Musk2 net's shapes.
import { describe, expect, it } from "vitest";
import { gemmNN, gemmNT, gemmTN } from "../reference/gemm.js";
import { get, kernelBuilds, maxAbsDiff, put, randn, rng } from "../util/wasm.js";

const builds = await kernelBuilds();

it("checks the relaxed-SIMD build too where the engine runs it (Node 20: by the V8 flag)", () => {
  if (typeof process.versions.node === "string") expect(builds.map((b) => b[0])).toContain("relaxed-simd");
});

const SMALL = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 33];
const GUARD = 8;

function shapes(): [number, number, number][] {
  const r = rng(7);
  const out: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 4, 8],
    [5, 3, 17],
    [17, 33, 9],
    [33, 1, 3],
    [32, 168, 336],
    [128, 336, 168],
    [128, 168, 2],
    [7, 2, 168],
    [168, 128, 2],
    [336, 32, 168],
    // nn's last one or two columns as dot products along k (edge_dot): K % 4 tails, rows % 4 left
    [256, 168, 1],
    [9, 130, 5],
    [12, 167, 6],
    [8, 131, 1102],
    // several k blocks: nn/tn block K by the byte span of B's rows (wide N), nt by the size of A (tall M)
    [5, 150, 1100],
    [601, 301, 9],
    // an empty sum
    [3, 0, 5],
  ];
  for (let t = 0; t < 24; t++) {
    const pick = () => SMALL[Math.floor(r() * SMALL.length)];
    out.push([pick(), pick(), pick()]);
  }
  return out;
}

type Variant = "nn" | "nt" | "tn";
const REF = { nn: gemmNN, nt: gemmNT, tn: gemmTN };

describe.each(builds)("gemm (%s build)", async (build, load) => {
  const rt = await load();
  for (const v of ["nn", "nt", "tn"] as Variant[]) {
    for (const accumulate of [0, 1]) {
      it(`gemm_${v} accumulate=${accumulate} matches the reference on ${shapes().length} shapes`, () => {
        const r = rng(v.length * 31 + accumulate + v.charCodeAt(1));
        let worst = 0;
        for (const [M, K, N] of shapes()) {
          const a = randn(r, M * K),
            b = randn(r, K * N),
            c0 = randn(r, M * N);
          const pa = put(rt, a),
            pb = put(rt, b);
          // C followed by NaN guards: a tail that writes past the end shows up as a changed guard.
          const withGuard = new Float32Array(M * N + GUARD).fill(NaN);
          withGuard.set(c0);
          const pc = put(rt, withGuard);
          rt.k[`gemm_${v}`](pc, pa, pb, M, K, N, accumulate);
          const got = get(rt, pc, M * N + GUARD);
          const want = new Float64Array(c0);
          REF[v](want, a, b, M, K, N, accumulate === 1);
          const err = maxAbsDiff(got.subarray(0, M * N), want);
          const tol = 2e-6 * (K + 1);
          expect(err, `gemm_${v} ${M}x${K}x${N} acc=${accumulate}: max abs err ${err}`).toBeLessThanOrEqual(tol);
          expect(got.subarray(M * N).every(Number.isNaN), `gemm_${v} ${M}x${K}x${N} wrote past C`).toBe(true);
          worst = Math.max(worst, err);
          rt.release(pc, (M * N + GUARD) * 4);
          rt.release(pb, K * N * 4);
          rt.release(pa, M * K * 4);
        }
        console.log(`gemm_${v} accumulate=${accumulate} (${build}): max abs err ${worst.toExponential(2)}`);
      });
    }
  }

  it("accumulate=0 ignores whatever C held (even NaN)", () => {
    const r = rng(3);
    const [M, K, N] = [5, 7, 9];
    const a = randn(r, M * K),
      b = randn(r, K * N);
    const pa = put(rt, a),
      pb = put(rt, b);
    for (const v of ["nn", "nt", "tn"] as Variant[]) {
      const pc = put(rt, new Float32Array(M * N).fill(NaN));
      rt.k[`gemm_${v}`](pc, pa, pb, M, K, N, 0);
      const want = new Float64Array(M * N);
      REF[v](want, a, b, M, K, N, false);
      expect(maxAbsDiff(get(rt, pc, M * N), want)).toBeLessThan(1e-5);
    }
  });
});
