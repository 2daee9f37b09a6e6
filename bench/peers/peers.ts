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
  bsfnetCall,
  bsfnetTrain,
  type InferCall,
  type InferSide,
  inferSide,
  interleavedSeconds,
  maxAbsDiff,
  ortCall,
  ortSession,
  threadedModel,
  threadsCall,
  trainSteps,
} from "./bsfnet.js";
import type { Sequential } from "../../src/model/sequential.js";
import { NETS, type NetName, bsfnetNet, netData, netPlan } from "./nets.js";
import { stepFlops } from "../../src/runtime/threads.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";
import { TorchPeers, type TorchRequest, betterRow } from "./torch.js";

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
  /** rounds of each training row (each engine's figures the best of them) */
  rounds: number;
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

/** Inference of one net on every engine, each batch size measured with the engines taking turns
 * (interleavedSeconds): bsfnet/infer on each build, onnxruntime-node on one thread, and with
 * `twoThreads` bsfnet's predict({ threads: 2 }) (the model on the shared-memory build; its outputs
 * must be bsfnet/infer's) and onnxruntime-node on two intra-op threads. A two-thread mode that
 * cannot run here is a missing figure with a note, not a failed bench. */
async function inferNet(
  plan: ReturnType<typeof netPlan>,
  x: Float32Array,
  c: {
    builds: Build[];
    def: Build;
    twoThreads: boolean;
    twoT: Engine;
    infer: InferEntry[];
    notes: Record<Engine, string>;
    inferBatches: number[];
    warmupSeconds: number;
    inferSeconds: number;
    log: (s: string) => void;
    /** a peer in a process of its own (PyTorch), measured right before and right after the node
     * engines at each batch size */
    peer?: (B: number) => Promise<void>;
  },
): Promise<void> {
  const sides: { name: Engine; side: InferSide }[] = [];
  let model: Sequential | undefined;
  let ort2: ortPkg.InferenceSession | null = null;
  try {
    for (const b of c.builds)
      sides.push({ name: `bsfnet ${b.name}`, side: await inferSide(plan, b.rt, b.bytes as unknown as BufferSource) });
    // onnxruntime-node on the first build's export (every build exports the same model), checked
    // against that build's outputs
    const first = sides[0].side;
    if (!first.ort) c.notes["ort 1t"] = first.ortReason ?? "no session";
    const defSide = sides[c.builds.indexOf(c.def)]?.side ?? first;
    if (c.twoThreads) {
      try {
        model = await threadedModel(defSide);
      } catch (e) {
        c.notes[c.twoT] = `predict({ threads: 2 }) failed: ${(e as Error).message.split("\n")[0]}`;
      }
      const r = first.ort ? await ortSession(first, 2) : { session: null, reason: "no session" };
      ort2 = r.session;
      if (!ort2) c.notes["ort 2t"] = r.reason ?? "no session";
    }
    for (const B of c.inferBatches) {
      const calls: { engine: Engine; call: InferCall; ref: InferSide; tol: number }[] = sides.map((s) => ({
        engine: s.name,
        call: bsfnetCall(s.side, x, B),
        ref: s.side,
        tol: 0,
      }));
      if (first.ort) calls.push({ engine: "ort 1t", call: ortCall(first.ort, plan, x, B), ref: first, tol: 1e-4 });
      if (model) calls.push({ engine: c.twoT, call: threadsCall(defSide, model, x, B, 2), ref: defSide, tol: 1e-6 });
      if (ort2) calls.push({ engine: "ort 2t", call: ortCall(ort2, plan, x, B), ref: first, tol: 1e-4 });
      await c.peer?.(B);
      let secs: number[];
      try {
        secs = await interleavedSeconds(
          calls.map((e) => e.call.run),
          c.warmupSeconds,
          c.inferSeconds * calls.length,
        );
      } catch (e) {
        if (!model) throw e;
        // the two-thread engine failed mid-measurement: note it and measure the others again
        c.notes[c.twoT] = `predict({ threads: 2 }) failed: ${(e as Error).message.split("\n")[0]}`;
        await model.closeThreads();
        model.dispose();
        model = undefined;
        const rest = calls.filter((e) => e.engine !== c.twoT);
        calls.splice(0, calls.length, ...rest);
        secs = await interleavedSeconds(
          calls.map((e) => e.call.run),
          c.warmupSeconds,
          c.inferSeconds * calls.length,
        );
      }
      for (let i = 0; i < calls.length; i++) {
        const { engine, call, ref, tol } = calls[i];
        const sps = B / secs[i];
        if (engine.startsWith("ort") || engine === c.twoT) {
          const d = maxAbsDiff(ref.bsfnet.predict(x.slice(0, B * ref.bsfnet.inputSize)), await call.output());
          if (d > tol) throw new Error(`${plan.name} B=${B}: ${engine} and bsfnet differ by ${d}`);
          c.infer.push({ net: plan.name, B, engine, sps, ...(engine.startsWith("ort") ? { maxAbsDiff: d } : {}) });
          c.log(
            `  ${engine.padEnd(22)} infer ${plan.name} B=${B}: ${sps.toFixed(0)} samples/s${engine === "ort 1t" ? ` (max |diff| ${d.toExponential(1)})` : ""}`,
          );
        } else {
          c.infer.push({ net: plan.name, B, engine, sps });
          c.log(`  ${engine.padEnd(22)} infer ${plan.name} B=${B}: ${sps.toFixed(0)} samples/s`);
        }
      }
      // a missing engine is a row with no figure
      const missing: Engine[] = [];
      if (!first.ort) missing.push("ort 1t");
      if (c.twoThreads && !model) missing.push(c.twoT);
      if (c.twoThreads && !ort2) missing.push("ort 2t");
      for (const engine of missing) c.infer.push({ net: plan.name, B, engine, sps: null });
      await c.peer?.(B);
    }
  } finally {
    await model?.closeThreads();
    model?.dispose();
    await ort2?.release();
    for (const s of sides) await s.side.dispose();
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

  // PyTorch beside the node engines, a process per thread count asked for one row at a time: each
  // training row is measured in `rounds` alternating rounds (every bsfnet engine, then PyTorch on
  // one and two threads), each engine keeping its best; each inference batch size right before and
  // right after the node engines' turns, the better of the two.
  const rounds = quick ? 1 : 2;
  const torchThreads = [1, 2];
  const opened =
    o.torch === false
      ? { reason: "not asked for (--no-torch)" }
      : await TorchPeers.open({
          nets: nets.map(({ plan, x, y }) => ({
            plan: {
              ...plan,
              stepsByBatch: Object.fromEntries(trainBatches.map((B) => [B, trainSteps(plan, y.length, B).steps])),
            },
            x,
            y,
          })),
          threads: torchThreads,
          warmupSeconds,
          inferSeconds,
          log,
        });
  const torch = opened instanceof TorchPeers ? opened : null;
  const torchReason = opened instanceof TorchPeers ? undefined : opened.reason;
  const torchEngine = (t: number): Engine => `torch ${t}t`;
  if (torchReason) for (const t of torchThreads) notes[torchEngine(t)] = torchReason;
  // a peer's row that failed: its note, and no more requests to it
  const torchRow = async (t: number, req: TorchRequest) => {
    if (!torch || notes[torchEngine(t)]) return undefined;
    try {
      return await torch.row(t, req);
    } catch (e) {
      notes[torchEngine(t)] = (e as Error).message;
      return undefined;
    }
  };

  const forwardFlops: Record<string, number> = {};
  try {
    for (const { plan, x, y } of nets) {
      const counted = bsfnetNet(plan);
      await counted.build(undefined, o.builds[0].rt);
      forwardFlops[plan.name] = stepFlops(counted.layers, 1) / 3; // stepFlops counts forward + 2 backward
      counted.dispose();
      for (const B of trainBatches) {
        const runs: [Engine, Build, number][] = o.builds.map((b) => [`bsfnet ${b.name}`, b, 1]);
        if (o.twoThreads === true) runs.push([twoT, def, 2]);
        const best = new Map<Engine, TrainEntry>();
        const none = (engine: Engine): TrainEntry => ({
          net: plan.name,
          B,
          engine,
          steps: 0,
          window: plan.window,
          fresh: null,
          steady: null,
        });
        for (let round = 0; round < rounds; round++) {
          for (const [engine, b, threads] of runs) {
            if (threads > 1 && notes[engine]) continue; // failed in an earlier round
            let r: Awaited<ReturnType<typeof bsfnetTrain>>;
            try {
              r = await bsfnetTrain(plan, { x, y }, B, b.rt, { threads, warmupSeconds });
            } catch (e) {
              if (threads === 1) throw e;
              // a two-thread mode that cannot run here is a missing figure, not a failed bench
              notes[engine] = `fit({ threads: ${threads} }) failed: ${(e as Error).message.split("\n")[0]}`;
              continue;
            }
            const entry = { ...none(engine), steps: r.steps, fresh: r.fresh, steady: r.steady };
            best.set(engine, betterRow(best.get(engine), entry));
            log(
              `  ${engine.padEnd(22)} train ${plan.name} B=${B}: fresh ${r.fresh.toFixed(0)}, steady ${r.steady.toFixed(0)} samples/s (${r.steps} steps${rounds > 1 ? `, round ${round + 1}` : ""})`,
            );
          }
          for (const t of torchThreads) {
            const row = await torchRow(t, { mode: "train", net: plan.name, B });
            if (row?.mode !== "train") continue;
            const engine = torchEngine(t);
            const entry = {
              ...none(engine),
              steps: row.steps,
              window: row.window,
              fresh: row.fresh,
              steady: row.steady,
            };
            best.set(engine, betterRow(best.get(engine), entry));
          }
        }
        // a bsfnet engine that failed in any round has no figure (its note says why)
        for (const [engine] of runs) train.push(notes[engine] ? none(engine) : (best.get(engine) ?? none(engine)));
        for (const t of torchThreads) train.push(best.get(torchEngine(t)) ?? none(torchEngine(t)));
      }
      const peerBest = new Map<string, number>();
      await inferNet(plan, x, {
        builds: o.builds,
        def,
        twoThreads: o.twoThreads === true,
        twoT,
        infer,
        notes,
        inferBatches,
        warmupSeconds,
        inferSeconds,
        log,
        peer: torch
          ? async (B) => {
              for (const t of torchThreads) {
                const row = await torchRow(t, { mode: "infer", net: plan.name, B });
                const key = `${t} ${B}`;
                if (row?.mode === "infer") peerBest.set(key, Math.max(peerBest.get(key) ?? 0, row.sps));
              }
            }
          : undefined,
      });
      for (const t of torchThreads)
        for (const B of inferBatches)
          infer.push({ net: plan.name, B, engine: torchEngine(t), sps: peerBest.get(`${t} ${B}`) ?? null });
    }
  } finally {
    torch?.close();
  }
  return {
    trainBatches,
    inferBatches,
    bsfnetEngines: engines,
    defaultEngine,
    train,
    infer,
    notes,
    torch: opened instanceof TorchPeers ? { python: opened.python, version: opened.torch } : { reason: opened.reason },
    ort: (ortPkg as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? "1.x",
    warmupSeconds,
    rounds,
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
