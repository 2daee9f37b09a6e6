// Shortened Table 3 runs (scripts/table3-neurons.ts): KDD99 and Musk2 neuron pruning on small row
// samples and 3 folds; the full runs are docs/prune-kdd99.md and docs/prune-musk2.md.
import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeWithData } from "../util/data.js";
import { type Json, runScript } from "./run.js";

// gates start half open (init 0.5) so that a few hundred steps can close the unneeded ones
const common = ["--cv-epochs", "5", "--fine-tune", "2", "--folds", "3", "--init", "0.5"];

function checkShape(j: Json): void {
  for (const k of ["units", "weights", "accuracy"]) {
    expect(typeof j.before[k]).toBe("number");
    expect(typeof j.after[k]).toBe("number");
  }
  expect(j.folds).toBe(3);
  expect(j.perFold.length).toBe(3);
  expect(j.seconds).toBeGreaterThan(0);
  // the unpruned net is the paper's D, D, 2D, D classifier
  expect(j.before.widths).toEqual([j.features, j.features, 2 * j.features, j.features]);
  // the shape's weight count follows from its widths
  const w = [j.features, ...j.after.widths, j.classes];
  expect(j.after.weights).toBe(w.slice(1).reduce((s: number, u: number, i: number) => s + (w[i] + 1) * u, 0));
  // exact pruning: each fold's pruned net, before fine-tuning, is a valid classifier
  for (const f of j.perFold) expect(f.fineTuned.prunedValidation).toBeGreaterThan(0);
}

describeWithData("Table 3, KDD99 (shortened)", "kddcup99/kddcup.data_10_percent.gz", () => {
  it("prunes the gated classifier to a fraction of its weights and keeps it accurate", () => {
    const { out, json: j } = runScript(
      "table3-neurons.ts",
      ["--dataset", "kdd99", "--sample", "4000", "--epochs", "8", "--penalty", "0.01", ...common],
      "prune-kdd99.json",
    );
    checkShape(j);
    expect(j.rows).toBe(4000);
    expect(j.after.weights).toBeLessThan(0.5 * j.before.weights);
    expect(j.before.accuracy).toBeGreaterThan(0.95);
    expect(j.after.accuracy).toBeGreaterThan(0.9);
    expect(j.fineTuned.weights).toBeLessThan(j.before.weights);
    expect(j.grouped).toBeUndefined();
    expect(readFileSync(join(out, "prune-kdd99.md"), "utf8")).toContain("weights reset");
  });
});

describeWithData("Table 3, Musk2 (shortened)", "musk2/clean2.tsv.gz", () => {
  it("reports row-level and molecule-grouped folds", () => {
    const { out, json: j } = runScript(
      "table3-neurons.ts",
      ["--dataset", "musk2", "--sample", "1200", "--epochs", "12", "--penalty", "0.03", ...common],
      "prune-musk2.json",
    );
    checkShape(j);
    expect(j.features).toBe(166);
    expect(j.after.weights).toBeLessThan(j.before.weights);
    expect(j.before.accuracy).toBeGreaterThan(0.8);
    expect(typeof j.grouped.before.accuracy).toBe("number");
    expect(j.grouped.perFold.length).toBe(3);
    expect(readFileSync(join(out, "prune-musk2.md"), "utf8")).toContain("Grouped by molecule");
  });
});
