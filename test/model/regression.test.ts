// Sequential compiled with meanSquaredError: float targets, a linear output, { loss, mse, rmse, r2 }
// from evaluate, RMSE / R² in the history, a random (not stratified) validation split.
import { describe, expect, it } from "vitest";
import { Sequential, Dense, Adam } from "../../src/index.js";
import { ConfigError, DataError, ShapeError } from "../../src/errors.js";
import type { RegressionResult } from "../../src/model/sequential.js";
import { randomSplit } from "../../src/data/split.js";
import { takeRows } from "../../src/data/dataset.js";
import { rng } from "../util/wasm.js";

/** y0 = 2 x0 - x1 + sin(2 x2) + noise, y1 = x0 x1 + noise; x uniform in [-1, 1]^4 (x3 is noise). */
function data(n: number, seed: number, outputs = 1): { x: Float32Array; t: Float32Array } {
  const r = rng(seed);
  const x = new Float32Array(n * 4);
  const t = new Float32Array(n * outputs);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = r() * 2 - 1;
    const [a, b, c] = [x[i * 4], x[i * 4 + 1], x[i * 4 + 2]];
    t[i * outputs] = 2 * a - b + Math.sin(2 * c) + 0.05 * (r() - 0.5);
    if (outputs > 1) t[i * outputs + 1] = a * b + 0.05 * (r() - 0.5);
  }
  return { x, t };
}

function model(outputs = 1, activation: "linear" | "softmax" = "linear"): Sequential {
  return new Sequential([
    new Dense({ units: 24, activation: "relu", inputShape: [4] }),
    new Dense({ units: 24, activation: "relu" }),
    new Dense({ units: outputs, activation }),
  ]);
}

/** The figures evaluate reports, from predict's raw outputs in float64. */
function metrics(pred: Float32Array, t: Float32Array, V: number): { mse: number; r2: number } {
  const n = t.length / V;
  let sse = 0;
  let sst = 0;
  for (let v = 0; v < V; v++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += t[i * V + v] / n;
    for (let i = 0; i < n; i++) {
      sse += (pred[i * V + v] - t[i * V + v]) ** 2;
      sst += (t[i * V + v] - m) ** 2;
    }
  }
  return { mse: sse / (n * V), r2: 1 - sse / sst };
}

describe("Sequential with meanSquaredError", () => {
  it("fits a nonlinear function: held-out R² > 0.95, evaluate agrees with predict", async () => {
    const tr = data(800, 1);
    const te = data(300, 2); // never seen in fit
    const m = model();
    m.compile({ loss: "meanSquaredError", optimizer: new Adam({ learningRate: 0.01 }), seed: 3 });
    expect(m.task).toBe("regression");
    const h = await m.fit(tr.x, tr.t, { epochs: 60, batchSize: 32, validationSplit: 0.2, seed: 4, verbose: 0 });
    expect(h.loss.length).toBe(60);
    expect(h.loss[59]).toBeLessThan(h.loss[0] / 5);
    expect(h.accuracy).toEqual([]);
    expect(h.valAccuracy).toEqual([]);
    expect([h.rmse.length, h.valRmse.length, h.valR2.length, h.valLoss.length]).toEqual([60, 60, 60, 60]);
    expect(h.valR2[59]).toBeGreaterThan(0.95);
    const r = await m.evaluate<RegressionResult>(te.x, te.t);
    expect(Object.keys(r).sort()).toEqual(["loss", "mse", "r2", "rmse"]);
    expect(r.r2).toBeGreaterThan(0.95);
    expect(r.rmse).toBeCloseTo(Math.sqrt(r.mse), 12);
    expect(r.loss).toBe(r.mse); // no penalties in this model
    const pred = await m.predict(te.x);
    expect(pred.length).toBe(300); // raw outputs, one per row
    const want = metrics(pred, te.t, 1);
    expect(Math.abs(r.mse - want.mse)).toBeLessThan(1e-6 * want.mse);
    expect(Math.abs(r.r2 - want.r2)).toBeLessThan(1e-6);
    console.log(
      `regression MLP: held-out R² ${r.r2.toFixed(4)}, RMSE ${r.rmse.toFixed(4)}; validation R² ${h.valR2[59].toFixed(4)}`,
    );
    m.dispose();
  });

  it("validationSplit is the seeded random split (randomSplit), not a stratified one", async () => {
    const d = data(200, 5);
    const m = model();
    m.compile({ loss: "mse", optimizer: new Adam({ learningRate: 0.01 }), seed: 1 });
    const h = await m.fit(d.x, d.t, { epochs: 3, validationSplit: 0.25, seed: 9, verbose: 0 });
    const { validation } = randomSplit(200, 0.25, 9);
    const r = await m.evaluate<RegressionResult>(takeRows(d.x, 4, validation), takeRows(d.t, 1, validation), {
      batchSize: 32,
    });
    expect(h.valLoss[2]).toBe(r.loss);
    expect(h.valR2[2]).toBe(r.r2);
    m.dispose();
  });

  it("takes several outputs, as rows or flat; the same seed gives the same weights", async () => {
    const d = data(300, 6, 2);
    const rows = Array.from({ length: 300 }, (_, i) => [d.t[2 * i], d.t[2 * i + 1]]);
    const fitOne = async (t: Float32Array | number[][]) => {
      const m = model(2);
      m.compile({ loss: "mean_squared_error", optimizer: new Adam({ learningRate: 0.01 }), seed: 2 });
      await m.fit(d.x, t, { epochs: 30, seed: 2, verbose: 0 });
      const r = await m.evaluate<RegressionResult>(d.x, d.t);
      const w = m.getWeights().map((p) => Array.from(p.values));
      m.dispose();
      return { r, w };
    };
    const a = await fitOne(d.t);
    const b = await fitOne(rows);
    expect(b.w).toEqual(a.w);
    expect(a.r.r2).toBeGreaterThan(0.9);
  });

  it("refuses a softmax output, bad target shapes and non-finite targets", async () => {
    expect(() => model(1, "softmax").compile({ loss: "meanSquaredError" })).toThrow(ConfigError);
    expect(() => model(1, "softmax").compile({ loss: "meanSquaredError" })).toThrow(/linear output/);
    // a softmax layer added after compile is caught before training
    const late = new Sequential([new Dense({ units: 8, activation: "relu", inputShape: [4] })]);
    late.compile({ loss: "mse" });
    late.add(new Dense({ units: 1, activation: "softmax" }));
    await expect(late.fit(new Float32Array(8), new Float32Array(2), { verbose: 0 })).rejects.toThrow(ConfigError);
    const m = model(2);
    m.compile({ loss: "mse" });
    const x = new Float32Array(3 * 4);
    await expect(m.fit(x, new Float32Array(3), { verbose: 0 })).rejects.toThrow(ShapeError);
    await expect(m.fit(x, [[1, 2], [3], [4, 5]], { verbose: 0 })).rejects.toThrow(ShapeError);
    await expect(m.fit(x, Float32Array.of(1, 2, 3, Number.NaN, 5, 6), { verbose: 0 })).rejects.toThrow(DataError);
    expect(() => model().compile({ loss: "hinge" as "mse" })).toThrow(/meanSquaredError/);
    m.dispose();
  });

  it("a constant target gives R² 1 when predicted exactly and 0 otherwise (sklearn's convention)", async () => {
    const m = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
    m.compile({ loss: "mse" });
    await m.build();
    m.setWeights([{ values: [0] }, { values: [3] }]); // predicts 3 for every row
    expect((await m.evaluate<RegressionResult>([[1], [2]], [3, 3])).r2).toBe(1);
    expect((await m.evaluate<RegressionResult>([[1], [2]], [4, 4])).r2).toBe(0);
    expect((await m.evaluate<RegressionResult>([[1], [2]], [4, 4])).mse).toBe(1);
    m.dispose();
  });
});
