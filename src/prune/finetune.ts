// Fine-tuning a pruned model (the paper, section 3.4): a few more epochs with the learning rate
// divided by 10.
import type { Sequential, FitOptions } from "../model/sequential.js";
import type { History } from "../model/callbacks.js";
import type { XInput, YInput } from "../model/inputs.js";
import { Adam } from "../optim/optimizer.js";

export interface FineTuneOptions extends FitOptions {
  /** learning rate the model was trained with; fine-tuning uses a tenth of it. Default 0.001. */
  baseLearningRate?: number;
}

export async function fineTune(
  model: Sequential,
  x: XInput,
  y: YInput,
  options: FineTuneOptions = {},
): Promise<History> {
  const { baseLearningRate = 0.001, ...fit } = options;
  model.compile({ optimizer: new Adam({ learningRate: baseLearningRate / 10 }), seed: fit.seed ?? 0 });
  return model.fit(x, y, { epochs: 10, verbose: 0, ...fit });
}
