// Binary Stochastic Filtering gate (DESIGN.md section 1): one weight w in [0,1] per filtered unit.
// Training passes each input with probability w (fresh mask per sample, PRNG inside wasm);
// inference passes it when w > threshold (or scales by w in "expectation" mode).
//
// `gate` selects the variant; the paper's "bernoulli" is the default and is unchanged. The two
// reparameterized variants keep one parameter theta per gated unit and multiply by a sample z in
// [0, 1] (assembly/gates.ts): "gaussian" (STG, Yamada et al. 2020; theta = mu,
// z = clamp(mu + sigma * eps + 0.5, 0, 1)) and "hard-concrete" (L0, Louizos et al. 2018;
// theta = log alpha). Their penalty, lambda * sum P(z > 0), has no L1 form: backward adds its
// gradient and penaltyValue reports it. At inference they scale by the references' deterministic
// z (clamp(mu + 0.5, 0, 1), clamp(sigmoid(log alpha) * 1.2 - 0.1, 0, 1)), which is exactly 0 for
// a closed gate, so pruning the z = 0 units and folding the others' z is exact.
import {
  Layer,
  sizeOf,
  type GateScale,
  type LayerTraits,
  type LayerConfig,
  type Param,
  type Shape,
  type StepContext,
} from "./layer.js";
import type { WasmKernels } from "../runtime/abi.js";
import { ConfigError, ShapeError } from "../errors.js";

/** A gate passes a unit at inference when its weight is above this (the paper's 0.1). */
export const DEFAULT_THRESHOLD = 0.1;

export type BsfGradient = "straight-through" | "scaled";
export type BsfMode = "threshold" | "expectation";
export type BsfGate = "bernoulli" | "gaussian" | "hard-concrete";

/** Kernel codes of the reparameterized gates (assembly/gates.ts). */
const GATE_KIND = { gaussian: 1, "hard-concrete": 2 } as const;
// Hard concrete's stretch (gamma, zeta) and the reference's bounds on log alpha (L0_regularization's
// constrain_parameters: log 1e-2 .. log 1e2), which also keep a closed gate's z at exactly 0.
const HC_GAMMA = -0.1,
  HC_ZETA = 1.1;
const HC_LOG_ALPHA_CLIP: [number, number] = [Math.log(1e-2), Math.log(1e2)];
const GATES: readonly BsfGate[] = ["bernoulli", "gaussian", "hard-concrete"];

const clamp01 = (x: number) => Math.min(Math.max(x, 0), 1);

/** The parameter value whose inference gate is `init` (in [0, 1]): w = init (bernoulli),
 * mu = init - 0.5 (gaussian), log alpha = logit((init - gamma) / (zeta - gamma)) (hard concrete).
 * The default init 0.5 gives mu = 0 and log alpha = 0, the references' initial means. */
export function gateParamFor(gate: BsfGate, init: number): number {
  if (gate === "gaussian") return init - 0.5;
  if (gate === "hard-concrete") {
    const q = (init - HC_GAMMA) / (HC_ZETA - HC_GAMMA);
    return Math.log(q / (1 - q));
  }
  return init;
}

/** The gate's continuous inference value per unit, in [0, 1], from its parameter: w itself
 * (bernoulli), clamp(mu + 0.5, 0, 1) (gaussian), clamp(sigmoid(log alpha) * 1.2 - 0.1, 0, 1) (hard
 * concrete). What ranks features; f32 as the kernels compute it. */
export function gateValues(config: { readonly gate?: unknown }, values: ArrayLike<number>): Float32Array {
  const gate = (config.gate as BsfGate | undefined) ?? "bernoulli";
  if (gate === "gaussian") return Float32Array.from(values, (t) => clamp01(t + 0.5));
  if (gate === "hard-concrete")
    return Float32Array.from(values, (t) => clamp01((1 / (1 + Math.exp(-t))) * (HC_ZETA - HC_GAMMA) + HC_GAMMA));
  return Float32Array.from(values);
}

/** What a BSF gate does at inference (its `traits.gateScale`): bernoulli passes w > threshold,
 * scaled by 1 (or by w in expectation mode); the reparameterized gates pass z > threshold
 * (default 0) scaled by z. */
export function bsfInferenceScale(
  config: Record<string, unknown>,
  values: Float32Array,
  threshold?: number,
): GateScale {
  const gate = (config.gate as BsfGate | undefined) ?? "bernoulli";
  const t = threshold ?? (config.threshold as number | undefined) ?? (gate === "bernoulli" ? DEFAULT_THRESHOLD : 0);
  if (!(t >= 0 && t < 1)) throw new ConfigError(`threshold must be in [0, 1), got ${t}`);
  if (gate === "bernoulli") {
    const mode = (config.mode as BsfMode | undefined) ?? "threshold";
    const open = Array.from(values, (v) => v > t);
    return {
      threshold: t,
      mode,
      open,
      scale: mode === "expectation" ? Float32Array.from(values) : Float32Array.from(open, (o) => (o ? 1 : 0)),
    };
  }
  const z = gateValues(config, values);
  const open = Array.from(z, (v) => v > t);
  return { threshold: t, mode: "expectation", open, scale: z.map((v, j) => (open[j] ? v : 0)) };
}

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
  /** The gate: "bernoulli" (the paper's; default), "gaussian" (STG) or "hard-concrete" (L0). For the
   * last two `init` is the initial inference gate value, `penalty` weighs sum P(z > 0), `threshold`
   * (default 0) cuts the inference z, and `gradient`, `mode` and shareAxis "position" do not apply. */
  gate?: BsfGate;
  /** gaussian gate only: the noise's standard deviation (the STG reference's 0.5). */
  sigma?: number;
}

export class BSF extends Layer {
  static override readonly traits: LayerTraits = { passThrough: "none", gate: true, gateScale: bsfInferenceScale };
  /** The inference value of each gate, in [0, 1] (see gateValues). */
  static readonly gateValues = gateValues;
  static readonly inferenceScale = bsfInferenceScale;
  readonly penalty: number;
  readonly init: number;
  readonly threshold: number;
  readonly gradient: BsfGradient;
  readonly mode: BsfMode;
  readonly shareAxis?: "channel" | "position";
  readonly gate: BsfGate;
  readonly sigma: number;
  weight!: Param;

  constructor(config: BSFConfig = {}) {
    super(config, "BSF", ["penalty", "init", "threshold", "gradient", "mode", "shareAxis", "gate", "sigma"]);
    const where = `layer ${this.name}`;
    this.gate = config.gate ?? "bernoulli";
    if (!GATES.includes(this.gate))
      throw new ConfigError(
        `${where}: gate must be "bernoulli", "gaussian" or "hard-concrete", got ${JSON.stringify(this.gate)}`,
      );
    if (this.gate !== "bernoulli") {
      for (const key of ["gradient", "mode"] as const) {
        if (config[key] !== undefined)
          throw new ConfigError(`${where}: option ${key} applies to the bernoulli gate only, not gate "${this.gate}"`);
      }
      if (config.shareAxis === "position")
        throw new ConfigError(
          `${where}: shareAxis "position" is supported by the bernoulli gate only, not gate "${this.gate}"`,
        );
    }
    if (config.sigma !== undefined && this.gate !== "gaussian")
      throw new ConfigError(`${where}: option sigma applies to the gaussian gate only`);
    this.sigma = config.sigma ?? 0.5;
    if (!(this.sigma > 0) || !Number.isFinite(this.sigma))
      throw new ConfigError(`${where}: sigma must be > 0, got ${this.sigma}`);
    this.penalty = config.penalty ?? 0.01;
    this.init = config.init ?? 0.5;
    this.threshold = config.threshold ?? (this.gate === "bernoulli" ? DEFAULT_THRESHOLD : 0);
    this.gradient = config.gradient ?? "straight-through";
    this.mode = config.mode ?? "threshold";
    this.shareAxis = config.shareAxis;
    if (!(this.penalty >= 0) || !Number.isFinite(this.penalty))
      throw new ConfigError(`${where}: penalty must be >= 0, got ${this.penalty}`);
    if (!(this.init >= 0 && this.init <= 1))
      throw new ConfigError(`${where}: init must be in [0, 1], got ${this.init}`);
    if (!(this.threshold >= 0 && this.threshold < 1))
      throw new ConfigError(`${where}: threshold must be in [0, 1), got ${this.threshold}`);
    if (this.gradient !== "straight-through" && this.gradient !== "scaled") {
      throw new ConfigError(
        `${where}: gradient must be "straight-through" or "scaled", got ${JSON.stringify(this.gradient)}`,
      );
    }
    if (this.mode !== "threshold" && this.mode !== "expectation") {
      throw new ConfigError(`${where}: mode must be "threshold" or "expectation", got ${JSON.stringify(this.mode)}`);
    }
    if (this.shareAxis !== undefined && this.shareAxis !== "channel" && this.shareAxis !== "position") {
      throw new ConfigError(
        `${where}: shareAxis must be "channel", "position" or omitted, got ${JSON.stringify(this.shareAxis)}`,
      );
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (this.shareAxis && inputShape.length < 2) {
      throw new ShapeError(
        `shareAxis "${this.shareAxis}" needs input with positions and channels, got [${inputShape.join(", ")}]`,
        this.name,
      );
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
    return this.shareAxis === "channel"
      ? this.channels
      : this.shareAxis === "position"
        ? this.positions
        : this.inputSize;
  }

  /** Kernel code of a reparameterized gate; 0 for the bernoulli gate. */
  private get kind(): number {
    return this.gate === "bernoulli" ? 0 : GATE_KIND[this.gate];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const value = gateParamFor(this.gate, this.init);
    if (this.gate === "bernoulli") {
      this.weight = this.addParam({
        name: "gate",
        shape: [this.gates],
        init: { kind: "constant", value },
        l1: this.penalty,
        clip: [0, 1],
      });
    } else {
      // mu is unbounded as in the STG reference; log alpha is bounded as in the L0 reference
      const clip = this.gate === "hard-concrete" ? HC_LOG_ALPHA_CLIP : undefined;
      this.weight = this.addParam({ name: "gate", shape: [this.gates], init: { kind: "constant", value }, clip });
    }
  }

  override penaltyValue(k: WasmKernels): number {
    if (this.gate === "bernoulli" || this.penalty === 0) return 0; // the model applies the L1 (Param.l1)
    return this.penalty * k.gate_penalty_value(this.weight.ptr, this.gates, this.kind, this.sigma);
  }

  override workspaceBytes(B: number, _k: WasmKernels, training = true): number {
    return training ? B * this.gates * 4 : 0; // the mask, kept for backward
  }

  forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    const C = this.gates;
    const w = this.weight.ptr;
    const expectation = this.mode === "expectation" ? 1 : 0;
    if (this.kind) {
      // unit gates are channel gates with one position
      const P = this.shareAxis === "channel" ? this.positions : 1;
      if (ctx.training)
        k.gate_forward(out, ws, inp, w, B, P, C, this.kind, this.sigma, ctx.seed, ctx.stream, ctx.row0 ?? 0);
      else k.gate_infer(out, inp, w, B * P, C, this.kind, this.threshold);
    } else if (this.shareAxis === "channel") {
      const P = this.positions;
      if (ctx.training) k.bsf_channel_forward(out, ws, inp, w, B, P, C, ctx.seed, ctx.stream, ctx.row0 ?? 0);
      else k.bsf_channel_infer(out, inp, w, B, P, C, this.threshold, expectation);
    } else if (this.shareAxis === "position") {
      const P = this.positions;
      const Ch = this.channels;
      if (ctx.training) k.bsf_position_forward(out, ws, inp, w, B, P, Ch, ctx.seed, ctx.stream, ctx.row0 ?? 0);
      else k.bsf_position_infer(out, inp, w, B, P, Ch, this.threshold, expectation);
    } else if (ctx.training) k.bsf_forward(out, ws, inp, w, B, C, ctx.seed, ctx.stream, ctx.row0 ?? 0);
    else k.bsf_infer(out, inp, w, B, C, this.threshold, expectation);
  }

  backward(ctx: StepContext, dinp: number, dout: number, inp: number, _out: number, B: number, ws: number): void {
    const k = ctx.rt.k;
    const scaled = this.gradient === "scaled" ? 1 : 0;
    if (this.kind) {
      const P = this.shareAxis === "channel" ? this.positions : 1;
      k.gate_backward(dinp, this.weight.grad, dout, inp, ws, B, P, this.gates, this.kind);
      // The penalty's gradient, once per step (the model adds Param.l1 penalties the same way).
      if (this.penalty > 0 && ctx.penalties !== false)
        k.gate_penalty_backward(this.weight.grad, this.weight.ptr, this.gates, this.penalty, this.kind, this.sigma);
    } else if (this.shareAxis === "channel") {
      k.bsf_channel_backward(
        dinp,
        this.weight.grad,
        dout,
        inp,
        ws,
        this.weight.ptr,
        B,
        this.positions,
        this.gates,
        scaled,
      );
    } else if (this.shareAxis === "position") {
      k.bsf_position_backward(
        dinp,
        this.weight.grad,
        dout,
        inp,
        ws,
        this.weight.ptr,
        B,
        this.positions,
        this.channels,
        scaled,
      );
    } else k.bsf_backward(dinp, this.weight.grad, dout, inp, ws, this.weight.ptr, B, this.gates, scaled);
  }

  /** The units a gate keeps at inference (w > threshold; z > threshold for the other gates). */
  keeps(w: Float32Array): boolean[] {
    return bsfInferenceScale(this.getConfig(), w).open;
  }

  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      ...super.getConfig(),
      penalty: this.penalty,
      init: this.init,
      threshold: this.threshold,
    };
    if (this.gate === "bernoulli") {
      // (the bernoulli gate's config is what it was before gate variants: files and specs unchanged)
      c.gradient = this.gradient;
      c.mode = this.mode;
    } else {
      c.gate = this.gate;
      if (this.gate === "gaussian") c.sigma = this.sigma;
    }
    if (this.shareAxis) c.shareAxis = this.shareAxis;
    return c;
  }
}
