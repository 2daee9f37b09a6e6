// What each layer class declares to pruning, export and summaries (LayerTraits) must match what the
// layer does: a sample of every registered class is built and its traits checked against its
// shapes and parameters. A new layer type fails here until it has a sample.
import { describe, expect, it } from "vitest";
import { layerFromConfig, registeredLayers, traitsOf } from "../../src/layers/registry.js";
import { sizeOf } from "../../src/layers/layer.js";

const samples: Record<string, { config: Record<string, unknown>; input: number[] }[]> = {
  Dense: [
    { config: { units: 5 }, input: [7] },
    { config: { units: 3, useBias: false }, input: [4] },
  ],
  Activation: [{ config: { activation: "relu" }, input: [5, 3] }],
  BSF: [
    { config: {}, input: [6] },
    { config: { shareAxis: "channel" }, input: [4, 5, 3] },
    { config: { gate: "gaussian" }, input: [6] },
    { config: { gate: "hard-concrete", shareAxis: "channel" }, input: [4, 5, 3] },
  ],
  Conv2D: [
    { config: { filters: 6, kernelSize: 3 }, input: [7, 8, 3] },
    { config: { filters: 2, kernelSize: 3, padding: "same", useBias: false }, input: [5, 5, 1] },
  ],
  Conv1D: [{ config: { filters: 4, kernelSize: 5 }, input: [20, 2] }],
  MaxPool2D: [{ config: { poolSize: 2 }, input: [6, 7, 3] }],
  MaxPool1D: [{ config: { poolSize: 3 }, input: [10, 4] }],
  Flatten: [{ config: {}, input: [3, 4, 2] }],
  Dropout: [{ config: { rate: 0.5 }, input: [9] }],
  Normalization: [
    { config: { mean: [1, 2, 3], std: [1, 2, 4] }, input: [3] },
    { config: {}, input: [4, 4, 2] },
  ],
};

describe("layer traits", () => {
  it("every registered layer class has a sample here", () => {
    expect(registeredLayers().sort()).toEqual(Object.keys(samples).sort());
  });

  for (const [className, cases] of Object.entries(samples)) {
    it(`${className}: traits agree with the built layer`, () => {
      const t = traitsOf(className);
      for (const { config, input } of cases) {
        const l = layerFromConfig({ className, config });
        l.build(input);
        expect(l.traits).toBe(t);
        if (t.passThrough === "units") expect(l.outputShape).toEqual(input);
        if (t.passThrough === "channels") expect(l.outputShape.at(-1)).toBe(input.at(-1));
        if (t.passThrough !== "none") expect(t.scaleCommutes).toBeTypeOf("function");
        if (t.flattens) expect(l.outputShape).toEqual([sizeOf(input)]);
        if (t.gate) {
          expect(l.params.length).toBe(1);
          expect(l.outputShape).toEqual(input);
          // pruning and export read the gate's inference through this one function
          expect(t.gateScale).toBeTypeOf("function");
          const s = t.gateScale!(l.getConfig(), new Float32Array(l.params[0].size));
          expect(s.open.length).toBe(l.params[0].size);
          expect(s.scale.length).toBe(l.params[0].size);
        }
        if (t.prunable) {
          const width = config[t.prunable.widthKey] as number;
          const kernel = l.params.find((p) => p.name === "kernel")!;
          expect(kernel.shape.at(-1)).toBe(width);
          expect(kernel.shape.at(-2)).toBe(input.at(-1));
          expect(kernel.shape.length).toBe(t.prunable.kind === "dense" ? 2 : input.length + 1);
          expect(l.outputShape.at(-1)).toBe(width);
          const bias = l.params.find((p) => p.name === "bias");
          if (config.useBias === false) expect(bias).toBeUndefined();
          else expect(bias?.shape).toEqual([width]);
        } else if (t.unitParams) {
          expect(t.passThrough).toBe("units");
          for (const p of l.params) expect(p.shape).toEqual([input.at(-1)]);
        } else if (!t.gate) expect(l.params).toEqual([]);
      }
    });
  }

  it("an expectation-mode scale commutes with ReLU and linear, not with tanh", () => {
    const f = traitsOf("Activation").scaleCommutes!;
    expect([f({ activation: "relu" }), f({ activation: "linear" }), f({ activation: "tanh" })]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
