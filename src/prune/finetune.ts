// Fine-tuning a pruned model (the paper, section 3.4): a few more epochs with the learning rate
// divided by 10.
import type { Sequential, FitOptions } from "../model/sequential.js";
import type { History } from "../model/callbacks.js";
import type { TargetInput, XInput, YInput } from "../model/inputs.js";
import type { CompileOptions } from "../model/sequential.js";
import { Adam } from "../optim/optimizer.js";

export interface FineTuneOptions extends FitOptions {
  /** learning rate the model was trained with; fine-tuning uses a tenth of it. Default 0.001. */
  baseLearningRate?: number;
  /** the loss the model was trained with (default: classification's cross-entropy) */
  loss?: CompileOptions["loss"];
}

export async function fineTune(
  model: Sequential,
  x: XInput,
  y: YInput | TargetInput,
  options: FineTuneOptions = {},
): Promise<History> {
  const { baseLearningRate = 0.001, loss, ...fit } = options;
  model.compile({
    optimizer: new Adam({ learningRate: baseLearningRate / 10 }),
    seed: fit.seed ?? 0,
    ...(loss ? { loss } : {}),
  });
  return model.fit(x, y, { epochs: 10, verbose: 0, ...fit });
}
