// The paper's classifier (section 2.1.1): dense D, D, 2D, D with ReLU and a softmax over N
// classes, optionally behind an input BSF gate; for regression a linear output of width `classes`
// trained on the mean squared error.
import { Sequential } from "../model/sequential.js";
import { Dense } from "../layers/dense.js";
import { BSF, type BSFConfig } from "../layers/bsf.js";
import { Adam } from "../optim/optimizer.js";
import type { Layer } from "../layers/layer.js";
import type { ActivationName } from "../layers/activation.js";

export interface ClassifierOptions {
  /** Input BSF gate configuration; omit for the plain classifier. */
  gate?: BSFConfig;
  /** Hidden widths as multiples of D; default the paper's [1, 1, 2, 1]. */
  hidden?: number[];
  activation?: ActivationName;
  /** Kernel initializer of the hidden layers: Keras' default Glorot uniform, or He normal. */
  init?: "glorot" | "he";
  learningRate?: number;
  seed?: number;
  task?: "classification" | "regression";
}

export function paperClassifier(D: number, classes: number, o: ClassifierOptions = {}): Sequential {
  const layers: Layer[] = [];
  if (o.gate) layers.push(new BSF({ ...o.gate, name: o.gate.name ?? "input_gate" }));
  for (const [i, m] of (o.hidden ?? [1, 1, 2, 1]).entries()) {
    layers.push(
      new Dense({
        units: Math.max(1, Math.round(m * D)),
        activation: o.activation ?? "relu",
        name: `dense_${i + 1}`,
        kernelInitializer: o.init === "he" ? { kind: "heNormal" } : undefined,
      }),
    );
  }
  const regression = o.task === "regression";
  layers.push(new Dense({ units: classes, activation: regression ? "linear" : "softmax", name: "output" }));
  const model = new Sequential(layers, { inputShape: [D] });
  model.compile({
    optimizer: new Adam({ learningRate: o.learningRate ?? 0.001 }),
    seed: o.seed ?? 0,
    ...(regression ? { loss: "meanSquaredError" as const } : {}),
  });
  return model;
}
