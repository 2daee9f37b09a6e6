import { expect, it } from "vitest";
import { join } from "node:path";
import { attentionMnist, centerToRing } from "../../src/experiments/attention.js";
import { loadMnistPaperSplit } from "../../src/data/mnist.js";
import { describeWithData, dataDir } from "../util/data.js";

it("centerToRing averages the central 14x14 and the 4-pixel ring", () => {
  const w = new Float32Array(784);
  for (let i = 7; i < 21; i++) for (let j = 7; j < 21; j++) w[i * 28 + j] = 1;
  const r = centerToRing(w);
  expect(r.center).toBe(1);
  expect(r.ring).toBe(0);
  w[0] = 1; // one ring pixel of 28*28 - 20*20 = 384
  expect(centerToRing(w).ring).toBeCloseTo(1 / 384);
});

describeWithData("MNIST attention map (shortened)", "mnist/train-images-idx3-ubyte.gz", () => {
  it("the Table 6 CNN learns, the gated one keeps up, and the gate favours the centre", async () => {
    const { train, validation } = await loadMnistPaperSplit({
      dir: join(dataDir(), "mnist"),
      train: 2000,
      validation: 500,
    });
    let epochsRun = 0;
    const r = await attentionMnist(train, validation, {
      epochs: 2,
      fineTuneEpochs: 1,
      penalty: 0.001,
      init: 0.9,
      seed: 0,
      callbacks: [{ onEpochEnd: () => void epochsRun++ }],
    });
    expect(epochsRun).toBe(2 * (2 + 1)); // both models, both stages
    expect(r.beforeFineTune.ungated).toBeGreaterThan(0.85);
    expect(r.ungated).toBeGreaterThan(0.85);
    expect(r.gated).toBeGreaterThan(r.ungated - 0.05);
    expect(r.ratio).toBeGreaterThan(1.1);
  });
});
