// Sequential settles its layers (Layer.settle) before an inference pass whenever its weights
// changed since the last time: after build, setWeights and every training step. A one-row predict
// then reads only the kernel rows of nonzero inputs where the kernel is finite, with the bits of
// the call that reads them all.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { Adam } from "../../src/optim/optimizer.js";
import { Runtime } from "../../src/runtime/runtime.js";
import type { WasmKernels } from "../../src/runtime/abi.js";
import { randn, rng, runtime } from "../util/wasm.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

/** A runtime whose dense_forward_row calls are recorded: the `rows` argument (the list) of each. */
async function recording(): Promise<{ rt: Runtime; lists: number[] }> {
  const k = (await Runtime.load()).k;
  const lists: number[] = [];
  const wrapped = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(k)) wrapped[name] = (k as unknown as Record<string, unknown>)[name];
  wrapped.dense_forward_row = (...a: number[]) => {
    lists.push(a[4]);
    (k.dense_forward_row as (...a: number[]) => void)(...a);
  };
  return { rt: new Runtime(wrapped as unknown as WasmKernels), lists };
}

async function mlp(rt?: Runtime): Promise<Sequential> {
  const m = new Sequential(
    [
      new Dense({ units: 64, activation: "relu" }),
      new Dense({ units: 48, activation: "relu" }),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    { inputShape: [40], name: "mlp" },
  );
  m.compile({ seed: 2, optimizer: new Adam() });
  await m.build(undefined, rt ?? (await runtime()));
  return m;
}

const dense = (m: Sequential) => m.layers.filter((l) => l instanceof Dense && l.units >= 16) as Dense[];

describe("Sequential settles its layers after its weights change", () => {
  it("a one-row predict with the list gives the bits of one without it", async () => {
    const { rt, lists } = await recording();
    const m = await mlp(rt);
    const r = rng(3);
    for (let i = 0; i < 6; i++) {
      const x = randn(r, 40);
      for (let j = 0; j < 40; j++) if (r() < 0.6) x[j] = 0; // an input with 60% zeros
      lists.length = 0;
      const listed = m.predictSync(x);
      expect(dense(m).every((d) => d.kernelFinite)).toBe(true);
      // both hidden layers' one-row calls were given the list (their inputs are 60% and about
      // 50% zeros, past the 25% a call without a copy lists from)
      expect(lists.length, `row ${i}: one-row calls`).toBe(2);
      expect(
        lists.every((p) => p !== 0),
        `row ${i}: listed`,
      ).toBe(true);
      for (const d of dense(m)) d.kernelFinite = false; // no list until the next change
      lists.length = 0;
      expect(bits(m.predictSync(x)), `row ${i}`).toEqual(bits(listed));
      expect(lists.length, `row ${i}: no list, dense_forward`).toBe(0);
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
