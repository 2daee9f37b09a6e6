// The BSF layer's gate variants (gate: "gaussian" | "hard-concrete") as a layer and in a model:
// options, how `init` maps to the parameter, the penalty the layer adds in backward and reports
// to the model's loss, bit-for-bit repeatable training, and the Bernoulli gate's config unchanged.
import { describe, expect, it } from "vitest";
import { BSF, gateValues, type BsfGate } from "../../src/layers/bsf.js";
import { Dense } from "../../src/layers/dense.js";
import { Sequential } from "../../src/model/sequential.js";
import { Adam } from "../../src/optim/optimizer.js";
import type { StepContext } from "../../src/layers/layer.js";
import { gateOpenProbability } from "../reference/gates.js";
import { centralDiff, get, put, randn, rng, runtime } from "../util/wasm.js";
import { blobs } from "../util/blobs.js";

const VARIANTS: Exclude<BsfGate, "bernoulli">[] = ["gaussian", "hard-concrete"];

describe("BSF gate variants", async () => {
  const rt = await runtime();

  it("refuses options that do not apply, naming them", () => {
    expect(() => new BSF({ gate: "stg" as BsfGate })).toThrow(
      /gate must be "bernoulli", "gaussian" or "hard-concrete"/,
    );
    expect(() => new BSF({ sigma: 0.3 })).toThrow(/option sigma applies to the gaussian gate only/);
    expect(() => new BSF({ gate: "hard-concrete", sigma: 0.3 })).toThrow(/sigma/);
    expect(() => new BSF({ gate: "gaussian", mode: "expectation" })).toThrow(
      /option mode applies to the bernoulli gate only/,
    );
    expect(() => new BSF({ gate: "hard-concrete", gradient: "scaled" })).toThrow(/option gradient/);
    expect(() => new BSF({ gate: "gaussian", shareAxis: "position" })).toThrow(
      /shareAxis "position" is supported by the bernoulli gate only/,
    );
    expect(() => new BSF({ gate: "gaussian", sigma: 0 })).toThrow(/sigma must be > 0/);
  });

  it("the Bernoulli gate's config is unchanged (no gate key); the variants' configs round-trip", () => {
    expect(Object.keys(new BSF({ name: "b" }).getConfig()).sort()).toEqual([
      "gradient",
      "init",
      "mode",
      "name",
      "penalty",
      "threshold",
    ]);
    expect(new BSF({ name: "g", gate: "gaussian" }).getConfig()).toEqual({
      name: "g",
      penalty: 0.01,
      init: 0.5,
      threshold: 0,
      gate: "gaussian",
      sigma: 0.5,
    });
    expect(new BSF({ name: "h", gate: "hard-concrete", shareAxis: "channel" }).getConfig()).toEqual({
      name: "h",
      penalty: 0.01,
      init: 0.5,
      threshold: 0,
      gate: "hard-concrete",
      shareAxis: "channel",
    });
  });

  for (const gate of VARIANTS) {
    it(`${gate}: init is the initial inference gate value (0.5: the reference's parameter 0)`, async () => {
      for (const init of [0, 0.2, 0.5, 0.9, 1]) {
        const m = new Sequential([new BSF({ name: "g", gate, init }), new Dense({ units: 2, activation: "softmax" })], {
          inputShape: [3],
        });
        m.compile({ seed: 0 });
        await m.build(undefined, rt);
        const theta = m.gateWeights().g;
        if (init === 0.5) expect(Math.abs(theta[0])).toBeLessThan(1e-7);
        const z = gateValues({ gate }, theta);
        for (const v of z) expect(Math.abs(v - init)).toBeLessThan(1e-6);
        m.dispose();
      }
    });

    it(`${gate}: penaltyValue is lambda * sum P(z > 0); backward adds its gradient (finite differences)`, () => {
      const r = rng(gate === "gaussian" ? 3 : 4);
      const lambda = 0.05,
        C = 7,
        B = 2;
      const layer = new BSF({ gate, penalty: lambda });
      layer.build([C]);
      const p = layer.params[0];
      const theta = Float32Array.from({ length: C }, () => 3 * r() - 1.5);
      p.ptr = put(rt, theta);
      p.grad = put(rt, new Float32Array(C));
      const want = lambda * Array.from(theta).reduce((s, t) => s + gateOpenProbability(gate, t, 0.5), 0);
      expect(Math.abs(layer.penaltyValue(rt.k) - want)).toBeLessThan(1e-7);
      // dout = 0: the data term adds nothing, so the gradient is the penalty's alone
      const ctx: StepContext = { rt, training: true, seed: 1, stream: 2 };
      const inp = put(rt, randn(r, B * C)),
        out = put(rt, new Float32Array(B * C)),
        ws = put(rt, new Float32Array(B * C));
      layer.forward(ctx, out, inp, B, ws);
      layer.backward(ctx, put(rt, new Float32Array(B * C)), put(rt, new Float32Array(B * C)), inp, out, B, ws);
      const g = get(rt, p.grad, C);
      for (let c = 0; c < C; c++) {
        const fd = centralDiff(rt, p.ptr, c, 1e-3, () => layer.penaltyValue(rt.k));
        expect(Math.abs(fd - g[c]), `dtheta[${c}] ${g[c]} vs ${fd}`).toBeLessThan(2e-6);
      }
    });

    it(`${gate}: the model's loss includes the gate penalty; training is bit-for-bit repeatable`, async () => {
      const { x, y } = blobs(96, 6, 3, 2, 3);
      const make = async (penalty: number) => {
        const m = new Sequential(
          [
            new BSF({ name: "g", gate, penalty }),
            new Dense({ units: 8, activation: "relu" }),
            new Dense({ units: 3, activation: "softmax" }),
          ],
          { inputShape: [6] },
        );
        m.compile({ seed: 5, optimizer: new Adam({ learningRate: 0.01 }) });
        await m.build(undefined, rt);
        return m;
      };
      const a = await make(0.02),
        b = await make(0.02),
        c = await make(0);
      await a.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed: 1 });
      await b.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed: 1 });
      expect(a.getWeights().map((w) => Array.from(w.values))).toEqual(b.getWeights().map((w) => Array.from(w.values)));
      expect(Array.from(a.gateWeights().g)).not.toEqual(Array.from(new Float32Array(6).fill(a.gateWeights().g[0]))); // trained
      c.setWeights(a.getWeights());
      const la = (await a.evaluate(x, y)).loss,
        lc = (await c.evaluate(x, y)).loss;
      const theta = a.gateWeights().g;
      const pen = 0.02 * Array.from(theta).reduce((s, t) => s + gateOpenProbability(gate, t, 0.5), 0);
      expect(Math.abs(la - lc - pen)).toBeLessThan(1e-6);
      for (const m of [a, b, c]) m.dispose();
    });
  }
});
