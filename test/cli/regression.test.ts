// train --task regression -> predict from the shell (the real CLI in a child process) on a
// generated CSV: y = 3a - 2b + 2 sin(2c) + a*d + noise, with two noise columns and a categorical
// one; the model predicts held-out rows with R² > 0.8, in the label's own units (offset 100, scale 10).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readModelFile } from "../../src/io/file.js";
import { rng } from "../util/wasm.js";

const root = resolve(import.meta.dirname, "../..");

function bsfnet(args: string[], cwd: string): { out: string; err: string } {
  const p = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "src/cli/main.ts"), ...args], {
    cwd,
    encoding: "utf8",
  });
  if (p.status !== 0) throw new Error(`bsfnet ${args.join(" ")} exited ${p.status}:\n${p.stderr}`);
  return { out: p.stdout, err: p.stderr };
}

/** n rows of a,b,c,d,noise1,kind,price,noise2 (price the label, in the middle of the row). */
function rows(n: number, seed: number): { lines: string[]; y: number[] } {
  const r = rng(seed);
  const lines: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c, d, e1, e2] = Array.from({ length: 6 }, () => r() * 2 - 1);
    const kind = r() < 0.5 ? "red" : "blue";
    const v = 100 + 10 * (3 * a - 2 * b + 2 * Math.sin(2 * c) + a * d + (kind === "red" ? 1 : -1) + 0.3 * (r() - 0.5));
    y.push(v);
    lines.push([a, b, c, d, e1, kind, v, e2].map((u) => (typeof u === "number" ? u.toFixed(5) : u)).join(","));
  }
  return { lines, y };
}

describe("train --task regression and predict", () => {
  it("trains on a numeric label and predicts held-out rows with R² > 0.8", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-regression-"));
    const header = "a,b,c,d,noise1,kind,price,noise2";
    writeFileSync(join(dir, "train.csv"), `${[header, ...rows(600, 1).lines].join("\n")}\n`);
    const test = rows(200, 2);
    writeFileSync(join(dir, "test.csv"), `${[header, ...test.lines].join("\n")}\n`);

    const t = bsfnet(
      [
        "train",
        "train.csv",
        "--label",
        "price",
        "--task",
        "regression",
        "--epochs",
        "200",
        "--gates",
        "none",
        "-o",
        "m.bsfnet",
        "--history",
        "h.json",
        "--quiet",
      ],
      dir,
    );
    expect(t.out).toMatch(/a numeric target \(label: price\)/);
    const valR2 = Number(/validation RMSE [\d.e+-]+, R² (-?\d\.\d+)/.exec(t.out)![1]);
    expect(valR2).toBeGreaterThan(0.8);
    const file = await readModelFile(join(dir, "m.bsfnet"));
    expect(file.meta.task).toBe("regression");
    expect(file.meta.label).toBe("price");
    expect(file.meta.classNames).toBeUndefined();
    expect(file.meta.columns).toEqual(["a", "b", "c", "d", "noise1", "kind", "noise2"]);
    const out = file.spec.layers.at(-1)!;
    expect(out.config.units).toBe(1);
    expect(out.config.activation).toBe("linear");
    const h = JSON.parse(readFileSync(join(dir, "h.json"), "utf8"));
    expect(h.task).toBe("regression");
    expect(h.valR2.length).toBe(200);
    expect(h.accuracy).toBeUndefined();

    // held-out rows, label given: one prediction per row on stdout, rmse and r2 on stderr
    const p = bsfnet(["predict", "m.bsfnet", "test.csv", "--label", "price"], dir);
    const lines = p.out.trim().split("\n");
    expect(lines[0]).toBe("prediction");
    expect(lines.length).toBe(201);
    const pred = lines.slice(1).map(Number);
    const rmse = Number(/^rmse: ([\d.e+-]+) \(200 rows\)$/m.exec(p.err)![1]);
    const r2 = Number(/^r2: (-?\d\.\d+)$/m.exec(p.err)![1]);
    expect(r2).toBeGreaterThan(0.8);
    // the printed figures are those of the printed predictions, in the label's units
    const mean = test.y.reduce((s, v) => s + v, 0) / 200;
    const sse = pred.reduce((s, v, i) => s + (v - test.y[i]) ** 2, 0);
    const sst = test.y.reduce((s, v) => s + (v - mean) ** 2, 0);
    expect(Math.abs(1 - sse / sst - r2)).toBeLessThan(2e-4);
    expect(Math.abs(Math.sqrt(sse / 200) - rmse) / rmse).toBeLessThan(1e-3);
    expect(Math.abs(pred.reduce((s, v) => s + v, 0) / 200 - mean)).toBeLessThan(3);
    console.log(
      `train --task regression: validation R² ${valR2}; held-out R² ${r2}, RMSE ${rmse} (label std ${Math.sqrt(sst / 200).toFixed(2)})`,
    );

    // without the label (and without its column), JSON lines
    const noLabel = test.lines.map((l) =>
      l
        .split(",")
        .filter((_, j) => j !== 6)
        .join(","),
    );
    writeFileSync(join(dir, "rows.csv"), `${["a,b,c,d,noise1,kind,noise2", ...noLabel].join("\n")}\n`);
    const j = bsfnet(["predict", "m.bsfnet", "rows.csv", "--format", "json"], dir);
    const first = JSON.parse(j.out.split("\n")[0]);
    expect(first.prediction).toBeCloseTo(pred[0], 3);
    expect(j.err).not.toMatch(/r2/);
  }, 120_000);

  it("prunes a gated regression model and fine-tunes it in the label's units", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-regression-"));
    const header = "a,b,c,d,noise1,kind,price,noise2";
    writeFileSync(join(dir, "train.csv"), `${[header, ...rows(600, 3).lines].join("\n")}\n`);
    const test = rows(200, 4);
    writeFileSync(join(dir, "test.csv"), `${[header, ...test.lines].join("\n")}\n`);
    bsfnet(
      [
        "train",
        "train.csv",
        "--label",
        "price",
        "--task",
        "regression",
        "--epochs",
        "120",
        "-o",
        "g.bsfnet",
        "--quiet",
      ],
      dir,
    );
    const r2Of = (model: string) => {
      const p = bsfnet(["predict", model, "test.csv", "--label", "price"], dir);
      return Number(/^r2: (-?\d\.\d+)$/m.exec(p.err)![1]);
    };
    const before = r2Of("g.bsfnet");
    const pr = bsfnet(
      ["prune", "g.bsfnet", "-o", "p.bsfnet", "--fine-tune-epochs", "20", "--data", "train.csv", "--label", "price"],
      dir,
    );
    expect(pr.out).toMatch(/fine-tuned 20 epochs/);
    const after = r2Of("p.bsfnet");
    const file = await readModelFile(join(dir, "p.bsfnet"));
    expect(file.meta.task).toBe("regression");
    expect(file.spec.layers.some((l) => l.className === "BSF")).toBe(false);
    // the fine-tuned model still predicts prices (offset 100, scale 10), not standardized values
    expect(after).toBeGreaterThan(0.8);
    expect(after).toBeGreaterThan(before - 0.05);
    console.log(
      `prune --fine-tune-epochs 20 (regression): held-out R² ${before} gated, ${after} pruned and fine-tuned`,
    );
  }, 120_000);

  it("a label that is not numeric is an error naming the row", () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-regression-"));
    writeFileSync(join(dir, "bad.csv"), "a,y\n1,2\n2,high\n");
    const p = spawnSync(
      join(root, "node_modules/.bin/tsx"),
      [join(root, "src/cli/main.ts"), "train", "bad.csv", "--label", "y", "--task", "regression", "-o", "m.bsfnet"],
      { cwd: dir, encoding: "utf8" },
    );
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/row 3.*label 'high' is not a number|label 'high' is not a number.*row 3/);
  });
});
