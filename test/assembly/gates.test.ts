// The gaussian (STG) and hard-concrete (L0) gates of assembly/gates.ts against the scalar reference
// (test/reference/gates.ts) on sizes that are not multiples of 4, their backward pass against finite
// differences with the noise fixed (same seed and stream: the same eps), and the penalty against
// an independent value of the normal CDF and its own finite differences.
import { describe, expect, it } from "vitest";
import {
  KIND_CODE,
  gateBackward,
  gateNoise,
  gateOpenProbability,
  gateSample,
  gateScale,
  type GateKind,
} from "../reference/gates.js";
import { centralDiff, dot64, get, maxAbsDiff, put, randn, rng, runtime } from "../util/wasm.js";

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 1, 5],
  [7, 1, 17],
  [5, 3, 7],
  [2, 9, 33],
  [33, 1, 3],
  [4, 5, 8],
];
const KINDS: GateKind[] = ["gaussian", "hard-concrete"];
const SIGMA = 0.5;

const thetas = (r: () => number, kind: GateKind, C: number) =>
  Float32Array.from({ length: C }, () => (kind === "gaussian" ? 1.6 * r() - 0.8 : 4 * r() - 2));

describe("gate variants", async () => {
  const rt = await runtime();

  for (const kind of KINDS) {
    const k = KIND_CODE[kind];

    it(`${kind}: gate_forward draws z from the PRNG as the reference and writes out = inp * z[b,c]`, () => {
      const r = rng(61 + k);
      for (const [B, P, C] of SHAPES) {
        const n = B * P * C;
        const inp = randn(r, n),
          th = thetas(r, kind, C);
        const pz = put(rt, new Float32Array(B * C).fill(NaN)),
          po = put(rt, new Float32Array(n));
        rt.k.gate_forward(po, pz, put(rt, inp), put(rt, th), B, P, C, k, SIGMA, 1234, 7);
        const z = gateSample(kind, th, gateNoise(kind, B, C, 1234, 7), B, C, SIGMA);
        const got = get(rt, pz, B * C);
        // the kernel's f32 arithmetic (polynomial log, sin, cos; closed-form hard concrete) against the
        // f64 formulas: measured 1.7e-7 (gaussian) and 1.9e-7 (hard concrete) over 37000 values
        expect(maxAbsDiff(got, z), `z ${B}x${P}x${C}`).toBeLessThan(1e-6);
        const out = get(rt, po, n);
        for (let b = 0; b < B; b++)
          for (let p = 0; p < P; p++)
            for (let c = 0; c < C; c++) {
              const i = (b * P + p) * C + c;
              expect(out[i]).toBe(Math.fround(inp[i] * got[b * C + c]));
            }
        // bit-for-bit repeatable; gate_sample alone writes the same z
        rt.k.gate_forward(po, pz, put(rt, inp), put(rt, th), B, P, C, k, SIGMA, 1234, 7);
        expect(maxAbsDiff(get(rt, pz, B * C), got)).toBe(0);
        const pz2 = put(rt, new Float32Array(B * C));
        rt.k.gate_sample(pz2, put(rt, th), B, C, k, SIGMA, 1234, 7);
        expect(maxAbsDiff(get(rt, pz2, B * C), got)).toBe(0);
      }
    });

    it(`${kind}: the sample's distribution (P(z > 0), P(z = 1), mean) matches the theory`, () => {
      const B = 40000,
        C = 3;
      const th = kind === "gaussian" ? Float32Array.from([-0.6, 0, 0.4]) : Float32Array.from([-2, 0, 1.5]);
      const pz = put(rt, new Float32Array(B * C));
      rt.k.gate_sample(pz, put(rt, th), B, C, k, SIGMA, 99, 3);
      const z = get(rt, pz, B * C);
      for (let c = 0; c < C; c++) {
        let open = 0;
        for (let b = 0; b < B; b++) open += z[b * C + c] > 0 ? 1 : 0;
        const p = gateOpenProbability(kind, th[c], SIGMA);
        const se = Math.sqrt((p * (1 - p)) / B);
        expect(Math.abs(open / B - p), `gate ${c}: P(z > 0) ${open / B} vs ${p}`).toBeLessThan(4.5 * se);
      }
    });

    it(`${kind}: gate_backward matches the reference; dtheta accumulates; dinp 0 is skipped`, () => {
      const r = rng(71 + k);
      for (const [B, P, C] of SHAPES) {
        const n = B * P * C;
        const inp = randn(r, n),
          dout = randn(r, n),
          th = thetas(r, kind, C),
          dt0 = randn(r, C);
        const pz = put(rt, new Float32Array(B * C)),
          po = put(rt, new Float32Array(n));
        const pi = put(rt, inp),
          pd = put(rt, dout);
        rt.k.gate_forward(po, pz, pi, put(rt, th), B, P, C, k, SIGMA, 5, 6);
        const z = get(rt, pz, B * C);
        const pdi = put(rt, new Float32Array(n).fill(NaN)),
          pdt = put(rt, dt0);
        rt.k.gate_backward(pdi, pdt, pd, pi, pz, B, P, C, k);
        const ref = gateBackward(kind, dout, inp, z, th, gateNoise(kind, B, C, 5, 6), B, P, C, SIGMA);
        expect(maxAbsDiff(get(rt, pdi, n), ref.dinp.map(Math.fround)), `dinp ${B}x${P}x${C}`).toBe(0);
        const err = maxAbsDiff(
          get(rt, pdt, C),
          ref.dtheta.map((x, i) => x + dt0[i]),
        );
        expect(err, `dtheta ${B}x${P}x${C}: err ${err}`).toBeLessThan(2e-6 * (B * P + 1));
        const pdt2 = put(rt, new Float32Array(C));
        rt.k.gate_backward(0, pdt2, pd, pi, pz, B, P, C, k);
        expect(maxAbsDiff(get(rt, pdt2, C), ref.dtheta)).toBeLessThan(2e-6 * (B * P + 1));
      }
    });

    it(`${kind}: with the noise fixed, dinp and dtheta equal finite differences (away from the clamp's kinks)`, () => {
      const r = rng(81 + k);
      for (const [B, P, C] of [
        [6, 1, 11],
        [3, 4, 5],
      ] as const) {
        const n = B * P * C;
        const inp = randn(r, n),
          R = randn(r, n),
          th = thetas(r, kind, C);
        const pi = put(rt, inp),
          pt = put(rt, th),
          pz = put(rt, new Float32Array(B * C)),
          po = put(rt, new Float32Array(n));
        const loss = () => {
          rt.k.gate_forward(po, pz, pi, pt, B, P, C, k, SIGMA, 77, 1);
          return dot64(get(rt, po, n), R);
        };
        loss();
        const z = get(rt, pz, B * C);
        const pdi = put(rt, new Float32Array(n)),
          pdt = put(rt, new Float32Array(C));
        rt.k.gate_backward(pdi, pdt, put(rt, R), pi, pz, B, P, C, k);
        const gi = get(rt, pdi, n),
          gt = get(rt, pdt, C);
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(centralDiff(rt, pi, i, 1e-2, loss) - gi[i]));
        expect(worst, "dinp").toBeLessThan(1e-4);
        // theta: skip a gate when a sample lies within the step of the clamp (the loss has a kink there)
        const noise = gateNoise(kind, B, C, 77, 1);
        const eps = 1e-2;
        let checked = 0,
          worstT = 0;
        for (let c = 0; c < C; c++) {
          const near = Array.from({ length: B }, (_, b) => b).some((b) => {
            const lo = gateSample(kind, [th[c] - 2 * eps], [noise[b * C + c]], 1, 1, SIGMA)[0];
            const hi = gateSample(kind, [th[c] + 2 * eps], [noise[b * C + c]], 1, 1, SIGMA)[0];
            const zc = z[b * C + c];
            return (
              (zc === 0) !== (hi === 0) ||
              (zc === 0) !== (lo === 0) ||
              (zc === 1) !== (hi === 1) ||
              (zc === 1) !== (lo === 1)
            );
          });
          if (near) continue;
          checked++;
          worstT = Math.max(worstT, Math.abs(centralDiff(rt, pt, c, eps, loss) - gt[c]) / Math.max(1, Math.abs(gt[c])));
        }
        console.log(
          `${kind} ${B}x${P}x${C}: dtheta vs finite differences on ${checked}/${C} gates: worst ${worstT.toExponential(2)}`,
        );
        expect(checked).toBeGreaterThan(C / 3);
        expect(worstT, "dtheta").toBeLessThan(2e-3);
      }
    });

    it(`${kind}: gate_infer applies the references' deterministic gate (0 at or below threshold)`, () => {
      const r = rng(91 + k);
      for (const [B, P, C] of SHAPES) {
        const R = B * P;
        const inp = randn(r, R * C),
          th = thetas(r, kind, C).map((v) => v * 2);
        const pi = put(rt, inp),
          pt = put(rt, th),
          po = put(rt, new Float32Array(R * C));
        for (const thr of [0, 0.3]) {
          rt.k.gate_infer(po, pi, pt, R, C, k, thr);
          const s = Array.from(th, (t) => gateScale(kind, t, Math.fround(thr)));
          const want = Array.from(inp, (x, i) => x * s[i % C]);
          expect(maxAbsDiff(get(rt, po, R * C), want), `infer ${R}x${C} thr ${thr}`).toBeLessThan(1e-6);
        }
      }
    });

    it(`${kind}: gate_penalty_value is sum P(z > 0); gate_penalty_backward is lambda times its derivative`, () => {
      const r = rng(101 + k);
      for (const N of [1, 3, 5, 17, 33]) {
        const th = thetas(r, kind, N).map((v) => v * 2);
        const pt = put(rt, th);
        const want = Array.from(th).reduce((s, t) => s + gateOpenProbability(kind, t, SIGMA), 0);
        expect(Math.abs(rt.k.gate_penalty_value(pt, N, k, SIGMA) - want), `value N=${N}`).toBeLessThan(2e-7 * N);
        const lambda = 0.03,
          dt0 = randn(r, N);
        const pdt = put(rt, dt0);
        rt.k.gate_penalty_backward(pdt, pt, N, lambda, k, SIGMA);
        const g = get(rt, pdt, N);
        for (let i = 0; i < N; i++) {
          const fd = centralDiff(rt, pt, i, 1e-3, () => lambda * rt.k.gate_penalty_value(pt, N, k, SIGMA));
          expect(Math.abs(g[i] - dt0[i] - fd), `dtheta[${i}] ${g[i] - dt0[i]} vs fd ${fd}`).toBeLessThan(2e-6);
        }
      }
    });
  }
});
