// What this machine's instruction sets allow, measured: the wasm peak of one core (register-only
// loops, bench/ceiling/peak.ts), the native peers' single-thread SGEMM (onnxruntime-node and
// PyTorch, bench/ceiling/native.ts) beside bsfnet's GEMM at the same shapes, the CPU's vector ISA,
// and from them the ceiling of each of issue 12's ratio targets (bench/ceiling/ceilings.ts).
// `npm run bench` runs it with that run's GEMM figures and peers; alone:
//   npm run bench:ceiling [-- --quick] [--out DIR]
// measures everything but the peers, whose figures it quotes from the last bench/results.json,
// and writes bench/CEILING.md and bench/ceiling-results.json (--quick: prints, writes nothing).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PeerResults } from "../peers/peers.js";
import { inferFigure, trainFigure, type Maybe, type Num } from "../summary.js";
import { assembleCeiling, type CeilingMeasured, type CeilingSummary, forwardWork, type WasmBuild } from "./ceilings.js";
import { measurePeak, type PeakResult, spillCheck } from "./peak.js";
import { cpuSnapshot, othersMs } from "../lib/measure.js";
import { cpuInfo, type CpuInfo, ortSgemm, type OrtSgemm, torchSgemm, type TorchSgemm } from "./native.js";

type GemmPair = { "512"?: number; "1024"?: number };

export interface CeilingRun {
  cpu: CpuInfo;
  peaks: Record<WasmBuild, PeakResult>;
  ort: OrtSgemm | { reason: string };
  torch: TorchSgemm;
  bsfnetGemm: Record<WasmBuild, Maybe<GemmPair>>;
  gemmSource: string;
  seconds: number;
  /** cores other processes used on average while this process timed (the peak loops, onnxruntime,
   * bsfnet's GEMM; not while its own children ran: the spill check, PyTorch) */
  others: number;
}

export interface CeilingOptions {
  quick?: boolean;
  log?: (s: string) => void;
  /** bsfnet's GEMM at 512³ / 1024³ when the caller measured it already (bench/run.ts) */
  gemm?: { figures: Record<WasmBuild, Maybe<GemmPair>>; source: string };
}

/** Everything bench/ceiling measures (the peers' figures on the nets come from elsewhere). */
export async function measureCeiling(o: CeilingOptions = {}): Promise<CeilingRun> {
  const log = o.log ?? (() => {});
  const quick = !!o.quick;
  const t0 = performance.now();
  // other processes' CPU while this process times (the spans its children time in are left out)
  const spans = { wall: 0, others: 0 };
  const tracked = async <T>(fn: () => T | Promise<T>): Promise<T> => {
    const a = cpuSnapshot();
    const r = await fn();
    const b = cpuSnapshot();
    spans.wall += b.wall - a.wall;
    spans.others += othersMs(a, b);
    return r;
  };
  const cpu = cpuInfo();
  log(`  CPU: ${cpu.model}, ${cpu.isa} (${cpu.nativeF32Lanes ?? "?"} f32 lanes; wasm SIMD: 4)`);
  const peaks = {} as Record<WasmBuild, PeakResult>;
  for (const b of ["simd128", "relaxed"] as const) {
    const counts = spillCheck(b);
    peaks[b] = await tracked(() => measurePeak(b, { quick, spills: counts }));
    const p = peaks[b];
    log(
      "reason" in p
        ? `  wasm peak ${b}: ${p.reason}`
        : `  wasm peak ${b} (${p.op}): ${p.rows.map((r) => `${r.chains} chains ${r.gflops.toFixed(1)}`).join(", ")} GFLOP/s`,
    );
  }
  let ort: CeilingRun["ort"];
  try {
    ort = await tracked(() => ortSgemm(quick));
    log(`  onnxruntime-node SGEMM 1t: 512³ ${ort.gflops["512"]?.toFixed(1)}, 1024³ ${ort.gflops["1024"]?.toFixed(1)}`);
  } catch (e) {
    ort = { reason: `onnxruntime-node: ${(e as Error).message.split("\n")[0]}` };
  }
  const torch = torchSgemm(quick);
  log(
    torch.gflops
      ? `  PyTorch SGEMM 1t: 512³ ${torch.gflops["512"]?.toFixed(1)}, 1024³ ${torch.gflops["1024"]?.toFixed(1)}`
      : `  PyTorch: ${torch.reason}`,
  );
  let bsfnetGemm = o.gemm?.figures;
  let gemmSource = o.gemm?.source ?? "";
  if (!bsfnetGemm) {
    const { measureGemm } = await import("../train/gemm-speed.js");
    gemmSource = "bench/train/gemm-speed.ts measureGemm";
    bsfnetGemm = { simd128: { value: null, reason: "not measured" }, relaxed: { value: null, reason: "not measured" } };
    for (const b of ["simd128", "relaxed"] as const) {
      try {
        bsfnetGemm[b] = { value: await tracked(() => measureGemm({ quick, wasm: b })) };
      } catch (e) {
        bsfnetGemm[b] = { value: null, reason: `GEMM bench failed: ${(e as Error).message.split("\n")[0]}` };
      }
    }
  }
  for (const b of ["simd128", "relaxed"] as const) {
    const g = bsfnetGemm[b].value;
    if (g) log(`  bsfnet GEMM ${b}: 512³ ${g["512"]?.toFixed(1)}, 1024³ ${g["1024"]?.toFixed(1)}`);
  }
  return {
    cpu,
    peaks,
    ort,
    torch,
    bsfnetGemm,
    gemmSource,
    seconds: (performance.now() - t0) / 1000,
    others: spans.wall > 0 ? spans.others / spans.wall : 0,
  };
}

/** The figures the ceilings are computed from. */
export function toMeasured(r: CeilingRun): CeilingMeasured {
  const peak = (b: WasmBuild): Maybe<number> => {
    const p = r.peaks[b];
    return "reason" in p ? { value: null, reason: p.reason } : { value: p.best };
  };
  const pair = (g: GemmPair) => ({ "512": g["512"] ?? null, "1024": g["1024"] ?? null });
  return {
    cpu: { model: r.cpu.model, isa: r.cpu.isa, nativeF32Lanes: r.cpu.nativeF32Lanes },
    peak: { simd128: peak("simd128"), relaxed: peak("relaxed") },
    sgemm: {
      ort1t: "reason" in r.ort ? { value: null, reason: r.ort.reason } : { value: r.ort.gflops },
      torch1t: r.torch.gflops ? { value: r.torch.gflops } : { value: null, reason: r.torch.reason },
      bsfnetSimd128: r.bsfnetGemm.simd128.value
        ? { value: pair(r.bsfnetGemm.simd128.value) }
        : { value: null, reason: r.bsfnetGemm.simd128.reason ?? "not measured" },
      bsfnetRelaxed: r.bsfnetGemm.relaxed.value
        ? { value: pair(r.bsfnetGemm.relaxed.value) }
        : { value: null, reason: r.bsfnetGemm.relaxed.reason ?? "not measured" },
    },
  };
}

const f1 = (v: Num | undefined) => (v === null || v === undefined ? "–" : v.toFixed(1));
const x2 = (v: Num | undefined) => (v === null || v === undefined ? "–" : `${v.toFixed(2)}×`);
const int = (v: Num | undefined) =>
  v === null || v === undefined ? "–" : v.toLocaleString("en-US", { maximumFractionDigits: 0 });

/** The section of RESULTS.md (and the whole of CEILING.md). */
export function ceilingMarkdown(r: CeilingRun, c: CeilingSummary, peers: PeerResults | null, heading = "##"): string[] {
  const peakRows = (["simd128", "relaxed"] as const).map((b) => {
    const p = r.peaks[b];
    if ("reason" in p) return `| ${b} | – | ${["–", "–", "–", "–"].join(" | ")} | – (${p.reason}) |`;
    const cell = (x: (typeof p.rows)[number]) =>
      `${x.gflops.toFixed(1)}${x.stackAccesses === null ? " (?)" : x.stackAccesses > 0 ? ` (${x.stackAccesses} stack)` : ""}`;
    return `| ${b} | ${p.op} | ${p.rows.map(cell).join(" | ")} | **${p.best.toFixed(1)}** (${p.bestChains} chains) |`;
  });
  const chains = "reason" in r.peaks.relaxed ? [8, 10, 12, 14] : r.peaks.relaxed.rows.map((x) => x.chains);
  const sg = c.sgemmGflops;
  const ortNote =
    "reason" in r.ort ? r.ort.reason : `one intra-op thread; process CPU / wall ${r.ort.cpuOverWall.toFixed(2)}`;
  const torchNote = r.torch.gflops
    ? `PyTorch ${r.torch.torch}, \`torch.set_num_threads(1)\`, BLAS pools of 1; CPU / wall ${r.torch.cpuOverWall.toFixed(2)}`
    : r.torch.reason;
  const P = c.wasmPeakGflops[c.build];
  const lines = [
    `${heading} What this machine's instruction sets allow (one thread)`,
    "",
    `Measured by bench/ceiling/ (\`npm run bench:ceiling\` alone), ${r.seconds.toFixed(0)} s; other processes used ${r.others.toFixed(2)} cores on average while it timed${r.others > 0.2 ? " — **busy: noisy figures**" : ""}.`,
    "",
    `- CPU: ${c.cpu}; vector ISA ${c.vectorIsa} (${c.nativeF32Lanes ?? "?"} f32 lanes a register; flags: ${r.cpu.flags.join(" ") || "–"}). WebAssembly SIMD is 128 bits wide: 4 f32 lanes, whatever the CPU.`,
    "- wasm peak: register-only loops (bench/ceiling/assembly/peak.ts, built by `npm run asbuild:ceiling`), N independent chains " +
      "a = a · m + c of f32x4 values, no memory; GFLOP/s = N · 4 lanes · 2 per round over CPU time, best of 7 samples after a warm-up by time. " +
      "\"stack\": loads and stores inside the loop of V8's optimized code (`node --print-wasm-code`; ?: no listing of that loop): past x64's 16 xmm registers (V8 keeps one as scratch) V8 spills and the rate drops " +
      "(at 12 chains the one access is V8 reloading an f32 parameter each round, not a chain). " +
      "The fused loop saturates the core's two 128-bit FMA pipes (16 FLOPs a cycle) from 10 chains on; the multiply-then-add loop has the multiply on each chain (two latencies a round) " +
      "and runs out of registers before it hides them, so its figure is what a register-only loop reaches, not the pipes' limit (a GEMM's products are off the chain).",
    "",
    `| build | loop | ${chains.map((n) => `${n} chains`).join(" | ")} | peak |`,
    `|---|---|${chains.map(() => "---:").join("|")}|---:|`,
    ...peakRows,
    "",
    "Single-thread SGEMM, C = A · B of n×n float32 matrices, GFLOP/s (2n³ over the best sample's CPU time):",
    "",
    "| engine | 512³ | 1024³ | how |",
    "|---|---:|---:|---|",
    `| onnxruntime-node (native, ${c.vectorIsa}) | ${f1(sg.ort1t["512"])} | ${f1(sg.ort1t["1024"])} | a one-MatMul ONNX graph (src/export/onnx.ts on a bias-free Dense); ${ortNote} |`,
    `| PyTorch CPU build (native) | ${f1(sg.torch1t["512"])} | ${f1(sg.torch1t["1024"])} | \`torch.matmul\` (scripts/reference/peak_torch.py); ${torchNote} |`,
    `| bsfnet simd128 | ${f1(sg.bsfnetSimd128["512"])} | ${f1(sg.bsfnetSimd128["1024"])} | gemm_nn (${r.gemmSource}) |`,
    `| bsfnet relaxed | ${f1(sg.bsfnetRelaxed["512"])} | ${f1(sg.bsfnetRelaxed["1024"])} | gemm_nn (${r.gemmSource}) |`,
    `| wasm peak (${c.build}) | ${f1(P)} | ${f1(P)} | the loops above: no GEMM can pass it |`,
    "",
    `The wasm peak over the native SGEMM at 1024³: ${x2(c.peakOverSgemm1024.ort1t)} of onnxruntime-node's, ${x2(c.peakOverSgemm1024.torch1t)} of PyTorch's; ` +
      `f32 lanes ${c.wasmF32Lanes} against ${c.nativeF32Lanes ?? "?"}: ${c.nativeF32Lanes ? x2(c.wasmF32Lanes / c.nativeF32Lanes) : "–"}. ` +
      "That, not a half, is what a GEMM-bound net can reach against a native AVX-512 peer on one core.",
    "",
  ];
  // the ceilings, target by target
  const e = peers?.defaultEngine ?? "bsfnet";
  const work = (net: string, pass: "inference" | "training") => {
    const f = peers?.forwardFlops?.[net];
    return typeof f === "number" ? forwardWork(net, f, pass) : null;
  };
  const rows: [string, Num, Num, Num, Num][] = [];
  if (peers) {
    const inf = (net: string, B: number, label: string, ceil: Num) => {
      const peer = inferFigure(peers, net, B, "ort 1t");
      const own = inferFigure(peers, net, B, e);
      rows.push([label, peer, work(net, "inference"), own !== null && peer ? own / peer : null, ceil]);
    };
    inf("musk2", 256, "Musk2 inference, batch 256, vs onnxruntime-node 1t (target 0.5×)", c.inferB256VsOrt.musk2);
    inf("kdd99", 256, "KDD99 inference, batch 256, vs onnxruntime-node 1t (target 0.5×)", c.inferB256VsOrt.kdd99);
    inf("cnn", 256, "CNN inference, batch 256, vs onnxruntime-node 1t (target 1.0×)", c.inferB256VsOrt.cnn);
    inf("cnn", 1, "CNN inference, batch 1, vs onnxruntime-node 1t (target 1.0×)", c.cnnB1VsOrt);
    const w = work("musk2", "training");
    for (const [kind, ceil] of [
      ["fresh", c.musk2B128.overTorch1tFresh],
      ["steady", c.musk2B128.overTorch1t],
    ] as const) {
      const peer = trainFigure(peers, "musk2", 128, "torch 1t", kind);
      const own = trainFigure(peers, "musk2", 128, e, kind);
      rows.push([
        `Musk2 training, batch 128, ${kind}, vs PyTorch 1t (target 1.0×)`,
        peer,
        w && 3 * w,
        own !== null && peer ? own / peer : null,
        ceil,
      ]);
    }
    const peer = trainFigure(peers, "musk2", 128, "torch 1t", "steady");
    const own = trainFigure(peers, "musk2", 128, `${e} 2t`, "steady");
    rows.push([
      "Musk2 training, batch 128, steady, **two threads** vs PyTorch **one** (ceiling: twice the peak)",
      peer,
      w && 3 * w,
      own !== null && peer ? own / peer : null,
      c.twoThreads.musk2B128OverTorch1t,
    ]);
  }
  lines.push(
    `Ceilings: the best ratio ${e} / peer one thread could reach if every kernel ran at the wasm peak of the ${c.build} build ` +
      `(${f1(P)} GFLOP/s) while the peer stays as measured: peak / (peer samples/s × the FLOPs bsfnet must do per sample). ` +
      "An upper bound: only the products' multiply-adds count (bias, activations, pooling, softmax, Adam, memory traffic are free); " +
      "dense layers and conv_1 in direct form, the CNN's conv_2 as its Winograd products (at inference F(6×6, 3×3), 0.20 of the direct count; in training F(4×4, 3×3), a quarter), " +
      "training as 3× the forward work, every input column counted: in its steady state bsfnet leaves the columns of the " +
      "Musk2 net's closed gates (85% of the first layer's inputs on this data) out of that layer's forward and kernel " +
      "gradient (docs/design/dense-columns.md), about 9% of the step's products, so the steady row's ceiling is low by " +
      `as much and its measured / ceiling high by as much. Peer figures: ${c.peers}.`,
    "",
    "| target | peer samples/s | bsfnet work per sample (MFLOP) | bsfnet at the peak (samples/s) | ceiling | measured | measured / ceiling |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map(([label, peer, wk, measured, ceil]) => {
      const two = /two threads/.test(label) ? 2 : 1;
      const atPeak = P !== null && wk ? (two * P * 1e9) / wk : null;
      return `| ${label} | ${int(peer)} | ${wk === null ? "–" : (wk / 1e6).toFixed(2)} | ${int(atPeak)} | ${x2(ceil)} | ${x2(measured)} | ${measured !== null && ceil ? `${Math.round((100 * measured) / ceil)}%` : "–"} |`;
    }),
    "",
  );
  if (!peers) lines.push("No peer figures: the ceilings need the peers' samples/s on the nets.", "");
  return lines;
}

/** The last `npm run bench` run's peers (bench/results.json), for the ceilings of a run alone. */
export function quotedPeers(file: string): { peers: Maybe<PeerResults>; source: string } {
  if (!existsSync(file))
    return { peers: { value: null, reason: `no ${path.basename(file)}` }, source: "none (no bench/results.json)" };
  const j = JSON.parse(readFileSync(file, "utf8")) as { peers?: PeerResults; date?: string; commit?: string };
  if (!j.peers || !Array.isArray(j.peers.infer))
    return { peers: { value: null, reason: "bench/results.json has no peers" }, source: "none" };
  return {
    peers: { value: j.peers },
    source: `quoted from bench/results.json (\`npm run bench\` of ${j.date ?? "?"}, commit ${j.commit ?? "?"}), not measured beside these peaks`,
  };
}

/** CEILING.md: the section under its own title. */
export function ceilingFile(r: CeilingRun, c: CeilingSummary, peers: PeerResults | null, command: string): string {
  return [
    "# What this machine's instruction sets allow",
    "",
    `Generated by \`${command}\` on ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}; do not edit by hand. ` +
      "`npm run bench` writes the same section into RESULTS.md, its ceilings from the peers of its own run; " +
      "`npm run bench:ceiling` alone quotes the peers of the last bench/results.json.",
    "",
    ...ceilingMarkdown(r, c, peers).slice(2),
  ].join("\n");
}

export function writeCeiling(
  out: string,
  r: CeilingRun,
  c: CeilingSummary,
  peers: PeerResults | null,
  command: string,
): void {
  writeFileSync(path.join(out, "CEILING.md"), `${ceilingFile(r, c, peers, command)}\n`);
  writeFileSync(
    path.join(out, "ceiling-results.json"),
    `${JSON.stringify({ command, run: r, ceiling: c }, null, 1)}\n`,
  );
}

const SELF = fileURLToPath(import.meta.url);
if (process.argv[1] && fileURLToPath(`file://${process.argv[1]}`) === SELF) {
  const { enableRelaxedSimd } = await import("../../src/runtime/wasm.js");
  await enableRelaxedSimd();
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const outArg = argv.indexOf("--out");
  const here = path.dirname(fileURLToPath(new URL("../RESULTS.md", import.meta.url)));
  const out = outArg >= 0 ? argv[outArg + 1] : here;
  console.log(
    `bsfnet ceiling${quick ? " (quick)" : ""}: load ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")}`,
  );
  const run = await measureCeiling({ quick, log: console.log });
  const { peers, source } = quotedPeers(path.join(here, "results.json"));
  const reasons: Record<string, string> = {};
  const ceiling = assembleCeiling({ measured: { value: toMeasured(run) }, peers, peersSource: source }, reasons);
  console.log(`\n${ceilingFile(run, ceiling, peers.value, "npm run bench:ceiling")}`);
  if (Object.keys(reasons).length) console.log(`missing: ${JSON.stringify(reasons)}`);
  if (!quick || outArg >= 0) {
    writeCeiling(out, run, ceiling, peers.value, "npm run bench:ceiling");
    console.log(`wrote ${out}/CEILING.md and ceiling-results.json`);
  }
}
