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
export function centerToRing(w: ArrayLike<number>, size = 28, center = 14, ring = 4): { center: number; ring: number; ratio: number } {
  let c = 0, nc = 0, r = 0, nr = 0;
  const lo = (size - center) / 2;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = w[i * size + j];
      if (i >= lo && i < lo + center && j >= lo && j < lo + center) (c += v), nc++;
      if (i < ring || j < ring || i >= size - ring || j >= size - ring) (r += v), nr++;
    }
  }
  const center_ = c / nc;
  const ring_ = r / nr;
  return { center: center_, ring: ring_, ratio: ring_ > 0 ? center_ / ring_ : Infinity };
}

export interface AttentionRunOptions {
  epochs: number;
  batchSize?: number;
  seed?: number;
  penalty: number;
  init?: number;
  learningRate?: number;
  callbacks?: Callback[];
  log?: (s: string) => void;
}

interface Pair {
  ungated: number;
  gated: number;
  gate: Float32Array;
  seconds: { ungated: number; gated: number };
}

async function trainPair(
  make: (gate?: BSFConfig) => Sequential,
  train: Dataset,
  validation: Dataset,
  o: AttentionRunOptions,
): Promise<Pair> {
  const log = o.log ?? (() => {});
  const acc: number[] = [];
  const seconds: number[] = [];
  let gate = new Float32Array(0);
  for (const gated of [false, true]) {
    const model = make(gated ? { penalty: o.penalty, init: o.init ?? 0.5 } : undefined);
    model.compile({ optimizer: new Adam({ learningRate: o.learningRate ?? 0.001 }), seed: o.seed ?? 0 });
    const t0 = performance.now();
    try {
      await model.fit(train.x, train.y, {
        epochs: o.epochs,
        batchSize: o.batchSize ?? 32,
        seed: o.seed ?? 0,
        validationData: [validation.x, validation.y],
        verbose: 1,
        callbacks: [
          ...(o.callbacks ?? []),
          { onEpochEnd: (e, l) => log(`${gated ? "gated" : "ungated"} epoch ${e + 1}: loss ${l.loss.toFixed(4)} val acc ${l.valAccuracy?.toFixed(4)} (${l.seconds.toFixed(1)} s)`) },
        ],
      });
      seconds.push((performance.now() - t0) / 1000);
      acc.push((await model.evaluate(validation.x, validation.y)).accuracy);
      if (gated) gate = model.gateWeights().input_gate.slice();
    } finally {
      model.dispose();
    }
  }
  return { ungated: acc[0], gated: acc[1], gate, seconds: { ungated: seconds[0], gated: seconds[1] } };
}

export async function attentionMnist(train: Dataset, validation: Dataset, o: AttentionRunOptions) {
  const r = await trainPair(table6Cnn, train, validation, o);
  return { ...r, ...centerToRing(r.gate) };
}

export async function attentionSpectra(o: AttentionRunOptions & { spectra?: SpectraOptions; validationFraction?: number; top?: number }) {
  const ds = makeSpectra({ seed: o.seed ?? 0, ...o.spectra });
  const { train, validation } = stratifiedSplit(ds.y, o.validationFraction ?? 0.25, o.seed ?? 0);
  const classes = ds.classNames.length;
  const r = await trainPair((gate) => spectraCnn(ds.d, classes, gate), subsetRows(ds, train), subsetRows(ds, validation), o);
  const peaks = ds.discriminating.flat();
  const cov = peakCoverage(r.gate, peaks, ds.hwhm, o.top ?? 0.1);
  return { ...r, ...cov, peaks, common: ds.common, hwhm: ds.hwhm, length: ds.d, trainSize: train.length, validationSize: validation.length };
}
