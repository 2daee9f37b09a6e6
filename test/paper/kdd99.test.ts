// Shortened Tables 5 and 7 (scripts/table5-topk.ts, scripts/table7-stability.ts) on small KDD99
// samples; the full runs are docs/table5-kdd99.md and docs/table7-kdd99.md.
import { expect, it } from "vitest";
import { describeWithData } from "../util/data.js";
import { type Json, runScript } from "./run.js";

describeWithData("Tables 5 and 7, KDD99 (shortened)", "kddcup99/kddcup.data_10_percent.gz", () => {
  it("Table 7: one selection of 8 distinct features per structure and repeat", () => {
    const { json: j } = runScript(
      "table7-stability.ts",
      ["--sample", "3000", "--epochs", "2", "--repeats", "1"],
      "table7-kdd99.json",
    );
    expect(j.rows.length).toBe(4);
    for (const r of j.rows) {
      expect(r.selected.length).toBe(8);
      expect(new Set(r.selected).size).toBe(8);
      for (const v of r.selected) expect(v >= 0 && v < 41).toBe(true);
    }
    expect(j.frequency.ours.reduce((a: number, b: number) => a + b, 0)).toBe(32);
    expect(j.frequency.paper.reduce((a: number, b: number) => a + b, 0)).toBe(128);
    expect(j.paper.rows.length).toBe(16);
  });

  it("Table 5: the top-k curve, a minimal k and the 12 least important features", () => {
    const { json: j } = runScript(
      "table5-topk.ts",
      [
        "--curve-sample",
        "3000",
        "--curve-folds",
        "2",
        "--sample",
        "3000",
        "--folds",
        "2",
        "--epochs",
        "2",
        "--kmax",
        "3",
      ],
      "table5-kdd99.json",
    );
    expect(j.curve.map((c: Json) => c.k)).toEqual([1, 2, 3]);
    expect(j.minimalK).toBeGreaterThanOrEqual(1);
    expect(j.ranking.length).toBe(41);
    expect(new Set(j.ranking).size).toBe(41);
    const least = j.rows.find((r: Json) => r.name.startsWith("12 least"));
    expect(least.features).toEqual(j.ranking.slice(-12));
    const all = j.rows.find((r: Json) => r.name.startsWith("all"));
    expect(all.features.length).toBe(41);
    // the least important features carry less than all of them
    expect(least.mean).toBeLessThan(all.mean);
  });
});
