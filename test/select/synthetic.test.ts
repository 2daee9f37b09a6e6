import { expect, it, describe } from "vitest";
import { makeClassification } from "../../src/data/synthetic.js";
import { selectFeatures, rankGates } from "../../src/select/select.js";

describe("feature selection on the synthetic default (what npm start runs)", () => {
  it("ranks every informative feature above every noise feature", async () => {
    const ds = makeClassification({ seed: 0 });
    const r = await selectFeatures(ds.x, ds.y, { features: ds.d, epochs: 300, lambda: 0.01, seed: 0 });
    const rank = new Map(r.features.map((f, i) => [f.index, i]));
    const worstInformative = Math.max(...ds.informative.map((j) => rank.get(j)!));
    const bestNoise = Math.min(...ds.noise.map((j) => rank.get(j)!));
    expect(worstInformative).toBeLessThan(bestNoise);
    expect(r.history.length).toBe(300);
  });
});

describe("rankGates", () => {
  it("ranks open gates by their tail mean and closed gates by their run mean", () => {
    // 4 features over 4 epochs; last 2 epochs form the tail.
    const h = [
      [0.5, 0.5, 0.5, 0.5],
      [0.9, 0.2, 0.6, 0.0],
      [1.0, 0.0, 0.0, 0.05],
      [1.0, 0.0, 0.0, 0.0],
    ].map((r) => Float32Array.from(r));
    const r = rankGates(h, 2, ["a", "b", "c", "d"]);
    // a open; b, c, d closed: c (run mean 0.275) closed later than b (0.175) and d (0.1375)
    expect(r.map((f) => f.name)).toEqual(["a", "c", "b", "d"]);
    expect(r[0].importance).toBeCloseTo(1);
    expect(r[1].runMean).toBeCloseTo(0.275);
  });
});
