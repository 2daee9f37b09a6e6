// maxpool2d/1d forward/backward against the scalar reference (test/reference/pool.ts): values,
// argmax indices (ties: first max), the backward scatter, and central finite differences.
import { describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.js";
import { maxpool2dBackward, maxpool2dForward } from "../reference/pool.js";
import { get, maxAbsDiff, put, randn, rng, runtime, worstFiniteDiff } from "../util/wasm.js";

function run(
  rt: Runtime,
  x: Float32Array,
  dout: Float32Array | null,
  B: number,
  H: number,
  W: number,
  C: number,
  PH: number,
  PW: number,
) {
  const n = B * Math.floor(H / PH) * Math.floor(W / PW) * C;
  const px = put(rt, x),
    pout = rt.alloc(n * 4),
    pidx = rt.alloc(n * 4);
  rt.k.maxpool2d_forward(pout, pidx, px, B, H, W, C, PH, PW);
  const out = get(rt, pout, n),
    idx = rt.i32(pidx, n).slice();
  let dx: Float32Array | undefined;
  if (dout) {
    const pdx = put(rt, new Float32Array(x.length).fill(Number.NaN)); // must be fully written
    rt.k.maxpool2d_backward(pdx, put(rt, dout), pidx, B, H, W, C, PH, PW);
    dx = get(rt, pdx, x.length);
  }
  return { out, idx, dx };
}

describe("maxpool2d", () => {
  const cases = [
    [2, 7, 9, 5, 2, 2],
    [1, 6, 6, 4, 2, 2],
    [3, 5, 7, 3, 3, 2],
    [2, 8, 5, 9, 1, 3],
    [1, 9, 11, 13, 2, 3],
    [2, 24, 24, 64, 2, 2],
  ];
  for (const [B, H, W, C, PH, PW] of cases) {
    it(`B${B} ${H}x${W}x${C} pool ${PH}x${PW} vs reference`, async () => {
      const rt = await runtime();
      const r = rng(H * 100 + W * 10 + C);
      const x = randn(r, B * H * W * C);
      const ref = maxpool2dForward(x, B, H, W, C, PH, PW);
      const dout = randn(r, ref.out.length);
      const got = run(rt, x, dout, B, H, W, C, PH, PW);
      expect(maxAbsDiff(got.out, ref.out)).toBe(0);
      expect(Array.from(got.idx)).toEqual(Array.from(ref.idx));
      expect(maxAbsDiff(got.dx!, maxpool2dBackward(dout, ref.idx, x.length))).toBe(0);
    });
  }

  // idx 0: the inference forward, values only (a pass of its own in the kernel).
  for (const [B, H, W, C, PH, PW] of [...cases, [3, 7, 10, 6, 3, 3]]) {
    it(`B${B} ${H}x${W}x${C} pool ${PH}x${PW} without indices: the same values`, async () => {
      const rt = await runtime();
      const r = rng(H * 7 + W * 3 + C + 1);
      const x = randn(r, B * H * W * C);
      const n = B * Math.floor(H / PH) * Math.floor(W / PW) * C;
      const pout = put(rt, new Float32Array(n).fill(Number.NaN)); // must be fully written
      rt.k.maxpool2d_forward(pout, 0, put(rt, x), B, H, W, C, PH, PW);
      expect(Array.from(get(rt, pout, n))).toEqual(Array.from(maxpool2dForward(x, B, H, W, C, PH, PW).out));
    });
  }

  it("with and without indices: the same bits on ties, signed zeros and NaNs", async () => {
    const rt = await runtime();
    const r = rng(13);
    const B = 2,
      H = 6,
      W = 9,
      C = 7;
    const pick = [0, -0, 1, -1, Number.NaN, 2, 2];
    const x = Float32Array.from({ length: B * H * W * C }, () => pick[Math.floor(r() * pick.length)]);
    for (const [PH, PW] of [
      [2, 2],
      [3, 3],
      [2, 3],
    ]) {
      const n = B * Math.floor(H / PH) * Math.floor(W / PW) * C;
      const withIdx = run(rt, x, null, B, H, W, C, PH, PW).out;
      const pout = rt.alloc(n * 4);
      rt.k.maxpool2d_forward(pout, 0, put(rt, x), B, H, W, C, PH, PW);
      const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
      expect(bits(get(rt, pout, n))).toEqual(bits(withIdx));
      // the reference's first-max rule, bit for bit (NaN first in a window stays, -0 before +0 stays)
      expect(bits(withIdx)).toEqual(bits(maxpool2dForward(x, B, H, W, C, PH, PW).out));
    }
  });

  it("ties go to the first max in row-major window order", async () => {
    const rt = await runtime();
    const r = rng(11);
    const B = 2,
      H = 6,
      W = 8,
      C = 7;
    // values from {0, 1, 2}: many ties per window
    const x = Float32Array.from({ length: B * H * W * C }, () => Math.floor(r() * 3));
    const ref = maxpool2dForward(x, B, H, W, C, 2, 2);
    const got = run(rt, x, null, B, H, W, C, 2, 2);
    expect(Array.from(got.idx)).toEqual(Array.from(ref.idx));
    // and the all-equal window picks its top-left element
    const z = new Float32Array(B * H * W * C);
    const gz = run(rt, z, null, B, H, W, C, 2, 2);
    expect(gz.idx[0]).toBe(0);
    expect(gz.idx[C]).toBe(2 * C); // window (0, 1) starts at w = 2
  });

  it("backward matches central finite differences", async () => {
    const rt = await runtime();
    const r = rng(21);
    const B = 2,
      H = 5,
      W = 7,
      C = 6,
      PH = 2,
      PW = 3;
    const x = randn(r, B * H * W * C);
    const n = B * 2 * 2 * C;
    const R = randn(r, n);
    const { dx } = run(rt, x, R, B, H, W, C, PH, PW);
    const loss = () => run(rt, x, null, B, H, W, C, PH, PW).out.reduce((a, v, i) => a + v * R[i], 0);
    // eps smaller than the gaps between random values, so the argmax does not flip
    const worst = worstFiniteDiff(x, dx!, 1e-4, loss);
    console.log(`maxpool FD: max abs error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(2e-2);
  });
});

describe("maxpool1d", () => {
  it("equals maxpool2d with height 1, forward and backward", async () => {
    const rt = await runtime();
    const r = rng(31);
    const B = 3,
      L = 17,
      C = 5,
      P = 3;
    const x = randn(r, B * L * C);
    const ref = maxpool2dForward(x, B, 1, L, C, 1, P);
    const dout = randn(r, ref.out.length);
    const n = ref.out.length;
    const px = put(rt, x),
      pout = rt.alloc(n * 4),
      pidx = rt.alloc(n * 4);
    rt.k.maxpool1d_forward(pout, pidx, px, B, L, C, P);
    expect(Array.from(get(rt, pout, n))).toEqual(Array.from(ref.out));
    expect(Array.from(rt.i32(pidx, n))).toEqual(Array.from(ref.idx));
    const pdx = put(rt, new Float32Array(x.length).fill(7));
    rt.k.maxpool1d_backward(pdx, put(rt, dout), pidx, B, L, C, P);
    expect(Array.from(get(rt, pdx, x.length))).toEqual(Array.from(maxpool2dBackward(dout, ref.idx, x.length)));
  });
});
