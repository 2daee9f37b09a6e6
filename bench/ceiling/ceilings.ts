// What this machine's instruction sets allow (pure arithmetic; bench/ceiling/ceiling.ts measures).
// A ceiling is the best ratio bsfnet / peer that one thread could reach if every kernel ran at
// the measured wasm peak while the peer stays as measured:
//
//   ceiling = peer's time per sample / bsfnet's least time per sample
//           = wasm peak GFLOP/s / (peer samples/s × the FLOPs bsfnet must do per sample / 1e9)
//
// It is an upper bound: the work counts only the multiply-adds of the products (2 FLOPs each);
// bias, ReLU, pooling, softmax, Adam, the Winograd transforms and the memory traffic are free.
// The work is what bsfnet's algorithms need: the dense layers and conv_1 in direct form, the Table 6
// CNN's conv_2 as Winograd products: F(6×6, 3×3) at inference (64 products per 6×6 output tile
// instead of 36 × 9 = 324, assembly/winograd6.ts), F(4×4, 3×3) in training (36 per 4×4 tile
// instead of 144, assembly/winograd.ts); training as forward + input gradient + weight gradient
// (3× forward).
// Two threads: twice the one-thread peak.
import type { PeerResults } from "../peers/peers.js";
import { inferFigure, trainFigure, type Maybe, type Num } from "../summary.js";

export type WasmBuild = "simd128" | "relaxed";

/** conv_2 of the Table 6 CNN: 26×26×32 → 24×24×64, 3×3. */
export const CNN_CONV2 = { OH: 24, OW: 24, C: 32, OC: 64 } as const;

/** FLOPs of a 3×3 convolution in direct form, one sample. */
export function directConv3x3Flops(c: { OH: number; OW: number; C: number; OC: number }): number {
  return 2 * c.OH * c.OW * 9 * c.C * c.OC;
}

/** FLOPs of the products of a 3×3 convolution as Winograd F(4×4, 3×3): 36 per tile per channel pair. */
export function winogradF4x4Flops(c: { OH: number; OW: number; C: number; OC: number }): number {
  return 2 * Math.ceil(c.OH / 4) * Math.ceil(c.OW / 4) * 36 * c.C * c.OC;
}

/** FLOPs of the products of a 3×3 convolution as Winograd F(6×6, 3×3): 64 per tile per channel pair. */
export function winogradF6x6Flops(c: { OH: number; OW: number; C: number; OC: number }): number {
  return 2 * Math.ceil(c.OH / 6) * Math.ceil(c.OW / 6) * 64 * c.C * c.OC;
}

/** FLOPs per sample of a forward pass as bsfnet computes it, from the direct-form count of
 * bench/peers (forwardFlops): the CNN's conv_2 replaced by its Winograd products, F(6×6, 3×3) in
 * an inference pass, F(4×4, 3×3) in a training step's. */
export function forwardWork(net: string, directForward: number, pass: "inference" | "training"): number {
  if (net !== "cnn") return directForward;
  const winograd = pass === "inference" ? winogradF6x6Flops(CNN_CONV2) : winogradF4x4Flops(CNN_CONV2);
  return directForward - directConv3x3Flops(CNN_CONV2) + winograd;
}

/** ceiling = peak / (peer samples/s × work per sample). */
export function ceilingRatio(peakGflops: Num, peerSps: Num, workFlops: Num): Maybe<number> {
  if (peakGflops === null || !(peakGflops > 0)) return { value: null, reason: "wasm peak not measured" };
  if (peerSps === null || !(peerSps > 0)) return { value: null, reason: "peer not measured" };
  if (workFlops === null || !(workFlops > 0)) return { value: null, reason: "no FLOP count for the net" };
  return { value: (peakGflops * 1e9) / (peerSps * workFlops) };
}

export interface CeilingSummary {
  cpu: string;
  vectorIsa: string;
  nativeF32Lanes: Num;
  wasmF32Lanes: 4;
  /** the register-only loops (bench/ceiling/assembly/peak.ts), best chain count */
  wasmPeakGflops: { simd128: Num; relaxed: Num };
  /** single-thread SGEMM at n×n×n */
  sgemmGflops: {
    ort1t: { "512": Num; "1024": Num };
    torch1t: { "512": Num; "1024": Num };
    bsfnetSimd128: { "512": Num; "1024": Num };
    bsfnetRelaxed: { "512": Num; "1024": Num };
  };
  /** the wasm peak (of `build`) over each peer's SGEMM at 1024³: the GEMM-bound ratio's limit */
  peakOverSgemm1024: { ort1t: Num; torch1t: Num };
  /** the build whose peak the ceilings use: the one the headline ratios are measured on */
  build: WasmBuild;
  /** where the peer figures come from: this run, or quoted (bench:ceiling alone) */
  peers: string;
  inferB256VsOrt: { musk2: Num; kdd99: Num; cnn: Num };
  musk2B128: { overTorch1t: Num; overTorch1tFresh: Num };
  cnnB1VsOrt: Num;
  /** two threads (twice the peak) against the peer on one */
  twoThreads: { musk2B128OverTorch1t: Num };
}

export interface CeilingMeasured {
  cpu: { model: string; isa: string; nativeF32Lanes: number | null };
  peak: { simd128: Maybe<number>; relaxed: Maybe<number> };
  sgemm: {
    ort1t: Maybe<{ "512": Num; "1024": Num }>;
    torch1t: Maybe<{ "512": Num; "1024": Num }>;
    bsfnetSimd128: Maybe<{ "512"?: Num; "1024"?: Num }>;
    bsfnetRelaxed: Maybe<{ "512"?: Num; "1024"?: Num }>;
  };
}

export interface CeilingInput {
  measured: Maybe<CeilingMeasured>;
  peers: Maybe<PeerResults>;
  peersSource: string;
}

/** The default engine's build: "bsfnet relaxed" runs the relaxed build. */
export const buildOf = (engine: string): WasmBuild => (/relaxed/.test(engine) ? "relaxed" : "simd128");

/** summary.json's `ceiling`, with a reason (keyed "ceiling.…") for every null. */
export function assembleCeiling(i: CeilingInput, reasons: Record<string, string>): CeilingSummary {
  const m = i.measured.value;
  const why = i.measured.value === null ? i.measured.reason : "";
  const take = (key: string, v: Maybe<number>): Num => {
    if (v.value === null) reasons[`ceiling.${key}`] = v.reason;
    return v.value;
  };
  const peak = (b: WasmBuild): Num => take(`wasmPeakGflops.${b}`, m ? m.peak[b] : { value: null, reason: why });
  const sg = (k: keyof CeilingMeasured["sgemm"]) => {
    const g = m ? m.sgemm[k] : ({ value: null, reason: why } as const);
    const one = (n: "512" | "1024"): Num => {
      if (g.value === null) return take(`sgemmGflops.${k}.${n}`, { value: null, reason: g.reason });
      const v = g.value[n];
      return take(
        `sgemmGflops.${k}.${n}`,
        typeof v === "number" ? { value: v } : { value: null, reason: `no ${n}³ figure` },
      );
    };
    return { "512": one("512"), "1024": one("1024") };
  };
  const p = i.peers.value;
  const build = p ? buildOf(p.defaultEngine) : "relaxed";
  const wasmPeakGflops = { simd128: peak("simd128"), relaxed: peak("relaxed") };
  const P = wasmPeakGflops[build];
  const work = (net: string, pass: "inference" | "training"): Num => {
    const f = p?.forwardFlops?.[net];
    return typeof f === "number" && f > 0 ? forwardWork(net, f, pass) : null;
  };
  const noPeers = { value: null, reason: `peers: ${i.peers.reason}` } as const;
  const vsOrt = (key: string, net: string, B: number) =>
    take(key, p ? ceilingRatio(P, inferFigure(p, net, B, "ort 1t"), work(net, "inference")) : noPeers);
  const vsTorch = (key: string, kind: "fresh" | "steady", peak2 = 1) => {
    const w = work("musk2", "training");
    return take(
      key,
      p
        ? ceilingRatio(P === null ? null : peak2 * P, trainFigure(p, "musk2", 128, "torch 1t", kind), w && 3 * w)
        : noPeers,
    );
  };
  const sgemmGflops = {
    ort1t: sg("ort1t"),
    torch1t: sg("torch1t"),
    bsfnetSimd128: sg("bsfnetSimd128"),
    bsfnetRelaxed: sg("bsfnetRelaxed"),
  };
  const over = (g: Num): Num => (P === null || g === null || !(g > 0) ? null : P / g);
  return {
    cpu: m?.cpu.model ?? "unknown",
    vectorIsa: m?.cpu.isa ?? "unknown",
    nativeF32Lanes: m?.cpu.nativeF32Lanes ?? null,
    wasmF32Lanes: 4,
    wasmPeakGflops,
    sgemmGflops,
    peakOverSgemm1024: { ort1t: over(sgemmGflops.ort1t["1024"]), torch1t: over(sgemmGflops.torch1t["1024"]) },
    build,
    peers: i.peersSource,
    inferB256VsOrt: {
      musk2: vsOrt("inferB256VsOrt.musk2", "musk2", 256),
      kdd99: vsOrt("inferB256VsOrt.kdd99", "kdd99", 256),
      cnn: vsOrt("inferB256VsOrt.cnn", "cnn", 256),
    },
    musk2B128: {
      overTorch1t: vsTorch("musk2B128.overTorch1t", "steady"),
      overTorch1tFresh: vsTorch("musk2B128.overTorch1tFresh", "fresh"),
    },
    cnnB1VsOrt: vsOrt("cnnB1VsOrt", "cnn", 1),
    twoThreads: { musk2B128OverTorch1t: vsTorch("twoThreads.musk2B128OverTorch1t", "steady", 2) },
  };
}

/** An empty ceiling (nothing measured), every figure null with the reason. */
export function missingCeiling(reason: string, reasons: Record<string, string>): CeilingSummary {
  return assembleCeiling(
    { measured: { value: null, reason }, peers: { value: null, reason }, peersSource: "not measured" },
    reasons,
  );
}
