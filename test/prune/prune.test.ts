// Pruning: the pruned model computes what the gated model computes at inference (to float
// rounding), and its unit and weight counts are those of the plan.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Activation } from "../../src/layers/activation.js";
import type { Layer } from "../../src/layers/layer.js";
import { applyPrune, fineTune, planPrune, prune, reduceRows, summary } from "../../src/prune/index.js";
import { maxAbsDiff, randn, rng, runtime } from "../util/wasm.js";
import { blobs } from "../util/blobs.js";

/** Set every gate to values spread over [0, 1] (some below the threshold), seeded. */
function spreadGates(model: Sequential, seed: number, closed: string[] = []): void {
  const r = rng(seed);
  const ws = model.getWeights().map((w) => {
    const layer = model.layers.find((l) => l.name === w.layer)!;
    if (layer instanceof BSF)
      return {
        ...w,
        values: closed.includes(layer.name)
          ? w.values.map(() => 0.05)
          : w.values.map((_, j) => (j % 3 === 1 ? 0.09 * r() : r())),
      };
    return w;
  });
  model.setWeights(ws);
}

async function gatedModel(layers: Layer[], D: number, seed = 1): Promise<Sequential> {
  const m = new Sequential(layers, { inputShape: [D] });
  m.compile({ seed });
  await m.build(undefined, await runtime());
  return m;
}

function makeLayers(mode: "threshold" | "expectation" = "threshold", outAct: "linear" | "softmax" = "linear"): Layer[] {
  return [
    new BSF({ name: "in_gate", mode }),
    new Dense({ units: 12, activation: "relu", name: "d1" }),
    new BSF({ name: "g1", mode }),
    new Dense({ units: 16, activation: "tanh", name: "d2" }),
    new BSF({ name: "g2", mode, threshold: 0.3 }),
    new Dense({ units: 9, name: "d3" }),
    new Activation({ activation: "relu", name: "a3" }),
    new BSF({ name: "g3", mode }),
    new Dense({ units: 4, activation: outAct, name: "out" }),
  ];
}

describe("planPrune / applyPrune on dense models", () => {
  it("pruned outputs equal the gated model's to 1e-5 on random inputs; counts match the plan", async () => {
    const D = 10;
    const model = await gatedModel(makeLayers(), D);
    spreadGates(model, 7);
    const plan = planPrune(model);
    // The plan follows each gate's own threshold.
    const gw = model.gateWeights();
    expect(plan.gates.map((g) => g.gate)).toEqual(["in_gate", "g1", "g2", "g3"]);
    for (const g of plan.gates) {
      const t = g.gate === "g2" ? 0.3 : 0.1;
      expect(g.keep).toEqual(Array.from(gw[g.gate].keys()).filter((j) => gw[g.gate][j] > t));
      expect(g.keep.length).toBeLessThan(g.units); // the seed closes some gates of each
    }
    expect(plan.gates[0].kind).toBe("input");
    expect(plan.inputKeep).toEqual(plan.gates[0].keep);
    const pruned = applyPrune(model, plan);
    expect(pruned.layers.map((l) => l.name)).toEqual(["d1", "d2", "d3", "a3", "out"]);
    expect(pruned.inputShape).toEqual([plan.inputKeep!.length]);

    const x = randn(rng(3), 64 * D, 2);
    const yGated = model.predictSync(x);
    const yPruned = pruned.predictSync(reduceRows(x, D, plan.inputKeep));
    const err = maxAbsDiff(yGated, yPruned);
    expect(err).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(yGated, Math.abs))).toBeGreaterThan(0.1); // not trivially zero

    // Counts: units and weights of the built pruned model are the plan's.
    const dense = pruned.layers.filter((l): l is Dense => l instanceof Dense);
    const units = dense.slice(0, -1).reduce((s, l) => s + l.units, 0);
    expect(units).toBe(plan.after.units);
    expect(pruned.paramCount).toBe(plan.after.weights);
    expect(model.paramCount - Object.values(gw).reduce((s, w) => s + w.length, 0)).toBe(plan.before.weights);
    const k = plan.gates.map((g) => g.keep.length);
    expect(plan.after.weights).toBe(k[0] * k[1] + k[1] + k[1] * k[2] + k[2] + k[2] * k[3] + k[3] + k[3] * 4 + 4);
    expect(plan.after.units).toBe(k[1] + k[2] + k[3]);
    expect(plan.before.units).toBe(12 + 16 + 9);
    // The original is unchanged.
    expect(model.predictSync(x)).toEqual(yGated);
    const s = summary(model, pruned);
    expect(s).toContain("removed");
    expect(s).toContain(`${plan.before.weights} -> ${plan.after.weights}`);
    pruned.dispose();
    model.dispose();
  });

  it("softmax output: probabilities agree; planPrune's threshold option overrides the gates'", async () => {
    const model = await gatedModel(makeLayers("threshold", "softmax"), 6, 5);
    spreadGates(model, 11);
    const { model: pruned, plan } = prune(model, { threshold: 0.5 });
    for (const g of plan.gates) expect(g.threshold).toBe(0.5);
    // A gate's own threshold must not matter once overridden: compare with gates re-thresholded.
    const x = randn(rng(4), 40 * 6, 1.5);
    const ref = model.getWeights().map((w) => {
      const l = model.layers.find((q) => q.name === w.layer)!;
      return l instanceof BSF ? { ...w, values: w.values.map((v) => (v > 0.5 ? 1 : 0)) } : w;
    });
    model.setWeights(ref); // gates now 0/1: any threshold in (0,1) gives the same inference
    expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(reduceRows(x, 6, plan.inputKeep)))).toBeLessThan(1e-5);
    pruned.dispose();
    model.dispose();
  });

  it("a gate with every unit closed keeps one unit with zero outgoing weights (still exact)", async () => {
    const model = await gatedModel(makeLayers(), 5, 2);
    spreadGates(model, 9, ["g2"]);
    const { model: pruned, plan } = prune(model);
    const g2 = plan.gates.find((g) => g.gate === "g2")!;
    expect(g2.allClosed).toBe(true);
    expect(g2.keep.length).toBe(1);
    const x = randn(rng(5), 32 * 5, 2);
    expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(reduceRows(x, 5, plan.inputKeep)))).toBeLessThan(1e-5);
    pruned.dispose();
    model.dispose();
  });

  it("expectation-mode gates fold w into the next layer", async () => {
    // All gates open (w > threshold): then pruning is exact in expectation mode too.
    const model = await gatedModel(makeLayers("expectation"), 7, 3);
    const r = rng(21);
    model.setWeights(
      model
        .getWeights()
        .map((w) =>
          w.layer.startsWith("g") || w.layer === "in_gate" ? { ...w, values: w.values.map(() => 0.35 + 0.6 * r()) } : w,
        ),
    );
    const { model: pruned, plan } = prune(model);
    expect(plan.after.units).toBe(plan.before.units);
    const x = randn(rng(6), 32 * 7, 2);
    expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(x))).toBeLessThan(1e-5);
    pruned.dispose();
    model.dispose();
  });

  it("a model without an input gate keeps its input; a gate at the end is refused", async () => {
    const model = await gatedModel(makeLayers().slice(1), 8, 4);
    spreadGates(model, 13);
    const { model: pruned, plan } = prune(model);
    expect(plan.inputKeep).toBeUndefined();
    expect(pruned.inputShape).toEqual([8]);
    const x = randn(rng(8), 16 * 8, 2);
    expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(x))).toBeLessThan(1e-5);
    pruned.dispose();
    model.dispose();
    const bad = await gatedModel([new Dense({ units: 3, name: "o" }), new BSF({ name: "tail" })], 4);
    expect(() => planPrune(bad)).toThrow(/no layer after it/);
    bad.dispose();
  });

  it("reduceRows maps full rows to kept columns", () => {
    expect(Array.from(reduceRows([1, 2, 3, 4, 5, 6], 3, [0, 2]))).toEqual([1, 3, 4, 6]);
    expect(() => reduceRows([1, 2, 3, 4], 3, [0])).toThrow(/multiple/);
  });
});

describe("fineTune", () => {
  it("trains the pruned model with a tenth of the learning rate and keeps it accurate", async () => {
    const D = 6;
    const { x, y } = blobs(300, D, 3, 5);
    const model = new Sequential(
      [
        new Dense({ units: 16, activation: "relu", name: "h" }),
        new BSF({ name: "g", penalty: 0.02 }),
        new Dense({ units: 3, activation: "softmax", name: "o" }),
      ],
      { inputShape: [D] },
    );
    model.compile({ seed: 1 });
    await model.build(undefined, await runtime());
    await model.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0 });
    const before = (await model.evaluate(x, y)).accuracy;
    const { model: pruned } = prune(model);
    const afterPrune = (await pruned.evaluate(x, y)).accuracy;
    expect(afterPrune).toBeCloseTo(before, 10); // exact pruning: same predictions
    const h = await fineTune(pruned, x, y, { epochs: 5, batchSize: 32 });
    expect(h.loss.length).toBe(5);
    expect((pruned as unknown as { optimizer: { learningRate: number } }).optimizer.learningRate).toBeCloseTo(1e-4, 12);
    const after = (await pruned.evaluate(x, y)).accuracy;
    expect(after).toBeGreaterThanOrEqual(before - 0.02);
    pruned.dispose();
    model.dispose();
  });
});
