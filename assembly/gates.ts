// Reparameterized gate variants of the BSF layer, besides the paper's Bernoulli gate (bsf.ts):
//   kind 1, "gaussian" (STG, Yamada et al. 2020): z = clamp(mu + sigma * eps + 0.5, 0, 1), eps ~ N(0, 1);
//   kind 2, "hard-concrete" (L0, Louizos et al. 2018): s = sigmoid((log u - log(1 - u) + log_alpha) / beta),
//     z = clamp(s * (zeta - gamma) + gamma, 0, 1), u ~ U(1e-6, 1 - 1e-6), beta = 2/3, gamma = -0.1, zeta = 1.1.
// theta[C] is mu or log_alpha. One z per (sample, gate), drawn from the counter-based PRNG at
// index i = (row0 + b)*C + c (the Bernoulli mask's index; row0 > 0 for a thread's slice of a
// batch), so TypeScript can redraw any sample from (seed, stream): the gaussian eps_i is value i
// of rng_normal's pairing (Box-Muller on uniform values 2k, 2k+1 with k = i >> 1), the
// hard-concrete u_i uniform value i. Only z is kept for backward: inside the clamp (0 < z < 1)
// dz/dmu = 1 and dz/dlog_alpha = (zeta - gamma) s (1 - s) / beta = (z - gamma)(zeta - z) / ((zeta - gamma) beta),
// both functions of z; outside it the gradient is 0. Sampling is f32x4: hard concrete with one exp
// per gate (not per value), gaussian with a polynomial log, sin and cos.
import { rngKey, rngU01At, rngU01x4 } from "./rng";
import { mul_row } from "./mask";

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

@inline function clamp01f(x: f32): f32 {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}


// ln x for x in (0, 1] (four lanes): Cephes' logf (x = m 2^e, m in [sqrt(1/2), sqrt(2)), a degree-9
// polynomial in m - 1; about 1 ulp), so Box-Muller needs no scalar log.
@inline function log4(x: v128): v128 {
  const bits = x;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000)); // in [0.5, 1)
  const small = f32x4.lt(m, f32x4.splat(<f32>0.707106781186547524));
  e = f32x4.sub(e, v128.and(small, f32x4.splat(1)));
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1));
  const z = f32x4.mul(m, m);
  let y = f32x4.splat(<f32>7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(<f32>3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(e, f32x4.splat(<f32>-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(<f32>0.5)));
  return f32x4.add(f32x4.add(m, y), f32x4.mul(e, f32x4.splat(<f32>0.693359375)));
}

// Four Box-Muller pairs: u1 (first uniforms), u2 (second ones) -> eps pairs r cos t, r sin t with
// r = sqrt(-2 ln(1 - u1)), t = 2 pi u2. t is reduced by quadrants of u2 (exact: q = round(4 u2),
// x = 2 pi (u2 - q/4) in [-pi/4, pi/4]) and sin, cos are Cephes' sinf/cosf polynomials there.
// The results go to two globals, which are per instance: a static scratch in memory would be shared
// by every thread's instance of the shared-memory build.
let bmCos: v128 = f32x4.splat(0);
let bmSin: v128 = f32x4.splat(0);
@inline function box_muller4(u1: v128, u2: v128): void {
  const one = f32x4.splat(1);
  const r = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), log4(f32x4.sub(one, u1))));
  const qf = f32x4.nearest(f32x4.mul(u2, f32x4.splat(4)));
  const q = i32x4.trunc_sat_f32x4_s(qf);
  const x = f32x4.mul(f32x4.sub(u2, f32x4.mul(qf, f32x4.splat(0.25))), f32x4.splat(<f32>(2 * Math.PI)));
  const x2 = f32x4.mul(x, x);
  let ps = f32x4.add(f32x4.mul(f32x4.splat(<f32>-1.9515295891e-4), x2), f32x4.splat(<f32>8.3321608736e-3));
  ps = f32x4.add(f32x4.mul(ps, x2), f32x4.splat(<f32>-1.6666654611e-1));
  const sn = f32x4.add(x, f32x4.mul(f32x4.mul(ps, x2), x));
  let pc = f32x4.add(f32x4.mul(f32x4.splat(<f32>2.443315711809948e-5), x2), f32x4.splat(<f32>-1.388731625493765e-3));
  pc = f32x4.add(f32x4.mul(pc, x2), f32x4.splat(<f32>4.166664568298827e-2));
  const cs = f32x4.add(f32x4.sub(one, f32x4.mul(x2, f32x4.splat(0.5))), f32x4.mul(f32x4.mul(pc, x2), x2));
  // quadrant q: (sin, cos)(t) = (s, c), (c, -s), (-s, -c), (-c, s) for q mod 4 = 0..3
  const swap = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const sinv = v128.bitselect(cs, sn, swap), cosv = v128.bitselect(sn, cs, swap);
  const sinNeg = i32x4.shl(v128.and(q, i32x4.splat(2)), 30); // sign bit where q & 2
  const cosNeg = i32x4.shl(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), 30);
  bmCos = f32x4.mul(r, v128.xor(cosv, cosNeg));
  bmSin = f32x4.mul(r, v128.xor(sinv, sinNeg));
}

// Gaussian: eps_i from Box-Muller on the uniform pair (2k, 2k+1), k = i >> 1: r cos t for even i,
// r sin t for odd i (rng_normal's pairing), i = first + j for z's value j (first = row0 * C). Eight
// values per pass over global indices from an even start, so the pairs never split; a pass that
// straddles either end of [first, first + n) stores only its lanes inside. Then
// z = clamp(theta + sigma eps + 0.5) row by row.
@inline function put_lane(z: usize, g: u32, first: u32, end: u32, v: f32): void {
  if (g >= first && g < end) store<f32>(z + (<usize>(g - first) << 2), v);
}

function sample_gaussian(z: usize, theta: usize, B: i32, C: i32, sigma: f32, key: u64, row0: i32): void {
  const first = <u32>row0 * <u32>C;
  const end = first + <u32>B * <u32>C;
  for (let i: u32 = first & ~1; i < end; i += 8) {
    const a = rngU01x4(key, i), b = rngU01x4(key, i + 4);
    box_muller4(v128.shuffle<f32>(a, b, 0, 2, 4, 6), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
    const cs = bmCos, sn = bmSin;
    const lo = v128.shuffle<f32>(cs, sn, 0, 4, 1, 5), hi = v128.shuffle<f32>(cs, sn, 2, 6, 3, 7);
    if (i >= first && i + 8 <= end) {
      const o = z + (<usize>(i - first) << 2);
      v128.store(o, lo);
      v128.store(o + 16, hi);
    } else {
      put_lane(z, i, first, end, f32x4.extract_lane(lo, 0));
      put_lane(z, i + 1, first, end, f32x4.extract_lane(lo, 1));
      put_lane(z, i + 2, first, end, f32x4.extract_lane(lo, 2));
      put_lane(z, i + 3, first, end, f32x4.extract_lane(lo, 3));
      put_lane(z, i + 4, first, end, f32x4.extract_lane(hi, 0));
      put_lane(z, i + 5, first, end, f32x4.extract_lane(hi, 1));
      put_lane(z, i + 6, first, end, f32x4.extract_lane(hi, 2));
      put_lane(z, i + 7, first, end, f32x4.extract_lane(hi, 3));
    }
  }
  const row = <usize>C << 2;
  const sg = f32x4.splat(sigma), half = f32x4.splat(0.5), zero = f32x4.splat(0), one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const zr = z + <usize>b * row;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      const v = f32x4.add(f32x4.add(v128.load(theta + o), f32x4.mul(sg, v128.load(zr + o))), half);
      v128.store(zr + o, f32x4.min(one, f32x4.max(zero, v)));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(zr + o, clamp01f(load<f32>(theta + o) + sigma * load<f32>(zr + o) + <f32>0.5));
    }
  }
}

// Hard concrete without a transcendental per value: sigmoid((log u - log(1 - u) + t) / beta)
// = 1 / (1 + a * q^(1/beta)) with a = exp(-t / beta) per gate and q = (1 - u) / u; 1/beta = 3/2,
// so q^(1/beta) = q * sqrt(q). a is kept in z's row 0, which is overwritten last (in place).
function sample_concrete(z: usize, theta: usize, B: i32, C: i32, key: u64, row0: i32): void {
  for (let c = 0; c < C; c++) {
    const o = <usize>c << 2;
    store<f32>(z + o, Mathf.exp(-load<f32>(theta + o) * <f32>1.5));
  }
  const lo = f32x4.splat(<f32>HC_EPS), span = f32x4.splat(<f32>(1.0 - 2.0 * HC_EPS)), one = f32x4.splat(1);
  const zg = f32x4.splat(<f32>(HC_ZETA - HC_GAMMA)), g = f32x4.splat(<f32>HC_GAMMA), zero = f32x4.splat(0);
  for (let b = B - 1; b >= 0; b--) {
    const base = <u32>(row0 + b) * <u32>C;
    const row = z + ((<usize>b * <usize>C) << 2);
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      const u = f32x4.add(lo, f32x4.mul(span, rngU01x4(key, base + <u32>c)));
      const q = f32x4.div(f32x4.sub(one, u), u);
      const sv = f32x4.div(one, f32x4.add(one, f32x4.mul(v128.load(z + o), f32x4.mul(q, f32x4.sqrt(q)))));
      v128.store(row + o, f32x4.min(one, f32x4.max(zero, f32x4.add(f32x4.mul(sv, zg), g))));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      const u = <f32>HC_EPS + <f32>(1.0 - 2.0 * HC_EPS) * rngU01At(key, <u64>(base + <u32>c));
      const q = (<f32>1 - u) / u;
      const sv = <f32>1 / (<f32>1 + load<f32>(z + o) * q * Mathf.sqrt(q));
      store<f32>(row + o, clamp01f(sv * <f32>(HC_ZETA - HC_GAMMA) + <f32>HC_GAMMA));
    }
  }
}

/** z[B,C]: one gate sample per (b, c) of theta[C]; kind 1 gaussian (sigma), kind 2 hard concrete. */
export function gate_sample(
  z: usize, theta: usize, B: i32, C: i32, kind: i32, sigma: f32, seed: u32, stream: u32, row0: i32,
): void {
  const key = rngKey(seed, stream);
  if (kind == GAUSSIAN) sample_gaussian(z, theta, B, C, sigma, key, row0);
  else sample_concrete(z, theta, B, C, key, row0);
}

/** z[B,C] = gate_sample(theta); out[b,p,c] = inp[b,p,c] * z[b,c] over [B,P,C] (P = 1: one gate per
 * unit; P > 1: one gate per channel of an NHWC tensor, shared over its P positions). */
export function gate_forward(
  out: usize, z: usize, inp: usize, theta: usize, B: i32, P: i32, C: i32, kind: i32, sigma: f32, seed: u32, stream: u32,
  row0: i32,
): void {
  gate_sample(z, theta, B, C, kind, sigma, seed, stream, row0);
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
