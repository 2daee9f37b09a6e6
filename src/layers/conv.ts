// Convolutions, NHWC with Keras' kernel layout (kh, kw, cin, cout), stride 1, "valid" or "same".
// The kernels pick Winograd F(4x4,3x3) or a direct SIMD loop; the layer only plans the scratch.
import {
  Layer,
  type LayerTraits,
  type Initializer,
  type LayerConfig,
  type Param,
  type Shape,
  type StepContext,
} from "./layer.js";
import { activationBackward, activationForward, checkActivation, type ActivationName } from "./activation.js";
import { ConfigError, ShapeError } from "../errors.js";
import { MaxPool2D } from "./pool.js";
import type { WasmKernels } from "../runtime/abi.js";
import type { KernelMemory } from "../runtime/memory.js";

export type Padding = "valid" | "same";

interface ConvBase extends LayerConfig {
  filters: number;
  activation?: ActivationName;
  padding?: Padding;
  useBias?: boolean;
  kernelInitializer?: Initializer;
}

export interface Conv2DConfig extends ConvBase {
  kernelSize: number | [number, number];
}

export interface Conv1DConfig extends ConvBase {
  kernelSize: number;
}

function positiveInt(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) <= 0)
    throw new ConfigError(`${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

abstract class ConvLayer extends Layer {
  static override readonly traits: LayerTraits = {
    passThrough: "none",
    prunable: { kind: "conv", widthKey: "filters" },
  };
  readonly filters: number;
  readonly activation: ActivationName;
  readonly padding: Padding;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  kernel!: Param;
  bias?: Param;
  protected kh = 1;
  protected kw = 1;

  constructor(config: ConvBase, className: string) {
    super(config, className, ["filters", "kernelSize", "activation", "padding", "useBias", "kernelInitializer"]);
    this.filters = positiveInt(config.filters, `layer ${this.name}: filters`);
    this.activation = checkActivation(config.activation, `layer ${this.name}`);
    if (this.activation === "softmax")
      throw new ConfigError(`layer ${this.name}: softmax is not a convolution activation`);
    this.padding = config.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") {
      throw new ConfigError(
        `layer ${this.name}: padding must be "valid" or "same", got ${JSON.stringify(config.padding)}`,
      );
    }
    this.useBias = config.useBias ?? true;
    this.kernelInitializer = config.kernelInitializer ?? { kind: "glorotUniform" };
  }

  override get outputActivation(): string {
    return this.activation;
  }

  /** [H, W, C] of the input, as the kernels see it (Conv1D: H = 1). */
  protected abstract get hwc(): [number, number, number];

  protected outHW(H: number, W: number): [number, number] {
    if (this.padding === "same") return [H, W];
    const oh = H - this.kh + 1;
    const ow = W - this.kw + 1;
    if (oh <= 0 || ow <= 0) {
      throw new ShapeError(
        `a ${this.kh}x${this.kw} kernel with "valid" padding does not fit an input of ${H}x${W}`,
        this.name,
      );
    }
    return [oh, ow];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    this.fixed = false;
    const C = this.hwc[2];
    const fanIn = this.kh * this.kw * C;
    const fanOut = this.kh * this.kw * this.filters;
    const shape = this instanceof Conv1D ? [this.kw, C, this.filters] : [this.kh, this.kw, C, this.filters];
    this.kernel = this.addParam({ name: "kernel", shape, init: this.kernelInitializer, fans: [fanIn, fanOut] });
    this.bias = this.useBias
      ? this.addParam({ name: "bias", shape: [this.filters], init: { kind: "zeros" } })
      : undefined;
  }

  /** Workspaces this layer has called the kernels on since the last memory plan was made: only
   * those may keep the transformed kernel of the Winograd path between calls (conv2d_forward's
   * keep). A new plan may reuse memory that other buffers wrote, so planning forgets them all. */
  private readonly owned = new Set<number>();
  /** The kernel never changes from here on (prepack: an inference model's), so a kept transform is
   * matched by the kernel's address, not its bits (conv2d_forward's keep = 2). */
  private fixed = false;

  override prepack(_mem: KernelMemory): void {
    this.fixed = true;
  }

  /** conv2d_forward's keep for a call on workspace ws. */
  private keepOn(ws: number): number {
    return this.owned.has(ws) ? (this.fixed ? 2 : 1) : 0;
  }

  /** Scratch shared by forward and backward: the larger of the two (dinp assumed needed). */
  override workspaceBytes(B: number, k: WasmKernels): number {
    this.owned.clear();
    const [H, W, C] = this.hwc;
    const same = this.padding === "same" ? 1 : 0;
    return Math.max(
      k.conv2d_scratch_bytes(B, H, W, C, this.filters, this.kh, this.kw, same, 0, 1),
      k.conv2d_scratch_bytes(B, H, W, C, this.filters, this.kh, this.kw, same, 1, 1),
    );
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    this.conv(ctx, out, inp, B, ws, 0);
    // ReLU is applied by the kernel while each output block is in cache (the same bits)
    if (this.activation !== "relu") activationForward(ctx.rt.k, this.activation, out, out, B * this.outputSize);
  }

  /** A 2x2 max pool after a ReLU or linear Conv2D, where the kernel can pool (the Winograd path):
   * the pool's maxima come out of the convolution's output transform, and the full output (four
   * times the pool's) is never stored. */
  override fusesAtInference(next: Layer, k: WasmKernels): boolean {
    if (this.className !== "Conv2D" || !(next instanceof MaxPool2D) || next.ph !== 2 || next.pw !== 2) return false;
    if (this.activation !== "relu" && this.activation !== "linear") return false;
    return k.conv2d_pools(this.kh, this.kw, this.hwc[2], this.filters) === 1;
  }

  override forwardFused(ctx: StepContext, _next: Layer, out: number, inp: number, B: number, ws: number): void {
    this.conv(ctx, out, inp, B, ws, 1);
  }

  /** The F(6x6, 3x3) path's output tiles (conv2d_parts), pooled too when `next` is the pool it
   * fuses; a ReLU or no activation (the kernel applies them per tile). */
  override inferenceParts(B: number, k: WasmKernels, next?: Layer): number {
    if (this.className !== "Conv2D" || (this.activation !== "relu" && this.activation !== "linear")) return 1;
    if (next && !this.fusesAtInference(next, k)) return 1;
    const [H, W, C] = this.hwc;
    return k.conv2d_parts(B, H, W, C, this.filters, this.kh, this.kw, this.padding === "same" ? 1 : 0);
  }

  override forwardPart(
    ctx: StepContext,
    next: Layer | undefined,
    out: number,
    inp: number,
    B: number,
    ws: number,
    part: number,
    parts: number,
  ): void {
    const [H, W, C] = this.hwc;
    const same = this.padding === "same" ? 1 : 0;
    const relu = this.activation === "relu" ? 1 : 0;
    const keep = this.keepOn(ws);
    const bias = this.bias?.ptr ?? 0;
    const pool = next ? 1 : 0;
    ctx.rt.k.conv2d_forward_part(
      out,
      inp,
      this.kernel.ptr,
      bias,
      ws,
      B,
      H,
      W,
      C,
      this.filters,
      same,
      relu,
      keep,
      pool,
      part,
      parts,
    );
    this.owned.add(ws);
  }

  private conv(ctx: StepContext, out: number, inp: number, B: number, ws: number, pool: number): void {
    const [H, W, C] = this.hwc;
    ctx.rt.k.conv2d_forward(
      out,
      inp,
      this.kernel.ptr,
      this.bias?.ptr ?? 0,
      ws,
      B,
      H,
      W,
      C,
      this.filters,
      this.kh,
      this.kw,
      this.padding === "same" ? 1 : 0,
      this.activation === "relu" ? 1 : 0,
      this.keepOn(ws),
      pool,
      ctx.training ? 0 : 1,
    );
    this.owned.add(ws);
  }

  backward(ctx: StepContext, dinp: number, dout: number, inp: number, out: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    const [H, W, C] = this.hwc;
    activationBackward(k, this.activation, dout, dout, out, B * this.outputSize);
    k.conv2d_backward(
      dinp,
      this.kernel.grad,
      this.bias?.grad ?? 0,
      dout,
      inp,
      this.kernel.ptr,
      ws,
      B,
      H,
      W,
      C,
      this.filters,
      this.kh,
      this.kw,
      this.padding === "same" ? 1 : 0,
    );
    this.owned.add(ws);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      activation: this.activation,
      padding: this.padding,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
    };
  }
}

export class Conv2D extends ConvLayer {
  constructor(config: Conv2DConfig) {
    super(config, "Conv2D");
    const ks = Array.isArray(config.kernelSize) ? config.kernelSize : [config.kernelSize, config.kernelSize];
    this.kh = positiveInt(ks[0], `layer ${this.name}: kernelSize`);
    this.kw = positiveInt(ks[1], `layer ${this.name}: kernelSize`);
  }

  protected get hwc(): [number, number, number] {
    return [this.inputShape[0], this.inputShape[1], this.inputShape[2]];
  }

  computeOutputShape(s: Shape): Shape {
    if (s.length !== 3)
      throw new ShapeError(`Conv2D expects [height, width, channels], got [${s.join(", ")}]`, this.name);
    const [oh, ow] = this.outHW(s[0], s[1]);
    return [oh, ow, this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), kernelSize: [this.kh, this.kw] };
  }
}

export class Conv1D extends ConvLayer {
  constructor(config: Conv1DConfig) {
    super(config, "Conv1D");
    this.kw = positiveInt(config.kernelSize, `layer ${this.name}: kernelSize`);
  }

  protected get hwc(): [number, number, number] {
    return [1, this.inputShape[0], this.inputShape[1]];
  }

  computeOutputShape(s: Shape): Shape {
    if (s.length !== 2) throw new ShapeError(`Conv1D expects [length, channels], got [${s.join(", ")}]`, this.name);
    const [, ow] = this.outHW(1, s[0]);
    return [ow, this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), kernelSize: this.kw };
  }
}
