// Export to ONNX (opset 13): a hand-written protobuf encoder for the few messages a dense model
// needs (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto), no dependencies.
// Dense -> Gemm (or MatMul without bias) + Relu/Tanh/Softmax; Conv2D/Conv1D -> Conv (kernels
// transposed to [OC, C, kh, kw], Keras "same" padding as explicit pads); MaxPool -> MaxPool;
// Flatten -> Flatten; Activation -> the same op; Dropout -> nothing (identity at inference); gates
// are folded into the next layer (fold.ts); position gates become a Mul by a fixed mask. Input "input" [N, ...inputShape] float32 (NHWC, as
// bsfnet), output "output" [N, classes]: probabilities when the model ends in softmax, as predict.
import type { Shape } from "../layers/layer.js";
import { DEFAULT_THRESHOLD } from "../layers/bsf.js";
import { specShapes } from "../model/build.js";
import type { LayerSpec, SpecSource } from "../model/spec.js";
import { exportableSpec } from "./fold.js";

/** Protobuf wire format: varints (type 0) and length-delimited fields (type 2). */
class Pb {
  private parts: number[] = [];
  private chunks: Uint8Array[] = [];
  private flush(): void {
    if (this.parts.length) {
      this.chunks.push(Uint8Array.from(this.parts));
      this.parts = [];
    }
  }
  private varint(v: number | bigint): void {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n; // two's complement, 10 bytes
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.parts.push(b);
    } while (x);
  }
  private key(field: number, type: number): void {
    this.varint((field << 3) | type);
  }
  int(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.flush();
    this.chunks.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    this.flush();
    const n = this.chunks.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT

function tensor(name: string, shape: number[], values: Float32Array): Pb {
  const t = new Pb();
  for (const d of shape) t.int(1, d); // dims
  t.int(2, FLOAT);
  t.string(8, name);
  const raw = new Uint8Array(values.length * 4);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
  t.bytes(9, raw); // raw_data, little-endian
  return t;
}

function valueInfo(name: string, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === "number" ? new Pb().int(1, d) : new Pb().string(2, d));
  const tensorType = new Pb().int(1, FLOAT).msg(2, shape);
  return new Pb().string(1, name).msg(2, new Pb().msg(1, tensorType));
}

type Attr = [string, number | number[]];

/** AttributeProto: INT (type 2, field i = 3) or INTS (type 7, field ints = 8). */
function attribute([name, v]: Attr): Pb {
  const a = new Pb().string(1, name);
  if (Array.isArray(v)) {
    for (const x of v) a.int(8, x);
    a.int(20, 7);
  } else a.int(3, v).int(20, 2);
  return a;
}

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Attr[] = []): Pb {
  const n = new Pb();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name);
  n.string(4, op);
  for (const a of attrs) n.msg(5, attribute(a));
  return n;
}

/** Keras kernel [..spatial, C, OC] -> ONNX [OC, C, ..spatial] */
function convWeight(shape: number[], v: Float32Array): { shape: number[]; values: Float32Array } {
  const n = shape.length;
  const C = shape[n - 2];
  const OC = shape[n - 1];
  const S = v.length / (C * OC);
  const out = new Float32Array(v.length);
  for (let s = 0; s < S; s++)
    for (let c = 0; c < C; c++) for (let o = 0; o < OC; o++) out[(o * C + c) * S + s] = v[(s * C + c) * OC + o];
  return { shape: [OC, C, ...shape.slice(0, n - 2)], values: out };
}

/** What an exporter of one layer works on: the graph so far, and the name of its current value. */
interface Graph {
  nodes: Pb[];
  initializers: Pb[];
  /** the value the next node reads */
  cur: string;
  /** values per sample of the output (set by the layers that change it) */
  width: number;
  /** our tensors are NHWC; ONNX Conv and MaxPool want NCHW: transpose on demand */
  toFirst(name: string): void;
  toLast(name: string): void;
  /** Relu/Tanh/Softmax after a layer, from its activation config */
  act(a: unknown, name: string): void;
}

type LayerExporter = (g: Graph, l: LayerSpec, inputShape: Shape) => void;

function convLayer(g: Graph, l: LayerSpec): void {
  const name = String(l.config.name);
  g.toFirst(name);
  const kernel = l.weights.find((w) => w.name === "kernel")!;
  const bias = l.weights.find((w) => w.name === "bias");
  const k = convWeight(kernel.shape, kernel.values);
  g.initializers.push(tensor(`${name}/kernel`, k.shape, k.values));
  const spatial = k.shape.slice(2);
  const same = l.config.padding === "same";
  // Keras "same" with stride 1: total k-1 padding, the extra one at the end
  const begin = spatial.map((s) => (same ? Math.floor((s - 1) / 2) : 0));
  const end = spatial.map((s, i) => (same ? s - 1 - begin[i] : 0));
  const inputs = [g.cur, `${name}/kernel`];
  if (bias) {
    g.initializers.push(tensor(`${name}/bias`, bias.shape, bias.values));
    inputs.push(`${name}/bias`);
  }
  const out = `${name}/out`;
  g.nodes.push(
    node("Conv", inputs, [out], `${name}_Conv`, [
      ["kernel_shape", spatial],
      ["pads", [...begin, ...end]],
      ["strides", spatial.map(() => 1)],
    ]),
  );
  g.cur = out;
  g.act(l.config.activation, name);
}

function maxPool(g: Graph, l: LayerSpec, two: boolean): void {
  const name = String(l.config.name);
  g.toFirst(name);
  const p = l.config.poolSize as number | number[] | undefined;
  const ps = two ? (Array.isArray(p) ? p : [p ?? 2, p ?? 2]) : [Array.isArray(p) ? p[0] : (p ?? 2)];
  const out = `${name}/out`;
  g.nodes.push(
    node("MaxPool", [g.cur], [out], `${name}_MaxPool`, [
      ["kernel_shape", ps],
      ["strides", ps],
    ]),
  );
  g.cur = out;
}

/** The ONNX nodes each bsfnet layer class becomes: the ONNX exporter of each layer type. A class
 * missing here cannot be exported to ONNX. */
export const ONNX_LAYERS: Readonly<Record<string, LayerExporter>> = {
  Dense: (g, l) => {
    const name = String(l.config.name);
    const kernel = l.weights.find((w) => w.name === "kernel")!;
    const bias = l.weights.find((w) => w.name === "bias");
    g.initializers.push(tensor(`${name}/kernel`, kernel.shape, kernel.values));
    const out = `${name}/out`;
    if (bias) {
      g.initializers.push(tensor(`${name}/bias`, bias.shape, bias.values));
      g.nodes.push(node("Gemm", [g.cur, `${name}/kernel`, `${name}/bias`], [out], `${name}_Gemm`));
    } else g.nodes.push(node("MatMul", [g.cur, `${name}/kernel`], [out], `${name}_MatMul`));
    g.cur = out;
    g.width = kernel.shape[1];
    g.act(l.config.activation, name);
  },
  Conv2D: convLayer,
  Conv1D: convLayer,
  MaxPool2D: (g, l) => maxPool(g, l, true),
  MaxPool1D: (g, l) => maxPool(g, l, false),
  Flatten: (g, l) => {
    const name = String(l.config.name);
    g.toLast(name);
    const out = `${name}/out`;
    g.nodes.push(node("Flatten", [g.cur], [out], `${name}_Flatten`, [["axis", 1]]));
    g.cur = out;
  },
  // a gate left after folding is a position gate: a fixed per-position multiply, mask
  // [..positions, 1] broadcast over channels (NHWC)
  BSF: (g, l, inputShape) => {
    const name = String(l.config.name);
    g.toLast(name);
    const w = l.weights[0].values;
    const t = (l.config.threshold as number | undefined) ?? DEFAULT_THRESHOLD;
    const mask = l.config.mode === "expectation" ? Float32Array.from(w) : Float32Array.from(w, (v) => (v > t ? 1 : 0));
    g.initializers.push(tensor(`${name}/mask`, [...inputShape.slice(0, -1), 1], mask));
    const out = `${name}/out`;
    g.nodes.push(node("Mul", [g.cur, `${name}/mask`], [out], `${name}_Mul`));
    g.cur = out;
  },
  // (x - mean) / std over the last axis: Sub and Div by constants broadcast over the batch (and,
  // before a convolution, over positions: NHWC here)
  Normalization: (g, l) => {
    const name = String(l.config.name);
    g.toLast(name);
    const mean = l.weights.find((w) => w.name === "mean")!.values;
    const variance = l.weights.find((w) => w.name === "variance")!.values;
    const std = Float32Array.from(variance, (v) => Math.max(Math.sqrt(Math.max(v, 0)), 1e-7));
    g.initializers.push(tensor(`${name}/mean`, [mean.length], mean));
    g.initializers.push(tensor(`${name}/std`, [std.length], std));
    g.nodes.push(node("Sub", [g.cur, `${name}/mean`], [`${name}/centered`], `${name}_Sub`));
    g.nodes.push(node("Div", [`${name}/centered`, `${name}/std`], [`${name}/out`], `${name}_Div`));
    g.cur = `${name}/out`;
  },
  Activation: (g, l) => g.act(l.config.activation, String(l.config.name)),
  // identity at inference
  Dropout: () => {},
};

export function toOnnx(model: SpecSource, options: { producerVersion?: string } = {}): Uint8Array {
  const spec = exportableSpec(model, ONNX_LAYERS, "ONNX");
  // Our tensors are NHWC (channels last); ONNX Conv and MaxPool are channels first: transpose into
  // NCHW before the first of them, and back before Flatten, so Dense rows keep the (h, w, c) order.
  const rank = spec.inputShape.length + 1;
  let channelsFirst = false;
  const g: Graph = {
    nodes: [],
    initializers: [],
    cur: "input",
    width: spec.inputShape.reduce((a, b) => a * b, 1),
    toFirst(name) {
      if (channelsFirst) return;
      const out = `${name}/nchw`;
      g.nodes.push(
        node("Transpose", [g.cur], [out], `${name}_to_nchw`, [
          ["perm", [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)]],
        ]),
      );
      g.cur = out;
      channelsFirst = true;
    },
    toLast(name) {
      if (!channelsFirst) return;
      const out = `${name}/nhwc`;
      g.nodes.push(
        node("Transpose", [g.cur], [out], `${name}_to_nhwc`, [
          ["perm", [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]],
        ]),
      );
      g.cur = out;
      channelsFirst = false;
    },
    act(a, name) {
      const op = a === "relu" ? "Relu" : a === "tanh" ? "Tanh" : a === "softmax" ? "Softmax" : undefined;
      if (!op) return;
      const out = `${name}/${op.toLowerCase()}`;
      g.nodes.push(node(op, [g.cur], [out], `${name}_${op}`));
      g.cur = out;
    },
  };
  const shapes = specShapes(spec);
  spec.layers.forEach((l, i) => {
    ONNX_LAYERS[l.className](g, l, shapes[i]);
  });
  // rename the last value to "output" via Identity (keeps node names simple)
  g.nodes.push(node("Identity", [g.cur], ["output"], g.cur === "input" ? "identity" : "output_Identity"));
  const graph = new Pb();
  for (const n of g.nodes) graph.msg(1, n);
  graph.string(2, spec.name || "bsfnet");
  for (const t of g.initializers) graph.msg(5, t);
  graph.msg(11, valueInfo("input", ["N", ...spec.inputShape]));
  graph.msg(12, valueInfo("output", ["N", g.width]));
  const m = new Pb();
  m.int(1, 8); // ir_version 8
  m.string(2, "bsfnet");
  m.string(3, options.producerVersion ?? "0.1.0");
  m.msg(7, graph);
  m.msg(8, new Pb().string(1, "").int(2, 13)); // opset_import: default domain, opset 13
  return m.finish();
}

export async function saveOnnx(model: SpecSource, path: string): Promise<void> {
  const { writeFileAtomic } = await import("../util/atomic.js");
  await writeFileAtomic(path, toOnnx(model));
}
