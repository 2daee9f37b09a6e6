// The one builder: a spec's layers built in order and checked against its weights; the errors name
// the layer and the tensor.
import { describe, expect, it } from "vitest";
import { buildSpec, buildStack, specShapes } from "../../src/model/build.js";
import type { ModelSpec } from "../../src/model/spec.js";
import { Dense } from "../../src/layers/dense.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Conv2D } from "../../src/layers/conv.js";
import { ConfigError, ShapeError } from "../../src/errors.js";

function spec(): ModelSpec {
  return {
    name: "m",
    inputShape: [3],
    layers: [
      {
        className: "Dense",
        config: { name: "d", units: 2, activation: "relu" },
        weights: [
          { name: "kernel", shape: [3, 2], values: new Float32Array(6) },
          { name: "bias", shape: [2], values: new Float32Array(2) },
        ],
      },
      {
        className: "Dense",
        config: { name: "out", units: 2, activation: "softmax", useBias: false },
        weights: [{ name: "kernel", shape: [2, 2], values: new Float32Array(4) }],
      },
    ],
  };
}

describe("buildSpec", () => {
  it("builds every layer on the shapes before it", () => {
    const b = buildSpec(spec());
    expect(b.layers.map((l) => l.name)).toEqual(["d", "out"]);
    expect(b.shapes).toEqual([[3], [2]]);
    expect(b.outputShape).toEqual([2]);
    expect(specShapes(spec())).toEqual([[3], [2]]);
  });

  it("refuses weights that disagree with the layers, naming layer and tensor", () => {
    const missing = spec();
    missing.layers[0].weights.pop();
    expect(() => buildSpec(missing)).toThrow(/layer d: has 2 parameter tensors \(kernel, bias\), the model gives 1/);
    const renamed = spec();
    renamed.layers[0].weights[1].name = "beta";
    expect(() => buildSpec(renamed)).toThrow(/layer d: parameter 1 is bias, the model gives beta/);
    const reshaped = spec();
    reshaped.layers[1].weights[0] = { name: "kernel", shape: [3, 2], values: new Float32Array(6) };
    expect(() => buildSpec(reshaped)).toThrow(ShapeError);
    expect(() => buildSpec(reshaped)).toThrow(/layer out: kernel is \[2, 2\] by its config, the weights are \[3, 2\]/);
  });

  it("refuses unknown classes, bad configs, duplicate names, softmax inside, a non-flat output", () => {
    const unknown = spec();
    unknown.layers[0].className = "Dens";
    expect(() => buildSpec(unknown)).toThrow(/layer 0 \(Dens\): unknown layer type "Dens"/);
    const bad = spec();
    bad.layers[0].config.units = -1;
    expect(() => buildSpec(bad)).toThrow(ConfigError);
    const twice = spec();
    twice.layers[1].config.name = "d";
    expect(() => buildSpec(twice)).toThrow(/two layers are named d/);
    const inside = spec();
    inside.layers[0].config.activation = "softmax";
    expect(() => buildSpec(inside)).toThrow(/softmax is only supported as the output activation/);
    expect(() => buildStack([new Conv2D({ filters: 2, kernelSize: 1 })], [2, 2, 1])).toThrow(/flat class scores/);
    expect(() => buildStack([new Flatten(), new Dense({ units: 3 })], [2, 2, 1], { maxActivation: 2 })).toThrow(
      /outputs 4 values per sample: too large/,
    );
  });
});
