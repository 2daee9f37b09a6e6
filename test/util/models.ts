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
