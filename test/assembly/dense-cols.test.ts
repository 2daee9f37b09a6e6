// dense_forward_train / dense_backward_train (assembly/dense_cols.ts): the dense layer in training
// over the input's nonzero columns, against the float64 reference and the whole-product kernels,
// in both builds; which path ran is read from the workspace's record, so a test of the compacted
// path fails if the kernel quietly ran the whole product.
import { afterEach, describe, expect, it } from "vitest";
import { denseBackward, denseForward } from "../reference/dense.js";
import { centralDiff, dot64, get, kernelBuilds, maxAbsDiff, put, randn, rng, sampleIndices } from "../util/wasm.js";
import type { Runtime } from "../../src/runtime/runtime.js";

// B, C, OC, and the share of C's columns that are zero in every row
const CASES: [number, number, number, number][] = [
  [4, 2, 1, 0.5],
  [5, 7, 3, 0.6],
  [17, 41, 33, 0.85],
  [128, 168, 168, 0.85],
  [33, 168, 2, 0.55],
  [16, 9, 5, 0.3], // too few zeros: the whole product
  [128, 168, 168, 1], // every gate closed
  [3, 20, 8, 0.9], // too few rows to scan
  [8, 1, 3, 1], // one input: nothing to compact
  [8, 3, 5, 0.67],
];

/** Random rows with `share` of the columns zero in every row (signed zeros, at seeded places). */
function input(r: () => number, B: number, C: number, share: number): { x: Float32Array; zero: boolean[] } {
  const x = randn(r, B * C);
  const order = Array.from({ length: C }, (_, j) => j).sort(() => r() - 0.5);
  const zero = new Array<boolean>(C).fill(false);
  for (const j of order.slice(0, Math.round(share * C))) zero[j] = true;
  for (let b = 0; b < B; b++) for (let j = 0; j < C; j++) if (zero[j]) x[b * C + j] = r() < 0.5 ? 0 : -0;
  return { x, zero };
}

const expectedRecord = (B: number, C: number, zero: boolean[]) => {
  const open = zero.filter((z) => !z).length;
  if (B < 4 || C < 2 || open > C >> 1) return -1;
  return Math.max(open, 1);
};

const GUARD = 16; // i32s past the workspace that no call may touch
const GUARD_VALUE = 0x5a5a5a5a;
// checked after each test: nothing was written past a workspace
const guards: (() => void)[] = [];
const checkGuards = () => {
  for (const g of guards.splice(0)) g();
};

/** The workspace (dense_train_ws_bytes, then GUARD marked i32s) and the operands in wasm memory. */
function trainPair(
  rt: Runtime,
  B: number,
  C: number,
  OC: number,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array,
) {
  const bytes = rt.k.dense_train_ws_bytes(B, C, OC);
  const ws = rt.alloc(bytes + GUARD * 4);
  rt.i32(ws + bytes, GUARD).fill(GUARD_VALUE);
  guards.push(() =>
    expect(
      rt.i32(ws + bytes, GUARD).every((v) => v === GUARD_VALUE),
      `workspace bound ${B}x${C}x${OC}`,
    ).toBe(true),
  );
  const pi = put(rt, x),
    pw = put(rt, w),
    pb = put(rt, bias),
    po = put(rt, new Float32Array(B * OC).fill(Number.NaN));
  return { ws, pi, pw, pb, po };
}

describe("dense over nonzero input columns (training)", async () => {
  afterEach(checkGuards);
  for (const [name, load] of await kernelBuilds()) {
    const rt = await load();

    it(`${name}: forward matches the reference and dense_forward, and records the columns it ran`, () => {
      const r = rng(31);
      for (const [B, C, OC, share] of CASES) {
        const { x, zero } = input(r, B, C, share);
        const w = randn(r, C * OC),
          bias = randn(r, OC);
        const p = trainPair(rt, B, C, OC, x, w, bias);
        for (const relu of [0, 1]) {
          rt.k.dense_forward_train(p.po, p.pi, p.pw, p.pb, p.ws, B, C, OC, relu);
          expect(rt.i32(p.ws, 1)[0], `record ${B}x${C}x${OC} at ${share}`).toBe(expectedRecord(B, C, zero));
          const got = get(rt, p.po, B * OC);
          const ref = denseForward(x, w, bias, B, C, OC);
          if (relu) for (let i = 0; i < ref.length; i++) ref[i] = Math.max(0, ref[i]);
          expect(maxAbsDiff(got, ref), `${B}x${C}x${OC} relu=${relu}`).toBeLessThan(2e-6 * (C + 1));
          const whole = put(rt, new Float32Array(B * OC));
          rt.k.dense_forward(whole, p.pi, p.pw, p.pb, B, C, OC, relu);
          expect(maxAbsDiff(got, get(rt, whole, B * OC))).toBeLessThan(1e-6 * (C + 1));
        }
      }
    });

    it(`${name}: backward after it matches the reference; the zero columns' kernel rows keep their bits`, () => {
      const r = rng(32);
      for (const [B, C, OC, share] of CASES) {
        const { x, zero } = input(r, B, C, share);
        const w = randn(r, C * OC),
          bias = randn(r, OC),
          dout = randn(r, B * OC),
          dw0 = randn(r, C * OC),
          db0 = randn(r, OC);
        const p = trainPair(rt, B, C, OC, x, w, bias);
        rt.k.dense_forward_train(p.po, p.pi, p.pw, p.pb, p.ws, B, C, OC, 0);
        const pd = put(rt, dout),
          pdi = put(rt, new Float32Array(B * C).fill(Number.NaN)),
          pdw = put(rt, dw0),
          pdb = put(rt, db0);
        rt.k.dense_backward_train(pdi, pdw, pdb, pd, p.pi, p.pw, p.ws, B, C, OC);
        const ref = denseBackward(dout, x, w, B, C, OC);
        const tol = 2e-6 * (Math.max(B, OC) + 1);
        const dw = get(rt, pdw, C * OC);
        expect(maxAbsDiff(get(rt, pdi, B * C), ref.dinp), `dinp ${B}x${C}x${OC}`).toBeLessThan(tol);
        expect(
          maxAbsDiff(
            dw,
            ref.dweight.map((v, i) => v + dw0[i]),
          ),
          `dweight ${B}x${C}x${OC}`,
        ).toBeLessThan(tol);
        expect(
          maxAbsDiff(
            get(rt, pdb, OC),
            ref.dbias.map((v, i) => v + db0[i]),
          ),
          `dbias ${B}x${C}x${OC}`,
        ).toBeLessThan(tol);
        for (let j = 0; j < C; j++)
          if (zero[j]) for (let o = 0; o < OC; o++) expect(Object.is(dw[j * OC + o], dw0[j * OC + o])).toBe(true);
      }
    });

    it(`${name}: a NaN makes its column nonzero, and +-0 columns are zero`, () => {
      const [B, C, OC] = [8, 12, 4];
      const r = rng(33);
      const { x, zero } = input(r, B, C, 0.75);
      const j = zero.indexOf(true);
      x[5 * C + j] = Number.NaN;
      const p = trainPair(rt, B, C, OC, x, randn(r, C * OC), randn(r, OC));
      rt.k.dense_forward_train(p.po, p.pi, p.pw, p.pb, p.ws, B, C, OC, 0);
      expect(rt.i32(p.ws, 1)[0]).toBe(4);
      const out = get(rt, p.po, B * OC);
      for (let o = 0; o < OC; o++) expect(Number.isNaN(out[5 * OC + o])).toBe(true);
      expect(out.filter(Number.isNaN).length).toBe(OC);
    });

    it(`${name}: the compacted backward equals central finite differences of the compacted forward`, () => {
      const r = rng(34);
      for (const [B, C, OC] of [
        [6, 10, 7],
        [17, 33, 2],
      ] as [number, number, number][]) {
        const { x } = input(r, B, C, 0.7);
        const w = randn(r, C * OC),
          bias = randn(r, OC),
          R = randn(r, B * OC);
        const p = trainPair(rt, B, C, OC, x, w, bias);
        const loss = () => {
          rt.k.dense_forward_train(p.po, p.pi, p.pw, p.pb, p.ws, B, C, OC, 0);
          return dot64(get(rt, p.po, B * OC), R);
        };
        loss();
        expect(rt.i32(p.ws, 1)[0]).toBeGreaterThan(0);
        const pR = put(rt, R),
          pdi = put(rt, new Float32Array(B * C)),
          pdw = put(rt, new Float32Array(C * OC)),
          pdb = put(rt, new Float32Array(OC));
        rt.k.dense_backward_train(pdi, pdw, pdb, pR, p.pi, p.pw, p.ws, B, C, OC);
        const grads: [number, number, number][] = [
          [p.pw, pdw, C * OC],
          [p.pb, pdb, OC],
        ];
        for (const [at, pg, n] of grads) {
          const g = get(rt, pg, n);
          for (const i of sampleIndices(r, n, 16)) {
            const fd = centralDiff(rt, at, i, 1e-2, loss);
            expect(Math.abs(fd - g[i]), `grad[${i}] ${g[i]} vs fd ${fd}`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
          }
        }
      }
    });
  }
});
