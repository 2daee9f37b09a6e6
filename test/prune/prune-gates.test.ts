// Pruning models gated by the reparameterized BSF variants: the pruned model computes what the
// gated model computes at inference (to 1e-5): units with inference z = 0 are removed, the others'
// z folded into the next layer. The plan reads the gate through its class (traits.gateScale).
import { describe, expect, it } from "vitest";
import { gateValues, type BsfGate } from "../../src/layers/bsf.js";
import { planPrune, prune, reduceRows } from "../../src/prune/index.js";
import { Adam } from "../../src/optim/optimizer.js";
import { maxAbsDiff, randn, rng } from "../util/wasm.js";
import { blobs } from "../util/blobs.js";
import { spreadVariant, variantCnn, variantDense } from "./variant-models.js";
import { encodeModelFile, readModel } from "../../src/io/format.js";
import { Sequential } from "../../src/model/sequential.js";
import { runtime } from "../util/wasm.js";

const VARIANTS: BsfGate[] = ["gaussian", "hard-concrete"];

describe("pruning gate variants", () => {
  for (const gate of VARIANTS) {
    it(`${gate}: the plan keeps the units with z > 0 at scale z; pruned = gated to 1e-5 (dense)`, async () => {
      const D = 10;
      const model = await variantDense(gate, D, 3);
      spreadVariant(model, gate, 7);
      const plan = planPrune(model);
      const gw = model.gateWeights();
      for (const g of plan.gates) {
        const z = gateValues({ gate }, gw[g.gate]);
        expect(g.mode).toBe("expectation");
        expect(g.keep).toEqual(Array.from(z.keys()).filter((j) => z[j] > 0));
        expect(g.scale).toEqual(g.keep.map((j) => z[j]));
        expect(g.keep.length).toBeLessThan(g.units);
      }
      const { model: pruned } = prune(model);
      expect(pruned.layers.some((l) => l.traits.gate)).toBe(false);
      const x = randn(rng(3), 64 * D, 2);
      const yGated = model.predictSync(x);
      const err = maxAbsDiff(yGated, pruned.predictSync(reduceRows(x, D, plan.inputKeep)));
      console.log(
        `[bsfnet] ${gate} dense: pruned vs gated max |diff| ${err.toExponential(2)}, units ${plan.before.units} -> ${plan.after.units}`,
      );
      expect(err).toBeLessThan(1e-5);
      pruned.dispose();
      model.dispose();
    });

    it(`${gate}: trained, then pruned, computes the same function (and a threshold override cuts z)`, async () => {
      const D = 8;
      const model = await variantDense(gate, D, 4);
      model.compile({ seed: 4, optimizer: new Adam({ learningRate: 0.02 }) });
      const { x, y } = blobs(240, D, 3, 4, 3);
      await model.fit(x, y, { epochs: 40, batchSize: 32, verbose: 0 });
      const { model: pruned, plan } = prune(model);
      const xt = randn(rng(9), 50 * D, 1.5);
      expect(maxAbsDiff(model.predictSync(xt), pruned.predictSync(reduceRows(xt, D, plan.inputKeep)))).toBeLessThan(
        1e-5,
      );
      const cut = planPrune(model, { threshold: 0.5 });
      for (const g of cut.gates) {
        const z = gateValues({ gate }, model.gateWeights()[g.gate]);
        expect(g.keep.filter((j) => !(z[j] > 0.5)).length).toBe(g.allClosed ? 1 : 0);
      }
      pruned.dispose();
      model.dispose();
    });

    it(`${gate}: the model file keeps the gate kind and computes the same at inference`, async () => {
      const model = await variantDense(gate, 6, 5);
      spreadVariant(model, gate, 2);
      const file = readModel(encodeModelFile(model.toSpec()));
      expect(file.spec.layers[0].config.gate).toBe(gate);
      const again = Sequential.fromSpec(file.spec, await runtime());
      const x = randn(rng(4), 20 * 6, 2);
      expect(maxAbsDiff(model.predictSync(x), again.predictSync(x))).toBe(0);
      again.dispose();
      model.dispose();
    });

    it(`${gate}: channel gates in a CNN: pruned = gated to 1e-5`, async () => {
      const model = await variantCnn(gate, 2);
      const full = 9 * 10 * 3;
      const { model: pruned, plan } = prune(model);
      expect(plan.after.weights).toBeLessThan(plan.before.weights);
      const x = randn(rng(13), 24 * full, 1.5);
      expect(maxAbsDiff(model.predictSync(x), pruned.predictSync(reduceRows(x, full, plan.inputKeep)))).toBeLessThan(
        1e-5,
      );
      pruned.dispose();
      model.dispose();
    });
  }
});
