// The paper's classifier with a BSF gate after every hidden layer (neuron pruning, section 2.2),
// and the counts the Table 3 reports give: hidden units and Dense weights (kernels and biases).
// Used by scripts/prune-wine.ts and scripts/table3-neurons.ts.
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Adam } from "../../src/optim/optimizer.js";
import type { Layer } from "../../src/layers/layer.js";
import type { ActivationName } from "../../src/layers/activation.js";

export const PAPER_HIDDEN = [1, 1, 2, 1];

export interface GateOptions {
  penalty: number;
  threshold?: number;
  init?: number;
}

/** Dense D*hidden[0], ..., softmax over `classes`; with `gates`, a BSF gate after each hidden layer.
 * `widths` (absolute unit counts) overrides `hidden` (multiples of D): the shape of a pruned net. */
export function gatedClassifier(
  D: number,
  classes: number,
  o: {
    gates?: GateOptions;
    hidden?: number[];
    widths?: number[];
    activation?: ActivationName;
    seed: number;
    learningRate?: number;
  },
): Sequential {
  const widths = o.widths ?? (o.hidden ?? PAPER_HIDDEN).map((m) => Math.max(1, Math.round(m * D)));
  const layers: Layer[] = [];
  widths.forEach((units, i) => {
    layers.push(new Dense({ units, activation: o.activation ?? "relu", name: `dense_${i + 1}` }));
    if (o.gates)
      layers.push(
        new BSF({
          name: `gate_${i + 1}`,
          penalty: o.gates.penalty,
          threshold: o.gates.threshold ?? 0.1,
          init: o.gates.init ?? 0.99,
        }),
      );
  });
  layers.push(new Dense({ units: classes, activation: "softmax", name: "output" }));
  const model = new Sequential(layers, { inputShape: [D] });
  model.compile({ optimizer: new Adam({ learningRate: o.learningRate ?? 0.001 }), seed: o.seed });
  return model;
}

/** Kernels and biases of the Dense layers (gates excluded: pruning removes them). */
export const denseWeights = (m: Sequential): number =>
  m.layers.filter((l) => l instanceof Dense).reduce((s, l) => s + l.paramCount, 0);

/** Units of the hidden Dense layers (the output layer excluded). */
export const hiddenWidths = (m: Sequential): number[] =>
  m.layers
    .filter((l): l is Dense => l instanceof Dense)
    .slice(0, -1)
    .map((l) => l.units);

export const hiddenUnits = (m: Sequential): number => hiddenWidths(m).reduce((a, b) => a + b, 0);
