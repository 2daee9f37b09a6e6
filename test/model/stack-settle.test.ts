// LayerStack.settle: a Dense layer checks its kernel once per change of the weights, and only a
// finite kernel lets a one-row inference call skip the kernel rows of zero inputs (0 * NaN is
// NaN, a skipped term is not). With and without the one-row copy (prepack).
import { describe, expect, it } from "vitest";
import { LayerStack } from "../../src/model/stack.js";
import { Dense } from "../../src/layers/dense.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { randn, rng } from "../util/wasm.js";

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
  const [d1, d2] = stack.layers as Dense[];
  // dense_1's unit 0 and every odd unit at 0 after its ReLU, whatever the row: dense_2 then sees
  // more than half of its inputs at zero, enough for the list with or without the copy
  const b1 = rt.f32(d1.bias!.ptr, 40);
  for (let j = 0; j < 40; j++) b1[j] = j === 0 || j % 2 ? -100 : 0;
  return { rt, stack, plan, d1, d2, x: randn(rng(9), 30) };
}

describe("LayerStack.settle", () => {
  for (const prepacked of [false, true]) {
    it(`${prepacked ? "with" : "without"} the copy: a kernel with a NaN is not finite, and the NaN reaches the output`, async () => {
      const { rt, stack, plan, d1, d2, x } = await stackOn();
      stack.settle(rt);
      expect(d1.kernelFinite && d2.kernelFinite).toBe(true);
      const finite = stack.predict(rt, plan, x, 1);
      rt.f32(d2.kernel.ptr, 1)[0] = Number.NaN; // the row of dense_2's input 0, always 0
      stack.settle(rt);
      if (prepacked) stack.prepack(rt);
      expect(d1.kernelFinite).toBe(true);
      expect(d2.kernelFinite).toBe(false);
      expect(Array.from(stack.predict(rt, plan, x, 1)).every(Number.isNaN)).toBe(true);
      // taken for finite anyway, the call would skip row 0 and lose the NaN
      d2.kernelFinite = true;
      const skipped = stack.predict(rt, plan, x, 1);
      expect(Array.from(skipped).some(Number.isNaN)).toBe(false);
      expect(Array.from(skipped)).toEqual(Array.from(finite));
    });
  }
});
