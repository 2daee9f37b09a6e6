// The Wine pruning experiment (scripts/prune-wine.ts) on one 10-fold run: at least 30% fewer
// weights, cross-validated accuracy within 1 point of the unpruned net (or better).
import { expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dataDir, describeWithData } from "../util/data.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describeWithData("prune-wine script", "wine/wine.data", () => {
  it("prunes >= 30% of the weights within 1 accuracy point (one 10-fold run)", () => {
    const out = mkdtempSync(join(tmpdir(), "bsfnet-wine-"));
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", join(root, "scripts/prune-wine.ts"), "--repeats", "1", "--out", out, "--data", dataDir()],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 60000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(out, "results/prune-wine.json"), "utf8"));
    expect(j.folds).toBe(10);
    expect(j.perFold.length).toBe(10);
    for (const k of ["units", "weights", "accuracy"]) {
      expect(typeof j.before[k]).toBe("number");
      expect(typeof j.after[k]).toBe("number");
    }
    expect(j.after.weights).toBeLessThanOrEqual(0.7 * j.before.weights);
    expect(j.after.units).toBeLessThan(j.before.units);
    expect(j.after.accuracy).toBeGreaterThanOrEqual(j.before.accuracy - 0.01);
    // exact pruning: the pruned net (before fine-tuning) scores exactly what the gated net scores
    for (const f of j.perFold) expect(f.pruned).toBe(f.gated);
    expect(readFileSync(join(out, "prune-wine.md"), "utf8")).toContain("pruned + fine-tuned");
    expect(dirname(out)).not.toBe(root);
  });
});
