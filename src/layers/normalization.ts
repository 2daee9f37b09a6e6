// Standardization as a layer (Keras' Normalization): y = (x - mean) / sqrt(variance) over the last
// axis. A model that carries its preprocessing takes raw rows everywhere it runs (predict, the
// inference bundle, TF.js, ONNX), so nobody has to ship the statistics beside it.
//
// mean and variance are parameters (they are saved, loaded, pruned and exported like any weight)
// that training must not move: backward never writes their gradients, which stay zero, and the
// optimizers (Adam, SGD with or without momentum) leave a parameter with a zero gradient where it
// is. They carry no L1 penalty and no clip.
import { Layer, type LayerTraits, type LayerConfig, type Param, type Shape, type StepContext } from "./layer.js";
import { ConfigError, ShapeError } from "../errors.js";

export interface NormalizationConfig extends LayerConfig {
  /** Per-feature mean (length: the input's last axis). Default 0. */
  mean?: readonly number[];
  /** Per-feature standard deviation, > 0. Default 1. Stored as variance = std^2, as Keras. */
  std?: readonly number[];
}

export class Normalization extends Layer {
  // "units": column j of the input is column j of the output, so an input gate after it prunes the
  // input columns through it; `unitParams` tells pruning to take the same entries of mean and
  // variance. It does not map 0 to 0, so it may stand before a gate, never between a gate and the
  // layer that absorbs it (planGates refuses that), and a scale does not commute with it.
  static override readonly traits: LayerTraits = { passThrough: "units", scaleCommutes: () => false, unitParams: true };
  private readonly initMean?: number[];
  private readonly initVariance?: number[];
  mean!: Param;
  variance!: Param;

  constructor(config: NormalizationConfig = {}) {
    super(config, "Normalization", ["mean", "std"]);
    const where = `layer ${this.name}`;
    const vec = (v: unknown, what: string): number[] | undefined => {
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new ConfigError(`${where}: ${what} must be a non-empty array of finite numbers`);
      }
      return [...v];
    };
    this.initMean = vec(config.mean, "mean");
    const std = vec(config.std, "std");
    if (std?.some((s) => !(s > 0))) throw new ConfigError(`${where}: std must be > 0 (a constant column: use 1)`);
    if (this.initMean && std && this.initMean.length !== std.length) {
      throw new ConfigError(`${where}: mean has ${this.initMean.length} values, std ${std.length}`);
    }
    this.initVariance = std?.map((s) => s * s);
  }

  /** Features normalized: the input's last axis. */
  get features(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  computeOutputShape(inputShape: Shape): Shape {
    const n = this.initMean?.length ?? this.initVariance?.length;
    if (n !== undefined && inputShape[inputShape.length - 1] !== n) {
      throw new ShapeError(
        `mean/std have ${n} values, the input's last axis ${inputShape[inputShape.length - 1]}`,
        this.name,
      );
    }
    return inputShape;
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const F = this.features;
    this.mean = this.addParam({
      name: "mean",
      shape: [F],
      init: this.initMean ? { kind: "values", values: this.initMean } : { kind: "zeros" },
    });
    this.variance = this.addParam({
      name: "variance",
      shape: [F],
      init: this.initVariance ? { kind: "values", values: this.initVariance } : { kind: "constant", value: 1 },
    });
  }

  /** The forward's inverse standard deviations (f32[F]), read again by backward. */
  override workspaceBytes(): number {
    return (this.features * 4 + 15) & ~15;
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    ctx.rt.k.normalize_forward(out, ws, inp, this.mean.ptr, this.variance.ptr, B, this.features);
  }

  backward(ctx: StepContext, dinp: number, dout: number, _inp: number, _out: number, B: number, ws: number): void {
    if (!dinp) return; // first layer: nothing upstream, and mean/variance are not trained
    ctx.rt.k.normalize_backward(dinp, dout, ws, B, this.features);
  }
}
