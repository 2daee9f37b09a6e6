// Speed of the conv kernels at the paper's Table 6 shapes (MNIST CNN, batch 32, one thread):
// conv1 28x28x1 -> 26x26x32 (3x3), conv2 26x26x32 -> 24x24x64 (3x3), valid padding; and the
// 2x2 max pool after conv2. Prints ms per call (the minimum over the repetitions: the machines are
// shared, and the minimum is the least disturbed) and "effective" GFLOP/s: the flops of a direct
// convolution (2 per multiply-add; backward counts dkernel and, where computed, dinp) divided by
// the time, whatever algorithm ran (the 3x3 layers with C, OC multiples of 4 use Winograd
// F(4x4,3x3), which does 4x fewer multiplies in its GEMMs).
//   npm run asbuild && npx tsx bench/cnn/conv-speed.ts [--reps N] [--json]
// --infer-b1 [--rows N] [--wasm path/to.wasm]: instead, where the time of one inference call of the
// Table 6 CNN on one image (N images) goes: each kernel it calls, timed alone at that shape (the
// minimum over repetitions of CPU time after a 0.5 s warm-up), and the whole InferenceModel.predict
// of the call beside their sum (the rest is TypeScript: copying the rows in and the probabilities
// out). --wasm runs another build (an older one, for a before/after).
import { readFileSync } from "node:fs";
import { Runtime } from "../../src/runtime/runtime.js";
import { Sequential } from "../../src/model/sequential.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Dense } from "../../src/layers/dense.js";
import { Adam } from "../../src/optim/optimizer.js";
import { modelToBytes } from "../../src/io/file.js";
import { InferenceModel } from "../../src/infer/index.js";
import { rowForwardOf } from "../lib/ab.js";

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf("--reps") + 1]) || 30;
const asJson = args.includes("--json");
const wasmPath = args.includes("--wasm") ? args[args.indexOf("--wasm") + 1] : undefined;
const images = args.includes("--rows") ? Number(args[args.indexOf("--rows") + 1]) : 1;
if (!Number.isInteger(images) || images < 1) {
  console.error(`conv-speed: --rows must be a positive integer, got ${args[args.indexOf("--rows") + 1]}`);
  process.exit(2);
}

const rt = wasmPath ? await Runtime.load(readFileSync(wasmPath)) : await Runtime.load();
const k = rt.k;

if (args.includes("--infer-b1")) {
  await inferB1();
  process.exit(0);
}

/** CPU microseconds used by this process so far. */
function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Minimum CPU microseconds per call of fn, after 0.5 s of calls (V8's baseline tier). */
function timeUs(fn: () => void, warmMs = 500): number {
  const t = cpuUs();
  while (cpuUs() - t < warmMs * 1000) fn();
  let n = 1;
  for (;;) {
    const t0 = cpuUs();
    for (let i = 0; i < n; i++) fn();
    if (cpuUs() - t0 > 10000) break;
    n *= 2;
  }
  let best = Infinity;
  for (let s = 0; s < 15; s++) {
    const t0 = cpuUs();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, (cpuUs() - t0) / n);
  }
  return best;
}

async function inferB1(): Promise<void> {
  const f = (n: number) => rt.alloc(n * 4);
  const fill = (p: number, n: number, seed: number, scale = 1) => {
    fillRandom(p, n, seed);
    const a = rt.f32(p, n);
    for (let i = 0; i < n; i++) a[i] *= scale;
  };
  const N = images;
  const x = f(N * 784),
    k1 = f(9 * 32),
    b1 = f(32),
    a1 = f(N * 26 * 26 * 32),
    k2 = f(9 * 32 * 64),
    b2 = f(64),
    a2 = f(N * 24 * 24 * 64),
    a3 = f(N * 9216),
    idx = f(N * 9216),
    w3 = f(9216 * 128),
    b3 = f(128),
    a4 = f(N * 128),
    w4 = f(128 * 10),
    b4 = f(10),
    a5 = f(N * 10),
    probs = f(N * 10);
  fill(x, N * 784, 1);
  fill(k1, 9 * 32, 2, 0.3);
  fill(k2, 9 * 32 * 64, 3, 0.05);
  fill(w3, 9216 * 128, 4, 0.01);
  fill(w4, 1280, 5, 0.1);
  const s1 = rt.alloc(Math.max(16, k.conv2d_scratch_bytes(N, 28, 28, 1, 32, 3, 3, 0, 0, 0)));
  const s2 = rt.alloc(Math.max(16, k.conv2d_scratch_bytes(N, 26, 26, 32, 64, 3, 3, 0, 0, 0)));
  // A build whose conv2d_forward takes relu and keep (15 arguments) runs the layers' ReLU in the
  // convolution and keeps conv2's transformed kernel between calls, as the Conv2D layer does; an
  // older build gets the separate ReLU passes it needs.
  const fused = (k.conv2d_forward as unknown as { length: number }).length >= 15;
  const F = fused ? 1 : 0;
  // One image on a build with dense_forward_row reads the dense kernel from its one-row copy, as
  // bsfnet/infer's model does (InferenceModel prepack).
  // A build whose dense_forward_row takes a list (9 arguments) may read only the kernel rows of the
  // nonzero inputs, as the model does: the time then depends on how many the pool leaves.
  const row = N === 1 ? rowForwardOf(k) : null;
  let rowCopy = 0;
  let rowList = 0;
  if (row) {
    rowCopy = rt.alloc(k.dense_row_pack_bytes(9216, 128));
    k.dense_row_pack(rowCopy, w3, 9216, 128);
    if (row.listed) rowList = rt.alloc(9216 * 4);
  }
  const parts: [string, () => void][] = [
    [
      `conv1 forward 28x28x1 -> 26x26x32${fused ? " + relu" : ""}`,
      () => k.conv2d_forward(a1, x, k1, b1, s1, N, 28, 28, 1, 32, 3, 3, 0, F, F, 0, 1),
    ],
    ...(fused ? [] : [["relu 26x26x32", () => k.relu_forward(a1, a1, N * 26 * 26 * 32)] as [string, () => void]]),
    [
      `conv2 forward 26x26x32 -> 24x24x64${fused ? " + relu" : ""}`,
      () => k.conv2d_forward(a2, a1, k2, b2, s2, N, 26, 26, 32, 64, 3, 3, 0, F, F, 0, 1),
    ],
    ...(fused ? [] : [["relu 24x24x64", () => k.relu_forward(a2, a2, N * 24 * 24 * 64)] as [string, () => void]]),
    ["maxpool 2x2 24x24x64", () => k.maxpool2d_forward(a3, idx, a2, N, 24, 24, 64, 2, 2)],
    row
      ? [`dense 9216 -> 128 + relu, one-row copy`, () => row.call(a4, a3, rowCopy, w3, rowList, b3, 9216, 128, 1)]
      : [`dense 9216 -> 128${fused ? " + relu" : ""}`, () => k.dense_forward(a4, a3, w3, b3, N, 9216, 128, F)],
    ...(fused ? [] : [["relu 128", () => k.relu_forward(a4, a4, N * 128)] as [string, () => void]]),
    ["dense 128 -> 10", () => k.dense_forward(a5, a4, w4, b4, N, 128, 10, 0)],
    ["softmax 10", () => k.softmax_forward(probs, a5, N, 10)],
  ];
  const rows: { part: string; us: number }[] = [];
  for (const [part, fn] of parts) rows.push({ part, us: timeUs(fn) });
  const sum = rows.reduce((t, r) => t + r.us, 0);
  // The same net end to end through bsfnet/infer (random weights: the time depends on them only
  // through the zeros the pool leaves for the one-row dense forward).
  const m = new Sequential(
    [
      new Conv2D({ filters: 32, kernelSize: 3, activation: "relu" }),
      new Conv2D({ filters: 64, kernelSize: 3, activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 128, activation: "relu" }),
      new Dense({ units: 10, activation: "softmax" }),
    ],
    { inputShape: [28, 28, 1], name: "table6" },
  );
  m.compile({ optimizer: new Adam(), seed: 0 });
  await m.build(undefined, rt);
  const wasm = readFileSync(wasmPath ?? new URL("../../build/bsfnet.wasm", import.meta.url));
  const inf = await InferenceModel.load(wasm, modelToBytes(m), { batchSize: N });
  const img = rt.f32(x, N * 784).slice();
  const total = timeUs(() => void inf.predict(img));
  if (asJson) {
    console.log(JSON.stringify({ kernels: rows, kernelSum: sum, predict: total }, null, 1));
    return;
  }
  console.log(
    `Table 6 CNN, ${N === 1 ? "one image" : `${N} images`} (${wasmPath ?? "build/bsfnet.wasm"}); CPU us, min over repetitions`,
  );
  for (const r of rows)
    console.log(
      `${r.part.padEnd(38)} ${r.us.toFixed(1).padStart(8)} us  ${((100 * r.us) / sum).toFixed(0).padStart(3)}%`,
    );
  console.log(`${"sum of the kernels".padEnd(38)} ${sum.toFixed(1).padStart(8)} us`);
  console.log(
    `${`InferenceModel.predict (${N} image${N === 1 ? "" : "s"})`.padEnd(38)} ${total.toFixed(1).padStart(8)} us`,
  );
}

function fillRandom(ptr: number, n: number, seed: number): void {
  const a = rt.f32(ptr, n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
}

function time(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn(); // warm up (tier-up)
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return Math.min(...t);
}

interface Row {
  name: string;
  ms: number;
  gflops: number;
}
const rows: Row[] = [];

function conv(
  name: string,
  B: number,
  H: number,
  W: number,
  C: number,
  OC: number,
  KH: number,
  KW: number,
  same: number,
  withDinp: boolean,
) {
  const OH = same ? H : H - KH + 1,
    OW = same ? W : W - KW + 1;
  const inp = rt.alloc(B * H * W * C * 4),
    out = rt.alloc(B * OH * OW * OC * 4);
  const ker = rt.alloc(KH * KW * C * OC * 4),
    bias = rt.alloc(OC * 4);
  const dinp = withDinp ? rt.alloc(B * H * W * C * 4) : 0;
  const dker = rt.alloc(KH * KW * C * OC * 4),
    dbias = rt.alloc(OC * 4);
  const dout = rt.alloc(B * OH * OW * OC * 4);
  const scratch = rt.alloc(Math.max(16, k.conv2d_scratch_bytes(B, H, W, C, OC, KH, KW, same, 1, withDinp ? 1 : 0)));
  fillRandom(inp, B * H * W * C, 1);
  fillRandom(ker, KH * KW * C * OC, 2);
  fillRandom(dout, B * OH * OW * OC, 3);
  const macs = B * OH * OW * OC * KH * KW * C;
  const fwd = time(() => k.conv2d_forward(out, inp, ker, bias, scratch, B, H, W, C, OC, KH, KW, same, 0, 0, 0, 0));
  rows.push({ name: `${name} forward`, ms: fwd, gflops: (2 * macs) / fwd / 1e6 });
  const bwd = time(() => k.conv2d_backward(dinp, dker, dbias, dout, inp, ker, scratch, B, H, W, C, OC, KH, KW, same));
  rows.push({
    name: `${name} backward${withDinp ? "" : " (no dinp)"}`,
    ms: bwd,
    gflops: (2 * macs * (withDinp ? 2 : 1)) / bwd / 1e6,
  });
}

conv("conv1 28x28x1->26x26x32", 32, 28, 28, 1, 32, 3, 3, 0, false);
conv("conv2 26x26x32->24x24x64", 32, 26, 26, 32, 64, 3, 3, 0, true);
conv("conv2 same 24x24x32->24x24x64", 32, 24, 24, 32, 64, 3, 3, 1, true);

{
  const B = 32,
    H = 24,
    W = 24,
    C = 64;
  const inp = rt.alloc(B * H * W * C * 4),
    out = rt.alloc(((B * H * W * C) / 4) * 4);
  const idx = rt.alloc(((B * H * W * C) / 4) * 4),
    dinp = rt.alloc(B * H * W * C * 4);
  fillRandom(inp, B * H * W * C, 4);
  const f = time(() => k.maxpool2d_forward(out, idx, inp, B, H, W, C, 2, 2));
  rows.push({ name: "maxpool 2x2 24x24x64 forward", ms: f, gflops: NaN });
  const b = time(() => k.maxpool2d_backward(dinp, out, idx, B, H, W, C, 2, 2));
  rows.push({ name: "maxpool 2x2 24x24x64 backward", ms: b, gflops: NaN });
}

if (!asJson) {
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(42)} ${r.ms.toFixed(2).padStart(8)} ms  ${Number.isNaN(r.gflops) ? "" : `${r.gflops.toFixed(1).padStart(6)} GFLOP/s (effective)`}`,
    );
  }
  const sum = (prefix: string) => rows.filter((r) => r.name.startsWith(prefix)).reduce((s, r) => s + r.ms, 0);
  console.log(`conv2 forward+backward per batch-32 step: ${sum("conv2 26").toFixed(1)} ms`);
  console.log(
    `conv1 + conv2 + maxpool, forward+backward: ${(sum("conv1") + sum("conv2 26") + sum("maxpool")).toFixed(1)} ms per batch of 32`,
  );
}

// ---- One training step of the whole Table 6 CNN, kernels only (no TypeScript layer overhead):
// conv 3x3x32 relu, conv 3x3x64 relu, maxpool 2x2, flatten (a view), dense 128 relu, dropout 0.5,
// dense 10, softmax cross-entropy, backward, Adam over all parameters (one flat buffer, as the
// arena lays them out). An upper bound for what the layers can reach.
{
  const B = 32;
  const f = (n: number) => rt.alloc(n * 4);
  const P = [9 * 32, 32, 9 * 32 * 64, 64, 9216 * 128, 128, 128 * 10, 10];
  const nParams = P.reduce((a, b) => a + b, 0);
  const params = f(nParams),
    grads = f(nParams),
    m1 = f(nParams),
    m2 = f(nParams);
  const offs: number[] = [];
  let at = 0;
  for (const n of P) {
    offs.push(at);
    at += n * 4;
  }
  const [k1, b1, k2, b2, w3, b3, w4, b4] = offs.map((o) => params + o);
  const [dk1, db1, dk2, db2, dw3, db3, dw4, db4] = offs.map((o) => grads + o);
  fillRandom(params, nParams, 9);
  rt.f32(params, nParams).forEach((v, i, a) => {
    a[i] = v * 0.05;
  });
  const x = f(B * 784),
    y = rt.alloc(B * 4);
  fillRandom(x, B * 784, 10);
  rt.i32(y, B).forEach((_, i, a) => {
    a[i] = i % 10;
  });
  const a1 = f(B * 26 * 26 * 32),
    a2 = f(B * 24 * 24 * 64),
    a3 = f(B * 9216),
    idx = f(B * 9216);
  const a4 = f(B * 128),
    mask = f(B * 128),
    a5 = f(B * 128),
    logits = f(B * 10),
    probs = f(B * 10);
  const d1 = f(B * 26 * 26 * 32),
    d2 = f(B * 24 * 24 * 64),
    d3 = f(B * 9216),
    d4 = f(B * 128),
    d5 = f(B * 128),
    dl = f(B * 10);
  const s1 = rt.alloc(Math.max(16, k.conv2d_scratch_bytes(B, 28, 28, 1, 32, 3, 3, 0, 1, 0)));
  const s2 = rt.alloc(k.conv2d_scratch_bytes(B, 26, 26, 32, 64, 3, 3, 0, 1, 1));
  let t = 0;
  const step = () => {
    t++;
    k.conv2d_forward(a1, x, k1, b1, s1, B, 28, 28, 1, 32, 3, 3, 0, 0, 0, 0, 0);
    k.relu_forward(a1, a1, B * 26 * 26 * 32);
    k.conv2d_forward(a2, a1, k2, b2, s2, B, 26, 26, 32, 64, 3, 3, 0, 0, 0, 0, 0);
    k.relu_forward(a2, a2, B * 24 * 24 * 64);
    k.maxpool2d_forward(a3, idx, a2, B, 24, 24, 64, 2, 2);
    k.dense_forward(a4, a3, w3, b3, B, 9216, 128, 1);
    k.dropout_forward(a5, mask, a4, B * 128, 0.5, 1, t);
    k.dense_forward(logits, a5, w4, b4, B, 128, 10, 0);
    k.softmax_xent_forward(probs, logits, y, B, 10);
    k.fill_f32(grads, nParams, 0);
    k.softmax_xent_backward(dl, probs, y, B, 10, 1 / B);
    k.dense_backward(d5, dw4, db4, dl, a5, w4, B, 128, 10);
    k.dropout_backward(d4, d5, mask, B * 128);
    k.relu_backward(d4, d4, a4, B * 128);
    k.dense_backward(d3, dw3, db3, d4, a3, w3, B, 9216, 128);
    k.maxpool2d_backward(d2, d3, idx, B, 24, 24, 64, 2, 2);
    k.relu_backward(d2, d2, a2, B * 24 * 24 * 64);
    k.conv2d_backward(d1, dk2, db2, d2, a1, k2, s2, B, 26, 26, 32, 64, 3, 3, 0);
    k.relu_backward(d1, d1, a1, B * 26 * 26 * 32);
    k.conv2d_backward(0, dk1, db1, d1, x, k1, s1, B, 28, 28, 1, 32, 3, 3, 0);
    k.adam_step(params, grads, m1, m2, nParams, 0.001, 0.9, 0.999, 1e-7);
  };
  const ms = time(step);
  if (!asJson)
    console.log(
      `Table 6 CNN training step (kernels only, batch ${B}): ${ms.toFixed(1)} ms = ${Math.round((B * 1000) / ms)} samples/s`,
    );
  else
    console.log(
      JSON.stringify({ kernels: rows, trainStep: { batch: B, ms, samplesPerSecond: (B * 1000) / ms } }, null, 2),
    );
}
