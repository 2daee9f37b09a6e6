// Memory planning: every offset is decided once per model (parameters) and once per batch size
// (activations), so a step never allocates or grows memory. Portable: training and the inference
// bundle plan the same way.
import { align16, type KernelMemory } from "../runtime/memory.js";
import type { Layer, Param } from "../layers/layer.js";

/** Parameters, gradients and optimizer slots, each one contiguous block of `floats` floats. */
export interface ParamBlock {
  ptr: number;
  bytes: number;
  /** floats per block (every param padded to 4 floats so each starts 16-byte aligned) */
  floats: number;
  params: number;
  /** 0 when the block was planned without gradients (inference) */
  grads: number;
  slots: number[];
  all: Param[];
}

/** One block for the parameters, then (for training) one for their gradients and one per
 * optimizer slot. */
export function planParams(rt: KernelMemory, layers: readonly Layer[], slots: number, grads = true): ParamBlock {
  const all = layers.flatMap((l) => l.params);
  let floats = 0;
  const offsets = all.map((p) => {
    const o = floats;
    floats += align16(p.size * 4) / 4;
    return o;
  });
  const blockBytes = Math.max(16, floats * 4);
  const bytes = blockBytes * ((grads ? 2 : 1) + slots);
  const ptr = rt.alloc(bytes);
  const gradPtr = grads ? ptr + blockBytes : 0;
  all.forEach((p, i) => {
    p.ptr = ptr + offsets[i] * 4;
    p.grad = grads ? gradPtr + offsets[i] * 4 : 0;
  });
  const first = (grads ? 2 : 1) * blockBytes;
  const slotPtrs = Array.from({ length: slots }, (_, s) => ptr + first + blockBytes * s);
  return { ptr, bytes, floats, params: ptr, grads: gradPtr, slots: slotPtrs, all };
}

/** Buffers for one batch size: the input, each layer's output, two gradient buffers used in
 * turn going backwards, each layer's workspace, labels, probabilities and a batch index. An
 * inference plan has no gradients or labels, and its layers write two buffers in turn. */
export interface BatchPlan {
  B: number;
  ptr: number;
  bytes: number;
  input: number;
  acts: number[];
  ws: number[];
  /** [0, 0] in an inference plan */
  grad: [number, number];
  labels: number;
  probs: number;
  idx: number;
}

export function planBatch(
  rt: KernelMemory,
  layers: readonly Layer[],
  inputSize: number,
  B: number,
  outputs: number,
  training = true,
): BatchPlan {
  const sizes: number[] = [];
  const take = (bytes: number) => {
    sizes.push(align16(bytes));
    return sizes.length - 1;
  };
  const input = take(B * inputSize * 4);
  const maxAct = Math.max(inputSize, ...layers.map((l) => l.outputSize));
  let actIdx: number[];
  if (training) {
    // Backward reads every layer's output: one buffer each. A view layer (Flatten) shares its input's.
    actIdx = layers.map((l) => (l.aliasesInput ? -1 : take(B * l.outputSize * 4)));
  } else {
    // Forward only: each layer reads the previous output and writes the other buffer.
    const pair = [take(B * maxAct * 4), take(B * maxAct * 4)];
    let turn = 0;
    actIdx = layers.map((l) => (l.aliasesInput ? -1 : pair[turn++ % 2]));
  }
  const ws = layers.map((l) => take(l.workspaceBytes(B, rt.k)));
  const g0 = training ? take(B * maxAct * 4) : -1;
  const g1 = training ? take(B * maxAct * 4) : -1;
  const labels = training ? take(B * 4) : -1;
  const probs = take(B * outputs * 4);
  const idx = training ? take(B * 4) : -1;
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const ptr = rt.alloc(bytes);
  const at: number[] = [];
  let o = ptr;
  for (const s of sizes) {
    at.push(o);
    o += s;
  }
  const where = (i: number) => (i < 0 ? 0 : at[i]);
  let prev = at[input];
  return {
    B,
    ptr,
    bytes,
    input: at[input],
    acts: actIdx.map((i) => (prev = i < 0 ? prev : at[i])),
    ws: ws.map((i) => (sizes[i] ? at[i] : 0)),
    grad: [where(g0), where(g1)],
    labels: where(labels),
    probs: at[probs],
    idx: where(idx),
  };
}
