// The whole training step (forward, fused softmax cross-entropy, backward, optimizer) against
// TensorFlow.js on the same weights and batch: Keras semantics, checked by Keras' JS twin.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { Sequential, Dense, SGD, Adam } from "../../src/index.js";
import { blobs } from "../util/blobs.js";
import { maxAbsDiff } from "../util/wasm.js";

async function pair(optimizer: "sgd" | "adam") {
  await tf.setBackend("cpu");
  const D = 7;
  const ours = new Sequential([
    new Dense({ units: 9, activation: "relu", inputShape: [D] }),
    new Dense({ units: 5, activation: "tanh" }),
    new Dense({ units: 3, activation: "softmax" }),
  ]).compile({
    optimizer: optimizer === "sgd" ? new SGD({ learningRate: 0.1 }) : new Adam({ learningRate: 0.01, epsilon: 1e-10 }),
    seed: 4,
  });
  await ours.build();
  const theirs = tf.sequential({
    layers: [
      tf.layers.dense({ units: 9, activation: "relu", inputShape: [D] }),
      tf.layers.dense({ units: 5, activation: "tanh" }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.values, w.shape)));
  theirs.compile({
    optimizer: optimizer === "sgd" ? tf.train.sgd(0.1) : tf.train.adam(0.01, 0.9, 0.999, 1e-10),
    loss: "sparseCategoricalCrossentropy",
  });
  return { ours, theirs, data: blobs(20, D, 3, 9) };
}

describe("parity with TensorFlow.js", () => {
  it("predictions of the same weights agree", async () => {
    const { ours, theirs, data } = await pair("sgd");
    const p = await ours.predict(data.x);
    const q = (theirs.predict(tf.tensor2d(data.x, [20, 7])) as tf.Tensor).dataSync();
    expect(maxAbsDiff(p, q)).toBeLessThan(1e-5);
  });

  for (const opt of ["sgd", "adam"] as const) {
    it(`three ${opt} steps on one batch give the same weights`, async () => {
      const { ours, theirs, data } = await pair(opt);
      for (let s = 0; s < 3; s++) {
        await ours.fit(data.x, data.y, { epochs: 1, batchSize: 20, shuffle: false, verbose: 0 });
        await theirs.trainOnBatch(tf.tensor2d(data.x, [20, 7]), tf.tensor1d(Float32Array.from(data.y)));
      }
      const a = ours.getWeights();
      const b = theirs.getWeights().map((t) => t.dataSync());
      const worst = Math.max(...a.map((w, i) => maxAbsDiff(w.values, b[i])));
      // tfjs' Adam adds epsilon after the bias correction, Keras' (ours) before it; with a tiny
      // epsilon both reduce to the same update.
      expect(worst).toBeLessThan(opt === "sgd" ? 1e-5 : 1e-3);
    });
  }
});
