// The layer stack both training and inference run: built layers, their memory plan and the forward
// pass. Portable (no Node modules, nothing of training), so `bsfnet/infer` imports it as it is and
// Sequential adds only the backward pass, the loss and the optimizer.
import { sizeOf, type Layer, type Shape, type StepContext } from "../layers/layer.js";
import { OutOfMemoryError, type KernelMemory } from "../runtime/memory.js";
import { buildStack, type BuildOptions } from "./build.js";
import { inferenceRows, planBatch, planParams, type BatchPlan, type ParamBlock } from "./plan.js";
import { assertFinite, toX, type XInput } from "./inputs.js";

export class LayerStack {
  readonly layers: readonly Layer[];
  readonly inputShape: Shape;
  readonly inputSize: number;
  /** width of the output: the number of classes of a classifier */
  readonly classes: number;
  /** the output layer ends in softmax: the scores are turned into probabilities (and, in
   * training, fused with the cross-entropy) */
  readonly softmax: boolean;

  constructor(layers: readonly Layer[], inputShape: Shape, options: BuildOptions = {}) {
    const built = buildStack(layers, inputShape, options);
    this.layers = built.layers;
    this.inputShape = [...inputShape];
    this.inputSize = sizeOf(inputShape);
    this.classes = sizeOf(built.outputShape);
    this.softmax = this.layers[this.layers.length - 1].outputActivation === "softmax";
  }

  /** The layers that are gates (their first parameter holds the gate weights). */
  get gates(): Layer[] {
    return this.layers.filter((l) => l.traits.gate);
  }

  /** Place every parameter in one block (with gradients and `slots` optimizer slots for training). */
  placeParams(mem: KernelMemory, slots: number, grads = true): ParamBlock {
    return planParams(mem, this.layers, slots, grads);
  }

  /** The parameters hold the values the next inference calls run on (Layer.settle): call after
   * any change of them, before an inference forward. */
  settle(mem: KernelMemory): void {
    for (const l of this.layers) l.settle(mem);
  }

  /** Inference only, the parameters final and placed on `mem`: each layer may keep copies of them
   * laid out for fixed weights (Layer.prepack), used from then on with `mem`. A copy is only a
   * faster layout of what the model has: one that does not fit in memory any more (wasm32's 4 GiB,
   * a Worker's limit) is left out and its layer runs without it. Call after the model's plans, so
   * the copies take only memory that they do not need. */
  prepack(mem: KernelMemory): void {
    for (const l of this.layers) {
      try {
        l.prepack(mem);
      } catch (e) {
        if (!(e instanceof OutOfMemoryError)) throw e;
      }
    }
  }

  planBatch(mem: KernelMemory, B: number, training = true): BatchPlan {
    return planBatch(mem, this.layers, this.inputSize, B, this.classes, training);
  }

  /** Rows per kernel call of `predict` when the caller does not choose (plan.ts: the widest
   * layer's activations of a chunk stay cache-sized). */
  get inferenceRows(): number {
    return inferenceRows(this.layers, this.inputSize);
  }

  /** Rows as a flat Float32Array of n rows of inputSize values, their count checked; that they are
   * finite predict checks (in wasm, on each chunk it copies in: the scan in JavaScript took 43 µs of
   * a 190 µs call at 256 rows of 41). */
  rows(x: XInput, what = "x"): { data: Float32Array; n: number } {
    return toX(x, this.inputSize, what, false);
  }

  /** Runs the layers on B rows at `input`; returns where the output scores are. In training the
   * masks of step `step` are drawn: layer i of step s uses PRNG stream s * L + i, at the rows'
   * indices in the batch (row0: the first row of a thread's slice). `from`, `to`: only layers
   * [from, to) (neither inside a fused pair), `input` being layer from's input; returns where
   * their output is. */
  forward(
    mem: KernelMemory,
    plan: BatchPlan,
    B: number,
    training: boolean,
    input: number,
    seed = 0,
    step = 0,
    row0 = 0,
    from = 0,
    to = this.layers.length,
  ): number {
    const L = this.layers.length;
    const fused = training ? undefined : plan.fused;
    let inp = input;
    for (let i = from; i < to; i++) {
      const ctx: StepContext = { rt: mem, training, seed, stream: (step * L + i) >>> 0, row0 };
      if (fused?.[i]) {
        // layer i computes layer i + 1 too (inference: nothing reads layer i's own output)
        this.layers[i].forwardFused(ctx, this.layers[i + 1], plan.acts[i + 1], inp, B, plan.ws[i]);
        inp = plan.acts[++i];
        continue;
      }
      this.layers[i].forward(ctx, plan.acts[i], inp, B, plan.ws[i]);
      inp = plan.acts[i];
    }
    return inp;
  }

  /** Inference on rows row0 .. row0 + n of `data`: class probabilities (softmax output) or raw
   * outputs, batch by batch. A non-finite input value is a DataError naming its row in `data` and
   * its column (`what`: the input's name), found before `forward` runs on its batch. `forward`:
   * the forward pass of B rows at plan.input, returning where the scores are (default: this
   * stack's; a threaded call shares its layers instead, model/parts.ts). */
  predict(
    mem: KernelMemory,
    plan: BatchPlan,
    data: Float32Array,
    n: number,
    what = "x",
    row0 = 0,
    forward = (B: number) => this.forward(mem, plan, B, false, plan.input),
  ): Float32Array {
    const D = this.inputSize;
    const V = this.classes;
    const out = new Float32Array(n * V);
    for (let s = 0; s < n; s += plan.B) {
      const B = Math.min(plan.B, n - s);
      const from = (row0 + s) * D;
      mem.f32(plan.input, B * D).set(data.subarray(from, from + B * D));
      if (mem.k.has_nonfinite(plan.input, B * D)) assertFinite(data, D, what, from, from + B * D);
      const scores = forward(B);
      if (this.softmax) mem.k.softmax_forward(plan.probs, scores, B, V);
      out.set(mem.f32(this.softmax ? plan.probs : scores, B * V), s * V);
    }
    return out;
  }
}
