// Property: for random gated architectures (dense and conv), random gate weights and thresholds,
// the pruned model computes what the gated model computes at inference, and its weight count is
// the plan's.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Activation } from "../../src/layers/activation.js";
import { Conv2D } from "../../src/layers/conv.js";
import { MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Dropout } from "../../src/layers/dropout.js";
import type { Layer } from "../../src/layers/layer.js";
import { prune, reduceRows } from "../../src/prune/index.js";
import { maxAbsDiff, randn, rng, runtime } from "../util/wasm.js";

const act = fc.constantFrom("relu", "tanh", "linear") as fc.Arbitrary<"relu" | "tanh" | "linear">;

const denseNet = fc.record({
  inputGate: fc.boolean(),
  inputs: fc.integer({ min: 1, max: 9 }),
  hidden: fc.array(
    fc.record({
      units: fc.integer({ min: 1, max: 12 }),
      activation: act,
      gate: fc.boolean(),
      extra: fc.constantFrom("none", "relu", "dropout"),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  classes: fc.integer({ min: 1, max: 4 }),
  softmax: fc.boolean(),
});

const convNet = fc.record({
  inputGate: fc.boolean(),
  size: fc.integer({ min: 4, max: 7 }),
  channels: fc.integer({ min: 1, max: 4 }),
  convs: fc.array(
    fc.record({
      filters: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 3 }),
      same: fc.boolean(),
      gate: fc.boolean(),
      pool: fc.boolean(),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  dense: fc.integer({ min: 1, max: 6 }),
  denseGate: fc.boolean(),
});

async function check(
  layers: Layer[],
  inputShape: number[],
  gateSeed: number,
  threshold: number | undefined,
  multiple: number,
): Promise<void> {
  const model = new Sequential(layers, { inputShape });
  model.compile({ seed: gateSeed });
  await model.build(undefined, await runtime());
  const r = rng(gateSeed);
  model.setWeights(
    model
      .getWeights()
      .map((w) =>
        model.layers.find((l) => l.name === w.layer) instanceof BSF
          ? { ...w, values: w.values.map(() => (r() < 0.4 ? 0.1 * r() : r())) }
          : w,
      ),
  );
  const { model: pruned, plan } = prune(model, { threshold, channelMultiple: multiple });
  try {
    const D = inputShape.reduce((a, b) => a * b, 1);
    const x = randn(rng(gateSeed + 1), 6 * D, 2);
    const err = maxAbsDiff(model.predictSync(x), pruned.predictSync(reduceRows(x, D, plan.inputKeep)));
    expect(err).toBeLessThan(1e-5);
    expect(pruned.paramCount).toBe(plan.after.weights);
    expect(pruned.layers.some((l) => l instanceof BSF)).toBe(false);
  } finally {
    pruned.dispose();
    model.dispose();
  }
}

let n = 0;
const name = (p: string) => `${p}_${++n}`;

describe("pruning is exact on random architectures (fast-check)", () => {
  it("dense stacks", async () => {
    await fc.assert(
      fc.asyncProperty(
        denseNet,
        fc.nat(1000),
        fc.option(fc.double({ min: 0, max: 0.9, noNaN: true }), { nil: undefined }),
        async (a, seed, t) => {
          const layers: Layer[] = [];
          // the gates' own threshold is the one planPrune is given (an override would change the function)
          const g = { threshold: t ?? 0.1 };
          if (a.inputGate) layers.push(new BSF({ ...g, name: name("in") }));
          for (const h of a.hidden) {
            layers.push(new Dense({ units: h.units, activation: h.activation, name: name("d") }));
            if (h.extra === "relu") layers.push(new Activation({ activation: "relu", name: name("a") }));
            if (h.extra === "dropout") layers.push(new Dropout({ rate: 0.3, name: name("drop") }));
            if (h.gate) layers.push(new BSF({ ...g, name: name("g") }));
          }
          layers.push(new Dense({ units: a.classes, activation: a.softmax ? "softmax" : "linear", name: name("out") }));
          await check(layers, [a.inputs], seed, t, 1);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  it("conv stacks with channel gates, pooling and Flatten", async () => {
    await fc.assert(
      fc.asyncProperty(convNet, fc.nat(1000), fc.constantFrom(1, 4), async (a, seed, multiple) => {
        const layers: Layer[] = [];
        if (a.inputGate) layers.push(new BSF({ name: name("in"), shareAxis: "channel" }));
        let s = a.size;
        for (const c of a.convs) {
          if (!c.same && s - c.k + 1 < 1) continue;
          layers.push(
            new Conv2D({
              filters: c.filters,
              kernelSize: c.k,
              padding: c.same ? "same" : "valid",
              activation: "relu",
              name: name("c"),
            }),
          );
          if (!c.same) s = s - c.k + 1;
          if (c.gate) layers.push(new BSF({ name: name("g"), shareAxis: "channel" }));
          if (c.pool && s >= 2) {
            layers.push(new MaxPool2D({ poolSize: 2, name: name("p") }));
            s = Math.floor(s / 2);
          }
        }
        if (!layers.some((l) => l instanceof Conv2D))
          layers.push(new Conv2D({ filters: 2, kernelSize: 1, name: name("c") }));
        layers.push(
          new Flatten({ name: name("f") }),
          new Dense({ units: a.dense, activation: "relu", name: name("d") }),
        );
        if (a.denseGate) layers.push(new BSF({ name: name("g") }));
        layers.push(new Dense({ units: 3, name: name("out") }));
        await check(layers, [a.size, a.size, a.channels], seed, undefined, multiple);
      }),
      { numRuns: 40, seed: 12 },
    );
  });
});
