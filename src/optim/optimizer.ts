// Optimizers update one flat block of parameters from one flat block of gradients: the model
// plans params, grads and each optimizer slot contiguously, so a step is a single kernel call.
import type { WasmKernels } from "../runtime/abi.js";
import { ConfigError } from "../errors.js";

export interface Optimizer {
  readonly className: string;
  learningRate: number;
  /** How many state buffers the size of the parameters this optimizer needs (Adam: m and v). */
  readonly slots: number;
  /** Whether step() leaves the gradients zeroed (so the model need not clear them). */
  readonly clearsGradients?: boolean;
  /** Whether step() treats each float on its own (its new value, slots and gradient depend on that
   * float alone), so that steps over pieces of the block give every float the bits one step over
   * the whole block gives it. Training threads then update the block in pieces side by side. */
  readonly elementwise?: boolean;
  /** One update; `t` counts steps from 1. */
  step(k: WasmKernels, params: number, grads: number, slots: readonly number[], N: number, t: number): void;
  getConfig(): Record<string, unknown>;
}

/** opt's step `t` over floats [lo, hi) of the parameter block at `params` (its gradients at
 * `grads`, its slots at `slots`), and the gradients cleared there when the step leaves them: the
 * whole block's update when [lo, hi) is all of it, a piece of it for an elementwise optimizer. */
export function stepRange(
  opt: Optimizer,
  k: WasmKernels,
  block: { params: number; grads: number; slots: readonly number[] },
  lo: number,
  hi: number,
  t: number,
): void {
  const o = lo * 4;
  opt.step(
    k,
    block.params + o,
    block.grads + o,
    block.slots.map((s) => s + o),
    hi - lo,
    t,
  );
  if (!opt.clearsGradients) k.fill_f32(block.grads + o, hi - lo, 0);
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new ConfigError(`optimizer: ${name} must be a positive number, got ${v}`);
  return v;
}

function unit(name: string, v: number): number {
  if (!(v >= 0 && v < 1)) throw new ConfigError(`optimizer: ${name} must be in [0, 1), got ${v}`);
  return v;
}

export interface AdamConfig {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam as Keras implements it (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). */
export class Adam implements Optimizer {
  readonly className = "Adam";
  readonly slots = 2;
  readonly clearsGradients = true;
  readonly elementwise = true;
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(c: AdamConfig = {}) {
    this.learningRate = positive("learningRate", c.learningRate ?? 0.001);
    this.beta1 = unit("beta1", c.beta1 ?? 0.9);
    this.beta2 = unit("beta2", c.beta2 ?? 0.999);
    this.epsilon = positive("epsilon", c.epsilon ?? 1e-7);
  }

  step(k: WasmKernels, params: number, grads: number, slots: readonly number[], N: number, t: number): void {
    const lrT = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    k.adam_step(params, grads, slots[0], slots[1], N, lrT, this.beta1, this.beta2, this.epsilon, 1);
    // Moments below 1e-30 change no update (sqrt(1e-30) is far below epsilon) but would decay into
    // subnormals, which make adam_step several times slower; clearing them every 32 steps keeps
    // them out (from 1e-30, m needs ~180 steps at beta1 = 0.9 to turn subnormal).
    if (t % 32 === 0) {
      k.flush_tiny(slots[0], N, 1e-30);
      k.flush_tiny(slots[1], N, 1e-30);
    }
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export interface SGDConfig {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

export class SGD implements Optimizer {
  readonly className = "SGD";
  readonly elementwise = true;
  learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(c: SGDConfig = {}) {
    this.learningRate = positive("learningRate", c.learningRate ?? 0.01);
    this.momentum = unit("momentum", c.momentum ?? 0);
    this.nesterov = c.nesterov ?? false;
  }

  get slots(): number {
    return this.momentum > 0 ? 1 : 0;
  }

  step(k: WasmKernels, params: number, grads: number, slots: readonly number[], N: number): void {
    k.sgd_step(params, grads, slots[0] ?? 0, N, this.learningRate, this.momentum, this.nesterov ? 1 : 0);
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

export type OptimizerSpec =
  | Optimizer
  | "adam"
  | "sgd"
  | { className: "Adam" | "SGD"; config?: Record<string, unknown> };

export function makeOptimizer(spec: OptimizerSpec | undefined): Optimizer {
  if (spec === undefined || spec === "adam") return new Adam();
  if (spec === "sgd") return new SGD();
  if (typeof spec === "object" && "step" in spec) return spec;
  if (typeof spec === "object" && spec.className === "Adam") return new Adam(spec.config as AdamConfig);
  if (typeof spec === "object" && spec.className === "SGD") return new SGD(spec.config as SGDConfig);
  throw new ConfigError(`unknown optimizer ${JSON.stringify(spec)} (expected "adam", "sgd" or an Optimizer)`);
}
