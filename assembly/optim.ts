// Optimizers: one loop over flat parameter memory (parameters, gradients and moments are each
// contiguous, planned by TypeScript), so a whole model steps in one call.

/** Keras Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lrT * m / (sqrt(v) + eps).
 * lrT = lr * sqrt(1-b2^t) / (1-b1^t) is computed by the caller (Keras' bias correction).
 * clear = 1 also zeroes the gradients for the next step, saving a separate pass over memory (a
 * required parameter: AssemblyScript optional parameters need its runtime helpers; JS passes 0 when
 * it is left out). */
export function adam_step(
  params: usize, grads: usize, m: usize, v: usize, N: i32, lrT: f32, beta1: f32, beta2: f32, eps: f32, clear: i32,
): void {
  const zero = f32x4.splat(0);
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const lr = f32x4.splat(lrT), ep = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grads + o);
    if (clear) v128.store(grads + o, zero);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.mul(lr, mi), f32x4.add(f32x4.sqrt(vi), ep));
    v128.store(params + o, f32x4.sub(v128.load(params + o), step));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(grads + o);
    if (clear) store<f32>(grads + o, 0);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * g;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * (g * g);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(params + o, load<f32>(params + o) - (lrT * mi) / (Mathf.sqrt(vi) + eps));
  }
}

/** velocity = momentum * velocity - lr * g; p += velocity, or with nesterov
 * p += momentum * velocity - lr * g (Keras' formulation). momentum 0 never touches velocity. */
export function sgd_step(
  params: usize, grads: usize, velocity: usize, N: i32, lr: f32, momentum: f32, nesterov: i32,
): void {
  const l = f32x4.splat(lr), mo = f32x4.splat(momentum);
  let i = 0;
  if (momentum == 0) {
    for (; i + 4 <= N; i += 4) {
      const o = <usize>i << 2;
      v128.store(params + o, f32x4.sub(v128.load(params + o), f32x4.mul(l, v128.load(grads + o))));
    }
    for (; i < N; i++) {
      const o = <usize>i << 2;
      store<f32>(params + o, load<f32>(params + o) - lr * load<f32>(grads + o));
    }
    return;
  }
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    const lg = f32x4.mul(l, v128.load(grads + o));
    const vel = f32x4.sub(f32x4.mul(mo, v128.load(velocity + o)), lg);
    v128.store(velocity + o, vel);
    const d = nesterov ? f32x4.sub(f32x4.mul(mo, vel), lg) : vel;
    v128.store(params + o, f32x4.add(v128.load(params + o), d));
  }
  for (; i < N; i++) {
    const o = <usize>i << 2;
    const lg = lr * load<f32>(grads + o);
    const vel = momentum * load<f32>(velocity + o) - lg;
    store<f32>(velocity + o, vel);
    store<f32>(params + o, load<f32>(params + o) + (nesterov ? momentum * vel - lg : vel));
  }
}

/** x[i] = 0 where |x[i]| < tiny. Adam's first moments decay by beta1 on every zero gradient (rows
 * behind closed gates, silenced ReLUs) and pass through the subnormal range, where x86 float
 * arithmetic is several times slower and wasm cannot flush to zero; the optimizer calls this on
 * its moments now and then, which costs far less than a check inside every step. */
export function flush_tiny(x: usize, N: i32, tiny: f32): void {
  const t = f32x4.splat(tiny);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const p = x + (<usize>i << 2);
    const v = v128.load(p);
    v128.store(p, v128.and(v, f32x4.ge(f32x4.abs(v), t)));
  }
  for (; i < N; i++) {
    const p = x + (<usize>i << 2);
    if (Mathf.abs(load<f32>(p)) < tiny) store<f32>(p, 0);
  }
}
