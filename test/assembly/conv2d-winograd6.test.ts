// The inference forward's F(6x6, 3x3) Winograd path (conv2d_forward infer = 1): its error against
// the exact convolution beside the training path's F(4x4, 3x3), at the Table 6 CNN's conv2 and at a
// wider layer; and the transformed kernel kept on a scratch that both paths use in turn.
import { describe, expect, it } from "vitest";
import { conv2dForward, outSize, type ConvShape } from "../reference/conv.js";
import { get, put, randn, rng, runtime } from "../util/wasm.js";

describe("conv2d_forward infer = 1 (F(6x6, 3x3))", async () => {
  const rt = await runtime();

  /** max |out - ref| / max |ref| of one forward on a fresh scratch */
  function relErr(s: ConvShape, x: Float32Array, k: Float32Array, bias: Float32Array, infer: number) {
    const { OH, OW } = outSize(s);
    const n = s.B * OH * OW * s.OC;
    const same = s.same ? 1 : 0;
    const bytes = rt.k.conv2d_scratch_bytes(s.B, s.H, s.W, s.C, s.OC, 3, 3, same, 0, 0);
    const scratch = rt.alloc(bytes);
    const [px, pk, pb, po] = [put(rt, x), put(rt, k), put(rt, bias), put(rt, new Float32Array(n))];
    rt.k.conv2d_forward(po, px, pk, pb, scratch, s.B, s.H, s.W, s.C, s.OC, 3, 3, same, 0, 0, 0, infer);
    const out = get(rt, po, n).slice();
    const ref = conv2dForward(s, x, k, bias);
    let e = 0,
      m = 0;
    for (let i = 0; i < n; i++) {
      e = Math.max(e, Math.abs(out[i] - ref[i]));
      m = Math.max(m, Math.abs(ref[i]));
    }
    for (const [p, b] of [
      [scratch, bytes],
      [px, x.length * 4],
      [pk, k.length * 4],
      [pb, bias.length * 4],
      [po, n * 4],
    ])
      rt.release(p, b);
    return e / m;
  }

  it("stays within a few times F(4x4, 3x3)'s error of the exact convolution", () => {
    for (const s of [
      { B: 2, H: 26, W: 26, C: 32, OC: 64, KH: 3, KW: 3, same: false },
      { B: 1, H: 14, W: 15, C: 128, OC: 32, KH: 3, KW: 3, same: true },
    ]) {
      const r = rng(s.C + s.H);
      const x = randn(r, s.B * s.H * s.W * s.C);
      const k = randn(r, 9 * s.C * s.OC, Math.sqrt(2 / (9 * s.C)));
      const bias = randn(r, s.OC, 0.1);
      const e4 = relErr(s, x, k, bias, 0);
      const e6 = relErr(s, x, k, bias, 1);
      console.log(
        `C=${s.C} OC=${s.OC}: relative error F(4x4,3x3) ${e4.toExponential(2)}, F(6x6,3x3) ${e6.toExponential(2)}`,
      );
      expect(e6).toBeLessThan(3e-5);
      expect(e6).toBeLessThan(6 * e4 + 1e-6);
    }
  });

  it("keeps its transformed kernel apart from the training path's on one scratch", () => {
    const s: ConvShape = { B: 1, H: 10, W: 9, C: 8, OC: 8, KH: 3, KW: 3, same: false };
    const { OH, OW } = outSize(s);
    const n = OH * OW * s.OC;
    const r = rng(3);
    const x = randn(r, s.H * s.W * s.C);
    const k1 = randn(r, 9 * s.C * s.OC),
      k2 = randn(r, 9 * s.C * s.OC);
    const bytes = rt.k.conv2d_scratch_bytes(1, s.H, s.W, s.C, s.OC, 3, 3, 0, 1, 1);
    const shared = rt.alloc(bytes);
    const [px, pk, po] = [put(rt, x), put(rt, k1), put(rt, new Float32Array(n))];
    const run = (scratch: number, keep: number, infer: number) => {
      rt.k.conv2d_forward(po, px, pk, 0, scratch, 1, s.H, s.W, s.C, s.OC, 3, 3, 0, 0, keep, 0, infer);
      return Array.from(get(rt, po, n));
    };
    /** on a scratch of its own, nothing kept */
    const fresh = (infer: number) => {
      const own = rt.alloc(bytes);
      const out = run(own, 0, infer);
      rt.release(own, bytes);
      return out;
    };
    const f4 = fresh(0),
      f6 = fresh(1);
    expect(f6).not.toEqual(f4); // two algorithms: rounding differs
    // alternate the two on one scratch with keep = 1: each call gives what a fresh scratch gives
    expect(run(shared, 1, 1)).toEqual(f6);
    expect(run(shared, 1, 0)).toEqual(f4);
    expect(run(shared, 1, 1)).toEqual(f6);
    expect(run(shared, 1, 1)).toEqual(f6);
    // a changed kernel is transformed again
    rt.f32(pk, k2.length).set(k2);
    expect(run(shared, 1, 1)).toEqual(fresh(1));
    expect(run(shared, 1, 0)).toEqual(fresh(0));
  });
});
