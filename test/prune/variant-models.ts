// Models whose every gate is one BSF variant (gate: "gaussian" | "hard-concrete" | "bernoulli"),
// for the pruning and export tests: gate parameters set so that about a third of the gates are
// closed (inference z = 0 exactly), the rest open at scales spread over (0, 1].
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF, gateParamFor, type BsfGate } from "../../src/layers/bsf.js";
import { Activation } from "../../src/layers/activation.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Dropout } from "../../src/layers/dropout.js";
import { rng, runtime } from "../util/wasm.js";

/** A parameter value per gate: closed (z = 0) for j % 3 == 1, else open with z in (0.15, 1]. */
export function spreadVariant(model: Sequential, gate: BsfGate, seed: number): void {
  const r = rng(seed);
  const closed = () => (gate === "gaussian" ? -0.5 - 0.5 * r() : gate === "hard-concrete" ? -3 - r() : 0.09 * r());
  model.setWeights(
    model.getWeights().map((w) =>
      model.layers.find((l) => l.name === w.layer) instanceof BSF
        ? {
            ...w,
            values: w.values.map((_, j) =>
              j % 3 === 1 ? closed() : gateParamFor(gate, Math.min(1, 0.15 + 0.9 * r())),
            ),
          }
        : w,
    ),
  );
}

export async function variantDense(gate: BsfGate, D: number, seed = 1, softmax = true): Promise<Sequential> {
  const m = new Sequential(
    [
      new BSF({ name: "input_gate", gate }),
      new Dense({ units: 12, activation: "relu", name: "d1" }),
      new BSF({ name: "g1", gate }),
      new Dense({ units: 10, activation: "tanh", name: "d2" }),
      new BSF({ name: "g2", gate }),
      new Dense({ units: 9, name: "d3" }),
      new Activation({ activation: "relu", name: "a3" }),
      new BSF({ name: "g3", gate }),
      new Dense({ units: 3, activation: softmax ? "softmax" : "linear", name: "out" }),
    ],
    { inputShape: [D], name: `dense_${gate}` },
  );
  m.compile({ seed });
  await m.build(undefined, await runtime());
  return m;
}

/** Channel gates on the input and after each conv (through pooling and dropout), a unit gate after a Dense. */
export async function variantCnn(gate: BsfGate, seed = 1): Promise<Sequential> {
  const m = new Sequential(
    [
      new BSF({ name: "input_gate", gate, shareAxis: "channel" }),
      new Conv2D({ name: "conv_1", filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
      new BSF({ name: "gate_1", gate, shareAxis: "channel" }),
      new MaxPool2D({ name: "pool_1", poolSize: 2 }),
      new Conv2D({ name: "conv_2", filters: 5, kernelSize: [2, 3], activation: "tanh" }),
      new Dropout({ name: "dropout", rate: 0.25 }),
      new BSF({ name: "gate_2", gate, shareAxis: "channel" }),
      new Flatten({ name: "flatten" }),
      new Dense({ name: "dense_1", units: 8, activation: "relu" }),
      new BSF({ name: "gate_3", gate }),
      new Dense({ name: "output", units: 3, activation: "softmax" }),
    ],
    { inputShape: [9, 10, 3], name: `cnn_${gate}` },
  );
  m.compile({ seed });
  await m.build(undefined, await runtime());
  spreadVariant(m, gate, seed + 100);
  return m;
}
