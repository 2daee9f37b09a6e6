// Anatomy of one bsfnet training step of the Table 6 CNN (plain, batch 32): every kernel call the
// step makes (as Sequential.trainStep and the layers issue them), timed alone on the step's shapes,
// fastest tinybench sample of each, as bench/train/step.ts does for the dense network. The sum is the
// step's wasm time; the rest of a measured fit step (bench/cnn/cnn.ts) is JavaScript and disturbance.
// Run alone: npx tsx bench/cnn/step.ts [--quick]
import { pathToFileURL } from "node:url";
import { Runtime } from "../../src/runtime/runtime.js";
import { Adam } from "../../src/index.js";
import { load, measureSync, type MeasureOptions } from "../lib/measure.js";
import { CLASSES, CNN_BATCH, IMAGE, TABLE6_PARAMS } from "./cnn.js";
import { CONV_SHAPES, uniform } from "./conv.js";
import type { StepPart } from "../train/step.js";

export interface CnnStepResults {
  B: number;
  params: number;
  parts: StepPart[];
  /** µs per step, wasm kernels only */
  kernelsUs: number;
  load: { before: number[]; after: number[] };
}

export async function benchCnnStep(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<CnnStepResults> {
  const log = opts.log ?? (() => {});
  const before = load();
  const rt = await Runtime.load();
  const k = rt.k;
  const mo: MeasureOptions = opts.quick ? { warmup: 10, time: 60, minSample: 0.5 } : { warmup: 50, time: 300, minSample: 1 };
  const B = CNN_BATCH;
  const f = 4;
  const [c1, c2] = CONV_SHAPES;
  const oh1 = c1.H - c1.K + 1, oh2 = c2.H - c2.K + 1, ph = oh2 >> 1;
  const inSize = IMAGE[0] * IMAGE[1] * IMAGE[2];
  const n1 = B * oh1 * oh1 * c1.OC, n2 = B * oh2 * oh2 * c2.OC, nPool = B * ph * ph * c2.OC, flat = ph * ph * c2.OC, H = 128;
  const alloc = (n: number, scale = 0, seed = 1) => {
    const p = rt.alloc(n * f);
    if (scale) rt.f32(p, n).set(uniform(n, seed).map((v) => (v - 0.5) * scale));
    return p;
  };
  // parameters and gradients as one flat block each, Adam moments
  const N = TABLE6_PARAMS;
  const params = alloc(N, 0.05, 2), grads = alloc(N, 1e-3, 3), m = alloc(N), v = alloc(N);
  let off = 0;
  const at = (n: number) => {
    const o = off;
    off += n * f;
    return [params + o, grads + o];
  };
  const [k1, dk1] = at(c1.K * c1.K * c1.C * c1.OC), [b1, db1] = at(c1.OC);
  const [k2, dk2] = at(c2.K * c2.K * c2.C * c2.OC), [b2, db2] = at(c2.OC);
  const [w3, dw3] = at(flat * H), [b3, db3] = at(H);
  const [w4, dw4] = at(H * CLASSES), [b4, db4] = at(CLASSES);
  if (off !== N * f) throw new Error(`parameter layout ${off / f} != ${N}`);
  const data = alloc(512 * inSize, 1, 4), dataY = alloc(512), idx = alloc(B), labels = alloc(B);
  rt.i32(idx, B).forEach((_, i, a) => (a[i] = (i * 37) % 512));
  rt.i32(dataY, 512).forEach((_, i, a) => (a[i] = i % CLASSES));
  const input = alloc(B * inSize, 1, 5);
  const a1 = alloc(n1, 1, 6), a2 = alloc(n2, 1, 7), pool = alloc(nPool, 1, 8), pidx = alloc(nPool), a3 = alloc(B * H, 1, 9), mask = alloc(B * H);
  const logits = alloc(B * CLASSES, 1, 10), probs = alloc(B * CLASSES);
  const g0 = alloc(Math.max(n1, n2), 0.01, 11), g1 = alloc(Math.max(n1, n2), 0.01, 12);
  const ws = (s: typeof c1) => {
    const bytes = Math.max(k.conv2d_scratch_bytes(B, s.H, s.W, s.C, s.OC, s.K, s.K, 0, 0, 1), k.conv2d_scratch_bytes(B, s.H, s.W, s.C, s.OC, s.K, s.K, 0, 1, 1));
    return rt.alloc(bytes);
  };
  const ws1 = ws(c1), ws2 = ws(c2);

  const parts: StepPart[] = [];
  const time = async (name: string, calls: number, fn: () => void) => {
    const t = await measureSync(`${name} B=${B}`, fn, mo);
    parts.push({ name, calls, us: t.minMs * 1000 });
  };
  await time("gather batch (gather_rows, gather_i32)", 2, () => {
    k.gather_rows(input, data, idx, B, inSize);
    k.gather_i32(labels, dataY, idx, B);
  });
  await time("conv_1 forward (conv2d_forward, relu_forward)", 2, () => {
    k.conv2d_forward(a1, input, k1, b1, ws1, B, c1.H, c1.W, c1.C, c1.OC, c1.K, c1.K, 0);
    k.relu_forward(a1, a1, n1);
  });
  await time("conv_2 forward, Winograd (conv2d_forward, relu_forward)", 2, () => {
    k.conv2d_forward(a2, a1, k2, b2, ws2, B, c2.H, c2.W, c2.C, c2.OC, c2.K, c2.K, 0);
    k.relu_forward(a2, a2, n2);
  });
  await time("maxpool2d_forward", 1, () => k.maxpool2d_forward(pool, pidx, a2, B, oh2, oh2, c2.OC, 2, 2));
  await time(`dense ${flat} → ${H} forward, relu, dropout`, 3, () => {
    k.dense_forward(a3, pool, w3, b3, B, flat, H);
    k.relu_forward(a3, a3, B * H);
    k.dropout_forward(a3, mask, a3, B * H, 0.5, 1, 2);
  });
  await time(`dense ${H} → ${CLASSES}, softmax + cross-entropy, argmax, gradient`, 4, () => {
    k.dense_forward(logits, a3, w4, b4, B, H, CLASSES);
    k.softmax_xent_forward(probs, logits, labels, B, CLASSES);
    k.argmax_correct(probs, labels, B, CLASSES);
    k.softmax_xent_backward(g0, probs, labels, B, CLASSES, 1 / B);
  });
  await time(`dense ${H} → ${CLASSES} backward, dropout and relu backward`, 3, () => {
    k.dense_backward(g1, dw4, db4, g0, a3, w4, B, H, CLASSES);
    k.dropout_backward(g1, g1, mask, B * H);
    k.relu_backward(g1, g1, a3, B * H);
  });
  await time(`dense ${flat} → ${H} backward (with dinp)`, 1, () => k.dense_backward(g0, dw3, db3, g1, pool, w3, B, flat, H));
  await time("maxpool2d_backward", 1, () => k.maxpool2d_backward(g1, g0, pidx, B, oh2, oh2, c2.OC, 2, 2));
  await time("conv_2 backward, Winograd (relu_backward, conv2d_backward with dinp)", 2, () => {
    k.relu_backward(g1, g1, a2, n2);
    k.conv2d_backward(g0, dk2, db2, g1, a1, k2, ws2, B, c2.H, c2.W, c2.C, c2.OC, c2.K, c2.K, 0);
  });
  await time("conv_1 backward (relu_backward, conv2d_backward, no dinp)", 2, () => {
    k.relu_backward(g0, g0, a1, n1);
    k.conv2d_backward(0, dk1, db1, g0, input, k1, ws1, B, c1.H, c1.W, c1.C, c1.OC, c1.K, c1.K, 0);
  });
  // the optimizer's own step, as Sequential calls it (Adam clears the gradients in adam_step and
  // flushes tiny moments every 32 steps; the model zeroes the gradients only for optimizers that don't)
  const adam = new Adam();
  let t = 0;
  await time(`Adam.step: adam_step (${N.toLocaleString("en-US")} parameters)${adam.clearsGradients ? ", clearing the gradients" : ""}, amortized moment flushes`, 1, () =>
    adam.step(k, params, grads, [m, v], N, ++t),
  );
  if (!adam.clearsGradients) await time("zero gradients (fill_f32)", 1, () => k.fill_f32(grads, N, 0));
  const kernelsUs = parts.reduce((s, p) => s + p.us, 0);
  log(`  B=${B}: kernels ${kernelsUs.toFixed(0)} µs per step; ` + parts.map((p) => `${p.name.split(" (")[0]} ${p.us.toFixed(0)}`).join(", "));
  return { B, params: N, parts, kernelsUs, load: { before, after: load() } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await benchCnnStep({ quick: process.argv.includes("--quick"), log: console.log });
  console.log(`params ${r.params}; ${((r.B / r.kernelsUs) * 1e6).toFixed(0)} samples/s if a step were its kernels; load ${r.load.before.join(" ")} -> ${r.load.after.join(" ")}`);
}
