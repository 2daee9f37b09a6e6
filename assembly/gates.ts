// Reparameterized gate variants of the BSF layer, besides the paper's Bernoulli gate (bsf.ts):
//   kind 1, "gaussian" (STG, Yamada et al. 2020): z = clamp(mu + sigma * eps + 0.5, 0, 1), eps ~ N(0, 1);
//   kind 2, "hard-concrete" (L0, Louizos et al. 2018): s = sigmoid((log u - log(1 - u) + log_alpha) / beta),
//     z = clamp(s * (zeta - gamma) + gamma, 0, 1), u ~ U(1e-6, 1 - 1e-6), beta = 2/3, gamma = -0.1, zeta = 1.1.
// theta[C] is mu or log_alpha. One z per (sample, gate), drawn from the counter-based PRNG at
// index i = b*C + c (the Bernoulli mask's index), so TypeScript can redraw any sample from
// (seed, stream): the gaussian eps_i uses uniform values 2i and 2i+1 (Box-Muller, cosine branch),
// the hard-concrete u_i uniform value i. Only z is kept for backward: inside the clamp (0 < z < 1)
// dz/dmu = 1 and dz/dlog_alpha = (zeta - gamma) s (1 - s) / beta = (z - gamma)(zeta - z) / ((zeta - gamma) beta),
// both functions of z; outside it the gradient is 0. Sampling is scalar (log, cos, exp per gate
// value: B*C of them per step, small next to the layer after the gate); the products are f32x4.
import { rngKey, rngU01At } from "./rng";

const GAUSSIAN = 1;
const HARD_CONCRETE = 2;
const HC_BETA: f64 = 2.0 / 3.0;
const HC_GAMMA: f64 = -0.1;
const HC_ZETA: f64 = 1.1;
const HC_EPS: f64 = 1e-6;
// (zeta - gamma) * beta, in f32 for the backward pass
const HC_SPAN_BETA: f32 = <f32>((1.1 + 0.1) * (2.0 / 3.0));

@inline function clamp01(x: f64): f32 {
  return <f32>(x < 0 ? 0 : x > 1 ? 1 : x);
}

// out[C] row = inp row * z row
@inline function mul_row(out: usize, inp: usize, z: usize, C: i32): void {
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    v128.store(out + o, f32x4.mul(v128.load(inp + o), v128.load(z + o)));
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    store<f32>(out + o, load<f32>(inp + o) * load<f32>(z + o));
  }
}

/** z[B,C]: one gate sample per (b, c) of theta[C]; kind 1 gaussian (sigma), kind 2 hard concrete. */
export function gate_sample(z: usize, theta: usize, B: i32, C: i32, kind: i32, sigma: f32, seed: u32, stream: u32): void {
  const key = rngKey(seed, stream);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const i = <u64>(<u32>b * <u32>C + <u32>c);
      const t = <f64>load<f32>(theta + (<usize>c << 2));
      let v: f32;
      if (kind == GAUSSIAN) {
        // 1 - u lies in (0, 1]: the log is finite
        const u1 = 1.0 - <f64>rngU01At(key, (i << 1) & 0xffffffff);
        const u2 = <f64>rngU01At(key, ((i << 1) + 1) & 0xffffffff);
        const eps = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
        v = clamp01(t + <f64>sigma * eps + 0.5);
      } else {
        const u = HC_EPS + (1.0 - 2.0 * HC_EPS) * <f64>rngU01At(key, i);
        const s = 1.0 / (1.0 + Math.exp(-(Math.log(u) - Math.log(1.0 - u) + t) / HC_BETA));
        v = clamp01(s * (HC_ZETA - HC_GAMMA) + HC_GAMMA);
      }
      store<f32>(z + ((<usize>b * <usize>C + <usize>c) << 2), v);
    }
  }
}

/** z[B,C] = gate_sample(theta); out[b,p,c] = inp[b,p,c] * z[b,c] over [B,P,C] (P = 1: one gate per
 * unit; P > 1: one gate per channel of an NHWC tensor, shared over its P positions). */
export function gate_forward(
  out: usize, z: usize, inp: usize, theta: usize, B: i32, P: i32, C: i32, kind: i32, sigma: f32, seed: u32, stream: u32,
): void {
  gate_sample(z, theta, B, C, kind, sigma, seed, stream);
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const zr = z + <usize>b * row;
    for (let p = 0; p < P; p++) {
      const o = (<usize>b * <usize>P + <usize>p) * row;
      mul_row(out + o, inp + o, zr, C);
    }
  }
}

// dz/dtheta from z: 1 (gaussian) or (z - gamma)(zeta - z) / ((zeta - gamma) beta) (hard concrete)
// inside the clamp, 0 where z is clamped to 0 or 1.
@inline function dz4(z: v128, kind: i32): v128 {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  const inside = v128.and(f32x4.gt(z, zero), f32x4.lt(z, one));
  if (kind == GAUSSIAN) return v128.and(inside, one);
  const d = f32x4.div(
    f32x4.mul(f32x4.sub(z, f32x4.splat(<f32>HC_GAMMA)), f32x4.sub(f32x4.splat(<f32>HC_ZETA), z)),
    f32x4.splat(HC_SPAN_BETA),
  );
  return v128.and(inside, d);
}

@inline function dz1(z: f32, kind: i32): f32 {
  if (!(z > 0 && z < 1)) return 0;
  if (kind == GAUSSIAN) return 1;
  return ((z - <f32>HC_GAMMA) * (<f32>HC_ZETA - z)) / HC_SPAN_BETA;
}

/** dinp[B,P,C] = dout * z[b,c] (skipped when dinp is 0); dtheta[c] += sum_b dz/dtheta[b,c] * sum_p dout*inp. */
export function gate_backward(
  dinp: usize, dtheta: usize, dout: usize, inp: usize, z: usize, B: i32, P: i32, C: i32, kind: i32,
): void {
  const row = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const zr = z + <usize>b * row;
    for (let p = 0; p < P; p++) {
      const r = (<usize>b * <usize>P + <usize>p) * row;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const co = <usize>c << 2;
        const o = r + co;
        const d = v128.load(dout + o);
        const zv = v128.load(zr + co);
        const g = f32x4.mul(f32x4.mul(d, v128.load(inp + o)), dz4(zv, kind));
        v128.store(dtheta + co, f32x4.add(v128.load(dtheta + co), g));
        if (dinp) v128.store(dinp + o, f32x4.mul(d, zv));
      }
      for (; c < C; c++) {
        const co = <usize>c << 2;
        const o = r + co;
        const d = load<f32>(dout + o);
        const zv = load<f32>(zr + co);
        store<f32>(dtheta + co, load<f32>(dtheta + co) + d * load<f32>(inp + o) * dz1(zv, kind));
        if (dinp) store<f32>(dinp + o, d * zv);
      }
    }
  }
}

// The deterministic inference gate of the references: clamp(mu + 0.5, 0, 1) (gaussian) or
// clamp(sigmoid(log_alpha) (zeta - gamma) + gamma, 0, 1) (hard concrete); 0 at or below threshold.
@inline function infer_scale(t: f32, kind: i32, threshold: f32): f32 {
  const z = kind == GAUSSIAN
    ? clamp01(<f64>t + 0.5)
    : clamp01((1.0 / (1.0 + Math.exp(-<f64>t))) * (HC_ZETA - HC_GAMMA) + HC_GAMMA);
  return z > threshold ? z : 0;
}

/** out[R,C] = inp * scale(theta[c]) (R = B for unit gates, B*P for channel gates). */
export function gate_infer(out: usize, inp: usize, theta: usize, R: i32, C: i32, kind: i32, threshold: f32): void {
  const row = <usize>C << 2;
  for (let r = 0; r < R; r++) {
    const ro = <usize>r * row;
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(out + ro + o, load<f32>(inp + ro + o) * infer_scale(load<f32>(theta + o), kind, threshold));
    }
  }
}

// --- the penalty: lambda * sum_c P(z_c > 0), the expected number of open gates (the Bernoulli
// gate's L1 on w is the same quantity, since w is its probability of passing).
//   gaussian: P(z > 0) = Phi((mu + 0.5) / sigma);  hard concrete: sigmoid(log_alpha - beta log(-gamma / zeta)).

// erfc(x), Numerical Recipes' Chebyshev fit (fractional error below 1.2e-7 everywhere): the
// penalty's value is only reported, its gradient (the normal density) is exact.
@inline function erfc(x: f64): f64 {
  const a = Math.abs(x);
  const t = 1.0 / (1.0 + 0.5 * a);
  const y = t * Math.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : 2.0 - y;
}

// -beta * log(-gamma / zeta) = (2/3) log 11, a literal so the module needs no start function
const HC_SHIFT: f64 = 1.5985968485322471;

@inline function p_open(t: f64, kind: i32, sigma: f64): f64 {
  if (kind == GAUSSIAN) return 0.5 * erfc(-(t + 0.5) / (sigma * Math.SQRT2));
  return 1.0 / (1.0 + Math.exp(-(t + HC_SHIFT)));
}

/** sum_c P(z_c > 0) over theta[N], in f64. */
export function gate_penalty_value(theta: usize, N: i32, kind: i32, sigma: f32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < N; i++) s += p_open(<f64>load<f32>(theta + (<usize>i << 2)), kind, <f64>sigma);
  return s;
}

/** dtheta[N] += lambda * d P(z > 0) / dtheta: phi((mu + 0.5) / sigma) / sigma, or p (1 - p). */
export function gate_penalty_backward(dtheta: usize, theta: usize, N: i32, lambda: f32, kind: i32, sigma: f32): void {
  const sg = <f64>sigma;
  for (let i = 0; i < N; i++) {
    const o = <usize>i << 2;
    const t = <f64>load<f32>(theta + o);
    let d: f64;
    if (kind == GAUSSIAN) {
      const x = (t + 0.5) / sg;
      d = Math.exp(-0.5 * x * x) / (sg * Math.sqrt(2.0 * Math.PI));
    } else {
      const p = p_open(t, kind, sg);
      d = p * (1.0 - p);
    }
    store<f32>(dtheta + o, load<f32>(dtheta + o) + <f32>(<f64>lambda * d));
  }
}
