// Exports checked in their real consumers: the TF.js layers model in @tensorflow/tfjs
// (tf.loadLayersModel from the files on disk) and the ONNX model in onnxruntime-node.
// Predictions must equal bsfnet's to 1e-5, for a gated model (gates folded) and a pruned one.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { saveTfjs } from "../../src/export/tfjs.js";
import { saveOnnx } from "../../src/export/onnx.js";
import { reduceRows } from "../../src/prune/index.js";
import type { Sequential } from "../../src/model/sequential.js";
import { maxAbsDiff, randn, rng } from "../util/wasm.js";
import { D, gatedCnn, prunedModel } from "../util/models.js";
import { prune } from "../../src/prune/index.js";

/** tf.loadLayersModel through an IOHandler that reads the exported files from disk. */
async function loadTfjs(dir: string): Promise<tf.LayersModel> {
  const handler: tf.io.IOHandler = {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
      const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
      const bin = readFileSync(join(dir, manifest[0].paths[0]));
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        weightSpecs: manifest.flatMap((g) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      };
    },
  };
  return tf.loadLayersModel(handler);
}

async function checkExports(model: Sequential, x: Float32Array, ref: Float32Array, label: string): Promise<void> {
  const shape = [...model.inputShape!];
  const D = shape.reduce((a, b) => a * b, 1);
  const n = x.length / D;
  const dir = mkdtempSync(join(tmpdir(), "bsfnet-export-"));
  await saveTfjs(model, join(dir, "tfjs"));
  const tfModel = await loadTfjs(join(dir, "tfjs"));
  const yTf = (tfModel.predict(tf.tensor(x, [n, ...shape])) as tf.Tensor).dataSync() as Float32Array;
  const eTf = maxAbsDiff(yTf, ref);

  await saveOnnx(model, join(dir, "model.onnx"));
  const session = await ort.InferenceSession.create(join(dir, "model.onnx"));
  const res = await session.run({ input: new ort.Tensor("float32", x, [n, ...shape]) });
  const yOnnx = res.output.data as Float32Array;
  const eOnnx = maxAbsDiff(yOnnx, ref);
  console.log(
    `[bsfnet] ${label}: tfjs max |diff| ${eTf.toExponential(2)}, onnx ${eOnnx.toExponential(2)}; ` +
      `sizes: tfjs weights ${statSync(join(dir, "tfjs/weights.bin")).size} B, onnx ${statSync(join(dir, "model.onnx")).size} B`,
  );
  expect(eTf).toBeLessThan(1e-5);
  expect(eOnnx).toBeLessThan(1e-5);
  expect(res.output.dims).toEqual([n, ref.length / n]);
}

describe("exports", () => {
  it("TF.js and ONNX reproduce the gated model (gates folded) and the pruned model to 1e-5", async () => {
    await tf.setBackend("cpu");
    const { gated, pruned, plan } = await prunedModel(4);
    const x = randn(rng(12), 64 * D, 2);
    const ref = gated.predictSync(x);
    await checkExports(gated, x, ref, "gated");
    const xr = reduceRows(x, D, plan.inputKeep);
    await checkExports(pruned, xr, ref, "pruned");
    gated.dispose();
    pruned.dispose();
  });
});

describe("conv exports", () => {
  for (const oneD of [false, true]) {
    it(`${oneD ? "Conv1D" : "Conv2D"} net with channel gates: TF.js and ONNX match, gated and pruned`, async () => {
      await tf.setBackend("cpu");
      const gated = await gatedCnn(3, oneD);
      const full = gated.inputShape!.reduce((a, b) => a * b, 1);
      const x = randn(rng(13), 24 * full, 1.5);
      const ref = gated.predictSync(x);
      await checkExports(gated, x, ref, `${gated.name} gated`);
      const { model: pruned, plan } = prune(gated);
      expect(plan.after.weights).toBeLessThan(plan.before.weights);
      await checkExports(pruned, reduceRows(x, full, plan.inputKeep), ref, `${gated.name} pruned`);
      pruned.dispose();
      gated.dispose();
    });
  }
});

describe("position gates", () => {
  it("ONNX exports them as a fixed mask multiply; TF.js refuses them with a clear error", async () => {
    const { Sequential } = await import("../../src/model/sequential.js");
    const { BSF } = await import("../../src/layers/bsf.js");
    const { Conv2D } = await import("../../src/layers/conv.js");
    const { Flatten } = await import("../../src/layers/flatten.js");
    const { Dense } = await import("../../src/layers/dense.js");
    const { runtime } = await import("../util/wasm.js");
    const { toTfjs } = await import("../../src/export/tfjs.js");
    const m = new Sequential(
      [
        new BSF({ name: "pixel_gate", shareAxis: "position" }),
        new Conv2D({ name: "c", filters: 4, kernelSize: 3, padding: "same", activation: "relu" }),
        new Flatten({ name: "f" }),
        new Dense({ name: "o", units: 3 }),
      ],
      { inputShape: [5, 6, 2] },
    );
    m.compile({ seed: 3 });
    await m.build(undefined, await runtime());
    const r = rng(8);
    m.setWeights(m.getWeights().map((w) => (w.layer === "pixel_gate" ? { ...w, values: w.values.map(() => r()) } : w)));
    const x = randn(rng(9), 7 * 60, 2);
    const ref = m.predictSync(x);
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-posgate-"));
    await saveOnnx(m, join(dir, "m.onnx"));
    const s = await ort.InferenceSession.create(join(dir, "m.onnx"));
    const y = (await s.run({ input: new ort.Tensor("float32", x, [7, 5, 6, 2]) })).output.data as Float32Array;
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    // the gate matters: without it the outputs differ
    expect(maxAbsDiff(y, ref)).toBeLessThan(
      maxAbsDiff(
        ref,
        (() => {
          const open = m
            .getWeights()
            .map((w) => (w.layer === "pixel_gate" ? { ...w, values: w.values.map(() => 1) } : w));
          const saved = m.getWeights();
          m.setWeights(open);
          const out = m.predictSync(x);
          m.setWeights(saved);
          return out;
        })(),
      ),
    );
    expect(() => toTfjs(m)).toThrow(/position gate pixel_gate/);
    m.dispose();
  });
});

describe("Normalization exports", () => {
  it("a model that standardizes raw rows: ONNX as Sub/Div, TF.js folded into the first Dense, gated and pruned, to 1e-5", async () => {
    await tf.setBackend("cpu");
    const { Sequential } = await import("../../src/model/sequential.js");
    const { BSF } = await import("../../src/layers/bsf.js");
    const { Dense } = await import("../../src/layers/dense.js");
    const { Normalization } = await import("../../src/layers/normalization.js");
    const { runtime } = await import("../util/wasm.js");
    const D = 6;
    const mean = [100, -3, 0.5, 1000, 7, 0];
    const std = [20, 0.1, 1, 300, 2, 1];
    const m = new Sequential(
      [
        new Normalization({ name: "norm", mean, std }),
        new BSF({ name: "input_gate" }),
        new Dense({ name: "h", units: 5, activation: "relu" }),
        new BSF({ name: "g" }),
        new Dense({ name: "o", units: 3, activation: "softmax" }),
      ],
      { inputShape: [D] },
    );
    m.compile({ seed: 4 });
    await m.build(undefined, await runtime());
    m.setWeights(
      m
        .getWeights()
        .map((w) =>
          w.name === "gate" ? { ...w, values: Float32Array.from(w.values, (_, j) => (j % 3 === 1 ? 0.05 : 0.8)) } : w,
        ),
    );
    const r = rng(21);
    const x = Float32Array.from({ length: 40 * D }, (_, i) => mean[i % D] + std[i % D] * 2 * (r() * 2 - 1));
    const ref = m.predictSync(x);
    await checkExports(m, x, ref, "normalized gated");
    const { model: pruned, plan } = prune(m);
    expect(plan.inputKeep).toEqual([0, 2, 3, 5]);
    // the Normalization lost the pruned columns with the input gate
    expect(pruned.toSpec().layers[0].weights.map((w) => w.shape)).toEqual([[4], [4]]);
    const xr = reduceRows(x, D, plan.inputKeep);
    expect(maxAbsDiff(pruned.predictSync(xr), ref)).toBeLessThan(1e-5);
    await checkExports(pruned, xr, ref, "normalized pruned");
    pruned.dispose();
    m.dispose();
  });
});

describe("gate variant exports", () => {
  for (const gate of ["gaussian", "hard-concrete"] as const) {
    it(`${gate} gates (dense and CNN channel gates): TF.js and ONNX match, gated (z folded) and pruned`, async () => {
      await tf.setBackend("cpu");
      const { spreadVariant, variantCnn, variantDense } = await import("../prune/variant-models.js");
      const dense = await variantDense(gate, 10, 6);
      spreadVariant(dense, gate, 8);
      const x = randn(rng(14), 40 * 10, 2);
      const ref = dense.predictSync(x);
      await checkExports(dense, x, ref, `${gate} dense gated`);
      const p = prune(dense);
      await checkExports(p.model, reduceRows(x, 10, p.plan.inputKeep), ref, `${gate} dense pruned`);
      const cnn = await variantCnn(gate, 3);
      const full = 9 * 10 * 3;
      const xc = randn(rng(15), 16 * full, 1.5);
      const refc = cnn.predictSync(xc);
      await checkExports(cnn, xc, refc, `${gate} cnn gated`);
      const pc = prune(cnn);
      await checkExports(pc.model, reduceRows(xc, full, pc.plan.inputKeep), refc, `${gate} cnn pruned`);
      for (const m of [dense, p.model, cnn, pc.model]) m.dispose();
    });
  }
});
