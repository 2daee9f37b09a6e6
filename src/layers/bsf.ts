// Binary Stochastic Filtering gate (DESIGN.md section 1): one weight w in [0,1] per filtered unit.
// Training passes each input with probability w (fresh mask per sample, PRNG inside wasm);
// inference passes it when w > threshold (or scales by w in "expectation" mode).
import { Layer, sizeOf, type LayerTraits, type LayerConfig, type Param, type Shape, type StepContext } from "./layer.js";
import { ConfigError, ShapeError } from "../errors.js";

/** A gate passes a unit at inference when its weight is above this (the paper's 0.1). */
export const DEFAULT_THRESHOLD = 0.1;

export type BsfGradient = "straight-through" | "scaled";
export type BsfMode = "threshold" | "expectation";

export interface BSFConfig extends LayerConfig {
  /** L1 penalty coefficient lambda (the paper: 0.001-0.05). Default 0.01. */
  penalty?: number;
  /** Initial gate weight, a constant in [0,1]. Default 0.5. */
  init?: number;
  /** Inference threshold: a unit passes when w > threshold. Default DEFAULT_THRESHOLD (0.1). */
  threshold?: number;
  /** "straight-through" (the paper; default) or "scaled" (dw = w * sum dy*x). */
  gradient?: BsfGradient;
  /** Inference: "threshold" (default, y = x * (w > t)) or "expectation" (y = x * w). */
  mode?: BsfMode;
  /** On multi-dimensional input: "channel" shares one gate over all positions of a channel (last
   * axis: kernel pruning); "position" shares one gate over all channels of a position (an
   * attention map on a multi-channel image or spectrum). Omitted: one gate per input element. */
  shareAxis?: "channel" | "position";
}

export class BSF extends Layer {
  static override readonly traits: LayerTraits = { passThrough: "none", gate: true };
  readonly penalty: number;
  readonly init: number;
  readonly threshold: number;
  readonly gradient: BsfGradient;
  readonly mode: BsfMode;
  readonly shareAxis?: "channel" | "position";
  weight!: Param;

  constructor(config: BSFConfig = {}) {
    super(config, "BSF", ["penalty", "init", "threshold", "gradient", "mode", "shareAxis"]);
    const where = `layer ${this.name}`;
    this.penalty = config.penalty ?? 0.01;
    this.init = config.init ?? 0.5;
    this.threshold = config.threshold ?? DEFAULT_THRESHOLD;
    this.gradient = config.gradient ?? "straight-through";
    this.mode = config.mode ?? "threshold";
    this.shareAxis = config.shareAxis;
    if (!(this.penalty >= 0) || !Number.isFinite(this.penalty)) throw new ConfigError(`${where}: penalty must be >= 0, got ${this.penalty}`);
    if (!(this.init >= 0 && this.init <= 1)) throw new ConfigError(`${where}: init must be in [0, 1], got ${this.init}`);
    if (!(this.threshold >= 0 && this.threshold < 1)) throw new ConfigError(`${where}: threshold must be in [0, 1), got ${this.threshold}`);
    if (this.gradient !== "straight-through" && this.gradient !== "scaled") {
      throw new ConfigError(`${where}: gradient must be "straight-through" or "scaled", got ${JSON.stringify(this.gradient)}`);
    }
    if (this.mode !== "threshold" && this.mode !== "expectation") {
      throw new ConfigError(`${where}: mode must be "threshold" or "expectation", got ${JSON.stringify(this.mode)}`);
    }
    if (this.shareAxis !== undefined && this.shareAxis !== "channel" && this.shareAxis !== "position") {
      throw new ConfigError(`${where}: shareAxis must be "channel", "position" or omitted, got ${JSON.stringify(this.shareAxis)}`);
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (this.shareAxis && inputShape.length < 2) {
      throw new ShapeError(`shareAxis "${this.shareAxis}" needs input with positions and channels, got [${inputShape.join(", ")}]`, this.name);
    }
    return inputShape;
  }

  private get channels(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  private get positions(): number {
    return sizeOf(this.inputShape.slice(0, -1));
  }

  /** Number of gate weights. */
  get gates(): number {
    return this.shareAxis === "channel" ? this.channels : this.shareAxis === "position" ? this.positions : this.inputSize;
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    this.weight = this.addParam({
      name: "gate",
      shape: [this.gates],
      init: { kind: "constant", value: this.init },
      l1: this.penalty,
      clip: [0, 1],
    });
  }

  override workspaceBytes(B: number): number {
    return B * this.gates * 4; // the mask, kept for backward
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    const C = this.gates;
    const w = this.weight.ptr;
    const expectation = this.mode === "expectation" ? 1 : 0;
    if (this.shareAxis === "channel") {
      const P = this.positions;
      if (ctx.training) k.bsf_channel_forward(out, ws, inp, w, B, P, C, ctx.seed, ctx.stream);
      else k.bsf_channel_infer(out, inp, w, B, P, C, this.threshold, expectation);
    } else if (this.shareAxis === "position") {
      const P = this.positions;
      const Ch = this.channels;
      if (ctx.training) k.bsf_position_forward(out, ws, inp, w, B, P, Ch, ctx.seed, ctx.stream);
      else k.bsf_position_infer(out, inp, w, B, P, Ch, this.threshold, expectation);
    } else if (ctx.training) k.bsf_forward(out, ws, inp, w, B, C, ctx.seed, ctx.stream);
    else k.bsf_infer(out, inp, w, B, C, this.threshold, expectation);
  }

  backward(ctx: StepContext, dinp: number, dout: number, inp: number, _out: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    const scaled = this.gradient === "scaled" ? 1 : 0;
    if (this.shareAxis === "channel") {
      k.bsf_channel_backward(dinp, this.weight.grad, dout, inp, ws, this.weight.ptr, B, this.positions, this.gates, scaled);
    } else if (this.shareAxis === "position") {
      k.bsf_position_backward(dinp, this.weight.grad, dout, inp, ws, this.weight.ptr, B, this.positions, this.channels, scaled);
    } else k.bsf_backward(dinp, this.weight.grad, dout, inp, ws, this.weight.ptr, B, this.gates, scaled);
  }

  /** The units a gate keeps at inference (w > threshold). */
  keeps(w: Float32Array): boolean[] {
    return Array.from(w, (v) => v > this.threshold);
  }

  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      ...super.getConfig(),
      penalty: this.penalty,
      init: this.init,
      threshold: this.threshold,
      gradient: this.gradient,
      mode: this.mode,
    };
    if (this.shareAxis) c.shareAxis = this.shareAxis;
    return c;
  }
}
