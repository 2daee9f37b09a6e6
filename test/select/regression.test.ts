// Feature selection and cross-validation on a numeric target: y = 2 x0 - 1.5 x1 + 2 sin(2 x2) +
// noise over 12 features, 9 of them noise; the three relevant features rank first.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectFeatures } from "../../src/select/select.js";
import { crossValidate } from "../../src/select/crossval.js";
import { selectAutoLambda, selectK } from "../../src/select/path.js";
import { stabilitySelection } from "../../src/select/stability.js";
import { nestedCrossValidate } from "../../src/select/nested.js";
import { main } from "../../src/cli/main.js";
import { rng } from "../util/wasm.js";

const D = 12;

function make(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const r = rng(seed);
  const x = new Float32Array(n * D);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) x[i * D + j] = r() * 2 - 1;
    const [a, b, c] = [x[i * D], x[i * D + 1], x[i * D + 2]];
    y[i] = 50 + 5 * (2 * a - 1.5 * b + 2 * Math.sin(2 * c) + 0.2 * (r() - 0.5));
  }
  return { x, y };
}

describe("selection on a regression target", () => {
  const { x, y } = make(500, 7);

  it("selectFeatures({ task: 'regression' }) ranks the three relevant features first", async () => {
    const r = await selectFeatures(x, y, { features: D, task: "regression", epochs: 100, lambda: 0.01, seed: 0 });
    const top = r.features
      .slice(0, 3)
      .map((f) => f.index)
      .sort();
    expect(top).toEqual([0, 1, 2]);
    expect(r.features[2].importance).toBeGreaterThan(r.features[3].importance);
    expect(r.accuracy).toEqual([]); // no accuracy for a regression model
    console.log(
      `regression selection: ${r.features
        .slice(0, 5)
        .map((f) => `${f.name} ${f.importance.toFixed(3)}`)
        .join(", ")}`,
    );
  }, 60_000);

  it("crossValidate({ task: 'regression' }) scores folds by R²: high on the relevant features, near 0 on noise", async () => {
    const good = await crossValidate(x, y, {
      features: D,
      subset: [0, 1, 2],
      task: "regression",
      folds: 3,
      epochs: 100,
      seed: 0,
    });
    const noise = await crossValidate(x, y, {
      features: D,
      subset: [5, 6, 7],
      task: "regression",
      folds: 3,
      epochs: 100,
      seed: 0,
    });
    expect(good.metric).toBe("r2");
    expect(good.accuracies.length).toBe(3);
    expect(good.rmses!.length).toBe(3);
    expect(good.mean).toBeGreaterThan(0.9);
    expect(noise.mean).toBeLessThan(0.2);
    // RMSE in the target's units: the label's std is about 5 * sqrt(4/3 + 0.75 + 2) ~ 10
    expect(good.rmses!.every((v) => v > 0 && v < 4)).toBe(true);
    console.log(
      `regression CV R²: relevant ${good.mean.toFixed(4)} ± ${good.std.toFixed(4)} (RMSE ${good.rmses!.map((v) => v.toFixed(3)).join(", ")}), noise ${noise.mean.toFixed(4)}`,
    );
  }, 60_000);

  it("select and evaluate take --task regression", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-select-regression-"));
    const lines = [[...Array.from({ length: D }, (_, j) => `x${j}`), "y"].join(",")];
    for (let i = 0; i < 300; i++)
      lines.push([...Array.from(x.subarray(i * D, (i + 1) * D), (v) => v.toFixed(5)), y[i].toFixed(5)].join(","));
    const f = join(dir, "r.csv");
    writeFileSync(f, `${lines.join("\n")}\n`);
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const code = await main(argv, { out: (s) => void out.push(s), err: () => {} });
      return { code, out: out.join("\n") };
    };
    const s = await run([
      "select",
      f,
      "--label",
      "y",
      "--task",
      "regression",
      "--epochs",
      "60",
      "--top",
      "3",
      "--quiet",
    ]);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/a numeric target \(label: y\)/);
    const e = await run([
      "evaluate",
      f,
      "--label",
      "y",
      "--task",
      "regression",
      "--features",
      "0,1,2",
      "--folds",
      "3",
      "--epochs",
      "150",
      "--quiet",
    ]);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/^r2: 0\.\d{4} ± 0\.\d{4}$/m);
    expect(e.out).toMatch(/^rmse: [\d.]+$/m);
    expect(Number(/^r2: (0\.\d{4})/m.exec(e.out)![1])).toBeGreaterThan(0.8);
    const base = ["select", f, "--label", "y", "--task", "regression", "--epochs", "40", "--quiet"];
    for (const extra of [
      ["--runs", "2", "--workers", "1"],
      ["--k", "3"],
      ["--lambda", "auto"],
    ]) {
      const q = await run([...base, ...extra]);
      expect(q.code, extra.join(" ")).toBe(0);
      expect(q.out, extra.join(" ")).toMatch(/selected/);
    }
    const n = await run([
      "evaluate",
      f,
      "--label",
      "y",
      "--task",
      "regression",
      "--nested",
      "--k",
      "3",
      "--folds",
      "3",
      "--epochs",
      "60",
      "--select-epochs",
      "40",
      "--quiet",
    ]);
    expect(n.code).toBe(0);
    expect(n.out).toMatch(/^r2: -?\d\.\d{4} ± \d\.\d{4}$/m);
    expect(n.out).toMatch(/^rmse: [\d.]+$/m);
  }, 60_000);

  const rel = [0, 1, 2];
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b);

  it("selectK with a numeric target selects exactly the three relevant features", async () => {
    const r = await selectK(x, y, 3, { features: D, task: "regression", epochs: 60, seed: 0 });
    expect(sorted(r.selected)).toEqual(rel);
  });

  it("selectAutoLambda scores each lambda by held-out MSE and keeps the relevant features", async () => {
    const r = await selectAutoLambda(
      x,
      y,
      { features: D, task: "regression", epochs: 60, seed: 0 },
      [0.001, 0.01, 0.1],
    );
    for (const p of r.path) {
      expect(p.validationLoss).toBeGreaterThan(0);
      expect(p.validationR2).toBeLessThanOrEqual(1);
      expect(p.validationAccuracy).toBeUndefined();
    }
    // the knee: the lowest held-out MSE is a fit (R² well above 0), and the chosen lambda keeps 0, 1, 2
    expect(Math.max(...r.path.map((p) => p.validationR2!))).toBeGreaterThan(0.8);
    for (const j of rel) expect(r.selected).toContain(j);
  });

  it("stabilitySelection with a numeric target ranks the relevant features first", async () => {
    const r = await stabilitySelection(x, y, { features: D, task: "regression", epochs: 60, seed: 0, runs: 3 });
    expect(sorted(r.features.slice(0, 3).map((f) => f.index))).toEqual(rel);
    for (const j of rel) expect(r.selected).toContain(j);
    expect(r.runs.every((q) => q.ranking.length === D)).toBe(true);
  });

  it("nestedCrossValidate with a numeric target scores each fold by R² and RMSE", async () => {
    const r = await nestedCrossValidate(x, y, {
      features: D,
      task: "regression",
      folds: 3,
      epochs: 100,
      k: 3,
      select: { epochs: 60 },
    });
    expect(r.metric).toBe("r2");
    expect(r.rmses!.length).toBe(3);
    for (const s of r.selections) expect(sorted(s)).toEqual(rel);
    expect(r.mean).toBeGreaterThan(0.8);
  }, 60_000);
});
