// Anatomy of one bsfnet training step of the Musk2-shaped network: every kernel call the step
// makes (as Sequential.trainStep and the layers issue them), timed alone on the step's shapes.
// Each figure is the fastest tinybench sample (the least disturbed on a shared machine). The sum is
// the step's wasm time; the rest of a measured fit step (bench/train/train.ts) is JavaScript: fit's
// loop, the layer calls, the wasm boundary, and per-fit work (copying the data in, shuffling).
// Adam is timed twice: on fresh moments, and with subnormal first moments spread as they are after
// a few thousand steps on this data: two thirds of the gradient entries of a batch are exactly zero
// (the first-layer rows behind closed gates, units a ReLU silenced for the whole batch), and each
// zero multiplies m by beta1, so many moments pass through the subnormal range, where x86 float
// arithmetic is many times slower (wasm has no flush-to-zero mode).
// Run alone: npx tsx bench/train/step.ts [--quick]
import { pathToFileURL } from "node:url";
import { Runtime } from "../../src/runtime/runtime.js";
import { BATCHES, CLASSES, DENSE_SHAPES, INPUTS, randomData } from "./musk2.js";
import { Bench } from "tinybench";
import { load, measureSync, type MeasureOptions } from "../lib/measure.js";

/** One Adam first moment in this many is made subnormal for the steady-state Adam figure. */
export const SUBNORMAL_STRIDE = 10;

export interface StepPart {
  name: string;
  /** calls per step */
  calls: number;
  /** µs per step (all calls), fastest sample */
  us: number;
}

export interface StepAnatomy {
  B: number;
  parts: StepPart[];
  /** µs per step, wasm kernels only, with fresh Adam moments */
  kernelsUs: number;
  /** µs per step of Adam with subnormal moments (replaces adam_step's figure in the steady state) */
  adamSubnormalUs: number;
}

export interface StepResults {
  params: number;
  steps: StepAnatomy[];
  load: { before: number[]; after: number[] };
}

export async function benchStep(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<StepResults> {
  const log = opts.log ?? (() => {});
  const before = load();
  const rt = await Runtime.load();
  const k = rt.k;
  const mo: MeasureOptions = opts.quick ? { warmup: 10, time: 40, minSample: 0.3 } : { warmup: 40, time: 200, minSample: 0.5 };
  const f = 4;
  const maxB = Math.max(...BATCHES);
  const N = DENSE_SHAPES.reduce((s, [c, oc]) => s + c * oc + oc, INPUTS);
  const noise = randomData(64, 11).x;
  const randomize = (p: number, n: number, scale: number) => {
    const a = rt.f32(p, n);
    for (let i = 0; i < n; i++) a[i] = noise[i % noise.length] * scale;
  };
  // parameters, gradients, Adam moments, as one flat block each (as the model plans them)
  const params = rt.alloc(N * f), grads = rt.alloc(N * f), m = rt.alloc(N * f), v = rt.alloc(N * f);
  randomize(params, N, 0.05);
  randomize(grads, N, 1e-3);
  const data = rt.alloc(4096 * INPUTS * f), dataY = rt.alloc(4096 * f), idx = rt.alloc(maxB * f), labels = rt.alloc(maxB * f);
  randomize(data, 4096 * INPUTS, 1);
  rt.i32(idx, maxB).forEach((_, i, a) => (a[i] = (i * 37) % 4096));
  rt.i32(labels, maxB).forEach((_, i, a) => (a[i] = i & 1));
  const width = Math.max(INPUTS, ...DENSE_SHAPES.map(([, oc]) => oc));
  const acts = [INPUTS, ...DENSE_SHAPES.map(([, oc]) => oc)].map((w) => rt.alloc(maxB * w * f)); // gate out, dense outs
  const input = rt.alloc(maxB * INPUTS * f), mask = rt.alloc(maxB * INPUTS * f), probs = rt.alloc(maxB * CLASSES * f);
  const g0 = rt.alloc(maxB * width * f), g1 = rt.alloc(maxB * width * f);
  for (const a of [input, ...acts]) randomize(a, maxB * INPUTS, 1);
  randomize(g0, maxB * width, 0.01);
  randomize(g1, maxB * width, 0.01);
  // pointers into the flat block: gate w, then kernel and bias of each dense layer
  let off = params;
  const gate = off;
  off += INPUTS * f;
  const layerPtrs = DENSE_SHAPES.map(([c, oc]) => {
    const w = off;
    off += c * oc * f;
    const b = off;
    off += oc * f;
    return { w, b, dw: grads + (w - params), db: grads + (b - params) };
  });
  rt.f32(gate, INPUTS).fill(0.5);

  const steps: StepAnatomy[] = [];
  for (const B of BATCHES) {
    const parts: StepPart[] = [];
    const time = async (name: string, calls: number, fn: () => void) => {
      const t = await measureSync(`${name} B=${B}`, fn, mo);
      parts.push({ name, calls, us: t.minMs * 1000 });
    };
    const L = DENSE_SHAPES.length;
    await time("gather batch (gather_rows, gather_i32)", 2, () => {
      k.gather_rows(input, data, idx, B, INPUTS);
      k.gather_i32(labels, dataY, idx, B);
    });
    await time("bsf_forward (mask from the PRNG)", 1, () => k.bsf_forward(acts[0], mask, input, gate, B, INPUTS, 1, 2));
    await time("dense_forward (GEMM nn)", L, () => {
      DENSE_SHAPES.forEach(([c, oc], i) => k.dense_forward(acts[i + 1], acts[i], layerPtrs[i].w, layerPtrs[i].b, B, c, oc));
    });
    await time("relu_forward", L - 1, () => {
      DENSE_SHAPES.slice(0, -1).forEach(([, oc], i) => k.relu_forward(acts[i + 1], acts[i + 1], B * oc));
    });
    await time("softmax + cross-entropy, argmax, gradient", 3, () => {
      k.softmax_xent_forward(probs, acts[L], labels, B, CLASSES);
      k.argmax_correct(probs, labels, B, CLASSES);
      k.softmax_xent_backward(g0, probs, labels, B, CLASSES, 1 / B);
    });
    await time("relu_backward", L - 1, () => {
      DENSE_SHAPES.slice(0, -1).forEach(([, oc], i) => k.relu_backward(g0, g0, acts[i + 1], B * oc));
    });
    await time("dense_backward (GEMM nt + tn, bias sums)", L, () => {
      for (let i = L - 1; i >= 0; i--) {
        const [c, oc] = DENSE_SHAPES[i];
        k.dense_backward(g1, layerPtrs[i].dw, layerPtrs[i].db, g0, acts[i], layerPtrs[i].w, B, c, oc);
      }
    });
    await time("bsf_backward, L1 penalty (value, gradient)", 3, () => {
      k.bsf_backward(0, grads, g1, input, mask, gate, B, INPUTS, 0);
      k.l1_value(gate, INPUTS);
      k.l1_backward(grads, gate, INPUTS, 0.01);
    });
    rt.f32(m, N).fill(0);
    rt.f32(v, N).fill(0);
    await time("adam_step (fresh moments)", 1, () => k.adam_step(params, grads, m, v, N, 1e-3, 0.9, 0.999, 1e-7));
    await time("clip gate, zero gradients (fill_f32)", 2, () => {
      k.clip(gate, INPUTS, 0, 1);
      k.fill_f32(grads, N, 0);
    });
    // Adam in the steady state: one first moment in every 10 subnormal, with a zero gradient, so
    // about 17,000 of Adam's f32x4 vectors hold a subnormal lane, as observed after 2,000 to 6,000
    // steps on this data (the cost goes by vectors touched, not by lanes). They are reset before
    // each call (outside the timed window) so they stay subnormal as m = beta1 * m shrinks them.
    randomize(grads, N, 1e-3);
    const gv = rt.f32(grads, N);
    for (let i = 0; i < N; i += SUBNORMAL_STRIDE) gv[i] = 0;
    const sub = new Bench({ warmup: true, warmupTime: mo.warmup, warmupIterations: 2, time: mo.time, iterations: 5, timestampProvider: "hrtimeNow" });
    sub.add("adam subnormal", () => k.adam_step(params, grads, m, v, N, 1e-3, 0.9, 0.999, 1e-7), {
      beforeEach: () => {
        const mv = rt.f32(m, N);
        for (let i = 0; i < N; i += SUBNORMAL_STRIDE) mv[i] = 1.1e-38;
      },
    });
    await sub.run();
    const r = sub.getTask("adam subnormal")!.result;
    if (r.state !== "completed") throw new Error(`adam subnormal bench ended in state ${r.state}`);
    const adamSubnormalUs = r.latency.min * 1000;
    const kernelsUs = parts.reduce((s, p) => s + p.us, 0);
    steps.push({ B, parts, kernelsUs, adamSubnormalUs });
    log(`  B=${B}: kernels ${kernelsUs.toFixed(0)} µs per step; ` + parts.map((p) => `${p.name.split(" ")[0]} ${p.us.toFixed(1)}`).join(", ") + `; adam with subnormal moments ${adamSubnormalUs.toFixed(0)}`);
  }
  return { params: N, steps, load: { before, after: load() } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchStep({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(`params ${r.params}; load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}`);
}
