// LayerStack.prepack: the layers' copies laid out for fixed weights are an optimization, so a copy
// that does not fit in memory is left out (its layer runs on the kernel as it is, with the same
// outputs) and the model still works; any other failure is not swallowed. A dense kernel that is
// not finite gets no list of nonzero inputs: skipping 0 * NaN would lose the NaN.
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

  it("keeps the copy when only the list does not fit", async () => {
    const { rt, stack, plan, x } = await stackOn();
    const before = bits(stack.predict(rt, plan, x, 1));
    const d2 = stack.layers[1] as Dense;
    const alloc = rt.alloc.bind(rt);
    rt.alloc = (bytes: number) => {
      if (bytes === 40 * 4) throw new OutOfMemoryError(`cannot allocate ${bytes} bytes (test)`);
      return alloc(bytes);
    };
    stack.prepack(rt);
    expect(d2.rowCopy).not.toBe(0);
    expect(d2.rowList).toBe(0);
    expect(bits(stack.predict(rt, plan, x, 1))).toEqual(before);
  });

  it("gives a kernel with a NaN no list, so a zero input meeting the NaN still makes one", async () => {
    const { rt, stack, plan } = await stackOn();
    const [d1, d2] = stack.layers as Dense[];
    rt.f32(d2.kernel.ptr, 1)[0] = Number.NaN; // the row of dense_2's input 0, dense_1's unit 0
    stack.prepack(rt);
    expect(d1.rowList).not.toBe(0);
    expect(d2.rowCopy).not.toBe(0);
    expect(d2.rowList).toBe(0);
    // rows whose unit 0 of dense_1 is 0 after its ReLU, with most of the others: without the NaN
    // the list would be used (at least 40% zeros)
    const w1 = rt.f32(d1.kernel.ptr, 30 * 40);
    const b1 = rt.f32(d1.bias!.ptr, 40);
    for (let j = 0; j < 40; j++) b1[j] = j === 0 || j % 2 ? -100 : 0;
    const x = randn(rng(9), 30);
    let h0 = b1[0];
    for (let i = 0; i < 30; i++) h0 += x[i] * w1[i * 40];
    expect(h0).toBeLessThan(0);
    const out = stack.predict(rt, plan, x, 1);
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
    // given a list anyway, the call would skip row 0 and lose the NaN
    d2.rowList = rt.alloc(40 * 4);
    expect(Array.from(stack.predict(rt, plan, x, 1)).some(Number.isNaN)).toBe(false);
  });
});
