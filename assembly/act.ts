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

// One row of softmax. V is the class count (2..10 here), so scalar code is as fast as any.
@inline function softmax_row(p: usize, x: usize, V: i32): void {
  let mx = load<f32>(x);
  for (let v = 1; v < V; v++) mx = max(mx, load<f32>(x + (<usize>v << 2)));
  let s: f32 = 0;
  for (let v = 0; v < V; v++) {
    const e = Mathf.exp(load<f32>(x + (<usize>v << 2)) - mx);
    store<f32>(p + (<usize>v << 2), e);
    s += e;
  }
  const inv: f32 = 1 / s;
  for (let v = 0; v < V; v++) store<f32>(p + (<usize>v << 2), load<f32>(p + (<usize>v << 2)) * inv);
}

/** probs[B,V] = softmax(logits[B,V]) per row, max-subtracted. */
export function softmax_forward(probs: usize, logits: usize, B: i32, V: i32): void {
  const row = <usize>V << 2;
  for (let b = 0; b < B; b++) softmax_row(probs + <usize>b * row, logits + <usize>b * row, V);
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
