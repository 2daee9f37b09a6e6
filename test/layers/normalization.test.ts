// Normalization: standardizes what it is given with the statistics it carries, which training does
// not move; a gate after it prunes its columns; a gate before it cannot be pruned.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Normalization } from "../../src/layers/normalization.js";
import { BSF } from "../../src/layers/bsf.js";
import { Dense } from "../../src/layers/dense.js";
import { Adam, SGD } from "../../src/optim/optimizer.js";
import { planSpec } from "../../src/prune/plan.js";
import { ConfigError } from "../../src/errors.js";
import { rng } from "../util/wasm.js";
import { runtime } from "../util/wasm.js";

const mean = [10, -2, 300];
const std = [2, 0.5, 50];

function model(optimizer: Adam | SGD, gateFirst = false): Sequential {
  const norm = new Normalization({ name: "norm", mean, std });
  const gate = new BSF({ name: "gate", penalty: 0.01 });
  const m = new Sequential(
    [
      ...(gateFirst ? [gate, norm] : [norm, gate]),
      new Dense({ name: "h", units: 4, activation: "relu" }),
      new Dense({ name: "o", units: 2, activation: "softmax" }),
    ],
    { inputShape: [3] },
  );
  m.compile({ optimizer, seed: 1 });
  return m;
}

describe("Normalization", () => {
  it("computes (x - mean) / std", async () => {
    const m = model(new Adam());
    await m.build(undefined, await runtime());
    const spec = m.toSpec();
    expect(Array.from(spec.layers[0].weights[1].values)).toEqual(std.map((s) => s * s));
    const probe = new Sequential(
      [
        new Normalization({ mean, std }),
        new Dense({
          units: 3,
          useBias: false,
          kernelInitializer: { kind: "values", values: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
        }),
      ],
      { inputShape: [3] },
    );
    probe.compile();
    await probe.build(undefined, await runtime());
    const y = probe.predictSync([[12, -1, 200]]);
    expect(Array.from(y)).toEqual([1, 2, -2]);
  });

  for (const opt of [() => new Adam({ learningRate: 0.01 }), () => new SGD({ learningRate: 0.1, momentum: 0.9 })]) {
    it(`${opt().constructor.name} does not move mean and variance`, async () => {
      const m = model(opt());
      await m.build(undefined, await runtime());
      const before = m.getWeights().filter((w) => w.layer === "norm");
      const r = rng(3);
      const x = Float32Array.from({ length: 60 * 3 }, (_, i) => mean[i % 3] + std[i % 3] * (r() * 2 - 1));
      const y = Int32Array.from({ length: 60 }, (_, i) => (x[i * 3] > 10 ? 1 : 0));
      await m.fit(x, y, { epochs: 5, verbose: 0 });
      const after = m.getWeights().filter((w) => w.layer === "norm");
      expect(after).toEqual(before);
      expect(m.gateWeights().gate.some((w) => w !== 0.5)).toBe(true); // the rest trained
      m.dispose();
    });
  }

  it("a gate before a Normalization cannot be pruned (a closed unit would become -mean/std, not 0)", async () => {
    const m = model(new Adam(), true);
    await m.build(undefined, await runtime());
    expect(() => planSpec(m.toSpec())).toThrow(/put the Normalization before the gate/);
    m.dispose();
  });

  it("checks its config, and every layer refuses an unknown option by name", () => {
    expect(() => new Normalization({ mean: [1, 2], std: [1] })).toThrow(ConfigError);
    expect(() => new Normalization({ std: [1, 0] })).toThrow(/std must be > 0/);
    // biome-ignore lint/suspicious/noExplicitAny: the mistake under test
    expect(() => new BSF({ lambda: 0.1 } as any)).toThrow(/unknown option "lambda" \(did you mean penalty\?\)/);
    // biome-ignore lint/suspicious/noExplicitAny: the mistake under test
    expect(() => new Dense({ units: 3, activaton: "relu" } as any)).toThrow(/unknown option "activaton"/);
  });
});
