// Element-wise activations, shared by the Activation layer and Dense's `activation` option.
// Softmax is special: it is only allowed as the model's output, where the model fuses it with
// the cross-entropy loss (a stable gradient, one kernel).
import type { WasmKernels } from "../runtime/abi.js";
import { Layer, type LayerTraits, type LayerConfig, type Shape, type StepContext } from "./layer.js";
import { ConfigError } from "../errors.js";

export type ActivationName = "linear" | "relu" | "tanh" | "softmax";
const NAMES: readonly ActivationName[] = ["linear", "relu", "tanh", "softmax"];

export function checkActivation(a: unknown, where: string): ActivationName {
  if (a === undefined || a === null) return "linear";
  if (!NAMES.includes(a as ActivationName)) {
    throw new ConfigError(`${where}: unknown activation ${JSON.stringify(a)} (expected ${NAMES.join(", ")})`);
  }
  return a as ActivationName;
}

/** out = act(inp) over N values; softmax is the model's job (see Sequential). */
export function activationForward(k: WasmKernels, act: ActivationName, out: number, inp: number, N: number): void {
  if (act === "relu") k.relu_forward(out, inp, N);
  else if (act === "tanh") k.tanh_forward(out, inp, N);
}

/** dinp = dout * act'(from out), in place allowed. Linear and (fused) softmax pass through. */
export function activationBackward(
  k: WasmKernels,
  act: ActivationName,
  dinp: number,
  dout: number,
  out: number,
  N: number,
): void {
  if (act === "relu") k.relu_backward(dinp, dout, out, N);
  else if (act === "tanh") k.tanh_backward(dinp, dout, out, N);
}

export interface ActivationConfig extends LayerConfig {
  activation: ActivationName;
}

export class Activation extends Layer {
  static override readonly traits: LayerTraits = {
    passThrough: "units",
    scaleCommutes: (c) => c.activation === "relu" || c.activation === "linear" || c.activation === undefined,
  };
  readonly activation: ActivationName;

  constructor(config: ActivationConfig | ActivationName) {
    const c = typeof config === "string" ? { activation: config } : config;
    super(c, "Activation", ["activation"]);
    this.activation = checkActivation(c.activation, `layer ${this.name}`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override get outputActivation(): string {
    return this.activation;
  }

  forward(ctx: StepContext, out: number, inp: number, B: number): void {
    const N = B * this.inputSize;
    if (this.activation === "linear" || this.activation === "softmax") {
      if (out !== inp) ctx.rt.u8(out, N * 4).set(ctx.rt.u8(inp, N * 4));
      return;
    }
    activationForward(ctx.rt.k, this.activation, out, inp, N);
  }

  backward(ctx: StepContext, dinp: number, dout: number, _inp: number, out: number, B: number): void {
    if (!dinp) return;
    const N = B * this.inputSize;
    if (this.activation === "linear" || this.activation === "softmax") {
      if (dinp !== dout) ctx.rt.u8(dinp, N * 4).set(ctx.rt.u8(dout, N * 4));
      return;
    }
    activationBackward(ctx.rt.k, this.activation, dinp, dout, out, N);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation };
  }
}
