// The peer benchmark's pure parts: finding a Python with torch (null and the reason when there is
// none), optional suites imported only when they export the function, fresh / steady figures from
// step times, step counts in whole epochs. No timing.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { findTorchPython, pythonCandidates } from "../../bench/peers/torch.js";
import { optionalExport } from "../../bench/lib/optional.js";
import { freshSteady, trainSteps } from "../../bench/peers/bsfnet.js";
import { netData, netPlan } from "../../bench/peers/nets.js";

describe("peer benchmark, pure parts", () => {
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
