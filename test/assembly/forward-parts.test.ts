// dense_forward_part and conv2d_forward_part: a forward cut into parts that threads compute apart.
// Every part count from 1 to the most the kernel allows, each part on its own scratch (as each
// thread has its own), must give the whole call's output bit for bit, in both builds: odd widths
// (the 4-column tails), partial tiles, tile counts that are not multiples of 4, pooling and not,
// NaN and -0.
import { describe, expect, it } from "vitest";
import { get, kernelBuilds, put, randn, rng } from "../util/wasm.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

describe("forward parts", async () => {
  for (const [name, load] of await kernelBuilds()) {
    it(`${name}: dense_forward_part over all parts equals dense_forward`, async () => {
      const rt = await load();
      const k = rt.k;
      const r = rng(5);
      expect(k.dense_parts(2, 64, 31)).toBe(1); // too narrow
      expect(k.dense_parts(1, 9216, 128)).toBe(8);
      expect(k.dense_parts(16, 400, 400)).toBe(1); // the packed path
      expect(k.dense_parts(15, 400, 400)).toBe(25);
      for (const [B, C, OC] of [
        [1, 9216, 128],
        [1, 7, 32],
        [1, 33, 37],
        [2, 130, 101],
        [3, 168, 336],
        [5, 41, 82],
        [16, 4608, 160],
        [7, 9, 49],
      ]) {
        const x = randn(r, B * C);
        const w = randn(r, C * OC, 0.2);
        const b = randn(r, OC);
        w[2 * OC + 5] = Number.NaN; // output 5 NaN: the parts must agree on that too
        const px = put(rt, x);
        const pw = put(rt, w);
        const pb = put(rt, b);
        const n = B * OC;
        for (const relu of [0, 1]) {
          for (const bias of [pb, 0]) {
            const whole = put(rt, new Float32Array(n));
            k.dense_forward(whole, px, pw, bias, B, C, OC, relu);
            const want = bits(get(rt, whole, n));
            const P = k.dense_parts(B, C, OC);
            expect(P, `B=${B} C=${C} OC=${OC}`).toBeGreaterThanOrEqual(2);
            for (let parts = 1; parts <= P; parts++) {
              const out = put(rt, new Float32Array(n + 4).fill(7));
              for (let p = parts - 1; p >= 0; p--) k.dense_forward_part(out, px, pw, bias, B, C, OC, relu, p, parts);
              const got = get(rt, out, n + 4);
              const what = `B=${B} C=${C} OC=${OC} relu=${relu} bias=${bias > 0} parts=${parts}`;
              expect(bits(got.subarray(0, n)), what).toEqual(want);
              expect(Array.from(got.subarray(n)), "nothing past the output is written").toEqual([7, 7, 7, 7]);
            }
          }
        }
      }
    });

    it(`${name}: conv2d_forward_part over all parts equals conv2d_forward (infer), pooled or not`, async () => {
      const rt = await load();
      const k = rt.k;
      const r = rng(11);
      expect(k.conv2d_parts(1, 28, 28, 1, 32, 3, 3, 0)).toBe(1); // C = 1: not the Winograd path
      expect(k.conv2d_parts(1, 26, 26, 32, 64, 3, 3, 0)).toBe(4); // 16 tiles
      const shapes = [
        { B: 1, H: 26, W: 26, C: 32, OC: 64, same: 0 }, // the Table 6 CNN's conv2 at batch 1: 16 tiles
        { B: 1, H: 19, W: 17, C: 8, OC: 12, same: 1 }, // 4 x 3 = 12 tiles, partial ones
        { B: 2, H: 14, W: 9, C: 4, OC: 8, same: 0 }, // 2 x 2 x 2 = 8 tiles
        { B: 3, H: 16, W: 16, C: 4, OC: 4, same: 1 }, // 27 tiles: not a multiple of 4
        { B: 2, H: 38, W: 38, C: 4, OC: 8, same: 1 }, // 2 x 49 = 98 tiles: more than one chunk
      ];
      for (const s of shapes) {
        const OH = s.same ? s.H : s.H - 2;
        const OW = s.same ? s.W : s.W - 2;
        const x = randn(r, s.B * s.H * s.W * s.C);
        const kern = randn(r, 9 * s.C * s.OC, 0.3);
        const bias = randn(r, s.OC);
        for (let c = 0; c < s.C; c++) kern[c * s.OC + 1] = Number.NaN;
        for (let t = 0; t < 9 * s.C; t++) kern[t * s.OC + 2] = 0;
        bias[2] = -0;
        const px = put(rt, x);
        const pk = put(rt, kern);
        const pb = put(rt, bias);
        const scratchBytes = k.conv2d_scratch_bytes(s.B, s.H, s.W, s.C, s.OC, 3, 3, s.same, 0, 1);
        const P = k.conv2d_parts(s.B, s.H, s.W, s.C, s.OC, 3, 3, s.same);
        expect(P, JSON.stringify(s)).toBeGreaterThanOrEqual(2);
        const scratch = Array.from({ length: P + 1 }, () => rt.alloc(scratchBytes));
        for (const pool of [0, 1]) {
          for (const relu of [0, 1]) {
            const n = pool ? s.B * (OH >> 1) * (OW >> 1) * s.OC : s.B * OH * OW * s.OC;
            const whole = put(rt, new Float32Array(n));
            k.conv2d_forward(whole, px, pk, pb, scratch[P], s.B, s.H, s.W, s.C, s.OC, 3, 3, s.same, relu, 0, pool, 1);
            const want = bits(get(rt, whole, n));
            for (let parts = 1; parts <= P; parts++) {
              const out = put(rt, new Float32Array(n + 4).fill(7));
              for (let p = 0; p < parts; p++) {
                const args = [s.B, s.H, s.W, s.C, s.OC, s.same, relu, 0, pool, p, parts] as const;
                k.conv2d_forward_part(out, px, pk, pb, scratch[p], ...args);
              }
              const got = get(rt, out, n + 4);
              const what = `${JSON.stringify(s)} pool=${pool} relu=${relu} parts=${parts}`;
              expect(bits(got.subarray(0, n)), what).toEqual(want);
              expect(Array.from(got.subarray(n)), what).toEqual([7, 7, 7, 7]);
            }
          }
        }
      }
    });
  }
});
