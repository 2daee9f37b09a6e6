import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispatch, main } from "../../src/cli/main.js";
import { makeClassification } from "../../src/data/synthetic.js";
import { ConfigError, DataError } from "../../src/errors.js";

function csvFile(): string {
  const ds = makeClassification({ nSamples: 200, nInformative: 2, nRedundant: 0, nNoise: 4, seed: 3 });
  const dir = mkdtempSync(join(tmpdir(), "bsfnet-cli-"));
  const lines = ["a,b,target,c,d,e,f"];
  for (let i = 0; i < ds.n; i++) {
    const r = Array.from(ds.x.subarray(i * ds.d, (i + 1) * ds.d), (v) => v.toFixed(4));
    lines.push([r[0], r[1], ds.y[i] ? "yes" : "no", r[2], r[3], r[4], r[5]].join(","));
  }
  const f = join(dir, "data.csv");
  writeFileSync(f, `${lines.join("\n")}\n`);
  return f;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** dispatch without the handler: the typed error itself. */
const raw = (argv: string[]) => dispatch(argv, { out: () => {}, err: () => {} });

describe("bsfnet CLI", () => {
  it("select prints a ranked table and writes the JSON sorted by importance", async () => {
    const f = csvFile();
    const json = join(f, "..", "out.json");
    const { code, out } = await run([
      "select",
      f,
      "--label",
      "target",
      "--epochs",
      "60",
      "--top",
      "3",
      "--seed",
      "1",
      "--json",
      json,
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/rank\s+feature\s+index\s+importance/);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.features.length).toBe(6);
    expect(Object.keys(doc.features[0]).sort()).toEqual(["importance", "index", "name"]);
    const imp = doc.features.map((f: { importance: number }) => f.importance);
    // sorted highest first among the open gates
    const open = imp.filter((v: number) => v > 0.1);
    expect(open).toEqual([...open].sort((a: number, b: number) => b - a));
    // index is 0-based among the feature columns (label excluded): c is column 3 of the file, feature 2
    const names = doc.features.map((f: { name: string; index: number }) => `${f.name}:${f.index}`);
    expect(names).toContain("c:2");
    expect(names).toContain("a:0");
  });

  it("evaluate prints `accuracy: <mean> ± <std>`", async () => {
    const f = csvFile();
    const { code, out } = await run([
      "evaluate",
      f,
      "--label",
      "2",
      "--features",
      "0,1",
      "--folds",
      "3",
      "--epochs",
      "20",
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/^accuracy: 0\.\d{4} ± 0\.\d{4}$/m);
  });

  it("bad arguments and bad files give typed errors", async () => {
    const f = csvFile();
    await expect(raw(["select", f])).rejects.toThrow(/missing --label/);
    await expect(raw(["select", f, "--label", "nope"])).rejects.toThrow(DataError);
    await expect(raw(["select", f, "--label", "target", "--epochs", "x"])).rejects.toThrow(ConfigError);
    await expect(raw(["evaluate", f, "--label", "target", "--features", "0,9"])).rejects.toThrow(/not a feature index/);
    await expect(raw(["frobnicate"])).rejects.toThrow(/unknown command/);
    await expect(raw(["select", join(f, "..", "missing.csv"), "--label", "0"])).rejects.toThrow(/missing\.csv/);
    expect(existsSync(join(f, "..", "out.json"))).toBe(false);
  });
});
