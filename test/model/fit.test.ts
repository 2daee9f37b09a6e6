import { describe, expect, it } from "vitest";
import { Sequential, Dense, BSF, Adam } from "../../src/index.js";
import { blobs } from "../util/blobs.js";

describe("Sequential.fit", () => {
  it("learns separable blobs and generalizes to held-out data", async () => {
    const all = blobs(900, 10, 3, 1);
    const train = { x: all.x.subarray(0, 6000), y: all.y.subarray(0, 600) };
    const test = { x: all.x.subarray(6000), y: all.y.subarray(600) }; // never seen in fit
    const model = new Sequential([
      new Dense({ units: 16, activation: "relu", inputShape: [10] }),
      new Dense({ units: 3, activation: "softmax" }),
    ]);
    model.compile({ optimizer: new Adam({ learningRate: 0.01 }), seed: 3 });
    const h = await model.fit(train.x, train.y, {
      epochs: 15,
      batchSize: 32,
      validationSplit: 0.25,
      seed: 5,
      verbose: 0,
    });
    expect(h.loss.length).toBe(15);
    expect(h.loss[14]).toBeLessThan(h.loss[0]);
    expect(h.valAccuracy[14]).toBeGreaterThan(0.9);
    const r = await model.evaluate(test.x, test.y);
    expect(r.accuracy).toBeGreaterThan(0.9);
    const p = await model.predict(test.x.subarray(0, 20));
    expect(p.length).toBe(2 * 3); // 2 rows x 3 classes
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 5);
  });

  it("a BSF input gate closes on noise features and keeps informative ones", async () => {
    const d = 12;
    const data = blobs(800, d, 2, 7, 3);
    const model = new Sequential([
      new BSF({ penalty: 0.02, inputShape: [d] }),
      new Dense({ units: 12, activation: "relu" }),
      new Dense({ units: 2, activation: "softmax" }),
    ]);
    model.compile({ optimizer: new Adam({ learningRate: 0.005 }), seed: 1 });
    await model.fit(data.x, data.y, { epochs: 40, batchSize: 32, seed: 2, verbose: 0 });
    const w = Object.values(model.gateWeights())[0];
    // Random blob centers can land close together on a feature: call a feature informative when
    // its class means differ by more than two noise standard deviations.
    const mean = [new Float64Array(d), new Float64Array(d)];
    data.y.forEach((c, i) => {
      for (let j = 0; j < d; j++) mean[c][j] += data.x[i * d + j] / 400;
    });
    const informative = [0, 1, 2].filter((j) => Math.abs(mean[0][j] - mean[1][j]) > 2);
    expect(informative.length).toBeGreaterThan(0);
    const inf = informative.map((j) => w[j]);
    const noise = Array.from(w.slice(3));
    expect(Math.min(...inf)).toBeGreaterThan(Math.max(...noise));
    for (const v of w) expect(v >= 0 && v <= 1).toBe(true);
  });
});
