// Dense kernel throughput at the Musk2 network's layer shapes: bsfnet's dense_forward and
// dense_backward called directly through the runtime, against tfjs doing the same work on its wasm
// (XNNPACK) and cpu (JavaScript) backends: forward = fused matMul + bias (what tf.layers.dense
// runs), backward = dY @ W^T, X^T @ dY and sum(dY) (the gradients tfjs computes for it).
// FLOPs: forward 2*B*C*OC, backward 4*B*C*OC (dinp and dweight; the bias sums are not counted).
// Run alone: npx tsx bench/train/kernels.ts [--quick]
import { Runtime } from "../../src/runtime/runtime.js";
import { BATCHES, DENSE_SHAPES, randomData } from "./musk2.js";
import { IMPLS, initTf, tf, useBackend, type Impl, type TfBackend } from "../lib/tfjs.js";
import { load, measureSync, type MeasureOptions, type Timing } from "../lib/measure.js";
import { pathToFileURL } from "node:url";

export interface KernelRow {
  B: number;
  C: number;
  OC: number;
  /** how many layers of the network have this shape */
  layers: number;
  pass: "forward" | "backward";
  flops: number;
  timing: Record<Impl, Timing>;
  gflops: Record<Impl, number>;
  /** max |bsfnet - tfjs-wasm| over the outputs of one call (a sanity check of the comparison) */
  maxAbsDiff: number;
}

export interface KernelResults {
  rows: KernelRow[];
  /** whole network per batch size: all dense layers' FLOPs over the summed median times */
  network: { B: number; pass: "forward" | "backward" | "both"; gflops: Record<Impl, number> }[];
  load: { before: number[]; after: number[] };
  seconds: number;
}

const fill = (a: Float32Array, src: Float32Array, scale: number) => {
  for (let i = 0; i < a.length; i++) a[i] = src[i % src.length] * scale;
};

export async function benchKernels(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<KernelResults> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const before = load();
  const rt = await Runtime.load();
  await initTf();
  const mo: MeasureOptions = opts.quick
    ? { warmup: 20, time: 60, minSample: 1 }
    : { warmup: 150, time: 600, minSample: 2 };
  const noise = randomData(64, 7).x; // 64*168 normal values, reused cyclically

  // unique shapes, counted
  const shapes = new Map<string, { C: number; OC: number; layers: number }>();
  for (const [C, OC] of DENSE_SHAPES) {
    const key = `${C}x${OC}`;
    const s = shapes.get(key);
    if (s) s.layers++;
    else shapes.set(key, { C, OC, layers: 1 });
  }

  const rows: KernelRow[] = [];
  for (const B of BATCHES) {
    for (const { C, OC, layers } of shapes.values()) {
      // host data shared by every implementation
      const x = new Float32Array(B * C),
        w = new Float32Array(C * OC),
        bias = new Float32Array(OC),
        dy = new Float32Array(B * OC);
      fill(x, noise, 1);
      fill(w, noise.subarray(17), Math.sqrt(2 / (C + OC)));
      fill(bias, noise.subarray(5), 0.1);
      fill(dy, noise.subarray(31), 1 / B);

      // bsfnet: buffers in wasm memory, kernels called directly
      const f = 4;
      const px = rt.alloc(B * C * f),
        pw = rt.alloc(C * OC * f),
        pb = rt.alloc(OC * f),
        pout = rt.alloc(B * OC * f);
      const pdy = rt.alloc(B * OC * f),
        pdx = rt.alloc(B * C * f),
        pdw = rt.alloc(C * OC * f),
        pdb = rt.alloc(OC * f);
      rt.f32(px, B * C).set(x);
      rt.f32(pw, C * OC).set(w);
      rt.f32(pb, OC).set(bias);
      rt.f32(pdy, B * OC).set(dy);
      const k = rt.k;
      const bsfFwd = () => k.dense_forward(pout, px, pw, pb, B, C, OC, 0);
      const bsfBwd = () => k.dense_backward(pdx, pdw, pdb, pdy, px, pw, B, C, OC);

      // one call each, compared with tfjs-wasm below
      bsfFwd();
      const outB = rt.f32(pout, B * OC).slice();
      bsfBwd();
      const dxB = rt.f32(pdx, B * C).slice(),
        dwB = rt.f32(pdw, C * OC).slice();

      const fwd: Partial<Record<Impl, Timing>> = {};
      const bwd: Partial<Record<Impl, Timing>> = {};
      const tag = `B=${B} ${C}x${OC}`;
      fwd.bsfnet = await measureSync(`bsfnet forward ${tag}`, bsfFwd, mo);
      bwd.bsfnet = await measureSync(`bsfnet backward ${tag}`, bsfBwd, mo);

      let maxAbsDiff = 0;
      for (const backend of ["wasm", "cpu"] as TfBackend[]) {
        await useBackend(backend);
        const tx = tf.tensor2d(x, [B, C]),
          tw = tf.tensor2d(w, [C, OC]),
          tb = tf.tensor1d(bias),
          tdy = tf.tensor2d(dy, [B, OC]);
        const tfFwd = () => tf.fused.matMul({ a: tx, b: tw, bias: tb }).dispose();
        const tfBwd = () => {
          tf.matMul(tdy, tw, false, true).dispose();
          tf.matMul(tx, tdy, true, false).dispose();
          tf.sum(tdy, 0).dispose();
        };
        if (backend === "wasm") {
          const diff = (a: Float32Array, t: tf.Tensor) => {
            const v = t.dataSync();
            let m = 0;
            for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - v[i]));
            t.dispose();
            return m;
          };
          maxAbsDiff = Math.max(
            diff(outB, tf.fused.matMul({ a: tx, b: tw, bias: tb })),
            diff(dxB, tf.matMul(tdy, tw, false, true)),
            diff(dwB, tf.matMul(tx, tdy, true, false)),
          );
        }
        const impl: Impl = backend === "wasm" ? "tfjs-wasm" : "tfjs-cpu";
        fwd[impl] = await measureSync(`${impl} forward ${tag}`, tfFwd, mo);
        bwd[impl] = await measureSync(`${impl} backward ${tag}`, tfBwd, mo);
        tf.dispose([tx, tw, tb, tdy]);
      }
      for (const [p, n] of [
        [px, B * C],
        [pw, C * OC],
        [pb, OC],
        [pout, B * OC],
        [pdy, B * OC],
        [pdx, B * C],
        [pdw, C * OC],
        [pdb, OC],
      ]) {
        rt.release(p, n * f);
      }

      for (const [pass, t, mult] of [
        ["forward", fwd, 2],
        ["backward", bwd, 4],
      ] as const) {
        const flops = mult * B * C * OC;
        const timing = t as Record<Impl, Timing>;
        const gflops = Object.fromEntries(IMPLS.map((i) => [i, flops / (timing[i].ms * 1e6)])) as Record<Impl, number>;
        rows.push({ B, C, OC, layers, pass, flops, timing, gflops, maxAbsDiff });
        log(
          `  ${pass.padEnd(8)} ${tag.padEnd(14)} ` +
            IMPLS.map((i) => `${i} ${gflops[i].toFixed(2)}`).join("  ") +
            ` GFLOP/s  (max |diff| ${maxAbsDiff.toExponential(1)})`,
        );
      }
    }
  }

  const network: KernelResults["network"] = [];
  for (const B of BATCHES) {
    for (const pass of ["forward", "backward", "both"] as const) {
      const rs = rows.filter((r) => r.B === B && (pass === "both" || r.pass === pass));
      const flops = rs.reduce((s, r) => s + r.flops * r.layers, 0);
      const gflops = Object.fromEntries(
        IMPLS.map((i) => [i, flops / (rs.reduce((s, r) => s + r.timing[i].ms * r.layers, 0) * 1e6)]),
      ) as Record<Impl, number>;
      network.push({ B, pass, gflops });
    }
  }
  return { rows, network, load: { before, after: load() }, seconds: (performance.now() - t0) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchKernels({ quick: process.argv.includes("--quick"), log: console.log });
  for (const n of r.network) {
    console.log(`network B=${n.B} ${n.pass}: ${IMPLS.map((i) => `${i} ${n.gflops[i].toFixed(2)}`).join("  ")} GFLOP/s`);
  }
  console.log(`load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}; ${r.seconds.toFixed(1)} s`);
}
