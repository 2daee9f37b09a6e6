// The part of a training step that a thread does on its own rows: forward, the loss and its
// gradient, backward into the parameter gradients at each Param.grad. Sequential runs it on the
// whole batch (one thread) or on the first slice (thread 0), and every worker of
// src/runtime/threads.ts runs it on its slice, so one code path computes every slice.
import type { StepContext } from "../layers/layer.js";
import type { KernelMemory } from "../runtime/memory.js";
import type { BatchPlan } from "./plan.js";
import type { LayerStack } from "./stack.js";

export interface Slice {
  /** rows of this slice */
  B: number;
  /** rows of the whole batch: the loss is its mean, so each slice's gradient is scaled by 1 / total */
  total: number;
  /** the slice's first row in the batch (the masks' row offset) */
  row0: number;
  /** the slice's rows, its labels (i32) or, for regression, its target rows */
  input: number;
  labels: number;
  seed: number;
  /** optimizer steps taken before this one (layer i of step s draws PRNG stream s * L + i) */
  step: number;
  regression: boolean;
  /** add the penalty gradients layers add in backward (true on exactly one thread) */
  penalties: boolean;
}

/** One slice's forward and backward; returns [loss summed over its rows, correct rows] (regression:
 * [loss sum, summed squared error]). Gradients accumulate (+=) into every Param.grad. */
export function trainSlice(mem: KernelMemory, stack: LayerStack, plan: BatchPlan, s: Slice): [number, number] {
  const k = mem.k;
  const layers = stack.layers;
  const L = layers.length;
  const V = stack.classes;
  const logits = stack.forward(mem, plan, s.B, true, s.input, s.seed, s.step, s.row0);
  let [dcur, dnext] = plan.grad;
  let loss: number;
  let correct: number;
  if (s.regression) {
    loss = correct = k.mse_forward(logits, s.labels, s.B, V);
    k.mse_backward(dcur, logits, s.labels, s.B, V, 1 / s.total);
  } else {
    loss = k.softmax_xent_forward(plan.probs, logits, s.labels, s.B, V);
    correct = k.argmax_correct(plan.probs, s.labels, s.B, V);
    k.softmax_xent_backward(dcur, plan.probs, s.labels, s.B, V, 1 / s.total);
  }
  for (let i = L - 1; i >= 0; i--) {
    if (layers[i].aliasesInput) continue; // a view: dout is already its input's gradient
    const ctx: StepContext = {
      rt: mem,
      training: true,
      seed: s.seed,
      stream: (s.step * L + i) >>> 0,
      row0: s.row0,
      penalties: s.penalties,
    };
    const inp = i > 0 ? plan.acts[i - 1] : s.input;
    layers[i].backward(ctx, i > 0 ? dnext : 0, dcur, inp, plan.acts[i], s.B, plan.ws[i]);
    [dcur, dnext] = [dnext, dcur];
  }
  return [loss, correct];
}
