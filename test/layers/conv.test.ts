// The Conv2D layer keeps the transformed kernel of the Winograd path between forward calls on its
// workspace (conv2d_forward keep = 1): predictions must follow every change of the weights (a
// fit, setWeights) and stay the bits a fresh model computes.
import { describe, expect, it } from "vitest";
import { Adam, Conv2D, Dense, Flatten, Sequential } from "../../src/index.js";
import { randn, rng } from "../util/wasm.js";

function net(seed: number): Sequential {
  return new Sequential([
    new Conv2D({ filters: 8, kernelSize: 3, activation: "relu", inputShape: [7, 6, 4] }), // Winograd
    new Conv2D({ filters: 12, kernelSize: 3, activation: "relu" }), // Winograd, ReLU fused
    new Flatten(),
    new Dense({ units: 3, activation: "softmax" }),
  ]).compile({ optimizer: new Adam({ learningRate: 0.01 }), seed });
}

/** predictions of a new model holding `from`'s weights */
async function freshPredict(from: Sequential, x: Float32Array): Promise<number[]> {
  const m = net(99);
  await m.build();
  m.setWeights(from.getWeights());
  return Array.from(m.predictSync(x));
}

describe("Conv2D with a kept Winograd kernel transform", () => {
  it("predict follows setWeights and fit, bit for bit as a fresh model", async () => {
    const r = rng(5);
    const x = randn(r, 5 * 7 * 6 * 4);
    const y = Int32Array.from({ length: 5 }, (_, i) => i % 3);
    const m = net(1);
    await m.build();
    const p1 = Array.from(m.predictSync(x));
    expect(Array.from(m.predictSync(x))).toEqual(p1);
    expect(p1).toEqual(await freshPredict(m, x));
    // change one kernel value of each conv layer
    const w = m.getWeights();
    for (const t of w) if (t.name === "kernel" && t.shape.length === 4) t.values[3] += 0.5;
    m.setWeights(w);
    const p2 = Array.from(m.predictSync(x));
    expect(p2).not.toEqual(p1);
    expect(p2).toEqual(await freshPredict(m, x));
    await m.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
    const p3 = Array.from(m.predictSync(x));
    expect(p3).not.toEqual(p2);
    expect(p3).toEqual(await freshPredict(m, x));
    // a batch size of its own (another plan), then the first again
    const p4 = Array.from(m.predictSync(x.subarray(0, 2 * 7 * 6 * 4)));
    expect(p4).toEqual(p3.slice(0, 6));
    expect(Array.from(m.predictSync(x))).toEqual(p3);
  });
});
