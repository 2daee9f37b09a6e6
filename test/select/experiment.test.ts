import { expect, it } from "vitest";
import { makeMadelon } from "../../src/data/benchmarks.js";
import { selectionExperiment } from "../../src/experiments/selection.js";

it("selectionExperiment: exactly k by the lambda search, grouped figures beside the row-level ones, nested", async () => {
  const ds = makeMadelon({ nSamples: 200, nInformative: 3, nRedundant: 0, nNoise: 5, seed: 4 });
  const groups = Int32Array.from({ length: ds.n }, (_, i) => i % 20);
  const r = await selectionExperiment(ds, {
    top: 3,
    lambda: 0.01,
    selectEpochs: 30,
    cvEpochs: 20,
    folds: 4,
    repeats: 1,
    seed: 0,
    exactK: true,
    groups,
    nested: true,
  });
  expect(r.selected.length).toBe(3);
  expect(r.lambda).toBeGreaterThan(0);
  expect(r.grouped!.subset.mean).toBeGreaterThan(0);
  expect(r.nested!.selections.every((s) => s.length === 3)).toBe(true);
});
