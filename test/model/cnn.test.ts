import { describe, expect, it } from "vitest";
import { Sequential, Conv2D, MaxPool2D, Flatten, Dense, Dropout, BSF, Adam } from "../../src/index.js";
import { rng } from "../util/wasm.js";

/** 10x10 images: class 0 has a horizontal bar, class 1 a vertical bar, at a random place, plus noise. */
function bars(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const r = rng(seed);
  const S = 10;
  const x = new Float32Array(n * S * S);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    const at = 2 + Math.floor(r() * 6);
    for (let p = 0; p < S * S; p++) x[i * S * S + p] = (r() - 0.5) * 0.6;
    for (let t = 2; t < 8; t++) x[i * S * S + (c === 0 ? at * S + t : t * S + at)] += 1;
  }
  return { x, y };
}

describe("a small CNN (Conv2D, MaxPool2D, Flatten, Dropout, channel gate)", () => {
  it("learns bars and generalizes; the channel gate keeps its weights in [0, 1]", async () => {
    const train = bars(400, 1);
    const test = bars(200, 2);
    const model = new Sequential([
      new Conv2D({ filters: 8, kernelSize: 3, activation: "relu", inputShape: [10, 10, 1] }),
      new BSF({ shareAxis: "channel", penalty: 0.001, init: 0.9, name: "channel_gate" }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 16, activation: "relu" }),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 2, activation: "softmax" }),
    ]).compile({ optimizer: new Adam({ learningRate: 0.005 }), seed: 3 });
    const h = await model.fit(train.x, train.y, { epochs: 12, batchSize: 32, seed: 1, verbose: 0 });
    expect(h.loss[h.loss.length - 1]).toBeLessThan(h.loss[0]);
    const r = await model.evaluate(test.x, test.y);
    expect(r.accuracy).toBeGreaterThan(0.9);
    const g = model.gateWeights().channel_gate;
    expect(g.length).toBe(8);
    for (const v of g) expect(v >= 0 && v <= 1).toBe(true);
    expect(model.layers[3].outputShape).toEqual([4 * 4 * 8]);
  });
});
