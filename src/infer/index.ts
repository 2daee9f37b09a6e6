// bsfnet/infer: run a saved bsfnet model anywhere JavaScript runs (Cloudflare Workers, Deno, Bun,
// browsers, Node). Imports nothing of training (no optimizer, no fit, no Sequential) and no Node
// module: it takes the kernels as a WebAssembly.Module (never compiled at run time then: safe on
// Workers) or as bytes, and the model as the bytes of a bsfnet model file.
import { KERNEL_NAMES, type WasmKernels } from "../runtime/abi.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Layer, StepContext } from "../layers/layer.js";
import { decodeModelFile, type ModelMeta } from "../io/format.js";
import { layersFromFile } from "../io/layers.js";
import { ModelFileError, ShapeError, WasmLoadError } from "../errors.js";

export type KernelSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

function instantiate(mod: WebAssembly.Module): WasmKernels {
  const inst = new WebAssembly.Instance(mod, {
    env: {
      abort(_m: number, _f: number, line: number, col: number) {
        throw new WasmLoadError(`bsfnet wasm: assertion failed at ${line}:${col}`);
      },
      seed: () => 0,
    },
  });
  const exp = inst.exports as Record<string, unknown>;
  const missing = KERNEL_NAMES.filter((n) => !(n in exp));
  if (missing.length) throw new WasmLoadError(`not a bsfnet wasm module: missing exports ${missing.join(", ")}`);
  return exp as unknown as WasmKernels;
}

/** The slice of Runtime that layer forward passes use, over one instance's memory (bump allocation). */
class Arena {
  private top = 65536;
  private buf?: ArrayBuffer;
  private f32v!: Float32Array;
  private u8v!: Uint8Array;
  constructor(readonly k: WasmKernels) {}
  get memory(): WebAssembly.Memory {
    return this.k.memory;
  }
  private refresh(): void {
    const b = this.k.memory.buffer as ArrayBuffer;
    if (b !== this.buf) {
      this.buf = b;
      this.f32v = new Float32Array(b);
      this.u8v = new Uint8Array(b);
    }
  }
  alloc(bytes: number): number {
    const size = Math.max(16, (bytes + 15) & ~15);
    const ptr = this.top;
    const end = ptr + size;
    if (end > 4 * 2 ** 30 - 65536) throw new ShapeError(`inference needs ${end} bytes of wasm memory: more than wasm32 allows`);
    const have = this.k.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.k.memory.grow(Math.ceil((end - have) / 65536));
      } catch (e) {
        throw new ShapeError(`cannot grow wasm memory to ${end} bytes (${(e as Error).message}): use a smaller batchSize`);
      }
    }
    this.top = end;
    return ptr;
  }
  f32(ptr: number, n: number): Float32Array {
    this.refresh();
    return this.f32v.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }
  u8(ptr: number, n: number): Uint8Array {
    this.refresh();
    return this.u8v.subarray(ptr, ptr + n);
  }
}

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
  private readonly arena: Arena;
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
    const rt = (this.arena = new Arena(kernels));
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
    const ctx: StepContext = { rt: rt as unknown as Runtime, training: false, seed: 0, stream: 0 };
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
    const p = this.predict(x);
    const V = this.classes;
    const out = new Int32Array(p.length / V);
    for (let i = 0; i < out.length; i++) {
      let best = 0;
      for (let j = 1; j < V; j++) if (p[i * V + j] > p[i * V + best]) best = j;
      out[i] = best;
    }
    return out;
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
