// The benchmark compares like with like: bsfnet's Musk2-shaped network and the tfjs one have the
// same dense layers (bsfnet adds only the gate's 168 weights), and the bench's data is learnable.
// No timing here: speed is measured by `npm run bench`, never asserted in tests.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { DENSE_SHAPES, INPUTS, bsfnetModel, randomData, tfjsModel } from "../../bench/train/musk2.js";

describe("bench network", () => {
  it("bsfnet and tfjs build the same dense stack", async () => {
    tf.enableProdMode();
    await tf.setBackend("cpu");
    const ours = bsfnetModel(0);
    await ours.build();
    const theirs = tfjsModel(tf);
    const dense = DENSE_SHAPES.reduce((s, [c, oc]) => s + c * oc + oc, 0);
    expect(dense).toBe(170522);
    expect(theirs.countParams()).toBe(dense);
    expect(ours.paramCount).toBe(dense + INPUTS);
    const tfShapes = theirs.layers.map((l) => (l.getWeights()[0].shape as number[]).join("x"));
    expect(tfShapes).toEqual(DENSE_SHAPES.map(([c, oc]) => `${c}x${oc}`));
    ours.dispose();
    theirs.dispose();
  });

  it("random data is standardized and both classes occur", () => {
    const { x, y } = randomData(2048, 3);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
    const ones = y.reduce((s, v) => s + v, 0);
    expect(ones).toBeGreaterThan(2048 * 0.4);
    expect(ones).toBeLessThan(2048 * 0.6);
  });
});
