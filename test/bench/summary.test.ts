// bench/summary.ts: summary.json's shape and the headline checks, from made-up figures, with
// peers and suites missing (null and the reason beside it). No timing.
import { describe, expect, it } from "vitest";
import {
  assembleSummary,
  checksMarkdown,
  flatLimitMiB,
  headlineChecks,
  type SummaryInput,
} from "../../bench/summary.js";
import type { PeerResults } from "../../bench/peers/peers.js";

function peers(withTorch: boolean): PeerResults {
  const train = [];
  const infer = [];
  for (const net of ["musk2", "kdd99", "cnn"] as const) {
    for (const B of [32, 128]) {
      train.push({ net, B, engine: "bsfnet relaxed", steps: 2048, window: 200, fresh: 1000, steady: 900 });
      train.push({
        net,
        B,
        engine: "torch 1t",
        steps: 2048,
        window: 200,
        fresh: withTorch ? 800 : null,
        steady: withTorch ? 600 : null,
      });
    }
    for (const B of [1, 32, 128, 256]) {
      infer.push({ net, B, engine: "bsfnet relaxed", sps: 100 * B });
      infer.push({ net, B, engine: "ort 1t", sps: 400 * B });
    }
  }
  return {
    trainBatches: [32, 128],
    inferBatches: [1, 32, 128, 256],
    bsfnetEngines: ["bsfnet simd128", "bsfnet relaxed"],
    defaultEngine: "bsfnet relaxed",
    train,
    infer,
    notes: withTorch
      ? {}
      : { "torch 1t": "no Python that imports torch", "bsfnet relaxed 2t": "threads: not available" },
    torch: withTorch ? { python: "/usr/bin/python3", version: "1.13" } : { reason: "no Python that imports torch" },
    ort: "1.30.0",
    warmupSeconds: 0.5,
    rounds: 2,
    seconds: 1,
    forwardFlops: {},
  };
}

const base = (p: PeerResults | null): SummaryInput => ({
  peers: p ? { value: p } : { value: null, reason: "peers failed" },
  threads: { value: null, reason: "threads: fit({threads}) not available in this build" },
  gemm: { simd128: { value: { "512": 41, "1024": 39, tn: 45 } }, relaxed: { value: null, reason: "no relaxed build" } },
  load: { value: { rps: 700, p50: 10, p99: 50, errors: 0, rssGrowthMiB: 3 } },
  commit: "abc1234",
  date: "2026-12-02T00:00:00Z",
});

describe("bench summary", () => {
  it("has exactly the issue's shape, with ratios from the peers", () => {
    const s = assembleSummary(base(peers(true)));
    expect(Object.keys(s).sort()).toEqual(
      [
        "ceiling",
        "cnnB1VsOrt",
        "cnnTwoThreadSpeedup",
        "commit",
        "date",
        "gemmGflops",
        "inferB256VsOrt",
        "load",
        "musk2B128",
        "reasons",
        "twoThreads",
      ].sort(),
    );
    expect(Object.keys(s.gemmGflops.relaxed).sort()).toEqual(["1024", "512", "tn"]);
    expect(s.inferB256VsOrt).toEqual({ musk2: 0.25, kdd99: 0.25, cnn: 0.25 });
    expect(s.musk2B128.steadyOverFresh).toBeCloseTo(0.9, 12);
    expect(s.musk2B128.overTorch1t).toBeCloseTo(1.5, 12);
    expect(s.cnnB1VsOrt).toBe(0.25);
    expect(s.gemmGflops.simd128).toEqual({ "512": 41, "1024": 39, tn: 45 });
    expect(s.load).toEqual({ rps: 700, p50: 10, p99: 50, errors: 0, rssGrowthMiB: 3 });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON
  });

  it("gives null and the reason for every figure a missing suite or peer would give", () => {
    const s = assembleSummary(base(peers(false)));
    expect(s.cnnTwoThreadSpeedup).toEqual({ b32: null, b128: null });
    expect(s.reasons["cnnTwoThreadSpeedup.b32"]).toMatch(/fit\(\{threads\}\) not available/);
    expect(s.gemmGflops.relaxed).toEqual({ "512": null, "1024": null, tn: null });
    expect(s.reasons["gemmGflops.relaxed.tn"]).toBe("no relaxed build");
    expect(s.musk2B128.overTorch1t).toBeNull();
    expect(s.reasons["musk2B128.overTorch1t"]).toMatch(/torch/);
    expect(s.inferB256VsOrt.cnn).toBe(0.25); // ort still ran
    const none = assembleSummary({ ...base(null), load: { value: null, reason: "workerd missing" } });
    expect(none.inferB256VsOrt).toEqual({ musk2: null, kdd99: null, cnn: null });
    expect(none.reasons["inferB256VsOrt.kdd99"]).toMatch(/peers failed/);
    expect(none.load.p99).toBeNull();
    expect(none.reasons["load.errors"]).toBe("workerd missing");
  });

  it("checks the targets: met, missed, or not measured", () => {
    const s = assembleSummary(base(peers(true)));
    const checks = headlineChecks(s, peers(true), 100);
    const by = (re: RegExp) => checks.find((c) => re.test(c.target))!;
    expect(by(/GEMM ≥ 40/).met).toBe(false); // 1024³ at 39
    expect(by(/GEMM ≥ 48/).met).toBeNull();
    expect(by(/0.5× onnxruntime-node on the MLPs/).met).toBe(false);
    expect(by(/Musk2 net, batch 128/).met).toBe(true); // 1000/800 fresh, 900/600 steady
    expect(by(/two threads ≥ 1.7×/).met).toBeNull();
    expect(by(/ahead of PyTorch on two threads/).met).toBeNull();
    expect(by(/load test/).met).toBe(true);
    expect(checksMarkdown(checks)[0]).toBe("| target | measured | met? | ceiling on this machine (one thread) |");
    expect(checksMarkdown(checks)).toHaveLength(checks.length + 2);
  });

  it("calls memory flat within 8 MiB or a tenth of the start", () => {
    expect(flatLimitMiB(40)).toBe(8);
    expect(flatLimitMiB(200)).toBe(20);
    const s = assembleSummary({
      ...base(null),
      load: { value: { rps: 1, p50: 1, p99: 2, errors: 0, rssGrowthMiB: 30 } },
    });
    expect(headlineChecks(s, null, 200).find((c) => /load test/.test(c.target))!.met).toBe(false);
  });
});
