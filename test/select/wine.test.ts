// A shortened run of the Wine experiment (docs/select-wine.md has the full one).
import { expect, it } from "vitest";
import { readCsv } from "../../src/data/csv-node.js";
import { selectionExperiment } from "../../src/experiments/selection.js";
import { describeWithData } from "../util/data.js";

describeWithData("Wine feature selection (shortened)", "wine/wine.data", (file) => {
  it("the top 6 BSF features keep the paper's classifier accurate on held-out folds", async () => {
    const ds = await readCsv(file, { header: false, label: 0 });
    const r = await selectionExperiment(ds, {
      top: 6,
      lambda: 0.01,
      selectEpochs: 150,
      cvEpochs: 100,
      folds: 10,
      repeats: 1,
      seed: 0,
    });
    // Proline (12), Alcohol (0), Color intensity (9) carry most of the class information.
    expect(r.selected).toEqual(expect.arrayContaining([12, 0, 9]));
    expect(r.subset.mean).toBeGreaterThan(0.94);
    expect(r.all.mean).toBeGreaterThan(0.94);
    // noise-level features end closed: the lowest-ranked gate is nearly shut
    expect(r.selection.features[12].importance).toBeLessThan(0.3);
  });
});
