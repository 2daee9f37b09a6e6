// Flatten is a view: NHWC is already row-major, so the model aliases its output to its input
// (no buffer, no copy) and passes the gradient straight through.
import { Layer, sizeOf, type LayerTraits, type LayerConfig, type Shape, type StepContext } from "./layer.js";

export class Flatten extends Layer {
  static override readonly traits: LayerTraits = { passThrough: "none", flattens: true };
  constructor(config: LayerConfig = {}) {
    super(config, "Flatten", []);
  }

  computeOutputShape(s: Shape): Shape {
    return [sizeOf(s)];
  }

  override get aliasesInput(): boolean {
    return true;
  }

  forward(_ctx: StepContext, _out: number, _inp: number, _B: number): void {}

  backward(_ctx: StepContext, _dinp: number, _dout: number, _inp: number, _out: number, _B: number): void {}
}
