// Finite-difference checks of a layer's backward pass through the real kernels.
import type { Runtime } from "../../src/runtime/runtime.js";
import type { Layer, StepContext } from "../../src/layers/layer.js";
import { put, get, rng, randn, worstFiniteDiff } from "./wasm.js";

/**
 * Loss = sum(out * probe) for a fixed random probe; compares analytic dinp and parameter
 * gradients with central differences (float64 accumulation of the f32 forward).
 * Returns the worst relative error over inputs and parameters.
 */
export function gradCheck(
  rt: Runtime,
  layer: Layer,
  B: number,
  o: { seed?: number; eps?: number; training?: boolean; params?: boolean } = {},
): { dinp: number; params: number } {
  const r = rng(o.seed ?? 1);
  const eps = o.eps ?? 1e-2;
  const inSize = layer.inputSize;
  const outSize = layer.outputSize;
  // Parameters: one block for values and one for gradients.
  for (const p of layer.params) {
    p.ptr = put(rt, randn(r, p.size, 0.5));
    if (p.clip) rt.f32(p.ptr, p.size).set(randn(r, p.size).map((v) => 0.3 + 0.2 * Math.abs(v)));
    p.grad = rt.alloc(p.size * 4);
  }
  const x = randn(r, B * inSize);
  const probe = randn(r, B * outSize);
  const inp = put(rt, x);
  const out = rt.alloc(B * outSize * 4);
  const ws = rt.alloc(Math.max(16, layer.workspaceBytes(B, rt.k)));
  // In training mode a stochastic layer draws the same mask on every call (same seed and stream),
  // so the finite differences see one fixed function.
  const ctx: StepContext = { rt, training: o.training ?? false, seed: 7, stream: 3 };
  const lossAt = (): number => {
    layer.forward(ctx, out, inp, B, ws);
    const o = rt.f32(out, B * outSize);
    let s = 0;
    for (let i = 0; i < o.length; i++) s += o[i] * probe[i];
    return s;
  };
  lossAt();
  const dout = put(rt, probe);
  const dinp = rt.alloc(B * inSize * 4);
  layer.backward(ctx, dinp, dout, inp, out, B, ws);
  const gIn = get(rt, dinp, B * inSize);
  // relative to max(1, |analytic|): absolute for small gradients
  const worstIn = worstFiniteDiff(rt.f32(inp, B * inSize), gIn, eps, lossAt, true);
  let worstP = 0;
  for (const p of o.params === false ? [] : layer.params) {
    worstP = Math.max(worstP, worstFiniteDiff(rt.f32(p.ptr, p.size), get(rt, p.grad, p.size), eps, lossAt, true));
  }
  return { dinp: worstIn, params: worstP };
}
