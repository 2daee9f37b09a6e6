// Memory planning: every offset is decided once per model (parameters) and once per batch size
// (activations), so a training step never allocates or grows memory.
import type { Runtime } from "../runtime/runtime.js";
import { align16 } from "../runtime/runtime.js";
import type { Layer, Param } from "../layers/layer.js";

/** Parameters, gradients and optimizer slots, each one contiguous block of `floats` floats. */
export interface ParamBlock {
  ptr: number;
  bytes: number;
  /** floats per block (every param padded to 4 floats so each starts 16-byte aligned) */
  floats: number;
  params: number;
  grads: number;
  slots: number[];
  all: Param[];
}

export function planParams(rt: Runtime, layers: readonly Layer[], slots: number): ParamBlock {
  const all = layers.flatMap((l) => l.params);
  let floats = 0;
  const offsets = all.map((p) => {
    const o = floats;
    floats += align16(p.size * 4) / 4;
    return o;
  });
  const blockBytes = Math.max(16, floats * 4);
  const bytes = blockBytes * (2 + slots);
  const ptr = rt.alloc(bytes);
  const grads = ptr + blockBytes;
  all.forEach((p, i) => {
    p.ptr = ptr + offsets[i] * 4;
    p.grad = grads + offsets[i] * 4;
  });
  const slotPtrs = Array.from({ length: slots }, (_, s) => ptr + blockBytes * (2 + s));
  return { ptr, bytes, floats, params: ptr, grads, slots: slotPtrs, all };
}

/** Buffers for one batch size: the input, each layer's output, two gradient buffers used in
 * turn going backwards, each layer's workspace, labels, probabilities and a batch index. */
export interface BatchPlan {
  B: number;
  ptr: number;
  bytes: number;
  input: number;
  acts: number[];
  ws: number[];
  grad: [number, number];
  labels: number;
  probs: number;
  idx: number;
}

export function planBatch(rt: Runtime, layers: readonly Layer[], inputSize: number, B: number, outputs: number): BatchPlan {
  const sizes: number[] = [];
  const take = (bytes: number) => {
    sizes.push(align16(bytes));
    return sizes.length - 1;
  };
  const input = take(B * inputSize * 4);
  // A view layer (Flatten) shares its input's buffer.
  const actIdx = layers.map((l) => (l.aliasesInput ? -1 : take(B * l.outputSize * 4)));
  const ws = layers.map((l) => take(l.workspaceBytes(B, rt.k)));
  const maxAct = Math.max(inputSize, ...layers.map((l) => l.outputSize));
  const g0 = take(B * maxAct * 4);
  const g1 = take(B * maxAct * 4);
  const labels = take(B * 4);
  const probs = take(B * outputs * 4);
  const idx = take(B * 4);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const ptr = rt.alloc(bytes);
  const at: number[] = [];
  let o = ptr;
  for (const s of sizes) {
    at.push(o);
    o += s;
  }
  let prev = at[input];
  return {
    B,
    ptr,
    bytes,
    input: at[input],
    acts: actIdx.map((i) => (prev = i < 0 ? prev : at[i])),
    ws: ws.map((i) => (sizes[i] ? at[i] : 0)),
    grad: [at[g0], at[g1]],
    labels: at[labels],
    probs: at[probs],
    idx: at[idx],
  };
}
