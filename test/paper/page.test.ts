// docs/paper.md is generated from the JSONs (scripts/paper.ts): every section is there, and the
// numbers on the page are those of the JSONs.
import { expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe } from "vitest";
import { root } from "./run.js";

const page = (docs: string) => {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "scripts/paper.ts"), "--page-only", "--docs", docs],
    { cwd: root, encoding: "utf8" },
  );
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(join(docs, "paper.md"), "utf8");
};

describe("docs/paper.md", () => {
  it("has every table and figure section, from the committed JSONs", () => {
    const docs = mkdtempSync(join(tmpdir(), "bsfnet-page-"));
    cpSync(join(root, "docs/results"), join(docs, "results"), { recursive: true });
    const md = page(docs);
    for (const h of [
      "Table 1",
      "Table 2",
      "Table 3",
      "Table 4",
      "Table 5",
      "Table 6",
      "Table 7",
      "Fig. 3",
      "Fig. 6",
      "Figs. 9 and 10",
    ])
      expect(
        md.split("\n").some((l) => l.startsWith("## ") && l.includes(h)),
        h,
      ).toBe(true);
    const wine = JSON.parse(readFileSync(join(docs, "results/select-wine.json"), "utf8"));
    expect(md).toContain(wine.accuracy.all.toFixed(4));
  });

  it("rewrites a section when its JSON changes", () => {
    const docs = mkdtempSync(join(tmpdir(), "bsfnet-page-"));
    cpSync(join(root, "docs/results"), join(docs, "results"), { recursive: true });
    const f = join(docs, "results/select-wine.json");
    const j = JSON.parse(readFileSync(f, "utf8"));
    j.accuracy.all = 0.123456;
    writeFileSync(f, JSON.stringify(j));
    expect(page(docs)).toContain("0.1235");
  });
});
