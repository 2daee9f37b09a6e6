// The peer benchmark's pure parts: finding a Python with torch (null and the reason when there is
// none), optional suites imported only when they export the function, fresh / steady figures from
// step times, step counts in whole epochs, a row's two rounds and the GEMM's as one, the PyTorch
// peer's protocol (one row per request; a process that fails gives its reason). No timing.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TorchPeers, betterRow, findTorchPython, pythonCandidates } from "../../bench/peers/torch.js";
import { optionalExport } from "../../bench/lib/optional.js";
import { freshSteady, trainSteps } from "../../bench/peers/bsfnet.js";
import { netData, netPlan } from "../../bench/peers/nets.js";
import { betterGemm } from "../../bench/peers/gemm.js";

describe("peer benchmark, pure parts", () => {
  it("takes each GEMM figure from the better of its two rounds, a missing one from the other", () => {
    expect(betterGemm({ "512": 44.8, "1024": 44.2, tn: 39.6 }, { "512": 46.1, "1024": 43.0, tn: 41.9 })).toEqual({
      "512": 46.1,
      "1024": 44.2,
      tn: 41.9,
    });
    expect(betterGemm({ "512": 44.8 }, { "1024": 43.0, tn: 41.9 })).toEqual({ "512": 44.8, "1024": 43.0, tn: 41.9 });
  });

  it("keeps each training figure's better measurement of a row's two rounds, null where one is missing", () => {
    const row = (fresh: number | null, steady: number | null) => ({
      net: "musk2",
      B: 128,
      engine: "torch 1t",
      fresh,
      steady,
    });
    expect(betterRow(undefined, row(37034, 46636))).toEqual(row(37034, 46636));
    expect(betterRow(row(37034, 46636), row(54891, 45000))).toEqual(row(54891, 46636));
    expect(betterRow(row(null, 46636), row(54891, null))).toEqual(row(54891, 46636));
    expect(betterRow(row(null, null), row(null, null))).toEqual(row(null, null));
  });

  it("gives a PyTorch process that dies at its start as a reason, not a hang", async () => {
    const nets = [
      { plan: { ...netPlan("kdd99", true), stepsByBatch: { "32": 128 } }, ...netData(netPlan("kdd99", true), 64) },
    ];
    // node cannot run the Python script: it exits 1 before its first line
    const r = await TorchPeers.open({
      nets,
      threads: [1],
      warmupSeconds: 0.01,
      inferSeconds: 0.01,
      found: { python: process.execPath, torch: "none" },
    });
    expect(r instanceof TorchPeers).toBe(false);
    if (!(r instanceof TorchPeers))
      expect(r.reason).toMatch(/--serve \(1 threads\) did not start: bench_torch.py exited \(1\)/);
  });

  it("tries $BSFNET_PYTHON, python3, /usr/bin/python3 in that order, once each", () => {
    expect(pythonCandidates({ BSFNET_PYTHON: "/opt/py" })).toEqual(["/opt/py", "python3", "/usr/bin/python3"]);
    expect(pythonCandidates({ BSFNET_PYTHON: "python3" })).toEqual(["python3", "/usr/bin/python3"]);
    expect(pythonCandidates({})).toEqual(["python3", "/usr/bin/python3"]);
  });

  it("returns null and the reason when no candidate imports torch", () => {
    const r = findTorchPython(["/nonexistent/bsfnet-python", process.execPath]);
    expect(r.python).toBeNull();
    if (r.python === null) {
      expect(r.reason).toMatch(/no Python that imports torch/);
      expect(r.reason).toMatch(/\/nonexistent\/bsfnet-python: ENOENT/);
    }
    expect(findTorchPython([])).toEqual({ python: null, reason: "no Python that imports torch (no candidates)" });
  });

  it("imports an optional suite only when it exports the function, and never runs a plain script", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-optional-"));
    const script = join(dir, "script.mjs");
    writeFileSync(script, "globalThis.__bsfnetRan = true;\n");
    const mod = join(dir, "mod.mjs");
    writeFileSync(mod, "export async function measureThreads(o) { return { cnn: { b32: o.quick ? 1 : 2 } }; }\n");
    const a = await optionalExport(pathToFileURL(script), "measureThreads", "threads: fit({threads})");
    expect(a).toEqual({
      fn: null,
      reason: "threads: fit({threads}) not available in this build (no measureThreads export)",
    });
    expect((globalThis as { __bsfnetRan?: boolean }).__bsfnetRan).toBeUndefined();
    const missing = await optionalExport(pathToFileURL(join(dir, "none.mjs")), "measureGemm", "packed GEMM bench");
    expect(missing.fn).toBeNull();
    const b = await optionalExport<(o: { quick: boolean }) => Promise<unknown>>(
      pathToFileURL(mod),
      "measureThreads",
      "x",
    );
    expect(b.fn).not.toBeNull();
    expect(await b.fn!({ quick: true })).toEqual({ cnn: { b32: 1 } });
  });

  it("takes fresh from steps 1..window and steady from the last window", () => {
    // steps of 2 ms for the first 4, then 1 ms: at batch 10, 5,000 and 10,000 samples/s
    const stamps = [0, 2, 4, 6, 8, 9, 10, 11, 12];
    expect(freshSteady(stamps, 10, 4)).toEqual({ fresh: 5000, steady: 10000 });
    expect(() => freshSteady([0, 1], 10, 4)).toThrow(/fewer than the window/);
  });

  it("runs whole epochs of at least the planned steps; the nets' data has every shape right", () => {
    const p = netPlan("musk2", false);
    expect(trainSteps(p, 4096, 32)).toEqual({ epochs: 16, steps: 2048 });
    expect(trainSteps(p, 4096, 128)).toEqual({ epochs: 63, steps: 2016 });
    expect(trainSteps(netPlan("cnn", false), 512, 128).steps).toBe(300);
    const k = netPlan("kdd99", true);
    const d = netData(k, 300);
    expect(d.x.length).toBe(300 * 41);
    expect(Math.max(...d.y)).toBeLessThan(23);
    expect(new Set(d.y).size).toBeGreaterThan(3); // a label that varies, so the net has something to learn
  });
});

describe("the peers compute the same nets", () => {
  const found = findTorchPython();
  it("bsfnet's nets have the plan's layers (the Musk2 one is bench/train/musk2.ts's)", async () => {
    const { bsfnetNet } = await import("../../bench/peers/nets.js");
    const { bsfnetModel } = await import("../../bench/train/musk2.js");
    for (const name of ["musk2", "kdd99"] as const) {
      const p = netPlan(name, true);
      const m = bsfnetNet(p);
      await m.build();
      const sizes = [p.inputs, ...p.hidden, p.classes];
      const dense = sizes.slice(1).reduce((s, out, i) => s + (sizes[i] + 1) * out, 0);
      expect(m.paramCount, name).toBe(dense + p.inputs); // + one gate weight per input
      if (name === "musk2") {
        const ref = bsfnetModel(0);
        await ref.build();
        expect(m.paramCount).toBe(ref.paramCount);
        ref.dispose();
      }
      m.dispose();
    }
  });

  it.skipIf(found.python === null)("PyTorch builds as many parameters as bsfnet for each net", async () => {
    const { spawnSync } = await import("node:child_process");
    const { bsfnetNet } = await import("../../bench/peers/nets.js");
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-torch-plan-"));
    const plan = join(dir, "plan.json");
    const nets = (["musk2", "kdd99", "cnn"] as const).map((n) => netPlan(n, true));
    writeFileSync(plan, JSON.stringify({ nets }));
    const script = join(__dirname, "../../scripts/reference/bench_torch.py");
    const r = spawnSync(found.python!, [script, "--params", plan], { encoding: "utf8", timeout: 120000 });
    expect(r.status, r.stderr).toBe(0);
    const counts = JSON.parse(r.stdout) as Record<string, number>;
    for (const p of nets) {
      const m = bsfnetNet(p);
      await m.build();
      expect(counts[p.name], p.name).toBe(m.paramCount);
      m.dispose();
    }
    expect(counts.cnn).toBe(1_199_882);
  });

  it.skipIf(found.python === null)(
    "PyTorch answers one row per request, in order, from one process per thread count",
    async () => {
      const plan = netPlan("kdd99", true);
      const nets = [{ plan: { ...plan, stepsByBatch: { "32": 64 } }, ...netData(plan, 256) }];
      const peers = await TorchPeers.open({ nets, threads: [1], warmupSeconds: 0.01, inferSeconds: 0.02 });
      expect(peers instanceof TorchPeers).toBe(true);
      if (!(peers instanceof TorchPeers)) return;
      try {
        const [a, b] = await Promise.all([
          peers.row(1, { mode: "infer", net: "kdd99", B: 4 }),
          peers.row(1, { mode: "train", net: "kdd99", B: 32 }),
        ]);
        expect(a).toMatchObject({ mode: "infer", net: "kdd99", threads: 1, B: 4 });
        expect(b).toMatchObject({ mode: "train", net: "kdd99", threads: 1, B: 32, steps: 64, window: plan.window });
        if (a.mode === "infer") expect(a.sps).toBeGreaterThan(0);
        if (b.mode === "train") expect(b.fresh).toBeGreaterThan(0);
        await expect(peers.row(2, { mode: "infer", net: "kdd99", B: 4 })).rejects.toThrow(
          /no PyTorch process on 2 threads/,
        );
      } finally {
        peers.close();
      }
    },
    60_000,
  );
});
