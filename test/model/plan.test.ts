// The memory plan's inference side: how many rows a predict call runs at once when the caller
// does not say (inferenceRows), and an inference plan leaving out what only a backward reads.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { LayerStack } from "../../src/model/stack.js";
import { INFER_CHUNK_BYTES, INFER_MAX_ROWS, inferenceRows } from "../../src/model/plan.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Dropout } from "../../src/layers/dropout.js";
import { InferenceModel } from "../../src/infer/index.js";
import { modelToBytes } from "../../src/io/file.js";
import { randn, rng, runtime } from "../util/wasm.js";
import { gatedCnn } from "../util/models.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const table6 = () => [
  new Conv2D({ filters: 32, kernelSize: 3, activation: "relu" }),
  new Conv2D({ filters: 64, kernelSize: 3, activation: "relu" }),
  new MaxPool2D({ poolSize: 2 }),
  new Flatten(),
  new Dense({ units: 128, activation: "relu" }),
  new Dropout({ rate: 0.5 }),
  new Dense({ units: 10, activation: "softmax" }),
];

describe("inferenceRows", () => {
  it("keeps the widest layer's input and output of a chunk within the budget, in multiples of 4", () => {
    const cnn = new LayerStack(table6(), [28, 28, 1]);
    // conv2: 26 x 26 x 32 in, 24 x 24 x 64 out, the widest step (Flatten is a view: not counted)
    const widest = (26 * 26 * 32 + 24 * 24 * 64) * 4;
    const rows = cnn.inferenceRows;
    expect(rows).toBe(32);
    expect(rows * widest).toBeLessThanOrEqual(INFER_CHUNK_BYTES);
    expect((rows + 4) * widest).toBeGreaterThan(INFER_CHUNK_BYTES);
    expect(rows % 4).toBe(0);
    // an MLP of a few hundred units reaches the cap
    const mlp = new LayerStack([new Dense({ units: 336, activation: "relu" }), new Dense({ units: 2 })], [168]);
    expect(mlp.inferenceRows).toBe(INFER_MAX_ROWS);
  });

  it("falls to single rows (never 0) for layers wider than the budget, counting the input", () => {
    const wide = INFER_CHUNK_BYTES / 4; // one row of input and output then takes twice the budget
    const s = new LayerStack([new Dense({ units: 3 })], [wide]);
    expect(s.inferenceRows).toBe(1);
    // 5 rows fit: below 8 the count is not rounded to a multiple of 4
    const five = new LayerStack([new Dense({ units: 4 })], [Math.floor(INFER_CHUNK_BYTES / 4 / 5) - 4]);
    expect(five.inferenceRows).toBe(5);
    expect(inferenceRows([], 10)).toBe(INFER_MAX_ROWS);
  });
});

describe("inference plan", () => {
  it("plans no argmax indices, masks or dropout masks, which only a backward reads", async () => {
    const rt = await runtime();
    const layers = [new BSF({ penalty: 0.01 }), ...table6()];
    const s = new LayerStack(layers, [28, 28, 1]);
    const train = s.planBatch(rt, 4, true);
    const infer = s.planBatch(rt, 4, false);
    for (const name of ["BSF", "MaxPool2D", "Dropout"]) {
      const i = s.layers.findIndex((l) => l.className === name);
      expect(train.ws[i]).not.toBe(0);
      expect(infer.ws[i]).toBe(0);
    }
    expect(infer.bytes).toBeLessThan(train.bytes);
    rt.release(train.ptr, train.bytes);
    rt.release(infer.ptr, infer.bytes);
  });

  it("a forward on it computes what one on a training plan (indices recorded) computes, bit for bit", async () => {
    const rt = await runtime();
    const s = new LayerStack(
      [
        new Conv2D({ filters: 6, kernelSize: 3, activation: "relu" }),
        new MaxPool2D({ poolSize: [2, 3] }),
        new Flatten(),
        new Dropout({ rate: 0.5 }),
        new Dense({ units: 5 }),
      ],
      [9, 11, 3],
    );
    const block = s.placeParams(rt, 0, false);
    rt.f32(block.ptr, block.floats).set(randn(rng(8), block.floats));
    const B = 7;
    const x = randn(rng(9), B * s.inputSize);
    const run = (training: boolean) => {
      const plan = s.planBatch(rt, B, training);
      rt.f32(plan.input, x.length).set(x);
      const out = rt.f32(s.forward(rt, plan, B, false, plan.input), B * s.classes).slice();
      rt.release(plan.ptr, plan.bytes);
      return new Uint32Array(out.buffer);
    };
    expect(Array.from(run(false))).toEqual(Array.from(run(true)));
    rt.release(block.ptr, block.bytes);
  });

  it("InferenceModel and Sequential.predict agree at any rows per call", async () => {
    const gated = await gatedCnn(7);
    const full = gated.inputShape!.reduce((a, b) => a * b, 1);
    const x = randn(rng(5), 11 * full, 1.5);
    const p = gated.predictSync(x); // the inference plan, at the default rows per call
    expect(Array.from(gated.predictSync(x, { batchSize: 3 }))).toEqual(Array.from(p));
    const wasm = readFileSync(fileURLToPath(new URL("../../build/bsfnet.wasm", import.meta.url)));
    const im = await InferenceModel.load(wasm, modelToBytes(gated));
    expect(Array.from(im.predict(x))).toEqual(Array.from(p));
    gated.dispose();
  });

  it("Sequential.predict runs the default rows per call on an inference plan", async () => {
    const m = new Sequential(table6(), { inputShape: [28, 28, 1] });
    m.compile({ seed: 1 });
    await m.build(undefined, await runtime());
    const x = randn(rng(3), 40 * 784);
    const out = m.predictSync(x);
    expect(out.length).toBe(400);
    expect(Array.from(m.predictSync(x, { batchSize: 40 }))).toEqual(Array.from(out));
    m.dispose();
  });
});
