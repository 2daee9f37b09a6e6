// bsfnet/infer: run a saved bsfnet model anywhere JavaScript runs (Cloudflare Workers, Deno, Bun,
// browsers, Node). Imports nothing of training (no optimizer, no fit, no Sequential) and no Node
// module: it takes the kernels as a WebAssembly.Module (never compiled at run time then: safe on
// Workers) or as bytes, and the model as the bytes of a bsfnet model file.
import type { WasmKernels } from "../runtime/abi.js";
import { KernelMemory } from "../runtime/memory.js";
import { instantiateModule as instantiate } from "../runtime/instantiate.js";
import { argmaxRows } from "../util/argmax.js";
import type { Layer, StepContext } from "../layers/layer.js";
import { decodeModelFile, type ModelMeta } from "../io/format.js";
import { layersFromFile } from "../io/layers.js";
import { ModelFileError, ShapeError, WasmLoadError } from "../errors.js";

export type KernelSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

export interface InferenceOptions {
  /** Rows per kernel call (the activation buffers are sized for it). Default 256. */
  batchSize?: number;
}

export class InferenceModel {
  readonly name: string;
  readonly inputShape: number[];
  readonly inputSize: number;
  readonly classes: number;
  readonly meta: ModelMeta;
  readonly layers: readonly Layer[];
  private readonly arena: KernelMemory;
  private readonly B: number;
  private readonly bufs: [number, number];
  private readonly ws: number[];
  private readonly probs: number;
  private readonly softmax: boolean;

  private constructor(kernels: WasmKernels, modelBytes: Uint8Array, options: InferenceOptions) {
    const file = decodeModelFile(modelBytes);
    this.layers = layersFromFile(file);
    this.name = file.name;
    this.inputShape = file.inputShape;
    this.inputSize = file.inputShape.reduce((a, b) => a * b, 1);
    this.meta = file.meta;
    const last = this.layers[this.layers.length - 1];
    this.classes = last.outputSize;
    this.softmax = (last as unknown as { activation?: string }).activation === "softmax";
    const rt = (this.arena = new KernelMemory(kernels));
    let t = 0;
    for (const l of this.layers) {
      for (const p of l.params) {
        p.ptr = rt.alloc(p.size * 4);
        rt.f32(p.ptr, p.size).set(file.weights[t++].values);
      }
    }
    const width = Math.max(this.inputSize, ...this.layers.map((l) => l.outputSize));
    this.B = Math.max(1, Math.min(options.batchSize ?? 256, Math.floor(2 ** 26 / width)));
    this.bufs = [rt.alloc(this.B * width * 4), rt.alloc(this.B * width * 4)];
    this.ws = this.layers.map((l) => (l.workspaceBytes(this.B, rt.k) ? rt.alloc(l.workspaceBytes(this.B, rt.k)) : 0));
    this.probs = rt.alloc(this.B * this.classes * 4);
  }

  /** Load a model file's bytes on kernels given as a WebAssembly.Module (synchronous, no compile). */
  static fromModule(wasm: WebAssembly.Module, modelBytes: Uint8Array, options: InferenceOptions = {}): InferenceModel {
    return new InferenceModel(instantiate(wasm), modelBytes, options);
  }

  /** Load on kernels given as a Module or as the .wasm bytes (compiled asynchronously). */
  static async load(wasm: KernelSource, modelBytes: Uint8Array | ArrayBuffer, options: InferenceOptions = {}): Promise<InferenceModel> {
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
    const D = this.inputSize;
    const data = flatten(x, D);
    const n = data.length / D;
    const V = this.classes;
    const out = new Float32Array(n * V);
    const rt = this.arena;
    const k = rt.k;
    const ctx: StepContext = { rt, training: false, seed: 0, stream: 0 };
    for (let s = 0; s < n; s += this.B) {
      const B = Math.min(this.B, n - s);
      let [inp, o] = this.bufs;
      rt.f32(inp, B * D).set(data.subarray(s * D, (s + B) * D));
      this.layers.forEach((l, i) => {
        if (l.aliasesInput) return; // Flatten: a view, nothing to compute
        l.forward(ctx, o, inp, B, this.ws[i]);
        [inp, o] = [o, inp];
      });
      if (this.softmax) k.softmax_forward(this.probs, inp, B, V);
      out.set(rt.f32(this.softmax ? this.probs : inp, B * V), s * V);
    }
    return out;
  }

  /** argmax class of each row */
  predictClasses(x: ArrayLike<number> | readonly (readonly number[])[]): Int32Array {
    return argmaxRows(this.predict(x), this.classes);
  }


  /** Full input rows -> the columns a pruned model reads (meta.inputKeep); identity otherwise. */
  reduceInput(x: ArrayLike<number>): Float32Array {
    const keep = this.meta.inputKeep;
    if (!keep) return Float32Array.from(x);
    const full = this.meta.fullInputSize as number;
    if (x.length % full !== 0) throw new ShapeError(`got ${x.length} values, not a multiple of the ${full} full input features`, "input");
    const n = x.length / full;
    const out = new Float32Array(n * keep.length);
    for (let i = 0; i < n; i++) for (let j = 0; j < keep.length; j++) out[i * keep.length + j] = x[i * full + keep[j]];
    return out;
  }
}

function flatten(x: ArrayLike<number> | readonly (readonly number[])[], D: number): Float32Array {
  let data: Float32Array;
  if (x instanceof Float32Array) data = x;
  else if (Array.isArray(x) && Array.isArray(x[0])) {
    const rows = x as readonly (readonly number[])[];
    data = new Float32Array(rows.length * D);
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== D) throw new ShapeError(`row ${i} has ${Array.isArray(r) ? r.length : "no"} values, the model expects ${D}`, "input");
      data.set(r, i * D);
    });
  } else data = Float32Array.from(x as ArrayLike<number>);
  if (data.length === 0 || data.length % D !== 0) throw new ShapeError(`${data.length} values is not a positive multiple of the model's ${D} inputs`, "input");
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new ShapeError(`input value ${i} is ${data[i]}`, "input");
  return data;
}

export { decodeModelFile, ModelFileError, ShapeError, WasmLoadError };
export type { ModelMeta };
