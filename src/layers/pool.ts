// Max pooling, pool size = stride, "valid" (trailing rows/columns that do not fill a window are dropped).
import { Layer, type LayerTraits, type LayerConfig, type Shape, type StepContext } from "./layer.js";
import { ConfigError, ShapeError } from "../errors.js";
import type { WasmKernels } from "../runtime/abi.js";

export interface MaxPool2DConfig extends LayerConfig {
  poolSize?: number | [number, number];
}

export interface MaxPool1DConfig extends LayerConfig {
  poolSize?: number;
}

function poolInt(v: unknown, where: string): number {
  if (!Number.isInteger(v) || (v as number) <= 0)
    throw new ConfigError(`${where}: poolSize must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

export class MaxPool2D extends Layer {
  static override readonly traits: LayerTraits = { passThrough: "channels", scaleCommutes: () => true };
  readonly ph: number;
  readonly pw: number;

  constructor(config: MaxPool2DConfig = {}) {
    super(config, "MaxPool2D", ["poolSize"]);
    const p = config.poolSize ?? 2;
    const [a, b] = Array.isArray(p) ? p : [p, p];
    this.ph = poolInt(a, `layer ${this.name}`);
    this.pw = poolInt(b, `layer ${this.name}`);
  }

  computeOutputShape(s: Shape): Shape {
    if (s.length !== 3)
      throw new ShapeError(`MaxPool2D expects [height, width, channels], got [${s.join(", ")}]`, this.name);
    const oh = Math.floor(s[0] / this.ph);
    const ow = Math.floor(s[1] / this.pw);
    if (oh === 0 || ow === 0)
      throw new ShapeError(`a ${this.ph}x${this.pw} pool does not fit an input of ${s[0]}x${s[1]}`, this.name);
    return [oh, ow, s[2]];
  }

  override workspaceBytes(B: number, _k: WasmKernels, training = true): number {
    return training ? B * this.outputSize * 4 : 0; // argmax indices, for backward only
  }

  // ws 0 (an inference plan): the kernel writes the maxima only
  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    const [H, W, C] = this.inputShape;
    ctx.rt.k.maxpool2d_forward(out, ws, inp, B, H, W, C, this.ph, this.pw);
  }

  backward(ctx: StepContext, dinp: number, dout: number, _inp: number, _out: number, B: number, ws: number): void {
    if (!dinp) return;
    const [H, W, C] = this.inputShape;
    ctx.rt.k.maxpool2d_backward(dinp, dout, ws, B, H, W, C, this.ph, this.pw);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [this.ph, this.pw] };
  }
}

export class MaxPool1D extends Layer {
  static override readonly traits: LayerTraits = { passThrough: "channels", scaleCommutes: () => true };
  readonly pool: number;

  constructor(config: MaxPool1DConfig = {}) {
    super(config, "MaxPool1D", ["poolSize"]);
    this.pool = poolInt(config.poolSize ?? 2, `layer ${this.name}`);
  }

  computeOutputShape(s: Shape): Shape {
    if (s.length !== 2) throw new ShapeError(`MaxPool1D expects [length, channels], got [${s.join(", ")}]`, this.name);
    const ol = Math.floor(s[0] / this.pool);
    if (ol === 0) throw new ShapeError(`a pool of ${this.pool} does not fit a length of ${s[0]}`, this.name);
    return [ol, s[1]];
  }

  override workspaceBytes(B: number, _k: WasmKernels, training = true): number {
    return training ? B * this.outputSize * 4 : 0;
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    ctx.rt.k.maxpool1d_forward(out, ws, inp, B, this.inputShape[0], this.inputShape[1], this.pool);
  }

  backward(ctx: StepContext, dinp: number, dout: number, _inp: number, _out: number, B: number, ws: number): void {
    if (!dinp) return;
    ctx.rt.k.maxpool1d_backward(dinp, dout, ws, B, this.inputShape[0], this.inputShape[1], this.pool);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.pool };
  }
}
