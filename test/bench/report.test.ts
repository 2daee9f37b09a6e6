// The generated sections of RESULTS.md and LOAD.md from made-up figures: every engine a column,
// every net and batch a row, ratios where both figures exist and "–" where a peer is missing.
import { describe, expect, it } from "vitest";
import { peersMarkdown } from "../../bench/peers/report.js";
import { loadMarkdown, type LoadResults } from "../../bench/load/load.js";
import type { PeerResults } from "../../bench/peers/peers.js";

function peers(): PeerResults {
  const engines = ["bsfnet simd128", "bsfnet relaxed", "torch 1t", "torch 2t"];
  const train = [];
  const infer = [];
  for (const net of ["musk2", "kdd99", "cnn"] as const) {
    for (const B of [32, 128])
      for (const engine of engines) {
        const v = engine === "torch 2t" ? null : engine === "torch 1t" ? 500 : 1000;
        train.push({ net, B, engine, steps: 2048, window: 200, fresh: v, steady: v });
      }
    for (const B of [1, 32, 128, 256])
      for (const engine of [...engines, "ort 1t"])
        infer.push({ net, B, engine, sps: engine === "torch 2t" ? null : engine === "ort 1t" ? 4000 : 1000 });
  }
  return {
    trainBatches: [32, 128],
    inferBatches: [1, 32, 128, 256],
    bsfnetEngines: ["bsfnet simd128", "bsfnet relaxed"],
    defaultEngine: "bsfnet relaxed",
    train,
    infer,
    notes: { "torch 2t": "bench_torch.py failed", "bsfnet relaxed 2t": "threads: not available" },
    torch: { python: "/usr/bin/python3", version: "1.13.0" },
    ort: "1.30.0",
    warmupSeconds: 0.5,
    rounds: 2,
    seconds: 100,
    forwardFlops: { musk2: 339360, kdd99: 30000, cnn: 24000000 },
  };
}

describe("bench reports", () => {
  it("renders the peers tables with ratios and the reasons for missing engines", () => {
    const md = peersMarkdown(peers(), 1.5).join("\n");
    expect(md).toMatch(/\*\*busy: noisy figures\*\*/);
    // 1000 and 4000 samples/s of 339,360 FLOPs at batch 256
    expect(md).toMatch(/musk2: bsfnet relaxed 0\.3, ort 1t 1\.4/);
    expect(md).toMatch(/- torch 2t: not measured — bench_torch.py failed/);
    const trainRows = md.split("\n").filter((l) => /^\| (musk2|kdd99|cnn) \| \d+ \| (fresh|steady) \|/.test(l));
    expect(trainRows).toHaveLength(3 * 2 * 2);
    expect(trainRows[0]).toBe("| musk2 | 32 | fresh | 1,000 | 1,000 | 500 | – | 2.00× | – |");
    const inferRows = md.split("\n").filter((l) => /^\| (musk2|kdd99|cnn) \| \d+ \| \d/.test(l));
    expect(inferRows).toHaveLength(3 * 4);
    expect(inferRows[0]).toBe("| musk2 | 1 | 1,000 | 1,000 | 4,000 | 1,000 | – | 0.25× | 1.00× | – |");
  });

  it("two-thread inference engines, where measured, get their columns and the 2t ratios", () => {
    const p = peers();
    for (const net of ["musk2", "kdd99", "cnn"] as const)
      for (const B of [1, 32, 128, 256]) {
        p.infer.push({ net, B, engine: "bsfnet relaxed 2t", sps: B === 1 ? null : 1500 });
        p.infer.push({ net, B, engine: "ort 2t", sps: 6000 });
      }
    const md = peersMarkdown(p, 0).join("\n");
    expect(md).toMatch(
      /\| net \| batch \| bsfnet simd128 \| bsfnet relaxed \| bsfnet relaxed 2t \| ort 1t \| torch 1t \| torch 2t \| ort 2t \| .* \| bsfnet relaxed 2t \/ ort 2t \| bsfnet relaxed 2t \/ bsfnet relaxed \|/,
    );
    const rows = md.split("\n").filter((l) => /^\| (musk2|kdd99|cnn) \| \d+ \| \d/.test(l));
    expect(rows).toHaveLength(3 * 4);
    expect(rows[0]).toBe("| musk2 | 1 | 1,000 | 1,000 | – | 4,000 | 1,000 | – | 6,000 | 0.25× | 1.00× | – | – | – |");
    expect(rows[1]).toBe(
      "| musk2 | 32 | 1,000 | 1,000 | 1,500 | 4,000 | 1,000 | – | 6,000 | 0.25× | 1.00× | – | 0.25× | 1.50× |",
    );
  });

  it("renders LOAD.md with the run, the memory over time and every probe", () => {
    const r: LoadResults = {
      requests: 101,
      rps: 10,
      p50: 5,
      p99: 20,
      max: 30,
      errors: 1,
      rssGrowthMiB: 2,
      rssStartMiB: 100,
      rssEndMiB: 102,
      clients: 4,
      seconds: 10,
      warmup: 5,
      rssBeforeWarmupMiB: 80,
      rowsPerRequest: 8,
      failures: ["HTTP 500: boom"],
      rss: [
        { t: 100, bytes: 100 * 2 ** 20 },
        { t: 1100, bytes: 102 * 2 ** 20 },
      ],
      probes: [{ what: "not JSON", status: 400, expected: 400, json: true, ok: true }],
      survived: true,
      workerd: "1.2",
      machine: { cpu: "cpu", cores: 2, loadBefore: [3, 2, 1], loadAfter: [1, 1, 1] },
      date: "2026-12-02T00:00:00Z",
    };
    const md = loadMarkdown(r, "npm run bench:load");
    expect(md).toMatch(/\| 101 \| 10 \| 5\.00 \| 20\.00 \| 30\.0 \| 1 \| 100\.0 → 102\.0 \| 2\.00 \|/);
    expect(md).toMatch(/the machine was busy/);
    expect(md).toMatch(/RSS at each second of the timed run \(MiB\): 100, 102\./);
    expect(md).toMatch(/: flat\./);
    expect(md).toMatch(/\| not JSON \| 400 \| 400 \| yes \| yes \|/);
    expect(md).toMatch(/Failures: HTTP 500: boom/);
  });
});
