// Kernel (channel) pruning: channel gates after convolutions, through pooling, activations,
// dropout and Flatten (channel c owns every (h, w, c) row of the next Dense), and channel input
// gates. The pruned model equals the gated model at inference to 1e-5; counts match the plan.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Activation } from "../../src/layers/activation.js";
import { Conv1D, Conv2D } from "../../src/layers/conv.js";
import { MaxPool1D, MaxPool2D } from "../../src/layers/pool.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Dropout } from "../../src/layers/dropout.js";
import type { Layer } from "../../src/layers/layer.js";
import { planPrune, prune, reduceRows, summary } from "../../src/prune/index.js";
import { maxAbsDiff, randn, rng, runtime } from "../util/wasm.js";

async function build(layers: Layer[], inputShape: number[], seed = 1): Promise<Sequential> {
  const m = new Sequential(layers, { inputShape });
  m.compile({ seed });
  await m.build(undefined, await runtime());
  // gates: a third of each closed (w below 0.1), the rest spread over (0.1, 1]
  const r = rng(seed + 100);
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

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe("channel pruning of conv models", () => {
  it("Conv2D stack with an input channel gate, pooling, Flatten: exact, counts match", async () => {
    const model = await build(
      [
        new BSF({ name: "in_gate", shareAxis: "channel" }),
        new Conv2D({ name: "c1", filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
        new BSF({ name: "g1", shareAxis: "channel" }),
        new MaxPool2D({ name: "p1", poolSize: 2 }),
        new Conv2D({ name: "c2", filters: 5, kernelSize: 3, activation: "tanh" }),
        new Dropout({ name: "drop", rate: 0.3 }),
        new BSF({ name: "g2", shareAxis: "channel" }),
        new Flatten({ name: "flat" }),
        new Dense({ name: "d1", units: 7, activation: "relu" }),
        new BSF({ name: "g3" }),
        new Dense({ name: "out", units: 3 }),
      ],
      [8, 8, 4],
    );
    const plan = planPrune(model, { channelMultiple: 1 });
    expect(plan.gates.map((g) => [g.gate, g.axis, g.kind, g.producer ?? "-", g.consumer, g.positions])).toEqual([
      ["in_gate", "channel", "input", "-", "c1", 1],
      ["g1", "channel", "hidden", "c1", "c2", 1],
      ["g2", "channel", "hidden", "c2", "d1", 4], // 2x2 positions after the valid 3x3 on 4x4
      ["g3", "unit", "hidden", "d1", "out", 1],
    ]);
    const { model: pruned } = prune(model, { channelMultiple: 1 });
    const k = plan.gates.map((g) => g.keep.length);
    expect(k.every((n, i) => n < plan.gates[i].units)).toBe(true);
    expect(pruned.inputShape).toEqual([8, 8, k[0]]);
    // input mapping: every position of the kept channels, NHWC order
    expect(plan.inputKeep!.length).toBe(64 * k[0]);
    expect(plan.inputKeep!.slice(0, k[0])).toEqual(plan.gates[0].keep);
    expect(plan.inputKeep![k[0]]).toBe(4 + plan.gates[0].keep[0]);

    const x = randn(rng(3), 16 * size([8, 8, 4]), 1.5);
    const yGated = model.predictSync(x);
    const yPruned = pruned.predictSync(reduceRows(x, 256, plan.inputKeep));
    expect(maxAbsDiff(yGated, yPruned)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(yGated, Math.abs))).toBeGreaterThan(0.05);

    // weights: c1 [3,3,k0,k1]+k1, c2 [3,3,k1,k2]+k2, d1 [4*k2, k3]+k3, out [k3, 3]+3
    const expected = 9 * k[0] * k[1] + k[1] + 9 * k[1] * k[2] + k[2] + 4 * k[2] * k[3] + k[3] + k[3] * 3 + 3;
    expect(plan.after.weights).toBe(expected);
    expect(pruned.paramCount).toBe(expected);
    expect(plan.after.units).toBe(k[1] + k[2] + k[3]);
    expect(summary(model, pruned)).toMatch(/c1\s+Conv2D\s+6 ch/);
    pruned.dispose();
    model.dispose();
  });

  it("by default hidden channel gates keep a multiple of 4 channels, padded with zero-weight channels (still exact)", async () => {
    const model = await build(
      [
        new Conv2D({ name: "c1", filters: 11, kernelSize: 3, padding: "same", activation: "relu" }),
        new BSF({ name: "g1", shareAxis: "channel" }),
        new Conv2D({ name: "c2", filters: 8, kernelSize: 3, activation: "relu" }),
        new BSF({ name: "g2", shareAxis: "channel" }),
        new Flatten({ name: "flat" }),
        new Dense({ name: "out", units: 3 }),
      ],
      [6, 6, 2],
      3,
    );
    const exactOpen = planPrune(model, { channelMultiple: 1 }).gates.map((g) => g.keep.length);
    const { model: pruned, plan } = prune(model);
    plan.gates.forEach((g, i) => {
      expect(g.keep.length % 4 === 0 || g.keep.length === g.units).toBe(true);
      expect(g.keep.length).toBeGreaterThanOrEqual(exactOpen[i]);
      expect(g.scale.filter((s) => s === 1).length).toBe(exactOpen[i]);
    });
    expect(plan.gates[0].keep.length).toBe(8); // 7 of 11 open -> 8
    const x = randn(rng(5), 10 * 72, 2);
    expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(x))).toBeLessThan(1e-5);
    expect(pruned.paramCount).toBe(plan.after.weights);
    pruned.dispose();
    model.dispose();
  });

  it("Conv1D + MaxPool1D + Flatten, an all-closed channel gate, expectation mode", async () => {
    const model = await build(
      [
        new Conv1D({ name: "c1", filters: 5, kernelSize: 3, padding: "same" }),
        new Activation({ name: "a1", activation: "relu" }),
        new BSF({ name: "g1", shareAxis: "channel", mode: "expectation" }),
        new MaxPool1D({ name: "p1", poolSize: 2 }),
        new Conv1D({ name: "c2", filters: 4, kernelSize: 2, activation: "relu" }),
        new BSF({ name: "g2", shareAxis: "channel" }),
        new Flatten({ name: "flat" }),
        new Dense({ name: "out", units: 2, activation: "softmax" }),
      ],
      [12, 3],
      2,
    );
    // close every gate of g2
    model.setWeights(
      model.getWeights().map((w) => (w.layer === "g2" ? { ...w, values: w.values.map(() => 0.01) } : w)),
    );
    const { model: pruned, plan } = prune(model);
    const g2 = plan.gates.find((g) => g.gate === "g2")!;
    expect(g2.allClosed).toBe(true);
    expect(g2.positions).toBe(5);
    const x = randn(rng(4), 20 * 36, 2);
    expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(x))).toBeLessThan(1e-5);
    expect(pruned.paramCount).toBe(plan.after.weights);
    pruned.dispose();
    model.dispose();
  });

  it("keeps position gates; refuses what it cannot prune exactly", async () => {
    const pos = await build(
      [
        new BSF({ name: "pg", shareAxis: "position" }),
        new Conv2D({ name: "c", filters: 6, kernelSize: 3 }),
        new BSF({ name: "cg", shareAxis: "channel" }),
        new Flatten({}),
        new Dense({ units: 2, name: "o" }),
      ],
      [5, 5, 2],
    );
    const { model: pp, plan: pplan } = prune(pos, { channelMultiple: 1 }); // position gates stay, the rest is pruned
    expect(pplan.gates.map((g) => g.gate)).toEqual(["cg"]);
    expect(pp.layers.map((l) => l.name)).toContain("pg");
    const xp = randn(rng(6), 8 * 50, 2);
    expect(maxAbsDiff(pos.predictSync(xp), pp.predictSync(xp))).toBeLessThan(1e-5);
    pp.dispose();
    pos.dispose();
    const elem = await build(
      [
        new Conv2D({ name: "c", filters: 2, kernelSize: 1 }),
        new BSF({ name: "eg" }),
        new Flatten({}),
        new Dense({ units: 2, name: "o" }),
      ],
      [4, 4, 1],
    );
    expect(() => planPrune(elem)).toThrow(/shareAxis "channel"/);
    elem.dispose();
    const twice = await build(
      [
        new Dense({ units: 4, name: "d" }),
        new BSF({ name: "a" }),
        new BSF({ name: "b" }),
        new Dense({ units: 2, name: "o" }),
      ],
      [3],
    );
    expect(() => planPrune(twice)).toThrow(/two gates/);
    twice.dispose();
  });
});
