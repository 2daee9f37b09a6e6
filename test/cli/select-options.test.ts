import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { makeMadelon } from "../../src/data/benchmarks.js";

function csv(groups = false): string {
  const ds = makeMadelon({ nSamples: 240, nInformative: 3, nRedundant: 1, nNoise: 6, seed: 2 });
  const dir = mkdtempSync(join(tmpdir(), "bsfnet-select-"));
  const head = [...(groups ? ["molecule"] : []), ...ds.featureNames, "target"];
  const lines = [head.join(",")];
  for (let i = 0; i < ds.n; i++) {
    const r = Array.from(ds.x.subarray(i * ds.d, (i + 1) * ds.d), (v) => v.toFixed(4));
    lines.push([...(groups ? [`m${i % 30}`] : []), ...r, ds.y[i]].join(","));
  }
  const f = join(dir, "data.csv");
  writeFileSync(f, `${lines.join("\n")}\n`);
  return f;
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("select options of issue 9 and 10", () => {
  it("--json lists the selected indices: the open gates by default", async () => {
    const f = csv();
    const json = join(f, "..", "a.json");
    expect((await run(["select", f, "--label", "target", "--epochs", "40", "--json", json])).code).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.selected).toEqual(
      doc.features.filter((q: { importance: number }) => q.importance > 0.1).map((q: { index: number }) => q.index),
    );
    // 40 epochs leave this set's 10 gates open: the JSON must say so rather than pass it off as a selection
    expect(doc.selected.length).toBe(10);
    expect(doc.warnings).toEqual([expect.stringMatching(/^every gate stayed open \(lambda 0.01, 40 epochs\)/)]);
  });

  it("--k K lists exactly K as selected", async () => {
    const f = csv();
    const json = join(f, "..", "k.json");
    const r = await run(["select", f, "--label", "target", "--epochs", "40", "--k", "2", "--json", json]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.selected.length).toBe(2);
    expect(doc.path.length).toBeGreaterThan(0);
  });

  it("--runs R gives each feature's frequency in the JSON and the table", async () => {
    const f = csv();
    const json = join(f, "..", "r.json");
    const r = await run([
      "select",
      f,
      "--label",
      "target",
      "--epochs",
      "30",
      "--runs",
      "3",
      "--workers",
      "1",
      "--json",
      json,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/frequency/);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.runs).toBe(3);
    expect(doc.features.length).toBe(10);
    // each feature's share of the 3 runs: 0, 1/3, 2/3 or 1
    for (const q of doc.features) expect([0, 1, 2, 3]).toContain(Math.round(q.frequency * 3 * 1e6) / 1e6);
  });

  it("every gate closed: a warning on stderr and in the JSON", async () => {
    const f = csv();
    const json = join(f, "..", "c.json");
    const r = await run([
      "select",
      f,
      "--label",
      "target",
      "--epochs",
      "100",
      "--lambda",
      "5",
      "--schedule",
      "penalty-first",
      "--json",
      json,
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^bsfnet: warning: every gate closed/);
    expect(JSON.parse(readFileSync(json, "utf8")).warnings[0]).toMatch(/every gate closed/);
  });

  it("bad values are one-line ConfigErrors naming the option", async () => {
    const f = csv();
    for (const [args, re] of [
      [["--k", "0"], /--k/],
      [["--k", "99"], /--k/],
      [["--schedule", "soon"], /--schedule/],
      [["--runs", "x"], /--runs/],
    ] as const) {
      const r = await run(["select", f, "--label", "target", ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
  });

  it("evaluate --groups keeps groups apart and takes the column out; --nested selects per fold", async () => {
    const f = csv(true);
    const g = await run(["evaluate", f, "--label", "target", "--groups", "molecule", "--folds", "3", "--epochs", "20"]);
    expect(g.code).toBe(0);
    expect(g.out).toMatch(/10 of 10 features; 3-fold grouped by molecule \(30 groups\)/);
    const bad = await run(["evaluate", f, "--label", "target", "--groups", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--groups/);
    const n = await run([
      "evaluate",
      f,
      "--label",
      "target",
      "--groups",
      "molecule",
      "--nested",
      "--k",
      "2",
      "--folds",
      "3",
      "--epochs",
      "20",
      "--select-epochs",
      "20",
    ]);
    expect(n.code).toBe(0);
    expect(n.out).toMatch(/features per fold 2,2,2/);
  });
});
