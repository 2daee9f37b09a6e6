// A CNN training step (Conv2D on both the direct and the Winograd path, MaxPool2D, Flatten, Dense)
// against TensorFlow.js' cpu backend on the same weights and batch.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { Sequential, Conv2D, MaxPool2D, Flatten, Dense, SGD } from "../../src/index.js";
import { maxAbsDiff, randn, rng } from "../util/wasm.js";

describe("CNN parity with TensorFlow.js", () => {
  it("predictions and two SGD steps agree (valid and same padding)", async () => {
    await tf.setBackend("cpu");
    const S = 10;
    const ours = new Sequential([
      new Conv2D({ filters: 4, kernelSize: 3, activation: "relu", inputShape: [S, S, 1] }), // direct path (C = 1)
      new Conv2D({ filters: 8, kernelSize: 3, activation: "relu", padding: "same" }), // Winograd path (C, OC multiples of 4)
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 12, activation: "relu" }),
      new Dense({ units: 3, activation: "softmax" }),
    ]).compile({ optimizer: new SGD({ learningRate: 0.05 }), seed: 2 });
    await ours.build();
    const theirs = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu", inputShape: [S, S, 1] }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu", padding: "same" }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 12, activation: "relu" }),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.values, w.shape)));
    theirs.compile({ optimizer: tf.train.sgd(0.05), loss: "sparseCategoricalCrossentropy" });
    const n = 16;
    const x = randn(rng(5), n * S * S);
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const xt = tf.tensor4d(x, [n, S, S, 1]);
    const p = await ours.predict(x);
    expect(maxAbsDiff(p, (theirs.predict(xt) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
    for (let s = 0; s < 2; s++) {
      await ours.fit(x, y, { epochs: 1, batchSize: n, shuffle: false, verbose: 0 });
      await theirs.trainOnBatch(xt, tf.tensor1d(Float32Array.from(y)));
    }
    const a = ours.getWeights();
    const b = theirs.getWeights().map((t) => t.dataSync());
    const worst = Math.max(...a.map((w, i) => maxAbsDiff(w.values, b[i])));
    expect(worst).toBeLessThan(2e-5);
  });
});
