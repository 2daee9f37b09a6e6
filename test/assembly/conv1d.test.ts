// Conv1D (Keras: inp[B,L,C], kernel[K,C,OC]) as the Conv1D layer runs it, conv2d_forward /
// conv2d_backward with H = KH = 1, against a 1-D scalar reference written here from the definition,
// on odd sizes, both paddings, and finite differences.
import { describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.js";
import { get, maxAbsDiff, put, randn, rng, runtime, worstFiniteDiff } from "../util/wasm.js";

interface S1 {
  B: number;
  L: number;
  C: number;
  OC: number;
  K: number;
  same: boolean;
}

function ref(s: S1, x: Float32Array, k: Float32Array, bias: Float32Array, dout: Float32Array) {
  const OL = s.same ? s.L : s.L - s.K + 1;
  const left = s.same ? (s.K - 1) >> 1 : 0;
  const out = new Float64Array(s.B * OL * s.OC);
  const dx = new Float64Array(x.length),
    dk = new Float64Array(k.length),
    db = new Float64Array(s.OC);
  for (let b = 0; b < s.B; b++)
    for (let t = 0; t < OL; t++)
      for (let o = 0; o < s.OC; o++) {
        const oi = (b * OL + t) * s.OC + o;
        out[oi] = bias[o];
        db[o] += dout[oi];
        for (let j = 0; j < s.K; j++) {
          const l = t + j - left;
          if (l < 0 || l >= s.L) continue;
          for (let c = 0; c < s.C; c++) {
            const xi = (b * s.L + l) * s.C + c,
              ki = (j * s.C + c) * s.OC + o;
            out[oi] += x[xi] * k[ki];
            dx[xi] += dout[oi] * k[ki];
            dk[ki] += dout[oi] * x[xi];
          }
        }
      }
  return { out, dx, dk, db, OL };
}

function run(rt: Runtime, s: S1, x: Float32Array, k: Float32Array, bias: Float32Array, dout: Float32Array | null) {
  const OL = s.same ? s.L : s.L - s.K + 1;
  const same = s.same ? 1 : 0;
  const scratch = rt.alloc(rt.k.conv2d_scratch_bytes(s.B, 1, s.L, s.C, s.OC, 1, s.K, same, 1, 1));
  const px = put(rt, x),
    pk = put(rt, k),
    pb = put(rt, bias);
  const pout = rt.alloc(s.B * OL * s.OC * 4);
  rt.k.conv2d_forward(pout, px, pk, pb, scratch, s.B, 1, s.L, s.C, s.OC, 1, s.K, same, 0, 0, 0, 0);
  const out = get(rt, pout, s.B * OL * s.OC);
  if (!dout) return { out };
  const pdx = put(rt, new Float32Array(x.length).fill(Number.NaN)),
    pdk = rt.alloc(k.length * 4),
    pdb = rt.alloc(s.OC * 4);
  rt.k.conv2d_backward(pdx, pdk, pdb, put(rt, dout), px, pk, scratch, s.B, 1, s.L, s.C, s.OC, 1, s.K, same);
  return { out, dx: get(rt, pdx, x.length), dk: get(rt, pdk, k.length), db: get(rt, pdb, s.OC) };
}

describe("conv1d", () => {
  const cases: S1[] = [];
  for (const K of [1, 2, 3, 5, 7])
    for (const same of [false, true])
      cases.push({ B: 1 + (K % 3), L: K + 6 + (K % 4), C: (K % 5) + 1, OC: 3 + 2 * K, K, same });
  for (const s of cases) {
    it(`B${s.B} L${s.L} C${s.C} k${s.K} ->${s.OC} ${s.same ? "same" : "valid"} vs reference`, async () => {
      const rt = await runtime();
      const r = rng(s.K * 97 + s.L + (s.same ? 1 : 0));
      const x = randn(r, s.B * s.L * s.C),
        k = randn(r, s.K * s.C * s.OC),
        bias = randn(r, s.OC);
      const OL = s.same ? s.L : s.L - s.K + 1;
      const dout = randn(r, s.B * OL * s.OC);
      const want = ref(s, x, k, bias, dout);
      const got = run(rt, s, x, k, bias, dout);
      const e = Math.max(
        maxAbsDiff(got.out, want.out),
        maxAbsDiff(got.dx!, want.dx),
        maxAbsDiff(got.dk!, want.dk),
        maxAbsDiff(got.db!, want.db),
      );
      console.log(`conv1d ${JSON.stringify(s)}: max abs error ${e.toExponential(1)}`);
      expect(e).toBeLessThan(1e-5);
    });
  }

  it("backward matches central finite differences", async () => {
    const rt = await runtime();
    const s: S1 = { B: 2, L: 11, C: 3, OC: 6, K: 4, same: true };
    const r = rng(5);
    const x = randn(r, s.B * s.L * s.C),
      k = randn(r, s.K * s.C * s.OC),
      bias = randn(r, s.OC);
    const R = randn(r, s.B * s.L * s.OC);
    const g = run(rt, s, x, k, bias, R);
    const loss = () => run(rt, s, x, k, bias, null).out.reduce((acc, v, i) => acc + v * R[i], 0);
    let worst = 0;
    for (const [arr, an] of [
      [x, g.dx!],
      [k, g.dk!],
      [bias, g.db!],
    ] as const)
      worst = Math.max(worst, worstFiniteDiff(arr, an, 1e-2, loss, true));
    console.log(`conv1d FD: max relative error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(5e-3);
  });
});
