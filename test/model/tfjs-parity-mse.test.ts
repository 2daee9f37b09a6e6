// The regression step (forward, mean squared error, backward, optimizer) against TensorFlow.js'
// meanSquaredError on the same weights and batch of two-output targets: the loss averages over
// the outputs, then the batch, as Keras' does.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { Sequential, Dense, SGD, type RegressionResult } from "../../src/index.js";
import { maxAbsDiff, randn, rng } from "../util/wasm.js";

describe("parity with TensorFlow.js: meanSquaredError", () => {
  it("the loss, and the weights after three SGD steps on one batch, agree", async () => {
    await tf.setBackend("cpu");
    const D = 5,
      V = 2,
      n = 21;
    const ours = new Sequential([
      new Dense({ units: 7, activation: "relu", inputShape: [D] }),
      new Dense({ units: V }),
    ]).compile({ loss: "meanSquaredError", optimizer: new SGD({ learningRate: 0.05 }), seed: 6 });
    await ours.build();
    const theirs = tf.sequential({
      layers: [tf.layers.dense({ units: 7, activation: "relu", inputShape: [D] }), tf.layers.dense({ units: V })],
    });
    theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.values, w.shape)));
    theirs.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
    const r = rng(11);
    const x = randn(r, n * D, 1);
    const t = randn(r, n * V, 2);
    const xt = tf.tensor2d(x, [n, D]);
    const tt = tf.tensor2d(t, [n, V]);
    const ourLoss = (await ours.evaluate<RegressionResult>(x, t)).loss;
    const theirLoss = (theirs.evaluate(xt, tt) as tf.Scalar).dataSync()[0];
    expect(Math.abs(ourLoss - theirLoss)).toBeLessThan(1e-5 * Math.max(1, theirLoss));
    for (let s = 0; s < 3; s++) {
      await ours.fit(x, t, { epochs: 1, batchSize: n, shuffle: false, verbose: 0 });
      await theirs.trainOnBatch(xt, tt);
    }
    const a = ours.getWeights();
    const b = theirs.getWeights().map((w) => w.dataSync());
    const worst = Math.max(...a.map((w, i) => maxAbsDiff(w.values, b[i])));
    expect(worst).toBeLessThan(1e-5);
    ours.dispose();
  });
});
