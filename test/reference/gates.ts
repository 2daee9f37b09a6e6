// Scalar references of the gaussian (STG) and hard-concrete (L0) gates of assembly/gates.ts, noise
// drawn from the same PRNG values (test/reference/rng.ts), arithmetic in f64 and written as the
// papers write it (the kernel computes in f32, hard concrete in a closed form without logs).
import { rngKey, uniformAt } from "./rng.js";

export type GateKind = "gaussian" | "hard-concrete";
export const KIND_CODE: Record<GateKind, number> = { gaussian: 1, "hard-concrete": 2 };

const BETA = 2 / 3,
  GAMMA = -0.1,
  ZETA = 1.1,
  EPS = 1e-6;
const clamp01 = (x: number) => Math.min(Math.max(x, 0), 1);

/** The gaussian gate's noise at index i: Box-Muller on the uniform pair (2k, 2k+1), k = i >> 1, cosine
 * for even i and sine for odd i (as rng_normal pairs its values). */
export function gaussianNoise(key: [number, number], i: number): number {
  const k = Math.floor(i / 2);
  const r = Math.sqrt(-2 * Math.log(1 - uniformAt(key, 2 * k))),
    t = 2 * Math.PI * uniformAt(key, 2 * k + 1);
  return r * (i % 2 ? Math.sin(t) : Math.cos(t));
}

/** u_i in (1e-6, 1 - 1e-6): the hard-concrete gate's uniform at index i. */
export function concreteUniform(key: [number, number], i: number): number {
  return EPS + (1 - 2 * EPS) * uniformAt(key, i);
}

/** One gate value from theta and its noise (eps for gaussian, u for hard concrete). */
export function gateValue(kind: GateKind, theta: number, noise: number, sigma: number): number {
  if (kind === "gaussian") return clamp01(theta + sigma * noise + 0.5);
  const s = 1 / (1 + Math.exp(-(Math.log(noise) - Math.log(1 - noise) + theta) / BETA));
  return clamp01(s * (ZETA - GAMMA) + GAMMA);
}

/** The noise of every (b, c) of a [B,C] draw of (seed, stream). */
export function gateNoise(kind: GateKind, B: number, C: number, seed: number, stream: number): Float64Array {
  const key = rngKey(seed, stream);
  return Float64Array.from({ length: B * C }, (_, i) =>
    kind === "gaussian" ? gaussianNoise(key, i) : concreteUniform(key, i),
  );
}

/** z[B,C] for theta[C] and the noise of gateNoise. */
export function gateSample(
  kind: GateKind,
  theta: ArrayLike<number>,
  noise: ArrayLike<number>,
  B: number,
  C: number,
  sigma: number,
): Float64Array {
  const z = new Float64Array(B * C);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) z[b * C + c] = gateValue(kind, Math.fround(theta[c]), noise[b * C + c], sigma);
  return z;
}

/** dz/dtheta with the noise fixed: 1 (gaussian) or (zeta - gamma) s (1 - s) / beta inside the clamp, else 0. */
export function gateDz(kind: GateKind, theta: number, noise: number, sigma: number): number {
  if (kind === "gaussian") {
    const x = theta + sigma * noise + 0.5;
    return x > 0 && x < 1 ? 1 : 0;
  }
  const s = 1 / (1 + Math.exp(-(Math.log(noise) - Math.log(1 - noise) + theta) / BETA));
  const x = s * (ZETA - GAMMA) + GAMMA;
  return x > 0 && x < 1 ? ((ZETA - GAMMA) * s * (1 - s)) / BETA : 0;
}

/** dinp[B,P,C] = dout * z[b,c]; dtheta[c] = sum_b dz[b,c] sum_p dout*inp. */
export function gateBackward(
  kind: GateKind,
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  z: ArrayLike<number>,
  theta: ArrayLike<number>,
  noise: ArrayLike<number>,
  B: number,
  P: number,
  C: number,
  sigma: number,
): { dinp: Float64Array; dtheta: Float64Array } {
  const dinp = new Float64Array(B * P * C),
    dtheta = new Float64Array(C);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) {
      const d = gateDz(kind, Math.fround(theta[c]), noise[b * C + c], sigma);
      for (let p = 0; p < P; p++) {
        const i = (b * P + p) * C + c;
        dinp[i] = dout[i] * z[b * C + c];
        dtheta[c] += d * dout[i] * inp[i];
      }
    }
  return { dinp, dtheta };
}

/** The deterministic inference gate: clamp(mu + 0.5) or clamp(sigmoid(log alpha)(zeta - gamma) + gamma), 0 at or below threshold. */
export function gateScale(kind: GateKind, theta: number, threshold: number): number {
  const z = kind === "gaussian" ? clamp01(theta + 0.5) : clamp01((1 / (1 + Math.exp(-theta))) * (ZETA - GAMMA) + GAMMA);
  return z > threshold ? z : 0;
}

// The standard normal CDF by Simpson's rule over the density from -12 (independent of the kernel's
// erfc fit; error far below 1e-9 with 20000 panels).
function normalCdf(x: number): number {
  if (x < -12) return 0;
  const n = 20000,
    a = -12,
    h = (x - a) / n;
  const f = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  let s = f(a) + f(x);
  for (let k = 1; k < n; k++) s += f(a + k * h) * (k % 2 ? 4 : 2);
  return (s * h) / 3;
}

/** P(z > 0): Phi((mu + 0.5) / sigma) or sigmoid(log alpha - beta log(-gamma / zeta)). */
export function gateOpenProbability(kind: GateKind, theta: number, sigma: number): number {
  if (kind === "gaussian") return normalCdf((theta + 0.5) / sigma);
  return 1 / (1 + Math.exp(-(theta - BETA * Math.log(-GAMMA / ZETA))));
}
