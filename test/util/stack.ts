// A small inference stack for the LayerStack tests: three dense layers (30 -> 40 ReLU -> 24 -> 3
// softmax) on a fresh runtime, seeded weights, an inference plan of 4 rows and one input row.
import { LayerStack } from "../../src/model/stack.js";
import { Dense } from "../../src/layers/dense.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { randn, rng } from "./wasm.js";

export async function denseStack() {
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
  return { rt, stack, plan, d1, d2, x: randn(r, 30) };
}
