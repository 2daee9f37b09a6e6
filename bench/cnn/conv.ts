// Conv kernel throughput at the shapes of the paper's Table 6 CNN (28x28x1 → conv 3x3x32 → conv
// 3x3x64, "valid", stride 1), batch 32, one thread: bsfnet's conv2d_forward / conv2d_backward
// called directly through the runtime, against tfjs' Conv2D (fused with bias, what tf.layers.conv2d
// runs) and its gradient kernels Conv2DBackpropFilter, Conv2DBackpropInput and the bias sum, on the
// wasm and cpu backends.
// FLOPs are those of a direct convolution: 2·B·OH·OW·KH·KW·C·OC forward, as much again for the
// kernel gradient and again for the input gradient. The figures are "effective" GFLOP/s (that
// count over the time): bsfnet runs conv_2 (C, OC multiples of 4) with Winograd F(4x4, 3x3), which
// does fewer multiplies.
// What tfjs 4.22's wasm backend lacks: it registers no Conv2DBackpropFilter, so it cannot train a
// conv layer ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"). For the training
// bench, `registerWasmFilterGradFallback` adds one built from the backend's own kernels (the
// kernel gradient is itself a valid convolution of the transposed operands); its timing here is in
// the rows marked "fallback".
// tfjs-cpu's Conv2DBackpropFilter is a scalar JavaScript loop (over a minute per call at conv_2's
// shape, batch 32): it is timed at a smaller batch (FLOP rate independent of the batch), said so
// in the table.
// Run alone: npx tsx bench/cnn/conv.ts [--quick]
import { pathToFileURL } from "node:url";
import { Runtime } from "../../src/runtime/runtime.js";
import { IMPLS, initTf, tf, useBackend, type Impl, type TfBackend } from "../lib/tfjs.js";
import { load, measureSync, type MeasureOptions, type Timing } from "../lib/measure.js";

export const CONV_BATCH = 32;

export interface ConvShape {
  layer: string;
  H: number;
  W: number;
  C: number;
  OC: number;
  K: number;
}

/** The two conv layers of the Table 6 CNN, input to output ("valid" padding, stride 1). */
export const CONV_SHAPES: ConvShape[] = [
  { layer: "conv_1", H: 28, W: 28, C: 1, OC: 32, K: 3 },
  { layer: "conv_2", H: 26, W: 26, C: 32, OC: 64, K: 3 },
];

export type ConvPass = "forward" | "backward, dkernel + dbias" | "backward, dinp + dkernel + dbias";

export interface ConvRow {
  layer: string;
  shape: ConvShape;
  pass: ConvPass;
  /** does the training step of the plain network run this pass? (the first conv needs no dinp
   * unless a gate precedes it) */
  inPlainStep: boolean;
  /** does bsfnet take its Winograd path at this shape */
  winograd: boolean;
  /** batch each implementation was timed at (tfjs-cpu's filter gradient: smaller, see above) */
  batch: Record<Impl, number>;
  /** direct-convolution FLOPs at batch CONV_BATCH */
  flops: number;
  /** null: the backend cannot run this pass */
  timing: Record<Impl, Timing | null>;
  /** effective GFLOP/s (at the timed batch); null where the backend cannot run the pass */
  gflops: Record<Impl, number | null>;
  /** tfjs-wasm with the filter-gradient fallback of this file (backward rows only) */
  wasmFallback?: { timing: Timing; gflops: number };
}

export interface ConvResults {
  B: number;
  rows: ConvRow[];
  /** max |bsfnet − tfjs| over one call's outputs: forward (vs wasm), dinp (vs wasm), dkernel (vs cpu) */
  maxAbsDiff: Record<string, number>;
  /** what the tfjs wasm backend could not do, with the error it gave */
  wasmMissing: string[];
  /** tfjs-wasm's Conv2DBackpropInput alone (the backward part it has), per layer */
  wasmDinpAlone: Record<string, { timing: Timing; gflops: number }>;
  load: { before: number[]; after: number[] };
  seconds: number;
}

const outSize = (s: ConvShape) => [s.H - s.K + 1, s.W - s.K + 1] as const;
export const convFlops = (s: ConvShape, B: number) => {
  const [OH, OW] = outSize(s);
  return 2 * B * OH * OW * s.K * s.K * s.C * s.OC;
};

type ConvAttrs = { strides: [number, number]; pad: "valid"; dataFormat: "NHWC"; dimRoundingMode?: undefined };
const ATTRS: ConvAttrs = { strides: [1, 1], pad: "valid", dataFormat: "NHWC" };

/** tfjs' gradient of a conv layer w.r.t. its kernel, as tf.layers.conv2d's backward runs it. */
export function tfFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor4D {
  return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { ...ATTRS, filterShape } as never) as tf.Tensor4D;
}

export function tfInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[]): tf.Tensor4D {
  return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, { ...ATTRS, inputShape } as never) as tf.Tensor4D;
}

let fallbackRegistered = false;

/**
 * Give tfjs' wasm backend a Conv2DBackpropFilter (stride 1, no dilation, "valid", NHWC; enough
 * for Table 6) made of its own kernels: dK[kh,kw,c,oc] = Σ_b,i,j x[b,i+kh,j+kw,c]·dy[b,i,j,oc] is
 * the convolution of x transposed to [C,H,W,B] (batch C, channels B) with dy transposed to the
 * kernel [OH,OW,B,OC], giving [C,KH,KW,OC], transposed back. Everything stays in the wasm backend
 * (XNNPACK's Conv2D), so this is about the best tfjs-wasm can train at without new native code.
 */
export function registerWasmFilterGradFallback(): void {
  if (fallbackRegistered) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as {
        strides: number | number[];
        pad: unknown;
        dataFormat: string;
        dilations?: number | number[];
      };
      const s = Array.isArray(a.strides) ? a.strides : [a.strides, a.strides];
      const d =
        a.dilations === undefined ? [1, 1] : Array.isArray(a.dilations) ? a.dilations : [a.dilations, a.dilations];
      if (s.some((v) => v !== 1) || d.some((v) => v !== 1) || a.pad !== "valid" || a.dataFormat !== "NHWC") {
        throw new Error("bench fallback Conv2DBackpropFilter: stride 1, no dilation, valid padding, NHWC only");
      }
      const e = tf.engine();
      const xt = e.runKernel("Transpose", { x: x as tf.Tensor }, { perm: [3, 1, 2, 0] }) as tf.Tensor;
      const dyt = e.runKernel("Transpose", { x: dy as tf.Tensor }, { perm: [1, 2, 0, 3] }) as tf.Tensor;
      const r = e.runKernel("Conv2D", { x: xt, filter: dyt }, { ...ATTRS, dilations: [1, 1] } as never) as tf.Tensor;
      const out = e.runKernel("Transpose", { x: r }, { perm: [1, 2, 0, 3] }) as tf.Tensor;
      tf.dispose([xt, dyt, r]);
      return out as unknown as tf.TensorInfo;
    },
  });
  fallbackRegistered = true;
}

export function unregisterWasmFilterGradFallback(): void {
  if (!fallbackRegistered) return;
  tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
  fallbackRegistered = false;
}

/** Uniform [0, 1) floats from a seeded xorshift32 (reproducible data for every benchmark run). */
export function uniform(n: number, seed = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = s / 4294967296;
  }
  return a;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

export async function benchConv(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<ConvResults> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const before = load();
  const rt = await Runtime.load();
  await initTf();
  const B = CONV_BATCH;
  const mo: MeasureOptions = opts.quick
    ? { warmup: 20, time: 80, minSample: 2 }
    : { warmup: 150, time: 700, minSample: 5 };
  // Operations of a second or more (tfjs-cpu, tfjs-wasm's input gradient) are timed over a few
  // calls only, after one untimed call: time one call, then choose.
  const timeIt = async (name: string, fn: () => void): Promise<Timing> => {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    const o: MeasureOptions =
      ms < 100
        ? mo
        : { warmup: 0, warmupIterations: 0, time: 0, iterations: opts.quick || ms > 1000 ? 1 : 3, minSample: 0 };
    const tm = performance.now();
    const r = await measureSync(name, fn, o);
    if (process.env.CONV_TRACE)
      console.log(`    ${name}: first ${ms.toFixed(0)} ms, measured in ${(performance.now() - tm).toFixed(0)} ms`);
    return r;
  };
  // tfjs-cpu's filter gradient is timed at this batch (its cost is linear in the batch)
  const cpuFilterBatch = (s: ConvShape) => (s.C >= 8 ? 1 : opts.quick ? 4 : 8);

  const rows: ConvRow[] = [];
  const maxAbsDiff: Record<string, number> = {};
  const wasmMissing = new Set<string>();
  const wasmDinpAlone: ConvResults["wasmDinpAlone"] = {};
  const f = 4;
  for (const s of CONV_SHAPES) {
    const [OH, OW] = outSize(s);
    const { H, W, C, OC, K } = s;
    const nIn = B * H * W * C,
      nOut = B * OH * OW * OC,
      nK = K * K * C * OC;
    const x = uniform(nIn, 3),
      kernel = uniform(nK, 5).map((v) => (v - 0.5) * Math.sqrt(24 / (K * K * (C + OC))));
    const bias = uniform(OC, 7).map((v) => 0.1 * (v - 0.5)),
      dy = uniform(nOut, 11).map((v) => (v - 0.5) / B);

    // bsfnet: buffers in wasm memory, kernels called directly
    const scratchBytes = Math.max(
      rt.k.conv2d_scratch_bytes(B, H, W, C, OC, K, K, 0, 0, 1),
      rt.k.conv2d_scratch_bytes(B, H, W, C, OC, K, K, 0, 1, 1),
    );
    const sizes = [nIn, nK, OC, nOut, nOut, nIn, nK, OC];
    const [px, pk, pb, pout, pdy, pdx, pdk, pdb] = sizes.map((n) => rt.alloc(n * f));
    const ws = rt.alloc(scratchBytes);
    rt.f32(px, nIn).set(x);
    rt.f32(pk, nK).set(kernel);
    rt.f32(pb, OC).set(bias);
    rt.f32(pdy, nOut).set(dy);
    const k = rt.k;
    // the Winograd path's scratch does not depend on the batch (the im2col path's backward does)
    const winograd =
      k.conv2d_scratch_bytes(B, H, W, C, OC, K, K, 0, 1, 1) ===
      k.conv2d_scratch_bytes(B + 1, H, W, C, OC, K, K, 0, 1, 1);
    const bsf = {
      forward: () => k.conv2d_forward(pout, px, pk, pb, ws, B, H, W, C, OC, K, K, 0, 0, 0, 0, 0),
      dkernel: () => k.conv2d_backward(0, pdk, pdb, pdy, px, pk, ws, B, H, W, C, OC, K, K, 0),
      dinp: () => k.conv2d_backward(pdx, pdk, pdb, pdy, px, pk, ws, B, H, W, C, OC, K, K, 0),
    };
    bsf.forward();
    const outB = rt.f32(pout, nOut).slice();
    bsf.dinp(); // dkernel, dbias from zero: one call's gradient
    const dxB = rt.f32(pdx, nIn).slice(),
      dkB = rt.f32(pdk, nK).slice();

    const passes: { pass: ConvPass; key: keyof typeof bsf; mult: number; inPlainStep: boolean }[] = [
      { pass: "forward", key: "forward", mult: 1, inPlainStep: true },
      { pass: "backward, dkernel + dbias", key: "dkernel", mult: 1, inPlainStep: s.C === 1 },
      { pass: "backward, dinp + dkernel + dbias", key: "dinp", mult: 2, inPlainStep: s.C !== 1 },
    ];
    const timing: Record<string, Partial<Record<Impl, Timing | null>>> = {};
    const batch: Record<string, Record<Impl, number>> = {};
    const fallback: Partial<Record<ConvPass, Timing>> = {};
    for (const p of passes) {
      timing[p.pass] = { bsfnet: await measureSync(`bsfnet ${s.layer} ${p.pass}`, bsf[p.key], mo) };
      batch[p.pass] = { bsfnet: B, "tfjs-wasm": B, "tfjs-cpu": B };
    }

    for (const backend of ["wasm", "cpu"] as TfBackend[]) {
      await useBackend(backend);
      const impl: Impl = backend === "wasm" ? "tfjs-wasm" : "tfjs-cpu";
      const tx = tf.tensor4d(x, [B, H, W, C]),
        tk = tf.tensor4d(kernel, [K, K, C, OC]),
        tb = tf.tensor1d(bias),
        tdy = tf.tensor4d(dy, [B, OH, OW, OC]);
      const fwd = () => tf.fused.conv2d({ x: tx, filter: tk, bias: tb, strides: 1, pad: "valid" }).dispose();
      const dbias = (d: tf.Tensor4D) => tf.sum(d, [0, 1, 2]).dispose();
      const dkernel = (xx: tf.Tensor4D, d: tf.Tensor4D) => {
        tfFilterGrad(xx, d, [K, K, C, OC]).dispose();
        dbias(d);
      };
      const dinp = () => tfInputGrad(tdy, tk, [B, H, W, C]).dispose();
      if (backend === "wasm") {
        const t = tf.fused.conv2d({ x: tx, filter: tk, bias: tb, strides: 1, pad: "valid" });
        maxAbsDiff[`${s.layer} forward (vs tfjs-wasm)`] = maxDiff(outB, t.dataSync());
        t.dispose();
        const g = tfInputGrad(tdy, tk, [B, H, W, C]);
        maxAbsDiff[`${s.layer} dinp (vs tfjs-wasm)`] = maxDiff(dxB, g.dataSync());
        g.dispose();
      }
      timing.forward[impl] = await timeIt(`${impl} ${s.layer} forward`, fwd);

      // the filter gradient: missing on wasm; a slow scalar loop on cpu (timed at a smaller batch)
      // (probed on one sample: tfjs-cpu's takes over a minute at batch 32 on conv_2)
      let filterOk = true;
      try {
        tf.tidy(() => tfFilterGrad(tx.slice(0, 1), tdy.slice(0, 1), [K, K, C, OC]));
      } catch (e) {
        filterOk = false;
        wasmMissing.add((e as Error).message);
      }
      if (!filterOk) {
        timing["backward, dkernel + dbias"][impl] = null;
        timing["backward, dinp + dkernel + dbias"][impl] = null;
        // what the wasm backend has: dinp alone (kept in results.json), and the fallback
        const tdinp = await timeIt(`${impl} ${s.layer} dinp alone`, dinp);
        registerWasmFilterGradFallback();
        const fb = await timeIt(`${impl} ${s.layer} dkernel (fallback)`, () => dkernel(tx, tdy));
        const fb2 = await timeIt(`${impl} ${s.layer} dinp + dkernel (fallback)`, () => {
          dinp();
          dkernel(tx, tdy);
        });
        unregisterWasmFilterGradFallback();
        fallback["backward, dkernel + dbias"] = fb;
        fallback["backward, dinp + dkernel + dbias"] = fb2;
        wasmDinpAlone[s.layer] = { timing: tdinp, gflops: convFlops(s, B) / (tdinp.ms * 1e6) };
      } else {
        const bs = impl === "tfjs-cpu" ? cpuFilterBatch(s) : B;
        const sx = bs === B ? tx : tx.slice([0, 0, 0, 0], [bs, H, W, C]);
        const sdy = bs === B ? tdy : tdy.slice([0, 0, 0, 0], [bs, OH, OW, OC]);
        const sdinp = () => tfInputGrad(sdy, tk, [bs, H, W, C]).dispose();
        if (impl === "tfjs-cpu" && s.C === 1) {
          // a check of bsfnet's kernel gradient, where tfjs-cpu's is quick enough at full batch
          const g = tfFilterGrad(tx, tdy, [K, K, C, OC]);
          maxAbsDiff[`${s.layer} dkernel (vs tfjs-cpu)`] = maxDiff(dkB, g.dataSync());
          g.dispose();
        }
        timing["backward, dkernel + dbias"][impl] = await timeIt(`${impl} ${s.layer} dkernel B=${bs}`, () =>
          dkernel(sx, sdy),
        );
        timing["backward, dinp + dkernel + dbias"][impl] = await timeIt(
          `${impl} ${s.layer} dinp + dkernel B=${bs}`,
          () => {
            sdinp();
            dkernel(sx, sdy);
          },
        );
        batch["backward, dkernel + dbias"][impl] = bs;
        batch["backward, dinp + dkernel + dbias"][impl] = bs;
        if (sx !== tx) tf.dispose([sx, sdy]);
      }
      tf.dispose([tx, tk, tb, tdy]);
    }
    for (const [p, n] of [
      [px, nIn],
      [pk, nK],
      [pb, OC],
      [pout, nOut],
      [pdy, nOut],
      [pdx, nIn],
      [pdk, nK],
      [pdb, OC],
    ])
      rt.release(p, n * f);
    rt.release(ws, scratchBytes);

    for (const p of passes) {
      const t = timing[p.pass] as Record<Impl, Timing | null>;
      const bt = batch[p.pass];
      // forward: one convolution's FLOPs; dkernel: one; dinp + dkernel: two
      const conv = p.key === "forward" ? 1 : p.mult;
      const gf = (i: Impl) => {
        const ti = t[i];
        return ti ? (convFlops(s, bt[i]) * conv) / (ti.ms * 1e6) : null;
      };
      const gflops = Object.fromEntries(IMPLS.map((i) => [i, gf(i)])) as Record<Impl, number | null>;
      const fb = fallback[p.pass];
      rows.push({
        layer: s.layer,
        shape: s,
        pass: p.pass,
        inPlainStep: p.inPlainStep,
        winograd,
        batch: bt,
        flops: convFlops(s, B) * conv,
        timing: t,
        gflops,
        ...(fb ? { wasmFallback: { timing: fb, gflops: (convFlops(s, B) * conv) / (fb.ms * 1e6) } } : {}),
      });
      log(
        `  ${s.layer} ${p.pass.padEnd(32)} ` +
          IMPLS.map(
            (i) => `${i} ${gflops[i] === null ? "n/a" : gflops[i]!.toFixed(2)}${bt[i] !== B ? ` (B=${bt[i]})` : ""}`,
          ).join("  ") +
          (fb ? `  tfjs-wasm+fallback ${((convFlops(s, B) * conv) / (fb.ms * 1e6)).toFixed(2)}` : "") +
          " GFLOP/s",
      );
    }
  }
  return {
    B,
    rows,
    maxAbsDiff,
    wasmMissing: [...wasmMissing],
    wasmDinpAlone,
    load: { before, after: load() },
    seconds: (performance.now() - t0) / 1000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchConv({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(
    "max |diff|:",
    Object.entries(r.maxAbsDiff)
      .map(([k, v]) => `${k} ${v.toExponential(1)}`)
      .join("; "),
  );
  console.log("tfjs-wasm missing:", r.wasmMissing.join("; ") || "nothing");
  console.log(`load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}; ${r.seconds.toFixed(1)} s`);
}
