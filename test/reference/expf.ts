// Scalar reference of AssemblyScript's Mathf.exp (std/assembly/util/math.ts expf_lut, from musl's
// expf), step for step in f64 with the bit manipulations on BigInt: what the kernels' exponential
// must reproduce bit for bit.
const TAB = [
  0x3ff0000000000000n,
  0x3fefd9b0d3158574n,
  0x3fefb5586cf9890fn,
  0x3fef9301d0125b51n,
  0x3fef72b83c7d517bn,
  0x3fef54873168b9aan,
  0x3fef387a6e756238n,
  0x3fef1e9df51fdee1n,
  0x3fef06fe0a31b715n,
  0x3feef1a7373aa9cbn,
  0x3feedea64c123422n,
  0x3feece086061892dn,
  0x3feebfdad5362a27n,
  0x3feeb42b569d4f82n,
  0x3feeab07dd485429n,
  0x3feea47eb03a5585n,
  0x3feea09e667f3bcdn,
  0x3fee9f75e8ec5f74n,
  0x3feea11473eb0187n,
  0x3feea589994cce13n,
  0x3feeace5422aa0dbn,
  0x3feeb737b0cdc5e5n,
  0x3feec49182a3f090n,
  0x3feed503b23e255dn,
  0x3feee89f995ad3adn,
  0x3feeff76f2fb5e47n,
  0x3fef199bdd85529cn,
  0x3fef3720dcef9069n,
  0x3fef5818dcfba487n,
  0x3fef7c97337b9b5fn,
  0x3fefa4afa2a490dan,
  0x3fefd0765b6e4540n,
];
const view = new DataView(new ArrayBuffer(8));
function f64(bits: bigint): number {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
function bits64(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}
function f32(bits: number): number {
  view.setUint32(0, bits);
  return view.getFloat32(0);
}
function bits32(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}

export function expfLut(xIn: number): number {
  const x = Math.fround(xIn);
  const N = 32;
  const shift = f64(0x4338000000000000n);
  const InvLn2N = f64(0x3ff71547652b82fen) * N;
  const C0 = f64(0x3fac6af84b912394n) / N / N / N;
  const C1 = f64(0x3fcebfce50fac4f3n) / N / N;
  const C2 = f64(0x3fe62e42ff0c52d6n) / N;
  const ix = bits32(x);
  const ux = (ix >>> 20) & 0x7ff;
  if (ux >= 0x42b) {
    if (ix === 0xff800000) return 0;
    if (ux >= 0x7f8) return Math.fround(x + x);
    if (x > f32(0x42b17217)) return Math.fround(x * f32(0x7f000000));
    if (x < f32(0xc2cff1b4)) return 0;
  }
  let z = InvLn2N * x;
  const kd = z + shift;
  const ki = bits64(kd);
  const r = z - (kd - shift);
  const t = (TAB[Number(ki & 31n)] + (ki << 47n)) & 0xffffffffffffffffn;
  const s = f64(t);
  z = C0 * r + C1;
  let y = C2 * r + 1;
  y += z * (r * r);
  y *= s;
  return Math.fround(y);
}

/** softmax of one row as the kernels compute it: max, exponentials, their sum in index order, then
 * each times 1 / sum, every step rounded to f32. */
export function softmaxRowBits(x: Float32Array): Float32Array {
  let mx = x[0];
  for (const v of x) mx = Math.max(mx, v);
  const e = x.map((v) => expfLut(Math.fround(v - mx)));
  let s = 0;
  for (const v of e) s = Math.fround(s + v);
  const inv = Math.fround(1 / s);
  return e.map((v) => Math.fround(v * inv));
}
