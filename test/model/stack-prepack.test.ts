// LayerStack.prepack: the layers' copies laid out for fixed weights are an optimization, so a copy
// that does not fit in memory is left out (its layer runs on the kernel as it is, with the same
// outputs) and the model still works; any other failure is not swallowed.
import { describe, expect, it } from "vitest";
import type { Dense } from "../../src/layers/dense.js";
import { OutOfMemoryError } from "../../src/runtime/memory.js";
import { denseStack as stackOn } from "../util/stack.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

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
