// Fully connected layer, Keras layout: kernel (in, out), bias (out), optional activation.
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
import type { WasmKernels } from "../runtime/abi.js";
import type { KernelMemory } from "../runtime/memory.js";

export interface DenseConfig extends LayerConfig {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: Initializer;
}

export class Dense extends Layer {
  static override readonly traits: LayerTraits = {
    passThrough: "none",
    prunable: { kind: "dense", widthKey: "units" },
  };
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  kernel!: Param;
  bias?: Param;
  /** Where the kernel's one-row copy is (prepack), 0 when none; set by prepack only. */
  rowCopy = 0;
  /** The kernel was finite when the weights last settled (settle): only then may a one-row
   * inference call skip the kernel rows of zero inputs, as 0 * w is +-0 only for a finite w. */
  kernelFinite = false;

  constructor(config: DenseConfig) {
    super(config, "Dense", ["units", "activation", "useBias", "kernelInitializer"]);
    if (!Number.isInteger(config.units) || config.units <= 0) {
      throw new ConfigError(`layer ${this.name}: units must be a positive integer, got ${config.units}`);
    }
    this.units = config.units;
    this.activation = checkActivation(config.activation, `layer ${this.name}`);
    this.useBias = config.useBias ?? true;
    this.kernelInitializer = config.kernelInitializer ?? { kind: "glorotUniform" };
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 1) {
      throw new ShapeError(
        `Dense expects a flat input, got [${inputShape.join(", ")}]: add a Flatten layer`,
        this.name,
      );
    }
    return [this.units];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    this.rowCopy = 0;
    this.kernelFinite = false;
    const C = inputShape[0];
    this.kernel = this.addParam({
      name: "kernel",
      shape: [C, this.units],
      init: this.kernelInitializer,
      fans: [C, this.units],
    });
    this.bias = this.useBias
      ? this.addParam({ name: "bias", shape: [this.units], init: { kind: "zeros" } })
      : undefined;
  }

  override get outputActivation(): string {
    return this.activation;
  }

  /** Training: the scratch of a forward over the input's nonzero columns (dense_forward_train).
   * Inference: a one-row call's list of the input's nonzeros (C ints), where a one-row forward
   * streams its kernel (dense_row_pack_bytes > 0); a call of one row can come from a plan of any
   * size (the last rows of a predict). */
  override workspaceBytes(B: number, k: WasmKernels, training = true): number {
    if (training) return k.dense_train_ws_bytes(B, this.inputSize, this.units);
    return k.dense_row_pack_bytes(this.inputSize, this.units) > 0 ? this.inputSize * 4 : 0;
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    const relu = this.activation === "relu";
    const bias = this.bias?.ptr ?? 0;
    const C = this.inputSize;
    const r = relu ? 1 : 0;
    if (ctx.training) {
      // where a gate has closed most inputs (85% of the Musk2 net's first layer once its gates
      // settle), the products run over the open ones only (docs/design/dense-columns.md)
      k.dense_forward_train(out, inp, this.kernel.ptr, bias, ws, B, C, this.units, r);
    } else {
      // Where the input is mostly zeros (a ReLU's, a closed gate's, an image's background), a one-row
      // inference call reads only the kernel rows of its nonzeros, listed in ws: a trained MNIST CNN's
      // dense layer (about 80% zeros, bench/infer/zeros.ts) 2.1x at 78% (bench/train/gemm-ab.ts
      // --shapes sparse), a one-row call of the MNIST MLP 3.6x (bench/INFERENCE.md).
      const list = this.kernelFinite ? ws : 0;
      if (B === 1 && (this.rowCopy || list))
        k.dense_forward_row(out, inp, this.rowCopy, this.kernel.ptr, list, bias, C, this.units, r);
      else k.dense_forward(out, inp, this.kernel.ptr, bias, B, C, this.units, r);
    }
    if (!relu) activationForward(k, this.activation, out, out, B * this.units);
  }

  /** Checks the kernel is finite, the condition for skipping zero inputs (forward). */
  override settle(mem: KernelMemory): void {
    this.kernelFinite = mem.k.has_nonfinite(this.kernel.ptr, this.inputSize * this.units) === 0;
  }

  /** One-row calls read the kernel in one pass from a copy laid out for them (dense_row_pack): the
   * Table 6 CNN's 9216 x 128 kernel, 4.7 MB more, 1.25x (bench/train/gemm-ab.ts --shapes rows). */
  override prepack(mem: KernelMemory): void {
    const k = mem.k;
    const bytes = k.dense_row_pack_bytes(this.inputSize, this.units);
    if (bytes === 0) return;
    const ptr = mem.alloc(bytes);
    k.dense_row_pack(ptr, this.kernel.ptr, this.inputSize, this.units);
    this.rowCopy = ptr;
  }

  /** A ReLU or no activation: output columns (dense_parts). */
  override inferenceParts(B: number, k: WasmKernels): number {
    if (this.activation !== "relu" && this.activation !== "linear") return 1;
    return k.dense_parts(B, this.inputSize, this.units);
  }

  override forwardPart(
    ctx: StepContext,
    _next: Layer | undefined,
    out: number,
    inp: number,
    B: number,
    _ws: number,
    part: number,
    parts: number,
  ): void {
    const relu = this.activation === "relu" ? 1 : 0;
    const bias = this.bias?.ptr ?? 0;
    ctx.rt.k.dense_forward_part(out, inp, this.kernel.ptr, bias, B, this.inputSize, this.units, relu, part, parts);
  }

  backward(ctx: StepContext, dinp: number, dout: number, inp: number, out: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    // dout is ours to overwrite: turn it into the pre-activation gradient in place.
    activationBackward(k, this.activation, dout, dout, out, B * this.units);
    const [dw, db, C, OC] = [this.kernel.grad, this.bias?.grad ?? 0, this.inputSize, this.units];
    // the record dense_forward_train left in ws; an inference forward (a gradient check's) left none
    if (ctx.training) k.dense_backward_train(dinp, dw, db, dout, inp, this.kernel.ptr, ws, B, C, OC);
    else k.dense_backward(dinp, dw, db, dout, inp, this.kernel.ptr, B, C, OC);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
    };
  }
}
