// Activations and the classifier head. In place is allowed (out == inp, dinp == dout): every
// element is read before it is written.

/** out[N] = max(inp, 0) */
export function relu_forward(out: usize, inp: usize, N: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  // pmax maps to one maxps on x64 (max() adds NaN fix-ups we don't need).
  for (; i + 4 <= N; i += 4) v128.store(out + (<usize>i << 2), f32x4.pmax(z, v128.load(inp + (<usize>i << 2))));
  for (; i < N; i++) {
    const x = load<f32>(inp + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), x > 0 ? x : 0);
  }
}

/** dinp[N] = dout * (out > 0) */
export function relu_backward(dinp: usize, dout: usize, out: usize, N: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    v128.store(dinp + o, v128.and(v128.load(dout + o), f32x4.gt(v128.load(out + o), z)));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    store<f32>(dinp + o, load<f32>(out + o) > 0 ? load<f32>(dout + o) : 0);
  }
}

// tanh as a 13/6 rational in x (Eigen's fast float tanh), accurate to a few ulp on the clamped
// range; beyond |x| = 7.9053 tanh rounds to +-1 in f32 anyway.
const TANH_CLAMP: f32 = 7.90531110763549805;
const A1: f32 = 4.89352455891786e-3;
const A3: f32 = 6.37261928875436e-4;
const A5: f32 = 1.48572235717979e-5;
const A7: f32 = 5.12229709037114e-8;
const A9: f32 = -8.60467152213735e-11;
const A11: f32 = 2.00018790482477e-13;
const A13: f32 = -2.76076847742355e-16;
const B0: f32 = 4.89352518554385e-3;
const B2: f32 = 2.26843463243900e-3;
const B4: f32 = 1.18534705686654e-4;
const B6: f32 = 1.19825839466702e-6;

@inline function tanh4(x: v128): v128 {
  x = f32x4.pmin(f32x4.splat(TANH_CLAMP), f32x4.pmax(f32x4.splat(-TANH_CLAMP), x));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(A13)), f32x4.splat(A11));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A9));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A7));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A5));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A3));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(A1));
  p = f32x4.mul(x, p);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(B6)), f32x4.splat(B4));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(B2));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(B0));
  return f32x4.div(p, q);
}

/** out[N] = tanh(inp) */
export function tanh_forward(out: usize, inp: usize, N: i32): void {
  let i = 0;
  for (; i + 4 <= N; i += 4) v128.store(out + (<usize>i << 2), tanh4(v128.load(inp + (<usize>i << 2))));
  for (; i < N; i++) {
    const t = tanh4(f32x4.splat(load<f32>(inp + (<usize>i << 2))));
    store<f32>(out + (<usize>i << 2), f32x4.extract_lane(t, 0));
  }
}

/** dinp[N] = dout * (1 - out^2) */
export function tanh_backward(dinp: usize, dout: usize, out: usize, N: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    const y = v128.load(out + o);
    v128.store(dinp + o, f32x4.mul(v128.load(dout + o), f32x4.sub(one, f32x4.mul(y, y))));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    const y = load<f32>(out + o);
    store<f32>(dinp + o, load<f32>(dout + o) * (1 - y * y));
  }
}

// Mathf.exp four lanes at a time, bit for bit: the same steps as AssemblyScript's expf_lut (musl's
// expf: x * 32 / ln 2 = k + r, 2^(k/32) from a table, a cubic in r, all in f64), each lane's f64 op
// the one the scalar code does, rounded the same way (wasm never fuses a multiply and an add). A
// vector with a lane at |x| >= 88 or NaN (the scalar code's special cases) runs Mathf.exp per lane.
// The table is EXP2F_DATA_TAB of std/assembly/util/math.ts (not exported there): 2^(i/32) - (i << 47),
// constants in static data as the std math tables are (read only: safe for instances sharing memory).
const EXP2F_TAB: StaticArray<u64> = [
  0x3FF0000000000000, 0x3FEFD9B0D3158574, 0x3FEFB5586CF9890F, 0x3FEF9301D0125B51,
  0x3FEF72B83C7D517B, 0x3FEF54873168B9AA, 0x3FEF387A6E756238, 0x3FEF1E9DF51FDEE1,
  0x3FEF06FE0A31B715, 0x3FEEF1A7373AA9CB, 0x3FEEDEA64C123422, 0x3FEECE086061892D,
  0x3FEEBFDAD5362A27, 0x3FEEB42B569D4F82, 0x3FEEAB07DD485429, 0x3FEEA47EB03A5585,
  0x3FEEA09E667F3BCD, 0x3FEE9F75E8EC5F74, 0x3FEEA11473EB0187, 0x3FEEA589994CCE13,
  0x3FEEACE5422AA0DB, 0x3FEEB737B0CDC5E5, 0x3FEEC49182A3F090, 0x3FEED503B23E255D,
  0x3FEEE89F995AD3AD, 0x3FEEFF76F2FB5E47, 0x3FEF199BDD85529C, 0x3FEF3720DCEF9069,
  0x3FEF5818DCFBA487, 0x3FEF7C97337B9B5F, 0x3FEFA4AFA2A490DA, 0x3FEFD0765B6E4540,
];

// exp4's constants as vectors in static data, read where they are used: V8 (x64) rematerializes a
// v128 constant at each use (a 64-bit immediate move, a vmovq and a shuffle), where a load is one
// instruction. The values are expf_lut's (N = 32), scaled as it scales them.
const INV_LN2_N = reinterpret<f64>(0x3FF71547652B82FE) * 32;
const SHIFT = reinterpret<f64>(0x4338000000000000); // 0x1.8p52
const C0 = reinterpret<f64>(0x3FAC6AF84B912394) / 32 / 32 / 32;
const C1 = reinterpret<f64>(0x3FCEBFCE50FAC4F3) / 32 / 32;
const C2 = reinterpret<f64>(0x3FE62E42FF0C52D6) / 32;
const EXP_K: StaticArray<f64> = [INV_LN2_N, INV_LN2_N, SHIFT, SHIFT, C0, C0, C1, C1, C2, C2, 1, 1,
  // the exponent field and the scalar code's special-case bound, as i32x4 (two lanes per f64)
  reinterpret<f64>(0x000007FF000007FF), reinterpret<f64>(0x000007FF000007FF),
  reinterpret<f64>(0x0000042B0000042B), reinterpret<f64>(0x0000042B0000042B)];

// Two lanes of expf_lut's main path (|x| < 88, not NaN) on x promoted to f64.
@inline function exp2_lanes(xd: v128, K: usize): v128 {
  const shift = v128.load(K, 16);
  const z = f64x2.mul(v128.load(K), xd);
  const kd = f64x2.add(z, shift);
  const r = f64x2.sub(z, f64x2.sub(kd, shift));
  const k0 = i64x2.extract_lane(kd, 0), k1 = i64x2.extract_lane(kd, 1);
  const tab = changetype<usize>(EXP2F_TAB);
  let t = i64x2.splat(load<u64>(tab + ((<usize>k0 & 31) << 3)));
  t = i64x2.replace_lane(t, 1, load<u64>(tab + ((<usize>k1 & 31) << 3)));
  t = i64x2.add(t, i64x2.shl(kd, 47));
  const c = f64x2.add(f64x2.mul(v128.load(K, 32), r), v128.load(K, 48));
  let y = f64x2.add(f64x2.mul(v128.load(K, 64), r), v128.load(K, 80));
  y = f64x2.add(y, f64x2.mul(c, f64x2.mul(r, r)));
  return f64x2.mul(y, t);
}

// The scalar code per lane: a vector with a lane on expf_lut's special paths (|x| >= 88 or NaN).
// A function of its own, so the main path's loop keeps nothing on the stack for it.
function exp4_lanes(x: v128): v128 {
  let e = f32x4.splat(Mathf.exp(f32x4.extract_lane(x, 0)));
  e = f32x4.replace_lane(e, 1, Mathf.exp(f32x4.extract_lane(x, 1)));
  e = f32x4.replace_lane(e, 2, Mathf.exp(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(e, 3, Mathf.exp(f32x4.extract_lane(x, 3)));
}

@inline function exp4(x: v128): v128 {
  const K = changetype<usize>(EXP_K);
  // the scalar code's test: (bits >> 20 & 0x7FF) >= 0x42B
  const ux = v128.and(i32x4.shr_u(x, 20), v128.load(K, 96));
  if (v128.any_true(i32x4.ge_u(ux, v128.load(K, 112)))) return exp4_lanes(x);
  const lo = f32x4.demote_f64x2_zero(exp2_lanes(f64x2.promote_low_f32x4(x), K));
  const hi = f32x4.demote_f64x2_zero(exp2_lanes(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)), K));
  return v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
}

/** out[N] = exp(inp[N]), the bits of Mathf.exp (exp4); for the tests of exp4. */
export function exp_forward(out: usize, inp: usize, N: i32): void {
  let i = 0;
  for (; i + 4 <= N; i += 4) v128.store(out + (<usize>i << 2), exp4(v128.load(inp + (<usize>i << 2))));
  for (; i < N; i++) store<f32>(out + (<usize>i << 2), Mathf.exp(load<f32>(inp + (<usize>i << 2))));
}

// exp4 on the last 1 to 3 values of a row (lanes past them are 0, which exp4 takes on its main
// path), stored without touching the floats past the row: the bits of Mathf.exp on each.
@inline function exp_tail(p: usize, x: usize, m4: v128, n: i32): void {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(x));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(x, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(x, 8));
  const e = exp4(f32x4.sub(v, m4));
  store<f32>(p, f32x4.extract_lane(e, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(e, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(e, 2), 8);
}

// p[0..V) = exp(x[0..V) - mx), four at a time (exp4, the bits of Mathf.exp).
@inline function exp_row(p: usize, x: usize, mx: f32, V: i32): void {
  const m4 = f32x4.splat(mx);
  let v = 0;
  for (; v + 4 <= V; v += 4) {
    const o = <usize>v << 2;
    v128.store(p + o, exp4(f32x4.sub(v128.load(x + o), m4)));
  }
  const n = V - v, o = <usize>v << 2;
  if (n == 1) exp_tail(p + o, x + o, m4, 1);
  else if (n == 2) exp_tail(p + o, x + o, m4, 2);
  else if (n == 3) exp_tail(p + o, x + o, m4, 3);
}

// p[0..V) *= inv
@inline function scale_row(p: usize, inv: f32, V: i32): void {
  const i4 = f32x4.splat(inv);
  let v = 0;
  for (; v + 4 <= V; v += 4) v128.store(p + (<usize>v << 2), f32x4.mul(v128.load(p + (<usize>v << 2)), i4));
  for (; v < V; v++) store<f32>(p + (<usize>v << 2), load<f32>(p + (<usize>v << 2)) * inv);
}

// max of x[0..V), four lanes at a time: a maximum is the same value in any order (wasm's max orders
// -0 below +0 and any NaN gives NaN), so only the sums below must keep index order.
@inline function row_max(x: usize, V: i32): f32 {
  let mx = load<f32>(x);
  let v = 1;
  if (V >= 8) {
    let m4 = v128.load(x);
    for (v = 4; v + 4 <= V; v += 4) m4 = f32x4.max(m4, v128.load(x + (<usize>v << 2)));
    mx = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  }
  for (; v < V; v++) mx = max(mx, load<f32>(x + (<usize>v << 2)));
  return mx;
}

// p[0..V) = x[0..V) - mx
@inline function shift_row(p: usize, x: usize, mx: f32, V: i32): void {
  const m4 = f32x4.splat(mx);
  let v = 0;
  for (; v + 4 <= V; v += 4) v128.store(p + (<usize>v << 2), f32x4.sub(v128.load(x + (<usize>v << 2)), m4));
  for (; v < V; v++) store<f32>(p + (<usize>v << 2), load<f32>(x + (<usize>v << 2)) - mx);
}

// One row of softmax: the max and the sum of the exponentials in index order, so a row's bits
// are those of the scalar loop; exp4 for the exponentials.
@inline function softmax_row(p: usize, x: usize, V: i32): void {
  const mx = row_max(x, V);
  exp_row(p, x, mx, V);
  let s: f32 = 0;
  for (let u = 0; u < V; u++) s += load<f32>(p + (<usize>u << 2));
  scale_row(p, 1 / s, V);
}

// Four rows of softmax, each with the bits of softmax_row: the rows are shifted by their maxima in
// place, then exponentiated as one run of 4V floats (a multiple of 4: no 1-3 tails, and a vector may
// span two rows); the sums run the four rows' chains side by side (each in index order), so they
// wait on one add latency, not four.
@inline function softmax_rows4(p: usize, x: usize, V: i32): void {
  const row = <usize>V << 2;
  const x1 = x + row, x2 = x1 + row, x3 = x2 + row;
  const p1 = p + row, p2 = p1 + row, p3 = p2 + row;
  shift_row(p, x, row_max(x, V), V);
  shift_row(p1, x1, row_max(x1, V), V);
  shift_row(p2, x2, row_max(x2, V), V);
  shift_row(p3, x3, row_max(x3, V), V);
  exp_forward(p, p, V << 2);
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (let u = 0; u < V; u++) {
    const o = <usize>u << 2;
    s0 += load<f32>(p + o);
    s1 += load<f32>(p1 + o);
    s2 += load<f32>(p2 + o);
    s3 += load<f32>(p3 + o);
  }
  scale_row(p, 1 / s0, V);
  scale_row(p1, 1 / s1, V);
  scale_row(p2, 1 / s2, V);
  scale_row(p3, 1 / s3, V);
}

/** probs[B,V] = softmax(logits[B,V]) per row, max-subtracted. */
export function softmax_forward(probs: usize, logits: usize, B: i32, V: i32): void {
  const row = <usize>V << 2;
  let b = 0;
  for (; b + 4 <= B; b += 4) softmax_rows4(probs + <usize>b * row, logits + <usize>b * row, V);
  for (; b < B; b++) softmax_row(probs + <usize>b * row, logits + <usize>b * row, V);
}

/** probs = softmax(logits); returns sum_b -log(max(probs[b, labels[b]], 1e-7)) (labels: i32[B]). */
export function softmax_xent_forward(probs: usize, logits: usize, labels: usize, B: i32, V: i32): f64 {
  const row = <usize>V << 2;
  let loss: f64 = 0;
  for (let b = 0; b < B; b++) {
    const p = probs + <usize>b * row;
    softmax_row(p, logits + <usize>b * row, V);
    const y = <usize>load<i32>(labels + (<usize>b << 2));
    loss -= Math.log(<f64>max(load<f32>(p + (y << 2)), <f32>1e-7));
  }
  return loss;
}

/** dlogits[B,V] = (probs - onehot(labels)) * scale; in place over probs is allowed. */
export function softmax_xent_backward(dlogits: usize, probs: usize, labels: usize, B: i32, V: i32, scale: f32): void {
  const row = <usize>V << 2;
  for (let b = 0; b < B; b++) {
    const p = probs + <usize>b * row;
    const d = dlogits + <usize>b * row;
    const y = load<i32>(labels + (<usize>b << 2));
    for (let v = 0; v < V; v++) {
      const t: f32 = v == y ? 1 : 0;
      store<f32>(d + (<usize>v << 2), (load<f32>(p + (<usize>v << 2)) - t) * scale);
    }
  }
}

// Index of the first maximum of a row.
@inline function argmax_row(p: usize, V: i32): i32 {
  let best = 0;
  let mx = load<f32>(p);
  for (let v = 1; v < V; v++) {
    const x = load<f32>(p + (<usize>v << 2));
    if (x > mx) {
      mx = x;
      best = v;
    }
  }
  return best;
}

/** Number of rows b with argmax(probs[b]) == labels[b] (first max wins). */
export function argmax_correct(probs: usize, labels: usize, B: i32, V: i32): i32 {
  const row = <usize>V << 2;
  let n = 0;
  for (let b = 0; b < B; b++) {
    if (argmax_row(probs + <usize>b * row, V) == load<i32>(labels + (<usize>b << 2))) n++;
  }
  return n;
}
