// Optimizers: one loop over flat parameter memory (parameters, gradients and moments are each
// contiguous, planned by TypeScript), so a whole model steps in one call.

/** Keras Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lrT * m / (sqrt(v) + eps).
 * lrT = lr * sqrt(1-b2^t) / (1-b1^t) is computed by the caller (Keras' bias correction). */
export function adam_step(
  params: usize, grads: usize, m: usize, v: usize, N: i32, lrT: f32, beta1: f32, beta2: f32, eps: f32,
): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const lr = f32x4.splat(lrT), ep = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= N; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grads + o);
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
