// Inverted dropout: in training, keep each value with probability 1 - rate and scale it by
// 1 / (1 - rate); at inference the identity. Masks come from the in-wasm counter PRNG.
import { Layer, type LayerTraits, type LayerConfig, type Shape, type StepContext } from "./layer.js";
import { ConfigError } from "../errors.js";
import type { WasmKernels } from "../runtime/abi.js";

export interface DropoutConfig extends LayerConfig {
  rate: number;
}

export class Dropout extends Layer {
  static override readonly traits: LayerTraits = { passThrough: "units", scaleCommutes: () => true };
  readonly rate: number;

  constructor(config: DropoutConfig) {
    super(config, "Dropout", ["rate"]);
    if (!(config.rate >= 0 && config.rate < 1))
      throw new ConfigError(`layer ${this.name}: rate must be in [0, 1), got ${config.rate}`);
    this.rate = config.rate;
  }

  computeOutputShape(s: Shape): Shape {
    return s;
  }

  override workspaceBytes(B: number, _k: WasmKernels, training = true): number {
    return training ? B * this.inputSize * 4 : 0; // the scaled mask
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    const N = B * this.inputSize;
    if (ctx.training && this.rate > 0)
      ctx.rt.k.dropout_forward(out, ws, inp, N, this.rate, ctx.seed, ctx.stream, (ctx.row0 ?? 0) * this.inputSize);
    else ctx.rt.u8(out, N * 4).set(ctx.rt.u8(inp, N * 4));
  }

  backward(ctx: StepContext, dinp: number, dout: number, _inp: number, _out: number, B: number, ws: number): void {
    if (!dinp) return;
    const N = B * this.inputSize;
    if (this.rate > 0) ctx.rt.k.dropout_backward(dinp, dout, ws, N);
    else ctx.rt.u8(dinp, N * 4).set(ctx.rt.u8(dout, N * 4));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}
