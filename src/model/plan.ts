// Memory planning: every offset is decided once per model (parameters) and once per batch size
// (activations), so a step never allocates or grows memory. Portable: training and the inference
// bundle plan the same way.
import { align16, type KernelMemory } from "../runtime/memory.js";
import type { Layer, Param } from "../layers/layer.js";
import type { WasmKernels } from "../runtime/abi.js";

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

/** Bytes the activations of one chunk of inference rows may take: one layer's input and output
 * (the two buffers an inference plan's layers write in turn) stay within it, so each layer reads
 * what the one before it has just written from cache rather than memory. The Table 6 CNN's widest
 * step (conv2: 21,632 floats a row in, 36,864 out) then runs 32 rows at a time, where 256 rows
 * took 60 MB for that step alone. See docs/design/gemm.md, "Rows per call". */
export const INFER_CHUNK_BYTES = 8 * 1024 * 1024;
/** At most this many rows per call: the MLPs' steps fit the budget at thousands of rows, and past
 * a few hundred rows a call's fixed costs are already negligible (while its buffers keep growing). */
export const INFER_MAX_ROWS = 1024;

/** Rows per kernel call for inference when the caller does not choose: as many as keep the widest
 * layer's input and output within INFER_CHUNK_BYTES, a multiple of 4 (the GEMM's row tile) from 8
 * rows on, at most INFER_MAX_ROWS. */
export function inferenceRows(layers: readonly Layer[], inputSize: number): number {
  let widest = 0;
  let prev = inputSize;
  for (const l of layers) {
    if (l.aliasesInput) continue;
    widest = Math.max(widest, prev + l.outputSize);
    prev = l.outputSize;
  }
  const rows = Math.floor(INFER_CHUNK_BYTES / (Math.max(widest, 1) * 4));
  if (rows < 8) return Math.max(1, rows);
  return Math.min(INFER_MAX_ROWS, rows & ~3);
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
  /** fusedPairs of the layers: what a forward pass without training runs as one call, on this
   * plan's buffers (an inference plan places them for it) */
  fused: boolean[];
}

/** fused[i]: at inference layer i runs layer i + 1 in its own kernel call (Layer.fusesAtInference);
 * pairs never overlap. */
export function fusedPairs(layers: readonly Layer[], k: WasmKernels): boolean[] {
  const f = layers.map(() => false);
  for (let i = 0; i + 1 < layers.length; i++) {
    if (layers[i].fusesAtInference(layers[i + 1], k)) f[i++] = true;
  }
  return f;
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
  const fused = fusedPairs(layers, rt.k);
  const maxAct = Math.max(inputSize, ...layers.map((l) => l.outputSize));
  let actIdx: number[];
  if (training) {
    // Backward reads every layer's output: one buffer each. A view layer (Flatten) shares its input's.
    actIdx = layers.map((l) => (l.aliasesInput ? -1 : take(B * l.outputSize * 4)));
  } else {
    // Forward only: each layer reads the previous output and writes the other buffer. A fused pair
    // (fusedPairs) is one step: its first layer's own output is never written, so it takes no
    // buffer of its own and does not count for their size, and the pair's output goes to the
    // buffer its input is not in.
    const widest = Math.max(inputSize, ...layers.map((l, i) => (fused[i] ? 0 : l.outputSize)));
    const pair = [take(B * widest * 4), take(B * widest * 4)];
    let turn = 0;
    actIdx = [];
    for (let i = 0; i < layers.length; i++) {
      if (layers[i].aliasesInput) actIdx.push(-1);
      else if (fused[i]) {
        const b = pair[turn++ % 2];
        actIdx.push(b, b);
        i++;
      } else actIdx.push(pair[turn++ % 2]);
    }
  }
  const ws = layers.map((l) => take(l.workspaceBytes(B, rt.k, training)));
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
    fused,
  };
}
