// bench/ceiling/: the ceiling arithmetic and summary.json's `ceiling` from made-up figures (with
// peers and measurements missing), the peak loops against a scalar reference (the module compiled
// here from bench/ceiling/asconfig.json), the code-listing and cpuinfo parsers, and the one-MatMul
// ONNX graph the native SGEMM runs. No timing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assembleCeiling,
  buildOf,
  ceilingRatio,
  CNN_CONV2,
  directConv3x3Flops,
  forwardWork,
  type CeilingMeasured,
  winogradF4x4Flops,
  winogradF6x6Flops,
} from "../../bench/ceiling/ceilings.js";
import { CHAINS, exportIndices, loopFlops, loopStackAccesses, PEAK_OP } from "../../bench/ceiling/peak.js";
import { matmulSpec, parseCpuinfo } from "../../bench/ceiling/native.js";
import { ceilingMarkdown, type CeilingRun } from "../../bench/ceiling/ceiling.js";
import { assembleSummary, checksMarkdown, headlineChecks } from "../../bench/summary.js";
import type { PeerResults } from "../../bench/peers/peers.js";
import { toOnnx } from "../../src/export/onnx.js";

const FORWARD = { musk2: 340_000, kdd99: 20_000, cnn: 24_000_000 };

function peers(o: { twoThreadInfer?: boolean } = {}): PeerResults {
  const train = [];
  const infer = [];
  for (const net of ["musk2", "kdd99", "cnn"] as const) {
    for (const B of [32, 128]) {
      train.push({ net, B, engine: "bsfnet relaxed", steps: 2048, window: 200, fresh: 48_000, steady: 50_000 });
      train.push({ net, B, engine: "bsfnet relaxed 2t", steps: 2048, window: 200, fresh: 80_000, steady: 75_000 });
      train.push({ net, B, engine: "torch 1t", steps: 2048, window: 200, fresh: 60_000, steady: 64_000 });
    }
    for (const B of [1, 32, 128, 256]) {
      infer.push({ net, B, engine: "bsfnet relaxed", sps: 100 * B });
      infer.push({ net, B, engine: "ort 1t", sps: 400 * B });
      if (o.twoThreadInfer) {
        infer.push({ net, B, engine: "bsfnet relaxed 2t", sps: 180 * B });
        infer.push({ net, B, engine: "ort 2t", sps: 720 * B });
      }
    }
  }
  return {
    trainBatches: [32, 128],
    inferBatches: [1, 32, 128, 256],
    bsfnetEngines: ["bsfnet simd128", "bsfnet relaxed", "bsfnet relaxed 2t"],
    defaultEngine: "bsfnet relaxed",
    train,
    infer,
    notes: {},
    torch: { python: "/usr/bin/python3", version: "1.13" },
    ort: "1.30.0",
    warmupSeconds: 0.5,
    rounds: 2,
    seconds: 1,
    forwardFlops: { ...FORWARD },
  };
}

const measured: CeilingMeasured = {
  cpu: { model: "Test CPU", isa: "AVX-512", nativeF32Lanes: 16 },
  peak: { simd128: { value: 50 }, relaxed: { value: 60 } },
  sgemm: {
    ort1t: { value: { "512": 200, "1024": 210 } },
    torch1t: { value: null, reason: "no Python that imports torch" },
    bsfnetSimd128: { value: { "512": 45, "1024": 44 } },
    bsfnetRelaxed: { value: { "512": 55 } },
  },
};

describe("ceiling arithmetic", () => {
  it("counts conv_2 of the Table 6 CNN in direct form and as Winograd F(4×4, 3×3) and F(6×6, 3×3) products", () => {
    expect(directConv3x3Flops(CNN_CONV2)).toBe(2 * 24 * 24 * 9 * 32 * 64);
    // 6 × 6 tiles of 4 × 4 outputs, 36 products each: exactly a quarter of the direct count
    expect(winogradF4x4Flops(CNN_CONV2)).toBe(2 * 36 * 36 * 32 * 64);
    expect(winogradF4x4Flops(CNN_CONV2) * 4).toBe(directConv3x3Flops(CNN_CONV2));
    // tiles round up: a 5 × 5 output needs 2 × 2 tiles
    expect(winogradF4x4Flops({ OH: 5, OW: 5, C: 1, OC: 1 })).toBe(2 * 4 * 36);
    expect(forwardWork("musk2", 1234, "inference")).toBe(1234);
    expect(forwardWork("cnn", 24_000_000, "training")).toBe(24_000_000 - 0.75 * directConv3x3Flops(CNN_CONV2));
    // inference: 4 × 4 tiles of 6 × 6 outputs, 64 products each (64 / 324 of the direct count)
    expect(winogradF6x6Flops(CNN_CONV2)).toBe(2 * 16 * 64 * 32 * 64);
    expect(winogradF6x6Flops({ OH: 7, OW: 5, C: 1, OC: 1 })).toBe(2 * 2 * 64);
    expect(forwardWork("cnn", 24_000_000, "inference")).toBe(
      24_000_000 - directConv3x3Flops(CNN_CONV2) + winogradF6x6Flops(CNN_CONV2),
    );
  });

  it("is the peak over the peer's samples/s times the work, or null and why", () => {
    expect(ceilingRatio(60, 100_000, 1_000_000).value).toBeCloseTo(0.6, 12);
    expect(ceilingRatio(null, 1, 1)).toEqual({ value: null, reason: "wasm peak not measured" });
    expect(ceilingRatio(60, null, 1).reason).toBe("peer not measured");
    expect(ceilingRatio(60, 1, 0).reason).toBe("no FLOP count for the net");
    expect(buildOf("bsfnet relaxed")).toBe("relaxed");
    expect(buildOf("bsfnet simd128")).toBe("simd128");
  });

  it("assembles summary.json's ceiling on the default engine's build", () => {
    const reasons: Record<string, string> = {};
    const c = assembleCeiling(
      { measured: { value: measured }, peers: { value: peers() }, peersSource: "this run" },
      reasons,
    );
    expect(c.build).toBe("relaxed");
    expect(c.wasmPeakGflops).toEqual({ simd128: 50, relaxed: 60 });
    // Musk2 at batch 256: ort 102,400 samples/s × 0.34 MFLOP = 34.8 GFLOP/s; 60 / 34.8
    expect(c.inferB256VsOrt.musk2).toBeCloseTo(60e9 / (400 * 256 * FORWARD.musk2), 12);
    expect(c.inferB256VsOrt.kdd99).toBeCloseTo(60e9 / (400 * 256 * FORWARD.kdd99), 12);
    expect(c.inferB256VsOrt.cnn).toBeCloseTo(60e9 / (400 * 256 * forwardWork("cnn", FORWARD.cnn, "inference")), 12);
    expect(c.cnnB1VsOrt).toBeCloseTo(60e9 / (400 * forwardWork("cnn", FORWARD.cnn, "inference")), 12);
    // training: 3× the forward work against PyTorch's steady and fresh rows; two threads: twice the peak
    expect(c.musk2B128.overTorch1t).toBeCloseTo(60e9 / (64_000 * 3 * FORWARD.musk2), 12);
    expect(c.musk2B128.overTorch1tFresh).toBeCloseTo(60e9 / (60_000 * 3 * FORWARD.musk2), 12);
    expect(c.twoThreads.musk2B128OverTorch1t).toBeCloseTo(2 * (c.musk2B128.overTorch1t as number), 12);
    expect(c.sgemmGflops.ort1t).toEqual({ "512": 200, "1024": 210 });
    expect(c.sgemmGflops.torch1t).toEqual({ "512": null, "1024": null });
    expect(c.peakOverSgemm1024).toEqual({ ort1t: 60 / 210, torch1t: null });
    expect(reasons["ceiling.sgemmGflops.torch1t.512"]).toBe("no Python that imports torch");
    expect(c.sgemmGflops.bsfnetRelaxed["1024"]).toBeNull();
    expect(reasons["ceiling.sgemmGflops.bsfnetRelaxed.1024"]).toBe("no 1024³ figure");
    expect(c.nativeF32Lanes).toBe(16);
    expect(c.wasmF32Lanes).toBe(4);
  });

  it("gives null and the reason when the peak or the peers are missing", () => {
    const reasons: Record<string, string> = {};
    const noPeak = { ...measured, peak: { simd128: { value: 50 }, relaxed: { value: null, reason: "no relaxed" } } };
    const c = assembleCeiling(
      { measured: { value: noPeak as CeilingMeasured }, peers: { value: peers() }, peersSource: "x" },
      reasons,
    );
    expect(c.inferB256VsOrt.musk2).toBeNull();
    expect(reasons["ceiling.inferB256VsOrt.musk2"]).toBe("wasm peak not measured");
    expect(reasons["ceiling.wasmPeakGflops.relaxed"]).toBe("no relaxed");
    const r2: Record<string, string> = {};
    const none = assembleCeiling(
      {
        measured: { value: null, reason: "ceiling bench failed" },
        peers: { value: null, reason: "peers failed" },
        peersSource: "x",
      },
      r2,
    );
    expect(none.wasmPeakGflops).toEqual({ simd128: null, relaxed: null });
    expect(none.cnnB1VsOrt).toBeNull();
    expect(r2["ceiling.cnnB1VsOrt"]).toMatch(/peers failed/);
    expect(r2["ceiling.sgemmGflops.ort1t.512"]).toBe("ceiling bench failed");
  });
});

describe("summary.json and the must-show table with the ceiling", () => {
  const input = (p: PeerResults) => ({
    peers: { value: p },
    threads: { value: { cnn: { b32: 1.8, b128: 1.9 } } },
    gemm: {
      simd128: { value: { "512": 41, "1024": 39, tn: 45 } },
      relaxed: { value: { "512": 50, "1024": 51, tn: 49 } },
    },
    load: { value: { rps: 700, p50: 10, p99: 50, errors: 0, rssGrowthMiB: 3 } },
    ceiling: { value: measured },
    commit: "abc1234",
    date: "2026-12-02T00:00:00Z",
  });

  it("adds ceiling and twoThreads and keeps every other field", () => {
    const s = assembleSummary(input(peers()));
    expect(s.inferB256VsOrt).toEqual({ musk2: 0.25, kdd99: 0.25, cnn: 0.25 });
    expect(s.ceiling.inferB256VsOrt.musk2).toBeCloseTo(60e9 / (400 * 256 * FORWARD.musk2), 12);
    expect(s.ceiling.peers).toBe("this run");
    expect(s.twoThreads.musk2B128OverTorch1t.fresh).toBeCloseTo(80_000 / 60_000, 12);
    expect(s.twoThreads.musk2B128OverTorch1t.steady).toBeCloseTo(75_000 / 64_000, 12);
    expect(s.twoThreads.inferB256VsOrt1t).toBeUndefined(); // no two-thread inference measured
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const without = assembleSummary({ ...input(peers()), ceiling: undefined });
    expect(without.ceiling.inferB256VsOrt.musk2).toBeNull();
    expect(without.reasons["ceiling.wasmPeakGflops.relaxed"]).toBe("ceiling not measured");
  });

  it("puts a ceiling beside each target and the two-thread rows apart", () => {
    const s = assembleSummary(input(peers({ twoThreadInfer: true })));
    expect(s.twoThreads.inferB256VsOrt1t?.musk2).toBeCloseTo(180 / 400, 12);
    expect(s.twoThreads.inferB256VsOrt2t?.cnn).toBeCloseTo(180 / 720, 12);
    expect(s.twoThreads.cnnB1VsOrt2t).toBeCloseTo(180 / 720, 12);
    const checks = headlineChecks(s, peers({ twoThreadInfer: true }), 100);
    const by = (re: RegExp) => checks.filter((c) => re.test(c.target));
    const mlp = by(/0.5× onnxruntime-node on the MLPs/)[0];
    expect(mlp.ceiling).toBe(
      `Musk2 ${(s.ceiling.inferB256VsOrt.musk2 as number).toFixed(2)}×, KDD99 ${(s.ceiling.inferB256VsOrt.kdd99 as number).toFixed(2)}×`,
    );
    expect(by(/GEMM ≥ 48/)[0].ceiling).toBe("wasm peak 60.0 (fused multiply-add loop)");
    expect(by(/load test/)[0].ceiling).toBe("–");
    const two = by(/two threads\*\* against one/);
    expect(two).toHaveLength(1);
    expect(two[0].reference).toBe(true);
    expect(two[0].measured).toBe(`fresh ${(80_000 / 60_000).toFixed(2)}×, steady ${(75_000 / 64_000).toFixed(2)}×`);
    expect(by(/inference, bsfnet on two threads/)).toHaveLength(2);
    const md = checksMarkdown(checks);
    expect(md[0]).toBe("| target | measured | met? | ceiling on this machine (one thread) |");
    expect(md.slice(2).every((l) => l.split(" | ").length === 4)).toBe(true);
    expect(md.find((l) => l.includes("two threads** against one"))).toMatch(/not the target's terms; above 1/);
  });

  it("renders the section from a run, with and without peers", () => {
    const run: CeilingRun = {
      cpu: { model: "Test CPU", isa: "AVX-512", nativeF32Lanes: 16, fma: true, flags: ["avx512f"] },
      peaks: {
        simd128: {
          op: "f32x4.mul + f32x4.add",
          rows: CHAINS.map((chains) => ({ chains, gflops: 40, stackAccesses: 0 })),
          best: 40,
          bestChains: 8,
        },
        relaxed: { reason: "this engine does not validate the relaxed build" },
      },
      ort: { gflops: { "512": 200, "1024": 210 }, cpuOverWall: 1 },
      torch: { gflops: null, reason: "no Python that imports torch" },
      bsfnetGemm: { simd128: { value: { "512": 45, "1024": 44 } }, relaxed: { value: null, reason: "no relaxed" } },
      gemmSource: "test",
      seconds: 1,
      others: 0,
    };
    const s = assembleSummary(input(peers()));
    const md = ceilingMarkdown(run, s.ceiling, peers()).join("\n");
    expect(md).toMatch(/vector ISA AVX-512 \(16 f32 lanes/);
    expect(md).toMatch(/\| relaxed \| – \|.*does not validate/);
    expect(md).toMatch(/Musk2 inference, batch 256.*\| 0\.25× \|/);
    expect(ceilingMarkdown(run, s.ceiling, null).join("\n")).toMatch(/No peer figures/);
  });
});

describe("the peak loops", () => {
  let dir = "";
  const exportsOf: Record<string, WebAssembly.Exports> = {};
  beforeAll(async () => {
    const { main } = await import("assemblyscript/asc");
    dir = mkdtempSync(join(tmpdir(), "bsfnet-peak-"));
    for (const target of ["simd128", "relaxed"]) {
      const outFile = join(dir, `${target}.wasm`);
      const { error } = await main([
        "--config",
        "bench/ceiling/asconfig.json",
        "--target",
        target,
        "--outFile",
        outFile,
      ]);
      expect(error).toBeNull();
      const bytes = readFileSync(outFile);
      if (WebAssembly.validate(bytes))
        exportsOf[target] = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The loop in float32 scalars: chains a_k = seed + k, each round a = a * m + c, then the sum of
   * the chains' vectors and of its 4 equal lanes in the kernel's order. */
  function reference(chains: number, iters: number, seed: number, m: number, c: number, fused: boolean): number {
    const f = Math.fround;
    const [fm, fc] = [f(m), f(c)]; // the kernel takes them as f32 parameters
    let sum = 0;
    for (let k = 0; k < chains; k++) {
      let a = f(f(seed) + k);
      for (let i = 0; i < iters; i++) a = fused ? f(a * fm + fc) : f(f(a * fm) + fc);
      sum = k === 0 ? a : f(sum + a);
    }
    return f(f(f(sum + sum) + sum) + sum);
  }

  it("compute what they are timed for, at every chain count", () => {
    expect(exportsOf.simd128).toBeDefined();
    const cases: [number, number, number, number][] = [
      [0, 0.5, 0.5, 1],
      [1, 1.25, 0.5, 1],
      [7, -3, 0.75, 0.3],
      [33, 2.5, 0.9, 0.1],
    ];
    for (const [build, fused] of [
      ["simd128", false],
      ["relaxed", true],
    ] as const) {
      const ex = exportsOf[build];
      if (!ex) continue; // an engine without relaxed SIMD
      for (const chains of CHAINS) {
        const fn = ex[`${PEAK_OP[build].fn}_${chains}`] as (n: number, s: number, m: number, c: number) => number;
        for (const [iters, seed, m, c] of cases) {
          const want = reference(chains, iters, seed, m, c, fused);
          // relaxed_madd may or may not fuse: within a few float32 roundings either way
          if (build === "simd128") expect(fn(iters, seed, m, c)).toBe(want);
          else expect(Math.abs(fn(iters, seed, m, c) - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-6);
        }
      }
    }
    expect(loopFlops(12, 1000)).toBe(12 * 4 * 2 * 1000);
  });

  it("are found by their export names in the binary", () => {
    const bytes = readFileSync(join(dir, "simd128.wasm"));
    const idx = exportIndices(bytes);
    expect(Object.keys(idx)).toEqual(expect.arrayContaining(CHAINS.map((c) => `madd_${c}`)));
    expect(new Set(CHAINS.map((c) => idx[`madd_${c}`])).size).toBe(CHAINS.length);
  });
});

describe("parsers", () => {
  it("counts the stack accesses of the innermost loop of each TurboFan function", () => {
    const listing = [
      "--- WebAssembly code ---",
      "name: wasm-function[0]",
      "compiler: Liftoff",
      "0x10     0  55    push rbp",
      "0x11    10  c5    vmovups [rbp-0x20],xmm1",
      "0x12    20  7c96  jl 0x10  <+0x10>",
      "--- WebAssembly code ---",
      "name: wasm-function[0]",
      "compiler: TurboFan",
      "0x10     0  55    push rbp",
      "0x11     8  c5    vmovsd [rbp-0xe8],xmm2",
      "0x12    10  c5    vmulps xmm0,xmm0,xmm1",
      "0x13    14  c5    vmovsd xmm2,[rbp-0xe8]",
      "0x14    18  c5    vmovups [rsp+0x10],xmm3",
      "0x15    1c  7c96  jl 0x10  <+0x10>",
      "0x16    20  c5    vmovups [rbp-0x30],xmm4",
      "--- WebAssembly code ---",
      "name: wasm-function[3]",
      "compiler: TurboFan",
      "0x10     0  55    push rbp",
      "0x11    10  c5    vaddps xmm0,xmm0,xmm1",
      "0x12    14  7c96  jl 0x10  <+0x10>",
    ].join("\n");
    const m = loopStackAccesses(listing);
    expect(m.get(0)).toBe(2); // the reload and the store inside [0x10, 0x1c]; not the ones outside
    expect(m.get(3)).toBe(0);
    expect(m.has(1)).toBe(false);
    expect(loopStackAccesses("no listing").size).toBe(0);
  });

  it("reads the vector ISA from /proc/cpuinfo", () => {
    const zen5 = "model name\t: AMD EPYC\nflags\t\t: fpu sse2 fma avx avx2 avx512f avx512_vp2intersect\n";
    expect(parseCpuinfo(zen5)).toMatchObject({ model: "AMD EPYC", isa: "AVX-512", nativeF32Lanes: 16, fma: true });
    expect(parseCpuinfo("model name : X\nflags : sse2 avx avx2 fma\n")).toMatchObject({
      isa: "AVX2",
      nativeF32Lanes: 8,
    });
    expect(parseCpuinfo("", "Apple M2")).toMatchObject({ model: "Apple M2", isa: "unknown", nativeF32Lanes: null });
  });
});

describe("the one-MatMul ONNX graph", () => {
  it("computes input · kernel in onnxruntime-node, on shapes that are not multiples of 4", async () => {
    const [M, K, N] = [3, 5, 7];
    const spec = matmulSpec(K, N);
    const W = spec.layers[0].weights[0].values;
    const x = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i + 1));
    const session = await ort.InferenceSession.create(toOnnx(spec), { intraOpNumThreads: 1 });
    try {
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, [M, K]) });
      const got = out[session.outputNames[0]];
      expect(got.dims).toEqual([M, N]);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += x[i * K + k] * W[k * N + j];
          expect((got.data as Float32Array)[i * N + j]).toBeCloseTo(s, 5);
        }
    } finally {
      await session.release();
    }
  });
});
