// An inference pass runs a Conv2D and the 2x2 MaxPool2D after it as one kernel call (the stack's
// fused pairs, Layer.fusesAtInference); its outputs are those of the two layers run one after the
// other, bit for bit, and only the pairs the layers declare are fused.
import { describe, expect, it } from "vitest";
import { LayerStack } from "../../src/model/stack.js";
import { Dense } from "../../src/layers/dense.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import type { Layer } from "../../src/layers/layer.js";
import { randn, rng, runtime } from "../util/wasm.js";

const layersOf = (activation: "relu" | "linear" | "tanh", pool = 2) => [
  new Conv2D({ filters: 8, kernelSize: 3, activation: "relu" }),
  new Conv2D({ filters: 12, kernelSize: 3, activation }),
  new MaxPool2D({ poolSize: pool }),
  new Flatten(),
  new Dense({ units: 5, activation: "softmax" }),
];

describe("fused inference pairs", async () => {
  const rt = await runtime();

  /** The stack's predict beside each layer's forward in turn (nothing fused) on the same plan. */
  function both(layers: Layer[], B: number, inputShape = [11, 13, 3]) {
    const stack = new LayerStack(layers, inputShape);
    const block = stack.placeParams(rt, 0, false);
    const r = rng(5);
    for (const p of block.all) rt.f32(p.ptr, p.size).set(randn(r, p.size, 0.3));
    const x = randn(r, B * stack.inputSize);
    const fused = stack.predict(rt, stack.planBatch(rt, B, false), x, B);
    // the reference: one layer at a time, each output in a buffer of its own (a training plan's)
    const plan = stack.planBatch(rt, B, true);
    rt.f32(plan.input, x.length).set(x);
    let inp = plan.input;
    stack.layers.forEach((l, i) => {
      l.forward({ rt, training: false, seed: 0, stream: i }, plan.acts[i], inp, B, plan.ws[i]);
      inp = plan.acts[i];
    });
    const V = stack.classes;
    rt.k.softmax_forward(plan.probs, inp, B, V);
    const apart = rt.f32(plan.probs, B * V).slice();
    return { stack, fused, apart };
  }

  it("a ReLU or linear Conv2D then a 2x2 pool: one call, the bits of two", () => {
    for (const act of ["relu", "linear"] as const) {
      for (const B of [1, 3, 6]) {
        const { stack, fused, apart } = both(layersOf(act), B);
        expect(stack.layers[1].fusesAtInference(stack.layers[2], rt.k), act).toBe(true);
        // the first conv (C = 3: not the Winograd path) does not fuse with the conv after it
        expect(stack.layers[0].fusesAtInference(stack.layers[1], rt.k)).toBe(false);
        expect(Array.from(new Uint32Array(fused.buffer)), `${act} B=${B}`).toEqual(
          Array.from(new Uint32Array(apart.buffer)),
        );
      }
    }
  });

  it("the fused pair writes a buffer apart from its input (pooled output larger than the input)", () => {
    // 1x1 conv to 4 channels, then 3x3 to 32 and the pool: the pooled image (4 x 4 x 32) is larger
    // than the conv's input image (10 x 10 x 4); at 12 images the Winograd path runs two chunks, so
    // an output written over its own input would corrupt the second chunk's rows
    const layers = [
      new Conv2D({ filters: 4, kernelSize: 1, activation: "relu" }),
      new Conv2D({ filters: 32, kernelSize: 3, activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 3, activation: "softmax" }),
    ];
    const { stack, fused, apart } = both(layers, 12, [10, 10, 4]);
    expect(stack.layers[1].fusesAtInference(stack.layers[2], rt.k)).toBe(true);
    expect(Array.from(new Uint32Array(fused.buffer))).toEqual(Array.from(new Uint32Array(apart.buffer)));
  });

  it("a tanh Conv2D, or a pool other than 2x2, is not fused", () => {
    const tanh = layersOf("tanh");
    const three = layersOf("relu", 3);
    for (const layers of [tanh, three]) {
      const { stack, fused, apart } = both(layers, 2);
      expect(stack.layers[1].fusesAtInference(stack.layers[2], rt.k)).toBe(false);
      expect(Array.from(fused)).toEqual(Array.from(apart));
    }
  });
});
