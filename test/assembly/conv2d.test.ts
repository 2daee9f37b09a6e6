// conv2d_forward / conv2d_backward against the scalar reference (test/reference/conv.ts) on odd
// shapes (H, W, C, OC not multiples of 4; kernels 1x1, 3x3, 5x5, 2x3; both paddings) and against
// central finite differences.
import { describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.js";
import { conv2dBackward, conv2dForward, outSize, type ConvShape } from "../reference/conv.js";
import { get, kernelBuilds, maxAbsDiff, put as putRaw, randn, rng } from "../util/wasm.js";

const TOL = 2e-5; // per unit of the largest reference magnitude

/** The seeded input and kernel of a keep test, its output's size and a scratch for the forward
 * (and the backward, when `backward`). */
function keepCase(rt: Runtime, s: ConvShape, seed: number, backward: boolean) {
  const r = rng(seed);
  const { OH, OW } = outSize(s);
  const bytes = rt.k.conv2d_scratch_bytes(s.B, s.H, s.W, s.C, s.OC, 3, 3, 0, backward ? 1 : 0, 1);
  const x = randn(r, s.B * s.H * s.W * s.C);
  const k1 = randn(r, s.KH * s.KW * s.C * s.OC);
  return { r, x, k1, nOut: s.B * OH * OW * s.OC, bytes, scratch: rt.alloc(bytes) };
}

/** Each array copied into wasm memory: the pointers, and one release of them all (and `extra`). */
function placeAll(rt: Runtime, arrays: Float32Array[], extra: [ptr: number, bytes: number][] = []) {
  const ptrs = arrays.map((a) => putRaw(rt, a));
  const release = () => {
    for (const [p, n] of extra) rt.release(p, n);
    for (let i = ptrs.length - 1; i >= 0; i--) rt.release(ptrs[i], arrays[i].length * 4);
  };
  return { ptrs, release };
}

/** Runs the wasm kernels for shape s; dinp/dkernel/dbias start from the given values (to check = and +=). */
function wasmConv(
  rt: Runtime,
  s: ConvShape,
  x: Float32Array,
  k: Float32Array,
  bias: Float32Array | null,
  dout?: Float32Array,
  init?: { dx?: Float32Array | "skip"; dk?: Float32Array; db?: Float32Array | "skip" },
  relu = 0,
  infer = 0,
) {
  // every buffer is released at the end, so the finite-difference loops do not grow memory
  const held: [number, number][] = [];
  const put = (r: Runtime, data: ArrayLike<number>) => {
    const p = putRaw(r, data);
    held.push([p, data.length * 4]);
    return p;
  };
  const { OH, OW } = outSize(s);
  const nOut = s.B * OH * OW * s.OC;
  const px = put(rt, x),
    pk = put(rt, k),
    pb = bias ? put(rt, bias) : 0;
  const pout = put(rt, new Float32Array(nOut).fill(Number.NaN));
  const same = s.same ? 1 : 0;
  const withDx = init?.dx !== "skip";
  const scratchBytes = Math.max(
    rt.k.conv2d_scratch_bytes(s.B, s.H, s.W, s.C, s.OC, s.KH, s.KW, same, 0, 0),
    dout ? rt.k.conv2d_scratch_bytes(s.B, s.H, s.W, s.C, s.OC, s.KH, s.KW, same, 1, withDx ? 1 : 0) : 0,
  );
  const scratch = rt.alloc(scratchBytes + 16);
  held.push([scratch, scratchBytes + 16]);
  // guard the scratch end: a kernel writing past its documented size corrupts this
  rt.f32(scratch + scratchBytes, 4).fill(12345);
  rt.k.conv2d_forward(pout, px, pk, pb, scratch, s.B, s.H, s.W, s.C, s.OC, s.KH, s.KW, same, relu, 0, 0, infer);
  const out = get(rt, pout, nOut);
  let grads: { dx: Float32Array | null; dk: Float32Array; db: Float32Array | null } | undefined;
  if (dout) {
    const pdx = withDx
      ? put(rt, (init?.dx as Float32Array | undefined) ?? new Float32Array(x.length).fill(Number.NaN))
      : 0;
    const pdk = put(rt, init?.dk ?? new Float32Array(k.length));
    const withDb = init?.db !== "skip";
    const pdb = withDb ? put(rt, (init?.db as Float32Array | undefined) ?? new Float32Array(s.OC)) : 0;
    const pdout = put(rt, dout);
    rt.k.conv2d_backward(pdx, pdk, pdb, pdout, px, pk, scratch, s.B, s.H, s.W, s.C, s.OC, s.KH, s.KW, same);
    grads = {
      dx: withDx ? get(rt, pdx, x.length) : null,
      dk: get(rt, pdk, k.length),
      db: withDb ? get(rt, pdb, s.OC) : null,
    };
  }
  const guard = Array.from(rt.f32(scratch + scratchBytes, 4));
  for (const [p, n] of held.reverse()) rt.release(p, n);
  return { out, grads, guard };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function name(s: ConvShape): string {
  return `B${s.B} ${s.H}x${s.W}x${s.C} k${s.KH}x${s.KW} ->${s.OC} ${s.same ? "same" : "valid"}`;
}

// Shapes chosen to hit every code path: OC = 1..3 (scalar columns), 4/5/7 (4-wide + tail),
// 8..13 and 17 (8-wide + 4-wide + tail); output widths with row tails (not multiples of 4).
const cases: ConvShape[] = [];
const kernels: [number, number][] = [
  [1, 1],
  [3, 3],
  [5, 5],
  [2, 3],
];
const r0 = rng(7);
for (const [KH, KW] of kernels)
  for (const same of [false, true])
    for (const [C, OC] of [
      [1, 3],
      [3, 5],
      [5, 13],
      [7, 17],
      [2, 9],
    ]) {
      const H = KH + 1 + Math.floor(r0() * 6),
        W = KW + 2 + Math.floor(r0() * 7);
      cases.push({ B: 1 + Math.floor(r0() * 3), H, W, C, OC, KH, KW, same });
    }
// 3x3 kernels with C and OC multiples of 4 take the Winograd F(2x2,3x3) path: odd and even output
// sizes (partial tiles), both paddings, OC with a 4-wide tail, outputs of a single row or column
for (const same of [false, true])
  for (const [H, W, C, OC] of [
    [7, 9, 4, 12],
    [8, 5, 8, 4],
    [3, 11, 12, 20],
    [10, 3, 4, 8],
    [6, 6, 16, 36],
  ]) {
    cases.push({ B: 1 + ((H + W) % 3), H, W, C, OC, KH: 3, KW: 3, same });
  }
// C < 4 with OC a multiple of 4 take the few-channel forward (4 pixels at a time across row ends):
// pixel counts per image that are not multiples of 4 (the last block repeats a pixel), OC = 4
// (one 4-wide block), 12 (8 + 4), 24 (8-wide only)
for (const [B, H, W, C, OC, KH, KW, same] of [
  [2, 5, 6, 1, 4, 3, 3, false], // 3x4 = 12 pixels
  [3, 7, 5, 2, 12, 3, 3, false], // 5x3 = 15
  [1, 6, 9, 3, 24, 2, 3, true], // 54
  [2, 4, 4, 1, 8, 1, 1, false], // 16, 1x1
  [1, 8, 7, 1, 12, 5, 5, true], // 56, 5x5
  [2, 3, 6, 3, 4, 3, 2, false], // 1x5 = 5
  [1, 3, 3, 1, 8, 3, 3, false], // a single pixel
] as const)
  cases.push({ B, H, W, C, OC, KH, KW, same });
// one output channel (the N = 1 dot-product path, also taken by dinp when C = 1)
cases.push({ B: 2, H: 7, W: 9, C: 3, OC: 1, KH: 3, KW: 3, same: true });
cases.push({ B: 3, H: 6, W: 5, C: 6, OC: 1, KH: 2, KW: 3, same: false });
// the paper's conv1 (C = 1, whose dinp an input gate needs) and conv2 shapes, batch 2,
// and a Conv1D-like shape
cases.push({ B: 2, H: 28, W: 28, C: 1, OC: 32, KH: 3, KW: 3, same: false });
cases.push({ B: 2, H: 26, W: 26, C: 32, OC: 64, KH: 3, KW: 3, same: false });
cases.push({ B: 3, H: 1, W: 23, C: 6, OC: 10, KH: 1, KW: 5, same: true });

// The forward and backward kernels of both builds (relaxed SIMD fuses the tiles' multiply-adds).
const builds = await kernelBuilds();

for (const [build, load] of builds)
  describe(`conv2d vs scalar reference (${build} build)`, () => {
    const errors: string[] = [];
    let shared: Promise<Runtime> | undefined;
    for (const s of cases) {
      it(name(s), async () => {
        const rt = await (shared ??= load());
        const r = rng(s.H * 131 + s.W * 17 + s.C * 7 + s.OC + s.KH * 1000 + (s.same ? 5 : 0));
        const { OH, OW } = outSize(s);
        const x = randn(r, s.B * s.H * s.W * s.C);
        const k = randn(r, s.KH * s.KW * s.C * s.OC);
        const bias = randn(r, s.OC);
        const dout = randn(r, s.B * OH * OW * s.OC);
        // parameter gradients must accumulate onto what is there; dinp must be overwritten (starts NaN)
        const dk0 = randn(r, k.length),
          db0 = randn(r, s.OC);
        const { out, grads, guard } = wasmConv(rt, s, x, k, bias, dout, { dk: dk0, db: db0 });
        const ref = conv2dForward(s, x, k, bias);
        const g = conv2dBackward(s, dout, x, k);
        const eOut = maxAbsDiff(out, ref) / Math.max(1, maxAbs(ref));
        // the inference forward (infer = 1: F(6x6, 3x3) where Winograd runs), within the same bound
        const inf = wasmConv(rt, s, x, k, bias, undefined, undefined, 0, 1);
        expect(inf.guard, "infer = 1 writes past its scratch").toEqual([12345, 12345, 12345, 12345]);
        const eInfer = maxAbsDiff(inf.out, ref) / Math.max(1, maxAbs(ref));
        expect(eInfer, `infer = 1 forward: err ${eInfer}`).toBeLessThan(TOL);
        const eDx = maxAbsDiff(grads!.dx!, g.dx) / Math.max(1, maxAbs(g.dx));
        const eDk =
          maxAbsDiff(
            grads!.dk,
            g.dk.map((v, i) => v + dk0[i]),
          ) / Math.max(1, maxAbs(g.dk));
        const eDb =
          maxAbsDiff(
            grads!.db!,
            g.dbias.map((v, i) => v + db0[i]),
          ) / Math.max(1, maxAbs(g.dbias));
        errors.push(
          `${name(s)}: out ${eOut.toExponential(1)} dx ${eDx.toExponential(1)} dk ${eDk.toExponential(1)} db ${eDb.toExponential(1)}`,
        );
        expect(guard).toEqual([12345, 12345, 12345, 12345]);
        expect(eOut).toBeLessThan(TOL);
        expect(eDx).toBeLessThan(TOL);
        expect(eDk).toBeLessThan(TOL);
        expect(eDb).toBeLessThan(TOL);
      });
    }
    it("reports the max relative errors", () => {
      console.log(`conv2d max abs error / max |ref| per case:\n  ${errors.join("\n  ")}`);
      expect(errors.length).toBe(cases.length);
    });

    it("skips dinp and dbias when their pointers are 0, and still computes dkernel", async () => {
      const rt = await (shared ??= load());
      for (const s of [
        { B: 2, H: 7, W: 6, C: 3, OC: 5, KH: 3, KW: 2, same: true },
        { B: 2, H: 7, W: 6, C: 4, OC: 8, KH: 3, KW: 3, same: true }, // Winograd
      ]) {
        const r = rng(99);
        const { OH, OW } = outSize(s);
        const x = randn(r, s.B * s.H * s.W * s.C),
          k = randn(r, s.KH * s.KW * s.C * s.OC);
        const dout = randn(r, s.B * OH * OW * s.OC);
        const { grads, guard } = wasmConv(rt, s, x, k, null, dout, { dx: "skip", db: "skip" });
        expect(guard).toEqual([12345, 12345, 12345, 12345]);
        const ref = conv2dBackward(s, dout, x, k).dk;
        expect(maxAbsDiff(grads!.dk, ref) / Math.max(1, maxAbs(ref))).toBeLessThan(TOL);
      }
    });

    it("conv2d_scratch_bytes follows the formulas documented in abi.ts", async () => {
      const rt = await (shared ??= load());
      const f = rt.k.conv2d_scratch_bytes;
      // Winograd (3x3, C and OC multiples of 4): 4*max(3716 + 117*C*OC + 1152*(2C+OC), the
      // inference F(6x6, 3x3)'s 3844 + 73*C*OC + 2048*(C+OC)), any B, H, W
      for (const [C, OC] of [
        [32, 64],
        [4, 12],
        [4, 4],
      ]) {
        const want = 4 * Math.max(3716 + 117 * C * OC + 1152 * (2 * C + OC), 3844 + 73 * C * OC + 2048 * (C + OC));
        expect(f(32, 26, 26, C, OC, 3, 3, 0, 0, 0)).toBe(want);
        expect(f(7, 5, 9, C, OC, 3, 3, 1, 1, 1)).toBe(want);
      }
      // direct: forward same ? 4*B*(H+KH-1)*(W+KW-1)*C : 0; backward 4*(align4(KH*KW*C*OC) + plane*max(...))
      const [B, H, W, C, OC, KH, KW] = [3, 7, 9, 5, 6, 2, 3];
      const plane = B * (H + KH - 1) * (W + KW - 1);
      const kf = Math.ceil((KH * KW * C * OC) / 4) * 4;
      expect(f(B, H, W, C, OC, KH, KW, 0, 0, 0)).toBe(0);
      expect(f(B, H, W, C, OC, KH, KW, 1, 0, 0)).toBe(4 * plane * C);
      expect(f(B, H, W, C, OC, KH, KW, 0, 1, 1)).toBe(4 * (kf + plane * OC));
      expect(f(B, H, W, C, OC, KH, KW, 0, 1, 0)).toBe(4 * kf);
      expect(f(B, H, W, C, OC, KH, KW, 1, 1, 0)).toBe(4 * (kf + plane * C));
    });

    it("relu = 1 gives the bits of relu_forward after the convolution (direct and Winograd paths)", async () => {
      const rt = await (shared ??= load());
      for (const s of [
        { B: 2, H: 9, W: 7, C: 1, OC: 13, KH: 3, KW: 3, same: false },
        { B: 2, H: 9, W: 7, C: 2, OC: 12, KH: 3, KW: 3, same: false }, // few channels, 35 pixels
        { B: 1, H: 6, W: 8, C: 3, OC: 6, KH: 2, KW: 3, same: true },
        { B: 2, H: 11, W: 9, C: 8, OC: 12, KH: 3, KW: 3, same: false }, // Winograd, partial tiles
        { B: 1, H: 7, W: 6, C: 4, OC: 8, KH: 3, KW: 3, same: true }, // Winograd
      ]) {
        const r = rng(17 + s.C * 5 + s.OC);
        const x = randn(r, s.B * s.H * s.W * s.C),
          k = randn(r, s.KH * s.KW * s.C * s.OC),
          bias = randn(r, s.OC);
        const plain = wasmConv(rt, s, x, k, bias).out;
        const fused = wasmConv(rt, s, x, k, bias, undefined, undefined, 1);
        expect(fused.guard).toEqual([12345, 12345, 12345, 12345]);
        const p = putRaw(rt, plain);
        rt.k.relu_forward(p, p, plain.length);
        const want = get(rt, p, plain.length);
        rt.release(p, plain.length * 4);
        expect(want.some((v) => v === 0) && want.some((v) => v > 0)).toBe(true);
        expect(Array.from(fused.out)).toEqual(Array.from(want));
        const ref = conv2dForward(s, x, k, bias).map((v) => Math.max(0, v));
        expect(maxAbsDiff(fused.out, ref) / Math.max(1, maxAbs(ref))).toBeLessThan(TOL);
      }
    });

    it("keep = 1 reuses the transformed kernel only while the kernel's bits are unchanged", async () => {
      const rt = await (shared ??= load());
      const s: ConvShape = { B: 2, H: 9, W: 10, C: 8, OC: 12, KH: 3, KW: 3, same: false };
      const { r, x, k1, nOut, bytes, scratch } = keepCase(rt, s, 41, true);
      const bias = randn(r, s.OC);
      const placed = placeAll(
        rt,
        [x, k1, bias, new Float32Array(nOut), new Float32Array(x.length), new Float32Array(k1.length), randn(r, nOut)],
        [[scratch, bytes]],
      );
      const [px, pk, pb, pout, pdx, pdk, pdout] = placed.ptrs;
      const fwd = (keep: number) => {
        rt.k.conv2d_forward(pout, px, pk, pb, scratch, s.B, s.H, s.W, s.C, s.OC, 3, 3, 0, 0, keep, 0, 0);
        return get(rt, pout, nOut);
      };
      /** the kernel's result on a scratch of its own (nothing kept) */
      const fresh = (k: Float32Array) => wasmConv(rt, s, x, k, bias).out;
      const out1 = fwd(0);
      expect(Array.from(out1)).toEqual(Array.from(fresh(k1)));
      expect(Array.from(fwd(1))).toEqual(Array.from(out1));
      // one kernel value changed by one ulp: transformed again
      const k2 = k1.slice();
      const i = 5 * s.OC + 7;
      new Uint32Array(k2.buffer)[i] += 1;
      rt.f32(pk, k2.length).set(k2);
      const out2 = fwd(1);
      expect(Array.from(out2)).toEqual(Array.from(fresh(k2)));
      expect(Array.from(out2)).not.toEqual(Array.from(out1));
      // a backward pass on the same scratch with another kernel, then the first kernel again
      const k3 = randn(r, k1.length);
      rt.f32(pk, k3.length).set(k3);
      rt.k.conv2d_backward(pdx, pdk, 0, pdout, px, pk, scratch, s.B, s.H, s.W, s.C, s.OC, 3, 3, 0);
      rt.f32(pk, k2.length).set(k2);
      expect(Array.from(fwd(1))).toEqual(Array.from(out2));
      rt.f32(pk, k3.length).set(k3);
      expect(Array.from(fwd(1))).toEqual(Array.from(fresh(k3)));
      // keep = 0 transforms whatever the scratch holds (here: a kept transform made stale by hand)
      rt.f32(pk, k1.length).set(k1);
      const atU = scratch + 1024 + 16 + 4 * 9 * s.C * s.OC;
      const tag = Array.from(rt.u8(scratch + 1024, 16));
      fwd(1);
      rt.f32(atU, 64).fill(0);
      expect(Array.from(rt.u8(scratch + 1024, 16))).toEqual(tag);
      expect(Array.from(fwd(0))).toEqual(Array.from(out1));
      placed.release();
    });

    it("keep = 2 takes the kernel's address for its bits, on both Winograd paths", async () => {
      const rt = await (shared ??= load());
      const s: ConvShape = { B: 1, H: 14, W: 13, C: 8, OC: 12, KH: 3, KW: 3, same: false };
      const { r, x, k1, nOut, bytes, scratch } = keepCase(rt, s, 42, false);
      const k2 = randn(r, k1.length);
      const placed = placeAll(rt, [x, k1, k2, new Float32Array(nOut)], [[scratch, bytes]]);
      const [px, pk, pk2, pout] = placed.ptrs;
      for (const infer of [0, 1]) {
        const fwd = (kernel: number, keep: number) => {
          rt.k.conv2d_forward(pout, px, kernel, 0, scratch, s.B, s.H, s.W, s.C, s.OC, 3, 3, 0, 0, keep, 0, infer);
          return Array.from(get(rt, pout, nOut));
        };
        rt.f32(pk, k1.length).set(k1);
        const out1 = fwd(pk, 0);
        const out2 = fwd(pk2, 0);
        expect(out2).not.toEqual(out1);
        expect(fwd(pk, 2), `infer=${infer}: another address is transformed`).toEqual(out1);
        expect(fwd(pk, 2), `infer=${infer}: kept`).toEqual(out1);
        // the promise broken on purpose: new bits at the same address are not seen with keep = 2,
        // and are with keep = 1
        rt.f32(pk, k2.length).set(k2);
        expect(fwd(pk, 2), `infer=${infer}: no compare`).toEqual(out1);
        expect(fwd(pk, 1), `infer=${infer}: keep = 1 compares`).toEqual(out2);
      }
      placed.release();
    });

    it("bias 0 means no bias", async () => {
      const rt = await (shared ??= load());
      const s: ConvShape = { B: 1, H: 5, W: 5, C: 2, OC: 9, KH: 3, KW: 3, same: false };
      const r = rng(3);
      const x = randn(r, s.B * s.H * s.W * s.C),
        k = randn(r, s.KH * s.KW * s.C * s.OC);
      expect(maxAbsDiff(wasmConv(rt, s, x, k, null).out, conv2dForward(s, x, k, null))).toBeLessThan(1e-5);
    });
  });

for (const [build, load] of builds)
  describe(`conv2d backward vs central finite differences (${build} build)`, () => {
    let shared: Promise<Runtime> | undefined;
    const fdCases: ConvShape[] = [
      { B: 2, H: 5, W: 6, C: 3, OC: 5, KH: 3, KW: 3, same: false },
      { B: 1, H: 6, W: 5, C: 2, OC: 9, KH: 2, KW: 3, same: true },
      { B: 2, H: 1, W: 9, C: 3, OC: 4, KH: 1, KW: 4, same: true },
      { B: 2, H: 5, W: 6, C: 4, OC: 8, KH: 3, KW: 3, same: false }, // Winograd
      { B: 1, H: 5, W: 7, C: 8, OC: 4, KH: 3, KW: 3, same: true }, // Winograd
    ];
    for (const s of fdCases) {
      it(name(s), async () => {
        const rt = await (shared ??= load());
        const r = rng(1234 + s.OC);
        const { OH, OW } = outSize(s);
        const x = randn(r, s.B * s.H * s.W * s.C),
          k = randn(r, s.KH * s.KW * s.C * s.OC),
          bias = randn(r, s.OC);
        const R = randn(r, s.B * OH * OW * s.OC); // loss = sum(out * R), so dout = R
        const loss = (xx: Float32Array, kk: Float32Array, bb: Float32Array) => {
          const o = wasmConv(rt, s, xx, kk, bb).out;
          let L = 0;
          for (let i = 0; i < o.length; i++) L += o[i] * R[i];
          return L;
        };
        const { grads } = wasmConv(rt, s, x, k, bias, R);
        // the loss is linear in each of x, k and bias, so central differences have no truncation
        // error and a large step keeps f32 rounding (and Winograd's) small relative to it
        const eps = 0.25;
        let worst = 0;
        const check = (arr: Float32Array, analytic: Float32Array, f: (a: Float32Array) => number) => {
          for (let i = 0; i < arr.length; i++) {
            const keep = arr[i];
            arr[i] = keep + eps;
            const lp = f(arr);
            arr[i] = keep - eps;
            const lm = f(arr);
            arr[i] = keep;
            const fd = (lp - lm) / (2 * eps);
            const err = Math.abs(fd - analytic[i]) / Math.max(1, Math.abs(fd));
            worst = Math.max(worst, err);
          }
        };
        check(x, grads!.dx!, (a) => loss(a, k, bias));
        check(k, grads!.dk, (a) => loss(x, a, bias));
        check(bias, grads!.db!, (a) => loss(x, k, a));
        console.log(`conv2d FD ${name(s)}: max relative error ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(1e-3);
      });
    }
  });
