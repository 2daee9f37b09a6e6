// Small trained models for I/O, export and inference tests: gates after hidden layers and on the
// input, trained briefly on blobs so some gates close.
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Activation } from "../../src/layers/activation.js";
import { prune } from "../../src/prune/index.js";
import { Adam } from "../../src/optim/optimizer.js";
import type { PrunePlan } from "../../src/prune/plan.js";
import { blobs } from "./blobs.js";
import { runtime } from "./wasm.js";

export const D = 8;

export async function gatedModel(seed = 1): Promise<Sequential> {
  const m = new Sequential(
    [
      new BSF({ name: "input_gate", penalty: 0.01, init: 0.6 }),
      new Dense({ units: 16, activation: "relu", name: "dense_1" }),
      new BSF({ name: "gate_1", penalty: 0.01 }),
      new Dense({ units: 12, activation: "tanh", name: "dense_2" }),
      new BSF({ name: "gate_2", penalty: 0.01 }),
      new Dense({ units: 8, name: "dense_3" }),
      new Activation({ activation: "relu", name: "act_3" }),
      new Dense({ units: 3, activation: "softmax", name: "output" }),
    ],
    { inputShape: [D], name: "test_net" },
  );
  m.compile({ seed, optimizer: new Adam({ learningRate: 0.01 }) });
  await m.build(undefined, await runtime());
  const { x, y } = blobs(240, D, 3, seed, 4);
  await m.fit(x, y, { epochs: 40, batchSize: 32, verbose: 0 });
  return m;
}

export async function prunedModel(seed = 1): Promise<{ gated: Sequential; pruned: Sequential; plan: PrunePlan }> {
  const gated = await gatedModel(seed);
  const { model: pruned, plan } = prune(gated);
  return { gated, pruned, plan };
}

/** A small CNN with channel gates (input, after each conv) and a unit gate, gates set so that about
 * a third of each are closed (seeded; no training). */
export async function gatedCnn(seed = 1, oneD = false): Promise<Sequential> {
  const { Conv1D, Conv2D } = await import("../../src/layers/conv.js");
  const { MaxPool1D, MaxPool2D } = await import("../../src/layers/pool.js");
  const { Flatten } = await import("../../src/layers/flatten.js");
  const { Dropout } = await import("../../src/layers/dropout.js");
  const layers = oneD
    ? [
        new BSF({ name: "input_gate", shareAxis: "channel" }),
        new Conv1D({ name: "conv_1", filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
        new BSF({ name: "gate_1", shareAxis: "channel" }),
        new MaxPool1D({ name: "pool_1", poolSize: 2 }),
        new Conv1D({ name: "conv_2", filters: 5, kernelSize: 2, activation: "tanh" }),
        new Flatten({ name: "flatten" }),
        new Dense({ name: "output", units: 3, activation: "softmax" }),
      ]
    : [
        new BSF({ name: "input_gate", shareAxis: "channel" }),
        new Conv2D({ name: "conv_1", filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
        new BSF({ name: "gate_1", shareAxis: "channel" }),
        new MaxPool2D({ name: "pool_1", poolSize: 2 }),
        new Conv2D({ name: "conv_2", filters: 5, kernelSize: [2, 3], activation: "tanh" }),
        new Dropout({ name: "dropout", rate: 0.25 }),
        new BSF({ name: "gate_2", shareAxis: "channel" }),
        new Flatten({ name: "flatten" }),
        new Dense({ name: "dense_1", units: 8, activation: "relu" }),
        new BSF({ name: "gate_3" }),
        new Dense({ name: "output", units: 3, activation: "softmax" }),
      ];
  const m = new Sequential(layers, { inputShape: oneD ? [16, 4] : [9, 10, 3], name: oneD ? "cnn1d" : "cnn" });
  m.compile({ seed });
  await m.build(undefined, await runtime());
  let s = seed * 7919;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  m.setWeights(
    m
      .getWeights()
      .map((w) =>
        m.layers.find((l) => l.name === w.layer) instanceof BSF
          ? { ...w, values: w.values.map((_, j) => (j % 3 === 1 ? 0.09 * r() : 0.1 + 0.9 * r())) }
          : w,
      ),
  );
  return m;
}
