// Peak f32 arithmetic of one core through WebAssembly SIMD (bench/ceiling/peak.ts times it): loops
// that touch no memory, each an N-way set of independent chains a = a * m + c on f32x4 values.
// Zen 5 issues two vector multiplies and two vector adds per cycle at 3 and 2 cycles of latency
// (two fused multiply-adds at 4), so 10 chains (8 fused) keep every pipe busy; more than x64's
// 16 xmm registers allow (V8 keeps one as scratch; 12 chains + m + c + a temporary = 15) makes V8
// spill, which the 14-chain variant shows. m = 0.5, c = 1 keeps every value near 2: no overflow,
// no subnormals. Built twice by `npm run asbuild:ceiling`, one set of loops: simd128 (madd is then mul +
// add) and relaxed (madd is f32x4.relaxed_madd, one fused multiply-add on x64 with FMA3).

@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline
function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Each function: `iters` rounds of its N chains (N * 4 lanes * 2 FLOPs a round); the result sums
// every chain so none is dead code. seed differs per call site so no two chains are provably equal.

export function madd_8(iters: i32, seed: f32, mul: f32, add: f32): f32 {
  const m = f32x4.splat(mul);
  const c = f32x4.splat(add);
  let a0 = f32x4.splat(seed + 0.0);
  let a1 = f32x4.splat(seed + 1.0);
  let a2 = f32x4.splat(seed + 2.0);
  let a3 = f32x4.splat(seed + 3.0);
  let a4 = f32x4.splat(seed + 4.0);
  let a5 = f32x4.splat(seed + 5.0);
  let a6 = f32x4.splat(seed + 6.0);
  let a7 = f32x4.splat(seed + 7.0);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c);
    a1 = madd(a1, m, c);
    a2 = madd(a2, m, c);
    a3 = madd(a3, m, c);
    a4 = madd(a4, m, c);
    a5 = madd(a5, m, c);
    a6 = madd(a6, m, c);
    a7 = madd(a7, m, c);
  }
  return lanes(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7));
}

export function madd_10(iters: i32, seed: f32, mul: f32, add: f32): f32 {
  const m = f32x4.splat(mul);
  const c = f32x4.splat(add);
  let a0 = f32x4.splat(seed + 0.0);
  let a1 = f32x4.splat(seed + 1.0);
  let a2 = f32x4.splat(seed + 2.0);
  let a3 = f32x4.splat(seed + 3.0);
  let a4 = f32x4.splat(seed + 4.0);
  let a5 = f32x4.splat(seed + 5.0);
  let a6 = f32x4.splat(seed + 6.0);
  let a7 = f32x4.splat(seed + 7.0);
  let a8 = f32x4.splat(seed + 8.0);
  let a9 = f32x4.splat(seed + 9.0);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c);
    a1 = madd(a1, m, c);
    a2 = madd(a2, m, c);
    a3 = madd(a3, m, c);
    a4 = madd(a4, m, c);
    a5 = madd(a5, m, c);
    a6 = madd(a6, m, c);
    a7 = madd(a7, m, c);
    a8 = madd(a8, m, c);
    a9 = madd(a9, m, c);
  }
  return lanes(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9));
}

export function madd_12(iters: i32, seed: f32, mul: f32, add: f32): f32 {
  const m = f32x4.splat(mul);
  const c = f32x4.splat(add);
  let a0 = f32x4.splat(seed + 0.0);
  let a1 = f32x4.splat(seed + 1.0);
  let a2 = f32x4.splat(seed + 2.0);
  let a3 = f32x4.splat(seed + 3.0);
  let a4 = f32x4.splat(seed + 4.0);
  let a5 = f32x4.splat(seed + 5.0);
  let a6 = f32x4.splat(seed + 6.0);
  let a7 = f32x4.splat(seed + 7.0);
  let a8 = f32x4.splat(seed + 8.0);
  let a9 = f32x4.splat(seed + 9.0);
  let a10 = f32x4.splat(seed + 10.0);
  let a11 = f32x4.splat(seed + 11.0);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c);
    a1 = madd(a1, m, c);
    a2 = madd(a2, m, c);
    a3 = madd(a3, m, c);
    a4 = madd(a4, m, c);
    a5 = madd(a5, m, c);
    a6 = madd(a6, m, c);
    a7 = madd(a7, m, c);
    a8 = madd(a8, m, c);
    a9 = madd(a9, m, c);
    a10 = madd(a10, m, c);
    a11 = madd(a11, m, c);
  }
  return lanes(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11));
}

export function madd_14(iters: i32, seed: f32, mul: f32, add: f32): f32 {
  const m = f32x4.splat(mul);
  const c = f32x4.splat(add);
  let a0 = f32x4.splat(seed + 0.0);
  let a1 = f32x4.splat(seed + 1.0);
  let a2 = f32x4.splat(seed + 2.0);
  let a3 = f32x4.splat(seed + 3.0);
  let a4 = f32x4.splat(seed + 4.0);
  let a5 = f32x4.splat(seed + 5.0);
  let a6 = f32x4.splat(seed + 6.0);
  let a7 = f32x4.splat(seed + 7.0);
  let a8 = f32x4.splat(seed + 8.0);
  let a9 = f32x4.splat(seed + 9.0);
  let a10 = f32x4.splat(seed + 10.0);
  let a11 = f32x4.splat(seed + 11.0);
  let a12 = f32x4.splat(seed + 12.0);
  let a13 = f32x4.splat(seed + 13.0);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c);
    a1 = madd(a1, m, c);
    a2 = madd(a2, m, c);
    a3 = madd(a3, m, c);
    a4 = madd(a4, m, c);
    a5 = madd(a5, m, c);
    a6 = madd(a6, m, c);
    a7 = madd(a7, m, c);
    a8 = madd(a8, m, c);
    a9 = madd(a9, m, c);
    a10 = madd(a10, m, c);
    a11 = madd(a11, m, c);
    a12 = madd(a12, m, c);
    a13 = madd(a13, m, c);
  }
  return lanes(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11), a12), a13));
}
