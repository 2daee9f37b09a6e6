// A regression model learns the standardized target z = (t - mean) / std, and is saved predicting t
// itself; both directions are the same rewrite of its linear output layer.
import { ConfigError } from "../errors.js";
import type { Sequential } from "./sequential.js";

/** The model's output layer computes z = h W + b; afterwards it computes mean + std z, i.e. the
 * same layer with kernel std W and bias std b + mean. So every consumer of the saved model
 * (predict, bsfnet/infer, the ONNX and TF.js exports) needs no extra step. Unfolding is the same
 * call with (-mean / std, 1 / std). */
export function foldTargetScale(model: Sequential, mean: number, std: number): void {
  const w = model.getWeights();
  const out = w.filter((p) => p.name === "kernel").at(-1)?.layer;
  if (out === undefined) throw new ConfigError(`model ${model.name} has no output layer with a kernel to rescale`);
  for (const p of w) {
    if (p.layer !== out) continue;
    if (p.name === "kernel") p.values = p.values.map((v) => v * std);
    else if (p.name === "bias") p.values = p.values.map((v) => v * std + mean);
  }
  model.setWeights(w);
}

/** The inverse of foldTargetScale(model, mean, std): the model then predicts (t - mean) / std. */
export function unfoldTargetScale(model: Sequential, mean: number, std: number): void {
  foldTargetScale(model, -mean / std, 1 / std);
}
