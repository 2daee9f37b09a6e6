// LayerStack.prepack: the layers' copies laid out for fixed weights are an optimization, so a copy
// that does not fit in memory is left out (its layer runs on the kernel as it is, with the same
// outputs) and the model still works; any other failure is not swallowed.
import { describe, expect, it } from "vitest";
import { LayerStack } from "../../src/model/stack.js";
import { Dense } from "../../src/layers/dense.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { OutOfMemoryError } from "../../src/runtime/memory.js";
import { randn, rng } from "../util/wasm.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

async function stackOn() {
  const rt = await Runtime.load();
  const stack = new LayerStack(
    [
      new Dense({ units: 40, activation: "relu" }),
      new Dense({ units: 24 }),
      new Dense({ units: 3, activation: "softmax" }),
    ],
    [30],
  );
  const block = stack.placeParams(rt, 0, false);
  const r = rng(8);
  for (const p of block.all) rt.f32(p.ptr, p.size).set(randn(r, p.size, 0.3));
  const plan = stack.planBatch(rt, 4, false);
  return { rt, stack, plan, x: randn(r, 30) };
}

describe("LayerStack.prepack", () => {
  it("leaves out a copy that does not fit; the layer then runs without it, the same bits", async () => {
    const { rt, stack, plan, x } = await stackOn();
    const before = bits(stack.predict(rt, plan, x, 1));
    const [d1, d2] = stack.layers as Dense[];
    const alloc = rt.alloc.bind(rt);
    const second = rt.k.dense_row_pack_bytes(40, 24);
    rt.alloc = (bytes: number) => {
      if (bytes === second) throw new OutOfMemoryError(`cannot allocate ${bytes} bytes (test)`);
      return alloc(bytes);
    };
    stack.prepack(rt);
    expect(d1.rowCopy).not.toBe(0); // the first copy fitted
    expect(d2.rowCopy).toBe(0); // the second did not, and was left out
    expect(bits(stack.predict(rt, plan, x, 1))).toEqual(before);
  });

  it("does not swallow another failure", async () => {
    const { rt, stack } = await stackOn();
    rt.alloc = () => {
      throw new TypeError("not a memory error");
    };
    expect(() => stack.prepack(rt)).toThrow(TypeError);
  });
});
