// bsfnet/infer: run a saved bsfnet model anywhere JavaScript runs (Cloudflare Workers, Deno, Bun,
// browsers, Node). Imports nothing of training (no optimizer, no fit, no Sequential) and no Node
// module: it takes the kernels as a WebAssembly.Module (never compiled at run time then: safe on
// Workers) or as bytes, and the model as the bytes of a bsfnet model file. The layers, their memory
// plan and the forward pass are the ones training uses (model/stack.ts).
import type { WasmKernels } from "../runtime/abi.js";
import { KernelMemory } from "../runtime/memory.js";
import { instantiateModule as instantiate } from "../runtime/instantiate.js";
import { argmaxRows } from "../util/argmax.js";
import type { Layer } from "../layers/layer.js";
import { LIMITS, readModel, type ModelMeta } from "../io/format.js";
import { inputColumns, modelInput } from "../model/meta.js";
import { LayerStack } from "../model/stack.js";
import type { BatchPlan } from "../model/plan.js";
import type { XInput } from "../model/inputs.js";
import { ModelFileError, ShapeError, WasmLoadError } from "../errors.js";

export type KernelSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

export interface InferenceOptions {
  /** Rows per kernel call (the activation buffers are sized for it). Default: from the model's
   * activation sizes, so one call's activations stay cache-sized (8 MB of the widest layer's input
   * and output: 32 rows for the Table 6 CNN, 1,024 for an MLP of a few hundred units). */
  batchSize?: number;
  /** Lay the layers out for weights that never change (Layer.prepack): one-row copies of the dense
   * kernels that gain from one (a one-row call reads each kernel in one pass), and convolutions
   * that match their kept transformed kernel by its address instead of comparing its bits on
   * every call. The same bits either way. The Table 6 CNN: 4.7 MB more memory, a one-image call
   * 1.08x faster from the copies (bench/infer/rows.ts, docs/design/gemm.md). Default true; false
   * to save the memory. */
  prepack?: boolean;
}

export class InferenceModel {
  readonly name: string;
  readonly inputShape: number[];
  readonly inputSize: number;
  readonly classes: number;
  readonly meta: ModelMeta;
  readonly layers: readonly Layer[];
  private readonly mem: KernelMemory;
  private readonly stack: LayerStack;
  private readonly plan: BatchPlan;

  private constructor(kernels: WasmKernels, modelBytes: Uint8Array, options: InferenceOptions) {
    const file = readModel(modelBytes);
    this.stack = new LayerStack(file.built.layers, file.spec.inputShape, { maxActivation: LIMITS.activationSize });
    this.layers = this.stack.layers;
    this.name = file.spec.name;
    this.inputShape = file.spec.inputShape;
    this.inputSize = this.stack.inputSize;
    this.classes = this.stack.classes;
    this.meta = file.meta;
    const mem = (this.mem = new KernelMemory(kernels));
    this.stack.placeParams(mem, 0, false);
    file.spec.layers.forEach((l, i) => {
      this.layers[i].params.forEach((p, j) => {
        mem.f32(p.ptr, p.size).set(l.weights[j].values);
      });
    });
    const width = Math.max(this.inputSize, ...this.layers.map((l) => l.outputSize));
    const B = Math.max(1, Math.min(options.batchSize ?? this.stack.inferenceRows, Math.floor(2 ** 26 / width)));
    this.plan = this.stack.planBatch(mem, B, false);
    this.stack.settle(mem);
    if (options.prepack ?? true) this.stack.prepack(mem);
  }

  /** Load a model file's bytes on kernels given as a WebAssembly.Module (synchronous, no compile). */
  static fromModule(wasm: WebAssembly.Module, modelBytes: Uint8Array, options: InferenceOptions = {}): InferenceModel {
    return new InferenceModel(instantiate(wasm), modelBytes, options);
  }

  /** Load on kernels given as a Module or as the .wasm bytes (compiled asynchronously). */
  static async load(
    wasm: KernelSource,
    modelBytes: Uint8Array | ArrayBuffer,
    options: InferenceOptions = {},
  ): Promise<InferenceModel> {
    let mod: WebAssembly.Module;
    if (wasm instanceof WebAssembly.Module) mod = wasm;
    else {
      try {
        mod = await WebAssembly.compile(wasm as BufferSource);
      } catch (e) {
        throw new WasmLoadError(`invalid wasm module: ${(e as Error).message}`, { cause: e });
      }
    }
    const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
    return new InferenceModel(instantiate(mod), bytes, options);
  }

  /** Class probabilities (softmax output) or raw outputs: n rows of `classes` values. */
  predict(x: ArrayLike<number> | readonly (readonly number[])[]): Float32Array {
    const { data, n } = this.stack.rows(x as XInput, "input");
    return this.stack.predict(this.mem, this.plan, data, n, "input");
  }

  /** Bytes of wasm memory the model holds: its parameters, their one-row copies (prepack), the
   * buffers of one call and the kernels' scratch. */
  get memoryBytes(): number {
    return this.mem.inUse;
  }

  /** argmax class of each row */
  predictClasses(x: ArrayLike<number> | readonly (readonly number[])[]): Int32Array {
    return argmaxRows(this.predict(x), this.classes);
  }

  /** Full input rows -> the columns a pruned model reads (meta.inputKeep); identity otherwise. */
  reduceInput(x: ArrayLike<number>): Float32Array {
    return inputColumns(this.meta, x);
  }

  /** Raw full-width rows -> the model's input: the saved standardization (meta.standardize), if
   * any, then the columns a pruned model reads. */
  prepareInput(x: ArrayLike<number>): Float32Array {
    return modelInput(this.meta, x, this.inputSize);
  }
}

export { ModelFileError, ShapeError, WasmLoadError };
export type { ModelMeta };
