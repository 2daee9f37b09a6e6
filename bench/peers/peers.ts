// Peers in the same run (issue 12, item 5): training and inference of the paper's three nets
// (bench/peers/nets.ts) in bsfnet (each wasm build this engine runs; two threads when
// fit({ threads }) exists: training, and predict({ threads: 2 }) for inference), PyTorch's CPU
// build on one and two threads (a Python child process) and onnxruntime-node (inference on
// bsfnet's ONNX export of the same model, one intra-op thread and, beside bsfnet's two, two).
// Run alone: npx tsx bench/peers/peers.ts [--quick] [--infer] [--two-threads] [--no-torch]
// (--infer: the inference table only; --two-threads: the two-thread engines, which bench/run.ts
// asks for; node --experimental-wasm-relaxed-simd on Node 20 adds the relaxed build, which
// bench/run.ts and --two-threads enable themselves)
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as ortPkg from "onnxruntime-node";
import { Runtime } from "../../src/runtime/runtime.js";
import {
  bsfnetInfer,
  bsfnetInferThreads,
  bsfnetTrain,
  inferSide,
  ortInfer,
  ortSession,
  threadedModel,
  trainSteps,
} from "./bsfnet.js";
import { NETS, type NetName, bsfnetNet, netData, netPlan } from "./nets.js";
import { stepFlops } from "../../src/runtime/threads.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";
import { runTorch, type TorchResults } from "./torch.js";

export const TRAIN_BATCHES = [32, 128] as const;
export const INFER_BATCHES = [1, 32, 128, 256] as const;

/** bsfnet engines are named by build (and threads); peers by library and threads. */
export type Engine = string;

export interface TrainEntry {
  net: NetName;
  B: number;
  engine: Engine;
  steps: number;
  window: number;
  /** samples/s; null: the engine could not run (reason in notes) */
  fresh: number | null;
  steady: number | null;
}

export interface InferEntry {
  net: NetName;
  B: number;
  engine: Engine;
  sps: number | null;
  /** onnxruntime-node only: the largest difference from bsfnet's probabilities */
  maxAbsDiff?: number;
}

export interface PeerResults {
  trainBatches: number[];
  inferBatches: number[];
  /** bsfnet's engines in the order measured; `default` is the one the CLI uses */
  bsfnetEngines: Engine[];
  defaultEngine: Engine;
  train: TrainEntry[];
  infer: InferEntry[];
  /** why an engine has no figures */
  notes: Record<Engine, string>;
  torch: { python: string; version: string } | { reason: string };
  ort: string;
  warmupSeconds: number;
  seconds: number;
  /** forward FLOPs per sample of each net, counted directly (2 per multiply-add, a convolution as
   * its direct form even where bsfnet runs Winograd): what turns samples/s into GFLOP/s */
  forwardFlops: Record<string, number>;
}

export interface Build {
  name: "simd128" | "relaxed";
  bytes: Uint8Array;
  rt: Runtime;
}

/** The two release builds, each loaded from its file; relaxed only where this engine validates it. */
export async function loadBuilds(root: URL): Promise<{ builds: Build[]; relaxedReason?: string }> {
  const simd = readFileSync(new URL("build/bsfnet.wasm", root));
  const builds: Build[] = [{ name: "simd128", bytes: simd, rt: await Runtime.load(simd) }];
  let relaxedReason: string | undefined;
  try {
    const relaxed = readFileSync(new URL("build/bsfnet.relaxed.wasm", root));
    if (WebAssembly.validate(relaxed as unknown as BufferSource))
      builds.push({ name: "relaxed", bytes: relaxed, rt: await Runtime.load(relaxed) });
    else relaxedReason = `this engine (Node ${process.version}) does not validate relaxed SIMD`;
  } catch {
    relaxedReason = "build/bsfnet.relaxed.wasm not built (npm run asbuild)";
  }
  return { builds, relaxedReason };
}

export interface PeerOptions {
  quick?: boolean;
  log?: (s: string) => void;
  builds: Build[];
  relaxedReason?: string;
  /** null: fit({ threads: 2 }) is not available, with the reason */
  twoThreads: true | string;
  /** skip PyTorch (tests) */
  torch?: false;
  /** inference only: no training rows (PyTorch too runs its inference only) */
  inferOnly?: boolean;
}

/** The two-thread inference engines of one net: bsfnet's predict({ threads: 2 }) (the model on the
 * shared-memory build; its outputs must be bsfnet/infer's) and onnxruntime-node on two intra-op
 * threads. A mode that cannot run here is a missing figure with a note, not a failed bench. */
async function inferTwoThreads(
  side: Awaited<ReturnType<typeof inferSide>>,
  plan: ReturnType<typeof netPlan>,
  x: Float32Array,
  c: {
    twoT: Engine;
    infer: InferEntry[];
    notes: Record<Engine, string>;
    inferBatches: number[];
    warmupSeconds: number;
    inferSeconds: number;
    log: (s: string) => void;
  },
): Promise<void> {
  let model: Awaited<ReturnType<typeof threadedModel>> | undefined;
  try {
    model = await threadedModel(side);
    for (const B of c.inferBatches) {
      const r = await bsfnetInferThreads(side, model, x, B, 2, c.warmupSeconds, c.inferSeconds);
      if (r.maxAbsDiff > 1e-6) throw new Error(`${plan.name} B=${B}: two threads differ from one by ${r.maxAbsDiff}`);
      c.infer.push({ net: plan.name, B, engine: c.twoT, sps: r.sps });
      c.log(`  ${c.twoT.padEnd(22)} infer ${plan.name} B=${B}: ${r.sps.toFixed(0)} samples/s`);
    }
  } catch (e) {
    if ((e as Error).message.includes("differ from one")) throw e;
    c.notes[c.twoT] = `predict({ threads: 2 }) failed: ${(e as Error).message.split("\n")[0]}`;
    for (const B of c.inferBatches)
      if (!c.infer.some((r) => r.net === plan.name && r.B === B && r.engine === c.twoT))
        c.infer.push({ net: plan.name, B, engine: c.twoT, sps: null });
  } finally {
    await model?.closeThreads();
    model?.dispose();
  }
  const { session, reason } = side.ort ? await ortSession(side, 2) : { session: null, reason: "no session" };
  if (!session) c.notes["ort 2t"] = reason ?? "no session";
  try {
    for (const B of c.inferBatches) {
      if (!session) {
        c.infer.push({ net: plan.name, B, engine: "ort 2t", sps: null });
        continue;
      }
      const r = await ortInfer(side, plan, x, B, c.warmupSeconds, c.inferSeconds, session);
      if (r.maxAbsDiff > 1e-4)
        throw new Error(`${plan.name} B=${B}: onnxruntime-node (2 threads) and bsfnet differ by ${r.maxAbsDiff}`);
      c.infer.push({ net: plan.name, B, engine: "ort 2t", sps: r.sps, maxAbsDiff: r.maxAbsDiff });
      c.log(`  ${"ort 2t".padEnd(22)} infer ${plan.name} B=${B}: ${r.sps.toFixed(0)} samples/s`);
    }
  } finally {
    await session?.release();
  }
}

export async function benchPeers(o: PeerOptions): Promise<PeerResults> {
  const log = o.log ?? (() => {});
  const quick = !!o.quick;
  const t0 = performance.now();
  const warmupSeconds = quick ? 0.2 : 0.5;
  const inferSeconds = quick ? 0.15 : 0.6;
  const trainBatches = o.inferOnly ? [] : [...TRAIN_BATCHES];
  const inferBatches = [...INFER_BATCHES];
  const train: TrainEntry[] = [];
  const infer: InferEntry[] = [];
  const notes: Record<Engine, string> = {};
  const def = o.builds[o.builds.length - 1];
  const defaultEngine = `bsfnet ${def.name}`;
  const engines = o.builds.map((b) => `bsfnet ${b.name}`);
  if (!o.builds.some((b) => b.name === "relaxed")) notes["bsfnet relaxed"] = o.relaxedReason ?? "not loaded";
  const twoT = `${defaultEngine} 2t`;
  if (o.twoThreads === true) engines.push(twoT);
  else {
    notes[twoT] = o.twoThreads;
    notes["ort 2t"] = `measured beside ${twoT} only (${o.twoThreads})`;
  }

  const nets = NETS.map((name) => {
    const plan = netPlan(name, quick);
    const n = plan.kind === "cnn" ? (quick ? 256 : 512) : 4096; // at least the largest inference batch
    return { plan, ...netData(plan, n) };
  });

  const forwardFlops: Record<string, number> = {};
  for (const { plan, x, y } of nets) {
    const counted = bsfnetNet(plan);
    await counted.build(undefined, o.builds[0].rt);
    forwardFlops[plan.name] = stepFlops(counted.layers, 1) / 3; // stepFlops counts forward + 2 backward
    counted.dispose();
    for (const B of trainBatches) {
      const runs: [Engine, Build, number][] = o.builds.map((b) => [`bsfnet ${b.name}`, b, 1]);
      if (o.twoThreads === true) runs.push([twoT, def, 2]);
      for (const [engine, b, threads] of runs) {
        let r: Awaited<ReturnType<typeof bsfnetTrain>>;
        try {
          r = await bsfnetTrain(plan, { x, y }, B, b.rt, { threads, warmupSeconds });
        } catch (e) {
          if (threads === 1) throw e;
          // a two-thread mode that cannot run here is a missing figure, not a failed bench
          notes[engine] = `fit({ threads: ${threads} }) failed: ${(e as Error).message.split("\n")[0]}`;
          train.push({ net: plan.name, B, engine, steps: 0, window: plan.window, fresh: null, steady: null });
          continue;
        }
        train.push({
          net: plan.name,
          B,
          engine,
          steps: r.steps,
          window: plan.window,
          fresh: r.fresh,
          steady: r.steady,
        });
        log(
          `  ${engine.padEnd(22)} train ${plan.name} B=${B}: fresh ${r.fresh.toFixed(0)}, steady ${r.steady.toFixed(0)} samples/s (${r.steps} steps)`,
        );
      }
    }
    let ortDone = false;
    for (const b of o.builds) {
      const side = await inferSide(plan, b.rt, b.bytes as unknown as BufferSource);
      try {
        for (const B of inferBatches) {
          const sps = await bsfnetInfer(side, x, B, warmupSeconds, inferSeconds);
          infer.push({ net: plan.name, B, engine: `bsfnet ${b.name}`, sps });
          log(`  ${`bsfnet ${b.name}`.padEnd(22)} infer ${plan.name} B=${B}: ${sps.toFixed(0)} samples/s`);
        }
        if (!ortDone) {
          ortDone = true;
          if (!side.ort) notes["ort 1t"] = side.ortReason ?? "no session";
          for (const B of inferBatches) {
            if (!side.ort) {
              infer.push({ net: plan.name, B, engine: "ort 1t", sps: null });
              continue;
            }
            const r = await ortInfer(side, plan, x, B, warmupSeconds, inferSeconds);
            if (r.maxAbsDiff > 1e-4)
              throw new Error(`${plan.name} B=${B}: onnxruntime-node and bsfnet differ by ${r.maxAbsDiff}`);
            infer.push({ net: plan.name, B, engine: "ort 1t", sps: r.sps, maxAbsDiff: r.maxAbsDiff });
            log(
              `  ${"ort 1t".padEnd(22)} infer ${plan.name} B=${B}: ${r.sps.toFixed(0)} samples/s (max |diff| ${r.maxAbsDiff.toExponential(1)})`,
            );
          }
        }
        if (b === def && o.twoThreads === true) {
          await inferTwoThreads(side, plan, x, { twoT, infer, notes, inferBatches, warmupSeconds, inferSeconds, log });
        }
      } finally {
        await side.dispose();
      }
    }
  }

  let torch: TorchResults = { ok: false, reason: "skipped" };
  if (o.torch !== false) {
    torch = await runTorch({
      nets: nets.map(({ plan, x, y }) => ({
        plan: {
          ...plan,
          stepsByBatch: Object.fromEntries(trainBatches.map((B) => [B, trainSteps(plan, y.length, B).steps])),
        } as typeof plan,
        x,
        y,
      })),
      threads: [1, 2],
      trainBatches,
      inferBatches,
      warmupSeconds,
      inferSeconds,
      log,
    });
  }
  for (const t of [1, 2]) {
    const engine = `torch ${t}t`;
    if (!torch.ok) notes[engine] = torch.reason;
    for (const { plan } of nets) {
      for (const B of trainBatches) {
        const r = torch.ok
          ? torch.rows.find((x) => x.mode === "train" && x.net === plan.name && x.B === B && x.threads === t)
          : undefined;
        const tr = r?.mode === "train" ? r : undefined;
        train.push({
          net: plan.name,
          B,
          engine,
          steps: tr?.steps ?? 0,
          window: plan.window,
          fresh: tr?.fresh ?? null,
          steady: tr?.steady ?? null,
        });
      }
      for (const B of inferBatches) {
        const r = torch.ok
          ? torch.rows.find((x) => x.mode === "infer" && x.net === plan.name && x.B === B && x.threads === t)
          : undefined;
        infer.push({ net: plan.name, B, engine, sps: r?.mode === "infer" ? r.sps : null });
      }
    }
  }
  return {
    trainBatches,
    inferBatches,
    bsfnetEngines: engines,
    defaultEngine,
    train,
    infer,
    notes,
    torch: torch.ok ? { python: torch.python, version: torch.torch } : { reason: torch.reason },
    ort: (ortPkg as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? "1.x",
    warmupSeconds,
    seconds: (performance.now() - t0) / 1000,
    forwardFlops,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const flag = (f: string) => process.argv.includes(f);
  if (flag("--two-threads")) await enableRelaxedSimd(); // the relaxed build, as bench/run.ts loads it
  const { builds, relaxedReason } = await loadBuilds(new URL("../../", import.meta.url));
  // how busy the machine was: its CPU time less this process's, per wall second (as bench/run.ts)
  const { cpuSnapshot, othersCores } = await import("../lib/measure.js");
  const s0 = cpuSnapshot();
  const r = await benchPeers({
    quick: flag("--quick"),
    log: console.log,
    builds,
    relaxedReason,
    twoThreads: flag("--two-threads") ? true : "not asked for (--two-threads)",
    inferOnly: flag("--infer"),
    ...(flag("--no-torch") ? { torch: false as const } : {}),
  });
  const { peersMarkdown } = await import("./report.js");
  const s1 = cpuSnapshot();
  console.log(peersMarkdown(r, othersCores(s0, s1)).join("\n"));
  console.log(`${r.seconds.toFixed(0)} s; notes: ${JSON.stringify(r.notes)}`);
}
