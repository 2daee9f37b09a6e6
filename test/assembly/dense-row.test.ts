// dense_forward_row: one row of dense_forward with the kernel read from its dense_row_pack copy
// (an inference model's one-row layout), or, given a list and an input with enough zeros, from the
// kernel's rows of the nonzero inputs only. In both builds and on both paths it must give
// dense_forward's bits at B = 1 for every shape: K not a multiple of 8 (the short last group), OC
// not a multiple of 4 (the scalar tail of the padded last vector), with and without bias and
// ReLU, NaN and -0 included.
import { describe, expect, it } from "vitest";
import { denseForward } from "../reference/dense.js";
import { get, kernelBuilds, maxAbsDiff, put, randn, rng } from "../util/wasm.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

const SHAPES: [number, number][] = [
  [1, 16],
  [7, 16],
  [8, 17],
  [9, 19],
  [15, 30],
  [17, 31],
  [64, 32],
  [130, 45],
  [41, 41],
  [41, 82],
  [168, 336],
  [9216, 128],
];

describe("dense_forward_row", async () => {
  for (const [name, load] of await kernelBuilds()) {
    it(`${name}: the packed copy's size, 0 below 16 outputs`, async () => {
      const k = (await load()).k;
      expect(k.dense_row_pack_bytes(9216, 128)).toBe(9216 * 128 * 4);
      expect(k.dense_row_pack_bytes(10, 17)).toBe(10 * 20 * 4); // the last vector padded
      expect(k.dense_row_pack_bytes(10, 15)).toBe(0);
      expect(k.dense_row_pack_bytes(0, 32)).toBe(0);
    });

    it(`${name}: the bits of dense_forward at one row, every tail`, async () => {
      const rt = await load();
      const k = rt.k;
      const r = rng(21);
      for (const [C, OC] of SHAPES) {
        const x = randn(r, C);
        const w = randn(r, C * OC, 0.2);
        const b = randn(r, OC);
        w[(C - 1) * OC + OC - 1] = Number.NaN; // the last (tail) output is NaN in both
        x[0] = 0;
        b[0] = -0;
        if (C === 1) w[0] = -1; // output 0: 0 * -1 + -0 = -0 before the ReLU
        const px = put(rt, x);
        const pw = put(rt, w);
        const pb = put(rt, b);
        const pp = rt.alloc(k.dense_row_pack_bytes(C, OC));
        k.dense_row_pack(pp, pw, C, OC);
        const po = put(rt, new Float32Array(OC + 4).fill(7));
        for (const relu of [0, 1]) {
          for (const bias of [pb, 0]) {
            k.dense_forward(po, px, pw, bias, 1, C, OC, relu);
            const want = bits(get(rt, po, OC));
            rt.f32(po, OC + 4).fill(Number.NaN);
            k.dense_forward_row(po, px, pp, pw, 0, bias, C, OC, relu);
            const out = get(rt, po, OC + 4);
            expect(bits(out.subarray(0, OC)), `${C}x${OC} relu=${relu} bias=${bias !== 0}`).toEqual(want);
            expect(Number.isNaN(out[OC]), `${C}x${OC}: nothing written past the row`).toBe(true);
            const ref = denseForward(x, w, bias ? b : null, 1, C, OC);
            if (relu) for (let i = 0; i < OC; i++) ref[i] = Math.max(0, ref[i]);
            const finite = (a: ArrayLike<number>) => Array.from(a).slice(0, OC - 1);
            expect(maxAbsDiff(finite(out), finite(ref))).toBeLessThan(2e-6 * (C + 1));
          }
        }
      }
    });

    it(`${name}: with a list, the bits of dense_forward at any share of zeros, every tail`, async () => {
      const rt = await load();
      const k = rt.k;
      const r = rng(22);
      for (const [C, OC] of SHAPES) {
        const w = randn(r, C * OC, 0.2); // finite: the list's condition
        const b = randn(r, OC);
        b[0] = -0;
        const pw = put(rt, w);
        const pb = put(rt, b);
        const pp = rt.alloc(k.dense_row_pack_bytes(C, OC));
        k.dense_row_pack(pp, pw, C, OC);
        const list = rt.alloc(C * 4);
        const po = put(rt, new Float32Array(OC + 4));
        for (const zeros of [0, 0.45, 0.6, 0.9, 1]) {
          const x = randn(r, C);
          for (let i = 0; i < C; i++) if (r() < zeros) x[i] = r() < 0.5 ? 0 : -0;
          if (zeros === 1) x.fill(0);
          if (zeros === 0.6 && C > 2) x[C - 2] = Number.NaN; // not a zero: its row is read
          const px = put(rt, x);
          for (const relu of [0, 1]) {
            for (const bias of [pb, 0]) {
              k.dense_forward(po, px, pw, bias, 1, C, OC, relu);
              const want = bits(get(rt, po, OC));
              for (const copy of [pp, 0]) {
                rt.f32(po, OC + 4).fill(Number.NaN);
                rt.i32(list, C).fill(-1);
                k.dense_forward_row(po, px, copy, pw, list, bias, C, OC, relu);
                const out = get(rt, po, OC + 4);
                const what = `${C}x${OC} ${zeros * 100}% zeros relu=${relu} bias=${bias !== 0} copy=${copy !== 0}`;
                expect(bits(out.subarray(0, OC)), what).toEqual(want);
                expect(Number.isNaN(out[OC]), `${what}: nothing written past the row`).toBe(true);
              }
            }
          }
        }
      }
    });

    it(`${name}: without a copy, the list is used from 25% zeros`, async () => {
      const rt = await load();
      const k = rt.k;
      const r = rng(24);
      // A kernel with a NaN in its last row tells the paths apart: the list skips that row when
      // its input is 0, dense_forward's path does not.
      for (const [C, OC] of [
        [200, 64],
        [4096, 128],
      ]) {
        const w = randn(r, C * OC, 0.2);
        w[(C - 1) * OC] = Number.NaN;
        const pw = put(rt, w);
        const list = rt.alloc(C * 4);
        const po = rt.alloc(OC * 4);
        for (const [zeros, listed] of [
          [0.2, false],
          [0.25, true],
          [0.5, true],
        ] as const) {
          const x = randn(r, C);
          x.fill(0, C - Math.ceil(C * zeros - 1e-9)); // this share of zeros, at the end
          const px = put(rt, x);
          k.dense_forward_row(po, px, 0, pw, list, 0, C, OC, 0);
          expect(
            Number.isNaN(get(rt, po, 1)[0]),
            `${C}x${OC} at ${zeros * 100}% zeros: ${listed ? "the list" : "no list"}`,
          ).toBe(!listed);
        }
      }
    });

    it(`${name}: the list is used from 40% zeros (50% past a 1 MB kernel), the copy below`, async () => {
      const rt = await load();
      const k = rt.k;
      const r = rng(23);
      // A copy of garbage tells the paths apart: the list path reads the kernel, not the copy.
      for (const [C, OC, from] of [
        [200, 64, 0.4],
        [168, 336, 0.4],
        [4096, 128, 0.5],
      ]) {
        const w = randn(r, C * OC, 0.2);
        const pw = put(rt, w);
        const pp = rt.alloc(k.dense_row_pack_bytes(C, OC));
        rt.f32(pp, k.dense_row_pack_bytes(C, OC) / 4).fill(1000);
        const list = rt.alloc(C * 4);
        const po = rt.alloc(OC * 4);
        const po2 = rt.alloc(OC * 4);
        for (const [zeros, listed] of [
          [from - 0.05, false],
          [from, true],
          [from + 0.2, true],
        ] as const) {
          const x = randn(r, C);
          const nz = Math.ceil(C * zeros - 1e-9);
          x.fill(0, 0, nz); // exactly this share, at the front
          const px = put(rt, x);
          k.dense_forward(po, px, pw, 0, 1, C, OC, 0);
          k.dense_forward_row(po2, px, pp, pw, list, 0, C, OC, 0);
          const same = bits(get(rt, po2, OC)).join() === bits(get(rt, po, OC)).join();
          expect(same, `${C}x${OC}, ${nz} of ${C} zeros: ${listed ? "the list" : "the copy"}`).toBe(listed);
        }
      }
    });
  }
});
