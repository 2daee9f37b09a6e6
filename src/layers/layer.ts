// The Keras-style layer contract: configuration in the constructor, build(inputShape) declares
// parameters, forward/backward call kernels on pointers the model planned, getConfig() serializes.
import type { KernelMemory } from "../runtime/memory.js";
import type { WasmKernels } from "../runtime/abi.js";
import { ConfigError, ShapeError } from "../errors.js";

/** A shape without the batch dimension, e.g. [13] or [28, 28, 1]. */
export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export type Initializer =
  | { kind: "zeros" }
  | { kind: "constant"; value: number }
  | { kind: "glorotUniform" }
  | { kind: "heNormal" }
  | { kind: "uniform"; min: number; max: number }
  /** given values, one per element (Normalization's statistics) */
  | { kind: "values"; values: readonly number[] };

/** One parameter tensor. `ptr`/`grad` are set by the model's memory plan. */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly init: Initializer;
  /** fan-in / fan-out for Glorot/He initializers. */
  readonly fans?: readonly [number, number];
  /** L1 penalty coefficient (added to the gradient, and its value to the reported loss). */
  readonly l1?: number;
  /** Constraint applied after each optimizer step. */
  readonly clip?: readonly [number, number];
  ptr: number;
  grad: number;
}

/** What a training or inference step hands to each layer. */
export interface StepContext {
  readonly rt: KernelMemory;
  readonly training: boolean;
  /** seed of the run; with `stream` it selects the PRNG values of this step and layer. */
  readonly seed: number;
  readonly stream: number;
  /** Data-parallel training: the first row of this thread's slice in the whole batch (masks are
   * drawn at the rows' indices in the batch, so slices draw what one thread would). Default 0. */
  readonly row0?: number;
  /** false on every thread but the first: a penalty's gradient that a layer adds in backward must
   * be added once per step, not once per slice. Default true. */
  readonly penalties?: boolean;
}

export interface LayerConfig {
  name?: string;
  /** Only on the first layer: the input shape without the batch dimension. */
  inputShape?: number[];
}

/** What a layer means to pruning, export, summaries and inference, declared by its class (a
 * static `traits`), so those parts ask the layer instead of keeping lists of class names. */
export interface LayerTraits {
  /** How the units a gate filters reach the next layer through this one: "units" when unit j of
   * the input is unit j of the output (element-wise: activations, dropout), "channels" when only
   * channel c stays channel c (pooling), "none" when the layer mixes or reshapes its inputs. */
  readonly passThrough: "units" | "channels" | "none";
  /** For a pass-through layer: whether f(s * x) = s * f(x) for s >= 0, so an expectation-mode
   * gate's weight can be folded past it into the next layer's kernel. */
  readonly scaleCommutes?: (config: Record<string, unknown>) => boolean;
  /** A layer with a kernel whose outputs a gate can prune and whose inputs a gate can shrink:
   * "dense" (kernel [in, out]) or "conv" (kernel [...spatial, in, out]); `widthKey` is the config
   * key of its output width. Both have an optional bias [out] (config useBias). */
  readonly prunable?: { readonly kind: "dense" | "conv"; readonly widthKey: string };
  /** A view that flattens NHWC to a vector (channel c owns every (h, w, c) row after it). */
  readonly flattens?: boolean;
  /** A gate: its one parameter holds the gate weights; they are penalties, not model weights. */
  readonly gate?: boolean;
  /** For a gate: what it does at inference, from its config and its one parameter's values, so
   * pruning and export treat every kind of gate alike (`threshold` overrides the gate's own). */
  readonly gateScale?: (config: Record<string, unknown>, values: Float32Array, threshold?: number) => GateScale;
  /** A pass-through layer whose every parameter is a vector with one entry per unit (channel) of
   * the last axis (Normalization's mean and variance): a gate that prunes those units through it
   * takes the same entries. Such a layer does not map 0 to 0, so it may stand between a gate's
   * producer (or the input) and the gate, never between the gate and its consumer. */
  readonly unitParams?: boolean;
}

/** A gate at inference: unit j is passed when `open[j]`, multiplied by `scale[j]` (1 for a 0/1
 * gate). `mode` "expectation" when kept units carry a scale other than 1, which pruning folds
 * into the next layer's kernel (so only through layers that commute with a scale). */
export interface GateScale {
  readonly threshold: number;
  readonly mode: "threshold" | "expectation";
  readonly open: boolean[];
  readonly scale: Float32Array;
}

export const DEFAULT_TRAITS: LayerTraits = { passThrough: "none" };

/** A library call's options checked against the keys it takes: an unknown key (a typo, or
 * `lambda` where the option is `penalty`) is a ConfigError naming it instead of being ignored.
 * `aliases` maps a known wrong name to the right one for the message. */
export function checkOptions(
  options: object | undefined,
  known: readonly string[],
  where: string,
  aliases: Readonly<Record<string, string>> = {},
): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = aliases[key] ? ` (did you mean ${aliases[key]}?)` : "";
    throw new ConfigError(`${where}: unknown option ${JSON.stringify(key)}${hint}; options: ${known.join(", ")}`);
  }
}

let nameCounter = 0;

export abstract class Layer {
  static readonly traits: LayerTraits = DEFAULT_TRAITS;
  readonly name: string;
  readonly className: string;
  readonly declaredInputShape?: Shape;
  inputShape: Shape = [];
  outputShape: Shape = [];
  params: Param[] = [];
  built = false;

  /** `options`: the config keys the class takes besides name and inputShape (checked: an unknown
   * key is a ConfigError). */
  constructor(config: LayerConfig, className: string, options?: readonly string[]) {
    this.className = className;
    this.name = config.name ?? `${className.toLowerCase()}_${++nameCounter}`;
    if (options)
      checkOptions(config, ["name", "inputShape", ...options], `layer ${this.name} (${className})`, {
        lambda: "penalty",
      });
    if (config.inputShape !== undefined) {
      if (!Array.isArray(config.inputShape) || config.inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
        throw new ConfigError(
          `layer ${this.name}: inputShape must be positive integers, got ${JSON.stringify(config.inputShape)}`,
        );
      }
      this.declaredInputShape = [...config.inputShape];
    }
  }

  /** Declare parameters and compute the output shape. */
  build(inputShape: Shape): void {
    if (inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ShapeError(`impossible input shape [${inputShape.join(", ")}]`, this.name);
    }
    this.inputShape = [...inputShape];
    this.params = [];
    this.outputShape = this.computeOutputShape(inputShape);
    this.built = true;
  }

  abstract computeOutputShape(inputShape: Shape): Shape;

  protected addParam(p: Omit<Param, "ptr" | "grad" | "size">): Param {
    const param: Param = { ...p, size: sizeOf(p.shape), ptr: 0, grad: 0 };
    this.params.push(param);
    return param;
  }

  /** Extra bytes this layer needs per step for a batch of B (masks, argmax indices, scratch).
   * `training` false: the plan of an inference pass, which no backward follows, so what a layer
   * keeps only for its backward (a mask, argmax indices) need not be planned; its forward then
   * gets ws 0 when it asked for nothing. */
  workspaceBytes(_B: number, _k: WasmKernels, _training = true): number {
    return 0;
  }

  /** A view layer (Flatten): its output is its input's memory, its backward passes dout through. */
  get aliasesInput(): boolean {
    return false;
  }

  /** The value this layer adds to the loss (a gate's penalty) at its current parameters; its
   * gradient the layer adds itself in backward. L1 penalties declared through `Param.l1` are
   * applied by the model instead and are not counted here. */
  penaltyValue(_k: WasmKernels): number {
    return 0;
  }

  abstract forward(ctx: StepContext, out: number, inp: number, B: number, ws: number): void;

  /** Inference only (no backward follows): whether this layer's kernel also computes `next`, the
   * layer after it, in the same call, while the output is in cache, with the bits of the two
   * calls one after the other. The stack then runs the pair as `forwardFused` and never writes
   * this layer's own output. Default: no. */
  fusesAtInference(_next: Layer, _k: WasmKernels): boolean {
    return false;
  }

  /** This layer then `next` in one call (only when fusesAtInference said so); `out` is next's
   * output, `ws` this layer's workspace. */
  forwardFused(_ctx: StepContext, _next: Layer, _out: number, _inp: number, _B: number, _ws: number): void {
    throw new Error(`layer ${this.name} does not fuse the layer after it`);
  }

  /** Inference only: into how many parts this layer's forward on B rows (with `next` when it fuses
   * it) can be cut, each computed apart, by another thread, on its own workspace, with the bits of
   * the whole call (a dense layer's output columns, a convolution's output tiles). 1: not cut
   * (the default). */
  inferenceParts(_B: number, _k: WasmKernels, _next?: Layer): number {
    return 1;
  }

  /** Part `part` of `parts` (parts <= inferenceParts) of forward, or of forwardFused with `next`. */
  forwardPart(
    _ctx: StepContext,
    _next: Layer | undefined,
    _out: number,
    _inp: number,
    _B: number,
    _ws: number,
    _part: number,
    _parts: number,
  ): void {
    throw new Error(`layer ${this.name} cannot compute a part of its forward`);
  }

  /** The parameters now hold the values the next inference calls run on, until they change again:
   * the model calls this after any change (build, setWeights, a training step, a load) and before
   * an inference forward, so a layer may check them once here rather than on every call (Dense:
   * whether its kernel is finite). Default: nothing. */
  settle(_mem: KernelMemory): void {}

  /** Inference only, once the parameters are final (bsfnet/infer's model: its weights never change
   * after load): a layer may keep a copy of a parameter in a layout that pays only when it stays
   * fixed, in memory it takes from `mem`, and use it in forward on that memory from then on, or
   * rely on the parameters not changing in other ways (a convolution's kept transform), always
   * with the same bits. Default: nothing. */
  prepack(_mem: KernelMemory): void {}

  /** dinp is 0 for the first layer; `out` is this layer's forward output (post-activation). */
  abstract backward(
    ctx: StepContext,
    dinp: number,
    dout: number,
    inp: number,
    out: number,
    B: number,
    ws: number,
  ): void;

  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name };
    if (this.declaredInputShape) c.inputShape = [...this.declaredInputShape];
    return c;
  }

  get traits(): LayerTraits {
    return (this.constructor as typeof Layer).traits;
  }

  /** The activation applied to this layer's output (softmax marks a classifier's output, which
   * the model fuses with the loss); undefined for layers without one. */
  get outputActivation(): string | undefined {
    return undefined;
  }

  get inputSize(): number {
    return sizeOf(this.inputShape);
  }

  get outputSize(): number {
    return sizeOf(this.outputShape);
  }

  get paramCount(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }
}
