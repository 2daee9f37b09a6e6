// LayerStack.settle: a Dense layer checks its kernel once per change of the weights, and only a
// finite kernel lets a one-row inference call skip the kernel rows of zero inputs (0 * NaN is
// NaN, a skipped term is not). With and without the one-row copy (prepack).
import { describe, expect, it } from "vitest";
import { denseStack } from "../util/stack.js";
import { randn, rng } from "../util/wasm.js";

/** dense_1's unit 0 and every odd unit at 0 after its ReLU, whatever the row: dense_2 then sees
 * more than half of its inputs at zero, enough for the list with or without the copy. */
async function stackOn() {
  const s = await denseStack();
  const b1 = s.rt.f32(s.d1.bias!.ptr, 40);
  for (let j = 0; j < 40; j++) b1[j] = j === 0 || j % 2 ? -100 : 0;
  return { ...s, x: randn(rng(9), 30) };
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
