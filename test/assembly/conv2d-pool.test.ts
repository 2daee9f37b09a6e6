// conv2d_forward with pool = 1 (the 2x2 max pool computed in the Winograd output transform, F(4x4, 3x3)
// and the inference F(6x6, 3x3)) against
// conv2d_forward then maxpool2d_forward, bit for bit: odd output sizes (the floor drops a row or a
// column, partial tiles), both paddings, with and without ReLU and bias, NaN and -0 in the output.
import { describe, expect, it } from "vitest";
import { get, put, randn, rng, runtime } from "../util/wasm.js";

interface S {
  B: number;
  H: number;
  W: number;
  C: number;
  OC: number;
  same: number;
}

const SHAPES: S[] = [
  { B: 1, H: 26, W: 26, C: 32, OC: 64, same: 0 }, // the Table 6 CNN's conv2 at batch 1
  { B: 3, H: 9, W: 10, C: 8, OC: 12, same: 0 }, // 7 x 8: the last row dropped
  { B: 2, H: 11, W: 7, C: 4, OC: 4, same: 1 }, // 11 x 7, same padding
  { B: 1, H: 6, W: 6, C: 12, OC: 8, same: 0 }, // 4 x 4: one tile
  { B: 2, H: 4, W: 5, C: 4, OC: 8, same: 0 }, // 2 x 3: one window, a partial tile
];

describe("conv2d_forward pool = 1", async () => {
  const rt = await runtime();
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

  it("is said possible where the Winograd path runs, and only there", () => {
    expect(rt.k.conv2d_pools(3, 3, 32, 64)).toBe(1);
    expect(rt.k.conv2d_pools(3, 3, 1, 32)).toBe(0);
    expect(rt.k.conv2d_pools(5, 5, 8, 8)).toBe(0);
    expect(rt.k.conv2d_pools(3, 3, 6, 8)).toBe(0);
  });

  it("equals conv2d_forward then maxpool2d_forward, bit for bit", () => {
    const r = rng(77);
    for (const s of SHAPES) {
      const OH = s.same ? s.H : s.H - 2,
        OW = s.same ? s.W : s.W - 2;
      const POH = OH >> 1,
        POW = OW >> 1;
      const x = randn(r, s.B * s.H * s.W * s.C);
      const k = randn(r, 9 * s.C * s.OC, 0.3);
      const bias = randn(r, s.OC);
      // a NaN in channel 1's kernel reaches every output of that channel; channel 2 gets -0
      // (zero kernel and a -0 bias): the pool's NaN and signed-zero choices must be the same
      for (let c = 0; c < s.C; c++) k[c * s.OC + 1] = Number.NaN;
      if (s.OC > 2) {
        for (let t = 0; t < 9 * s.C; t++) k[t * s.OC + 2] = 0;
        bias[2] = -0;
      }
      const px = put(rt, x),
        pk = put(rt, k),
        pb = put(rt, bias);
      const nOut = s.B * OH * OW * s.OC,
        nPool = s.B * POH * POW * s.OC;
      const pout = put(rt, new Float32Array(nOut)),
        ppool = put(rt, new Float32Array(nPool)),
        pfused = put(rt, new Float32Array(nPool + 4).fill(7));
      const bytes = rt.k.conv2d_scratch_bytes(s.B, s.H, s.W, s.C, s.OC, 3, 3, s.same, 0, 0);
      const scratch = rt.alloc(bytes);
      for (const [relu, withBias, infer] of [0, 1].flatMap((a) =>
        [0, 1].flatMap((b) => [0, 1].map((c) => [a, b, c])),
      )) {
        {
          const b = withBias ? pb : 0;
          rt.k.conv2d_forward(pout, px, pk, b, scratch, s.B, s.H, s.W, s.C, s.OC, 3, 3, s.same, relu, 0, 0, infer);
          rt.k.maxpool2d_forward(ppool, 0, pout, s.B, OH, OW, s.OC, 2, 2);
          rt.k.conv2d_forward(pfused, px, pk, b, scratch, s.B, s.H, s.W, s.C, s.OC, 3, 3, s.same, relu, 1, 1, infer);
          const want = get(rt, ppool, nPool);
          const got = get(rt, pfused, nPool + 4);
          const what = `${JSON.stringify(s)} relu=${relu} bias=${withBias} infer=${infer}`;
          expect(bits(got.subarray(0, nPool)), what).toEqual(bits(want));
          expect(Array.from(got.subarray(nPool)), `${what}: nothing written past the pooled output`).toEqual([
            7, 7, 7, 7,
          ]);
          if (relu) expect(Object.is(got[2 % s.OC], 0) || s.OC <= 2, what).toBe(true);
        }
      }
      rt.release(scratch, bytes);
    }
  });
});
