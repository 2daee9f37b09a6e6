// Sequential settles its layers (Layer.settle) before an inference pass whenever its weights
// changed since the last time: after build, setWeights and every training step. A one-row predict
// then reads only the kernel rows of nonzero inputs where the kernel is finite, with the bits of
// the call that reads them all.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { Adam } from "../../src/optim/optimizer.js";
import { randn, rng, runtime } from "../util/wasm.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

async function mlp(): Promise<Sequential> {
  const m = new Sequential(
    [
      new Dense({ units: 64, activation: "relu" }),
      new Dense({ units: 48, activation: "relu" }),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    { inputShape: [40], name: "mlp" },
  );
  m.compile({ seed: 2, optimizer: new Adam() });
  await m.build(undefined, await runtime());
  return m;
}

const dense = (m: Sequential) => m.layers.filter((l) => l instanceof Dense && l.units >= 16) as Dense[];

describe("Sequential settles its layers after its weights change", () => {
  it("a one-row predict with the list gives the bits of one without it", async () => {
    const m = await mlp();
    const r = rng(3);
    for (let i = 0; i < 6; i++) {
      const x = randn(r, 40);
      for (let j = 0; j < 40; j++) if (r() < 0.6) x[j] = 0; // an input with 60% zeros
      const listed = m.predictSync(x);
      expect(dense(m).every((d) => d.kernelFinite)).toBe(true);
      for (const d of dense(m)) d.kernelFinite = false; // no list until the next change
      expect(bits(m.predictSync(x)), `row ${i}`).toEqual(bits(listed));
      m.setWeights(m.getWeights());
    }
    m.dispose();
  });

  it("settles again after setWeights and after training, not before", async () => {
    const m = await mlp();
    const x = randn(rng(4), 40);
    m.predictSync(x);
    const mark = () => {
      for (const d of dense(m)) d.kernelFinite = false;
    };
    mark();
    m.predictSync(x); // no change since the last settle: not checked again
    expect(dense(m).some((d) => d.kernelFinite)).toBe(false);
    m.setWeights(m.getWeights());
    m.predictSync(x);
    expect(dense(m).every((d) => d.kernelFinite)).toBe(true);
    mark();
    const n = 32;
    const xs = randn(rng(5), n * 40);
    const ys = Int32Array.from({ length: n }, (_, i) => i % 3);
    await m.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
    await m.predict(x);
    expect(dense(m).every((d) => d.kernelFinite)).toBe(true);
    m.dispose();
  });
});
