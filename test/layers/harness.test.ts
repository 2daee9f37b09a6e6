// One harness for every layer (the Keras way): build, output shape, config round trip,
// and the backward pass against finite differences through the real kernels.
import { describe, expect, it } from "vitest";
import { Dense } from "../../src/layers/dense.js";
import { Activation } from "../../src/layers/activation.js";
import { BSF } from "../../src/layers/bsf.js";
import { layerFromConfig } from "../../src/layers/registry.js";
import { Conv1D, Conv2D } from "../../src/layers/conv.js";
import { MaxPool1D, MaxPool2D } from "../../src/layers/pool.js";
import { Dropout } from "../../src/layers/dropout.js";
import { Normalization } from "../../src/layers/normalization.js";
import type { Layer } from "../../src/layers/layer.js";
import { runtime } from "../util/wasm.js";
import { gradCheck } from "../util/gradcheck.js";

interface Case {
  make: () => Layer;
  input: number[];
  output: number[];
  /** finite differences valid for the parameters too (not for BSF's straight-through w) */
  params: boolean;
  training?: boolean;
  /** backward is only defined in training mode for stochastic layers */
  noGrad?: boolean;
  /** finite-difference step (default 1e-2); smaller for a clamped gate, whose loss has kinks */
  eps?: number;
}

const cases: Record<string, Case> = {
  "Dense linear 7->5": { make: () => new Dense({ units: 5 }), input: [7], output: [5], params: true },
  "Dense tanh 9->3": { make: () => new Dense({ units: 3, activation: "tanh" }), input: [9], output: [3], params: true },
  "Dense no bias 4->6": { make: () => new Dense({ units: 6, useBias: false }), input: [4], output: [6], params: true },
  "Activation tanh": { make: () => new Activation("tanh"), input: [11], output: [11], params: false },
  "BSF per unit (training, fixed mask)": {
    make: () => new BSF({ penalty: 0.01 }),
    input: [13],
    output: [13],
    params: false,
    training: true,
  },
  "Conv2D 3x3 valid tanh": {
    make: () => new Conv2D({ filters: 5, kernelSize: 3, activation: "tanh" }),
    input: [6, 7, 3],
    output: [4, 5, 5],
    params: true,
  },
  "Conv2D 2x3 same": {
    make: () => new Conv2D({ filters: 4, kernelSize: [2, 3], padding: "same" }),
    input: [5, 5, 2],
    output: [5, 5, 4],
    params: true,
  },
  "Conv2D 3x3 Winograd path (C, OC multiples of 4)": {
    make: () => new Conv2D({ filters: 4, kernelSize: 3 }),
    input: [6, 6, 4],
    output: [4, 4, 4],
    params: true,
  },
  "Conv1D 5 same": {
    make: () => new Conv1D({ filters: 3, kernelSize: 5, padding: "same" }),
    input: [11, 2],
    output: [11, 3],
    params: true,
  },
  "MaxPool2D 2x2": { make: () => new MaxPool2D({ poolSize: 2 }), input: [5, 4, 3], output: [2, 2, 3], params: false },
  "MaxPool1D 3": { make: () => new MaxPool1D({ poolSize: 3 }), input: [10, 2], output: [3, 2], params: false },
  "Dropout 0.3 (training, fixed mask)": {
    make: () => new Dropout({ rate: 0.3 }),
    input: [17],
    output: [17],
    params: false,
    training: true,
  },
  "BSF position gate": {
    make: () => new BSF({ shareAxis: "position" }),
    input: [4, 3],
    output: [4, 3],
    params: false,
    training: true,
  },
  // mean and variance are not trained: only dinp is checked
  "Normalization over the last axis": {
    make: () => new Normalization({ mean: [0.5, -1, 2], std: [2, 0.5, 1] }),
    input: [4, 3],
    output: [4, 3],
    params: false,
  },
  "BSF config": {
    make: () => new BSF({ threshold: 0.4, gradient: "scaled", mode: "expectation" }),
    input: [6],
    output: [6],
    params: false,
    noGrad: true,
  },
  // penalty 0: the probe loss holds no penalty term (its gradient is checked in bsf-gates.test.ts)
  "BSF gaussian gate (training, fixed noise)": {
    make: () => new BSF({ gate: "gaussian", penalty: 0 }),
    input: [13],
    output: [13],
    params: true,
    training: true,
    eps: 1e-3,
  },
  "BSF hard-concrete gate (training, fixed noise)": {
    make: () => new BSF({ gate: "hard-concrete", penalty: 0 }),
    input: [13],
    output: [13],
    params: true,
    training: true,
  },
  "BSF gaussian channel gate": {
    make: () => new BSF({ gate: "gaussian", penalty: 0, sigma: 0.3, shareAxis: "channel" }),
    input: [3, 5],
    output: [3, 5],
    params: true,
    training: true,
  },
  "BSF hard-concrete channel gate": {
    make: () => new BSF({ gate: "hard-concrete", penalty: 0, shareAxis: "channel" }),
    input: [3, 5],
    output: [3, 5],
    params: true,
    training: true,
  },
  "BSF gaussian config": {
    make: () => new BSF({ gate: "gaussian", sigma: 0.7, init: 0.9, threshold: 0.2 }),
    input: [6],
    output: [6],
    params: false,
    noGrad: true,
  },
  "BSF channel gate": {
    make: () => new BSF({ shareAxis: "channel" }),
    input: [3, 5],
    output: [3, 5],
    params: false,
    training: true,
  },
};

describe("layer harness", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: shape, config round trip, gradients`, async () => {
      const rt = await runtime();
      const layer = c.make();
      layer.build(c.input);
      expect(layer.outputShape).toEqual(c.output);
      const again = layerFromConfig({ className: layer.className, config: layer.getConfig() });
      again.build(c.input);
      expect(again.getConfig()).toEqual(layer.getConfig());
      expect(again.params.map((p) => p.shape)).toEqual(layer.params.map((p) => p.shape));
      if (c.noGrad) return;
      const err = gradCheck(rt, layer, 3, { training: c.training, params: c.params, eps: c.eps });
      expect(err.dinp, "dinp vs finite differences").toBeLessThan(5e-3);
      expect(err.params, "parameter gradients vs finite differences").toBeLessThan(5e-3);
    });
  }
});
