// Dense layers over their input's nonzero columns in training (assembly/dense_cols.ts): the figures
// of docs/design/dense-columns.md.
//   node --experimental-wasm-relaxed-simd --import tsx bench/train/dense-cols.ts --count [--net musk2|kdd99]
//     share of each dense layer's input columns that are zero across the batch, every 256 steps of
//     a 2,048-step fit at batch 128 (the peer bench's net and data)
//   ... dense-cols.ts --kernels [--wasm relaxed|simd128]
//     dense_forward / dense_backward against dense_forward_train / dense_backward_train, µs per
//     call (best of 30 runs of 50 calls), inputs half zeros as a ReLU leaves them and then a share
//     of whole zero columns at seeded places
//   ... dense-cols.ts --steps [--base DIR] [--runs 2]
//     kernel µs per training step of the Musk2 net at batch 128 (every kernel call timed,
//     bench/lib/trace.ts), median over steps 1-200 and over the last 200 of 2,048; with --base,
//     a checkout of before (built) in alternating runs
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Runtime } from "../../src/runtime/runtime.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";
import type { WasmKernels } from "../../src/runtime/abi.js";
import { Random } from "../../src/util/random.js";
import { buildFile, option } from "../lib/ab.js";
import type { KernelTrace } from "../lib/trace.js";
import { type NetName, bsfnetNet, netData, netPlan } from "../peers/nets.js";

const args = process.argv.slice(2);
const STEPS = 2048;
const B = 128;

async function count(net: NetName): Promise<void> {
  const base = await Runtime.load();
  const k = base.k;
  const shares: number[][] = [];
  let call = 0;
  // the real kernels, with the training forward wrapped to count its input's zero columns first
  const counted = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(k)) counted[name] = (k as unknown as Record<string, unknown>)[name];
  counted.dense_forward_train = (...a: number[]) => {
    const [inp, rows, C] = [a[1], a[5], a[6]];
    const x = new Float32Array(k.memory.buffer, inp, rows * C);
    let zero = 0;
    for (let j = 0; j < C; j++) {
      let i = 0;
      while (i < rows && x[i * C + j] === 0) i++;
      if (i === rows) zero++;
    }
    shares[call] ??= [];
    shares[call++].push(zero / C);
    return (k.dense_forward_train as (...a: number[]) => void)(...a);
  };
  const rt = new Runtime(counted as unknown as WasmKernels);
  const plan = netPlan(net, false);
  const data = netData(plan, 4096);
  const model = bsfnetNet(plan);
  await model.build(undefined, rt);
  let step = 0;
  console.log(
    `${net}, batch ${B}: share of each dense layer's input columns zero in every row (mean of the last 50 steps)`,
  );
  await model.fit(data.x, data.y, {
    epochs: Math.ceil(STEPS / (4096 / B)),
    batchSize: B,
    verbose: 0,
    shuffle: true,
    callbacks: [
      {
        onBatchEnd: () => {
          call = 0;
          if (++step % 256) return;
          const mean = (s: number[]) => s.slice(-50).reduce((p, q) => p + q, 0) / Math.min(50, s.length);
          console.log(
            `  step ${String(step).padStart(4)}: ${shares.map((s) => `${(100 * mean(s)).toFixed(0)}%`).join("  ")}`,
          );
        },
      },
    ],
  });
  model.dispose();
}

async function kernels(wasm: string): Promise<void> {
  const rt = await Runtime.load(readFileSync(new URL(`../../build/${await buildFile(wasm)}`, import.meta.url)));
  const k = rt.k;
  const put = (a: Float32Array) => {
    const p = rt.alloc(a.length * 4);
    rt.f32(p, a.length).set(a);
    return p;
  };
  const rand = new Random(1);
  const r = () => rand.next();
  const best = (f: () => void) => {
    let t = Number.POSITIVE_INFINITY;
    for (let rep = 0; rep < 30; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) f();
      t = Math.min(t, (performance.now() - t0) / 50);
    }
    return t * 1000;
  };
  console.log(
    `wasm ${wasm}: µs per call, whole product -> over the nonzero columns (n: columns multiplied, -1: whole)`,
  );
  const shapes: [number, number, number, number][] = [
    [128, 168, 168, 0],
    [128, 336, 168, 0],
    [128, 168, 336, 0],
    [128, 168, 168, 0.3],
    [128, 168, 168, 0.5],
    [128, 168, 168, 0.85],
    [32, 168, 168, 0.85],
    [128, 41, 41, 0],
    [128, 41, 41, 0.8],
    [128, 9216, 128, 0],
  ];
  for (const [M, C, OC, share] of shapes) {
    const x = new Float32Array(M * C).map(() => (r() < 0.5 ? 0 : r()));
    // round(share * C) whole columns zero, at seeded places
    for (const j of rand.permutation(C).subarray(0, Math.round(share * C)))
      for (let b = 0; b < M; b++) x[b * C + j] = 0;
    const pi = put(x),
      pw = put(new Float32Array(C * OC).map(() => r() - 0.5)),
      pb = put(new Float32Array(OC)),
      po = rt.alloc(M * OC * 4),
      ws = rt.alloc(k.dense_train_ws_bytes(M, C, OC)),
      dout = put(new Float32Array(M * OC).map(() => r() - 0.5)),
      pdw = rt.alloc(C * OC * 4),
      pdb = rt.alloc(OC * 4),
      pdi = rt.alloc(M * C * 4);
    const fw = best(() => k.dense_forward(po, pi, pw, pb, M, C, OC, 1));
    const ft = best(() => k.dense_forward_train(po, pi, pw, pb, ws, M, C, OC, 1));
    const bw = best(() => k.dense_backward(pdi, pdw, pdb, dout, pi, pw, M, C, OC));
    const bt = best(() => k.dense_backward_train(pdi, pdw, pdb, dout, pi, pw, ws, M, C, OC));
    console.log(
      `  ${M}x${C}x${OC}, ${(100 * share).toFixed(0)}% zero columns: n = ${rt.i32(ws, 1)[0]}; forward ${fw.toFixed(1)} -> ${ft.toFixed(1)} (${(fw / ft).toFixed(2)}x), backward ${bw.toFixed(1)} -> ${bt.toFixed(1)} (${(bw / bt).toFixed(2)}x)`,
    );
  }
}

/** Kernel µs per step of a Musk2 fit on the checkout at root (this one, or --base). */
async function stepKernels(root: URL): Promise<{ fresh: number; steady: number; parts: string }> {
  const mod = async <T>(p: string) => (await import(new URL(p, root).href)) as T;
  const { KernelTrace: Trace } = await mod<{ KernelTrace: typeof KernelTrace }>("bench/lib/trace.ts");
  const nets = await mod<typeof import("../peers/nets.js")>("bench/peers/nets.ts");
  const trace = await Trace.load();
  const plan = nets.netPlan("musk2", false);
  const data = nets.netData(plan, 4096);
  const model = nets.bsfnetNet(plan);
  await model.build(undefined, trace.runtime);
  await model.fit(data.x, data.y, {
    epochs: Math.ceil(STEPS / (4096 / B)),
    batchSize: B,
    verbose: 0,
    shuffle: true,
    callbacks: [trace.callback()],
  });
  model.dispose();
  // the trace's own per-kernel figures (parts: medians, a kernel of some steps only amortized) over
  // each window, the window put in place of the recorded steps
  const all = trace.steps.splice(0);
  const window = (from: number, to: number) => {
    trace.steps.splice(0, trace.steps.length, ...all.slice(from, to));
    return trace.parts();
  };
  const sum = (parts: { us: number }[]) => parts.reduce((a, p) => a + p.us, 0);
  const fresh = window(1, 201);
  const steady = window(all.length - 200, all.length);
  const dense = steady.filter((p) => p.name.startsWith("dense_"));
  return { fresh: sum(fresh), steady: sum(steady), parts: dense.map((p) => `${p.name} ${p.us.toFixed(0)}`).join(", ") };
}

async function steps(base: string | undefined, runs: number): Promise<void> {
  const here = new URL("../../", import.meta.url);
  const sides: [string, URL][] = [["this build", here]];
  if (base) sides.unshift(["base", pathToFileURL(`${resolve(base)}/`)]);
  console.log(`Musk2 net, batch ${B}, kernel µs per step (median; steps 1-200 | last 200 of ${STEPS})`);
  for (let run = 0; run < runs; run++)
    for (const [name, root] of sides) {
      const r = await stepKernels(root);
      console.log(`  ${name.padEnd(10)} ${r.fresh.toFixed(0)} | ${r.steady.toFixed(0)}   (last 200: ${r.parts})`);
    }
}

// the relaxed build where this Node runs it, as the CLI loads it
await enableRelaxedSimd();
if (args.includes("--count")) await count(option(args, "--net", "musk2") as NetName);
else if (args.includes("--kernels")) await kernels(option(args, "--wasm", "relaxed"));
else if (args.includes("--steps"))
  await steps(args.includes("--base") ? option(args, "--base", "") : undefined, Number(option(args, "--runs", "2")));
else {
  console.error("dense-cols.ts: give --count, --kernels or --steps (see the header)");
  process.exit(2);
}
