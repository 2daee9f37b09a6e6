// Regions of interest (the paper's Fig. 3): a BSF gate on every input element of a convolutional
// classifier. After training, the gate weights form an attention map. Each experiment trains the
// same classifier with and without the gate and scores both on held-out data.
import { Sequential } from "../model/sequential.js";
import { Conv1D, Conv2D } from "../layers/conv.js";
import { MaxPool1D, MaxPool2D } from "../layers/pool.js";
import { Flatten } from "../layers/flatten.js";
import { Dense } from "../layers/dense.js";
import { Dropout } from "../layers/dropout.js";
import { BSF, type BSFConfig } from "../layers/bsf.js";
import { Adam } from "../optim/optimizer.js";
import type { Layer } from "../layers/layer.js";
import { subsetRows, type Dataset } from "../data/dataset.js";
import { makeSpectra, peakCoverage, type SpectraOptions } from "../data/spectra.js";
import { stratifiedSplit } from "../data/split.js";
import type { Callback } from "../model/callbacks.js";
import { fineTune } from "../prune/finetune.js";

/** The paper's Table 6 CNN for 28x28x1 images, optionally behind a per-pixel BSF gate. */
export function table6Cnn(gate?: BSFConfig): Sequential {
  const layers: Layer[] = [];
  if (gate) layers.push(new BSF({ ...gate, name: "input_gate" }));
  layers.push(
    new Conv2D({ filters: 32, kernelSize: 3, activation: "relu", name: "conv_1" }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: "relu", name: "conv_2" }),
    new MaxPool2D({ poolSize: 2, name: "pool" }),
    new Flatten({ name: "flatten" }),
    new Dense({ units: 128, activation: "relu", name: "dense" }),
    new Dropout({ rate: 0.5, name: "dropout" }),
    new Dense({ units: 10, activation: "softmax", name: "output" }),
  );
  return new Sequential(layers, { inputShape: [28, 28, 1], name: gate ? "table6_gated" : "table6" });
}

/** A 1-D convolutional spectra classifier (3 conv, 2 dense), optionally behind a per-point gate. */
export function spectraCnn(length: number, classes: number, gate?: BSFConfig): Sequential {
  const layers: Layer[] = [];
  if (gate) layers.push(new BSF({ ...gate, name: "input_gate" }));
  layers.push(
    new Conv1D({ filters: 8, kernelSize: 7, padding: "same", activation: "relu" }),
    new MaxPool1D({ poolSize: 2 }),
    new Conv1D({ filters: 16, kernelSize: 5, padding: "same", activation: "relu" }),
    new MaxPool1D({ poolSize: 2 }),
    new Conv1D({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" }),
    new MaxPool1D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 32, activation: "relu" }),
    new Dense({ units: classes, activation: "softmax" }),
  );
  return new Sequential(layers, { inputShape: [length, 1] });
}

/** Mean gate weight of the central 14x14 pixels over that of the outer ring 4 pixels wide. */
export function centerToRing(
  w: ArrayLike<number>,
  size = 28,
  center = 14,
  ring = 4,
): { center: number; ring: number; ratio: number } {
  let c = 0,
    nc = 0,
    r = 0,
    nr = 0;
  const lo = (size - center) / 2;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = w[i * size + j];
      if (i >= lo && i < lo + center && j >= lo && j < lo + center) {
        c += v;
        nc++;
      }
      if (i < ring || j < ring || i >= size - ring || j >= size - ring) {
        r += v;
        nr++;
      }
    }
  }
  const center_ = c / nc;
  const ring_ = r / nr;
  return { center: center_, ring: ring_, ratio: ring_ > 0 ? center_ / ring_ : Infinity };
}

export interface AttentionRunOptions {
  epochs: number;
  /** epochs of a second stage at learning rate / 10 with fresh Adam moments (the paper's
   * fine-tuning, section 3.4); 0 skips it. Default 0. */
  fineTuneEpochs?: number;
  batchSize?: number;
  seed?: number;
  penalty: number;
  init?: number;
  learningRate?: number;
  callbacks?: Callback[];
  log?: (s: string) => void;
}

/** Validation accuracy of the finished model, and after the first stage when a fine-tuning stage followed. */
export interface TrainResult {
  accuracy: number;
  /** accuracy at the end of the first stage (equal to `accuracy` without fine-tuning) */
  beforeFineTune: number;
  seconds: number;
}

/** Trains `model` on `train` (Adam, then the optional fine-tuning stage) and scores the final
 * model on `validation`; no epoch is chosen by its validation score. */
export async function trainClassifier(
  model: Sequential,
  train: Dataset,
  validation: Dataset,
  o: Omit<AttentionRunOptions, "penalty">,
  tag = "",
): Promise<TrainResult> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const lr = o.learningRate ?? 0.001;
  const common = {
    batchSize: o.batchSize ?? 32,
    validationData: [validation.x, validation.y] as [Float32Array, Int32Array],
    verbose: 1 as const,
  };
  const logEpoch = (stage: string): Callback => ({
    onEpochEnd: (e, l) =>
      log(
        `${tag}${stage}epoch ${e + 1}: loss ${l.loss.toFixed(4)} val acc ${l.valAccuracy?.toFixed(4)} (${l.seconds.toFixed(1)} s)`,
      ),
  });
  const t0 = performance.now();
  model.compile({ optimizer: new Adam({ learningRate: lr }), seed });
  // fit scores the validation data after every epoch; the last score is the final model's
  const last = (h: { valAccuracy: number[] }) => h.valAccuracy[h.valAccuracy.length - 1];
  const beforeFineTune = last(
    await model.fit(train.x, train.y, {
      ...common,
      epochs: o.epochs,
      seed,
      callbacks: [...(o.callbacks ?? []), logEpoch("")],
    }),
  );
  const ft = o.fineTuneEpochs ?? 0;
  // The fine-tuning stage gets its own shuffling and dropout seed: compile restarts the step
  // count, and the first stage's seed would replay that stage's first batches and masks.
  const accuracy =
    ft > 0
      ? last(
          await fineTune(model, train.x, train.y, {
            ...common,
            baseLearningRate: lr,
            epochs: ft,
            seed: seed + 1000,
            callbacks: [...(o.callbacks ?? []), logEpoch("fine-tune ")],
          }),
        )
      : beforeFineTune;
  return { accuracy, beforeFineTune, seconds: (performance.now() - t0) / 1000 };
}

interface Pair {
  ungated: number;
  gated: number;
  beforeFineTune: { ungated: number; gated: number };
  gate: Float32Array;
  seconds: { ungated: number; gated: number };
}

async function trainPair(
  make: (gate?: BSFConfig) => Sequential,
  train: Dataset,
  validation: Dataset,
  o: AttentionRunOptions,
): Promise<Pair> {
  const run = async (gated: boolean) => {
    const model = make(gated ? { penalty: o.penalty, init: o.init ?? 0.5 } : undefined);
    try {
      const r = await trainClassifier(model, train, validation, o, gated ? "gated " : "ungated ");
      return { r, gate: gated ? model.gateWeights().input_gate.slice() : new Float32Array(0) };
    } finally {
      model.dispose();
    }
  };
  const ungated = await run(false);
  const gated = await run(true);
  const [u, g] = [ungated.r, gated.r];
  return {
    ungated: u.accuracy,
    gated: g.accuracy,
    beforeFineTune: { ungated: u.beforeFineTune, gated: g.beforeFineTune },
    gate: gated.gate,
    seconds: { ungated: u.seconds, gated: g.seconds },
  };
}

export async function attentionMnist(train: Dataset, validation: Dataset, o: AttentionRunOptions) {
  const r = await trainPair(table6Cnn, train, validation, o);
  return { ...r, ...centerToRing(r.gate) };
}

export async function attentionSpectra(
  o: AttentionRunOptions & { spectra?: SpectraOptions; validationFraction?: number; top?: number },
) {
  const ds = makeSpectra({ seed: o.seed ?? 0, ...o.spectra });
  const { train, validation } = stratifiedSplit(ds.y, o.validationFraction ?? 0.25, o.seed ?? 0);
  const classes = ds.classNames.length;
  const r = await trainPair(
    (gate) => spectraCnn(ds.d, classes, gate),
    subsetRows(ds, train),
    subsetRows(ds, validation),
    o,
  );
  const peaks = ds.discriminating.flat();
  const cov = peakCoverage(r.gate, peaks, ds.hwhm, o.top ?? 0.1);
  return {
    ...r,
    ...cov,
    peaks,
    common: ds.common,
    hwhm: ds.hwhm,
    length: ds.d,
    trainSize: train.length,
    validationSize: validation.length,
  };
}
