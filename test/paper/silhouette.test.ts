// The silhouette coefficient (src/report/plot.ts) on a hand-computed case, and the Wine script
// (scripts/silhouette-wine.ts): all 13 standardized features give the paper's 0.2798.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { silhouette } from "../../src/report/plot.js";
import { describeWithData } from "../util/data.js";
import { runScript } from "./run.js";

describe("silhouette", () => {
  it("matches a hand-computed value", () => {
    // 1-D points 0, 1 (class 0) and 4, 6 (class 1)
    // s(0) = (5 - 1) / 5, s(1) = (4 - 1) / 4, s(4) = (3.5 - 2) / 3.5, s(6) = (5.5 - 2) / 5.5
    const want = (4 / 5 + 3 / 4 + 1.5 / 3.5 + 3.5 / 5.5) / 4;
    expect(silhouette([0, 1, 4, 6], 1, [0, 0, 1, 1])).toBeCloseTo(want, 12);
  });
  it("is 0 for a point alone in its class", () => {
    expect(silhouette([0, 1, 5], 1, [0, 0, 1])).toBeCloseTo(((5 - 1) / 5 + (4 - 1) / 4 + 0) / 3, 12);
  });
});

describeWithData("Wine silhouettes and t-SNE", "wine/wine.data", () => {
  it("gives the paper's 0.2798 with all features, higher with the selected 6, and draws both maps", () => {
    const { out, json: j } = runScript("silhouette-wine.ts", ["--iterations", "150"], "silhouette-wine.json");
    expect(j.original).toBeCloseTo(0.2798, 4);
    expect(j.truncated).toBeGreaterThan(j.original);
    expect(j.features.length).toBe(6);
    expect(j.tsne.original.length).toBe(178);
    for (const p of [...j.tsne.original, ...j.tsne.truncated])
      expect(Number.isFinite(p[0]) && Number.isFinite(p[1])).toBe(true);
    expect(existsSync(join(out, "tsne-wine.svg"))).toBe(true);
    expect(readFileSync(join(out, "tsne-wine.svg"), "utf8").match(/<circle/g)!.length).toBeGreaterThanOrEqual(356);
  });
});
