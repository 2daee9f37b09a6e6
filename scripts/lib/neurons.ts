// The paper's classifier with a BSF gate after every hidden layer (neuron pruning, section 2.2),
// and the counts the Table 3 reports give: hidden units and Dense weights (kernels and biases).
// Used by scripts/prune-wine.ts and scripts/table3-neurons.ts.
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Adam } from "../../src/optim/optimizer.js";
import type { Layer } from "../../src/layers/layer.js";
import type { ActivationName } from "../../src/layers/activation.js";

export const PAPER_HIDDEN = [1, 1, 2, 1];

export interface GateOptions {
  penalty: number;
  threshold?: number;
  init?: number;
}

/** Dense D*hidden[0], ..., softmax over `classes`; with `gates`, a BSF gate after each hidden layer.
 * `widths` (absolute unit counts) overrides `hidden` (multiples of D): the shape of a pruned net. */
export function gatedClassifier(
  D: number,
  classes: number,
  o: {
    gates?: GateOptions;
    hidden?: number[];
    widths?: number[];
    activation?: ActivationName;
    seed: number;
    learningRate?: number;
  },
): Sequential {
  const widths = o.widths ?? (o.hidden ?? PAPER_HIDDEN).map((m) => Math.max(1, Math.round(m * D)));
  const layers: Layer[] = [];
  widths.forEach((units, i) => {
    layers.push(new Dense({ units, activation: o.activation ?? "relu", name: `dense_${i + 1}` }));
    if (o.gates)
      layers.push(
        new BSF({
          name: `gate_${i + 1}`,
          penalty: o.gates.penalty,
          threshold: o.gates.threshold ?? 0.1,
          init: o.gates.init ?? 0.99,
        }),
      );
  });
  layers.push(new Dense({ units: classes, activation: "softmax", name: "output" }));
  const model = new Sequential(layers, { inputShape: [D] });
  model.compile({ optimizer: new Adam({ learningRate: o.learningRate ?? 0.001 }), seed: o.seed });
  return model;
}

/** Kernels and biases of the Dense layers (gates excluded: pruning removes them). */
export const denseWeights = (m: Sequential): number =>
  m.layers.filter((l) => l instanceof Dense).reduce((s, l) => s + l.paramCount, 0);

/** Units of the hidden Dense layers (the output layer excluded). */
export const hiddenWidths = (m: Sequential): number[] =>
  m.layers
    .filter((l): l is Dense => l instanceof Dense)
    .slice(0, -1)
    .map((l) => l.units);

export const hiddenUnits = (m: Sequential): number => hiddenWidths(m).reduce((a, b) => a + b, 0);

import { Standardizer } from "../../src/data/standardize.js";
import { takeRows } from "../../src/data/dataset.js";
import type { Runtime } from "../../src/runtime/runtime.js";
import { prune, fineTune, type PrunePlan } from "../../src/prune/index.js";

export interface Fold {
  train: Int32Array;
  validation: Int32Array;
}

/** The rows of a fold, standardized with the training rows' statistics. */
export function foldData(x: Float32Array, y: Int32Array, d: number, f: Fold) {
  const st = Standardizer.fit(takeRows(x, d, f.train), d);
  return {
    xtr: st.transform(takeRows(x, d, f.train)),
    ytr: Int32Array.from(f.train, (i) => y[i]),
    xva: st.transform(takeRows(x, d, f.validation)),
    yva: Int32Array.from(f.validation, (i) => y[i]),
  };
}

const majority = (y: Int32Array, classes: number) => {
  const c = new Array<number>(classes).fill(0);
  for (const v of y) c[v]++;
  return Math.max(...c) / y.length;
};

export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  runtime?: Runtime;
}

/**
 * A fresh net of the given widths (no gates) trained on the training rows and scored on both.
 * A narrow ReLU net can start dead (it then ends at the majority class on its own training rows):
 * it is retrained from another seed, at most 3 times; the check reads the training rows only.
 */
export async function trainFresh(
  d: { xtr: Float32Array; ytr: Int32Array; xva: Float32Array; yva: Int32Array },
  D: number,
  classes: number,
  widths: number[],
  o: TrainOptions,
  seed: number,
): Promise<{ train: number; validation: number; restarts: number }> {
  const floor = majority(d.ytr, classes) + 1e-9;
  for (let restart = 0; ; restart++) {
    const s = seed + 7919 * restart;
    const m = gatedClassifier(D, classes, { widths, seed: s });
    try {
      await m.build(undefined, o.runtime);
      await m.fit(d.xtr, d.ytr, { epochs: o.epochs, batchSize: o.batchSize ?? 32, seed: s, verbose: 0 });
      const tr = (await m.evaluate(d.xtr, d.ytr)).accuracy;
      if (tr <= floor && restart < 3) continue;
      return { train: tr, validation: (await m.evaluate(d.xva, d.yva)).accuracy, restarts: restart };
    } finally {
      m.dispose();
    }
  }
}

/** Gated net trained on the training rows, pruned (exact), then fine-tuned at lr / 10; scores of
 * the gated, pruned and fine-tuned nets and the plan. */
export async function trainGatedAndPrune(
  d: { xtr: Float32Array; ytr: Int32Array; xva?: Float32Array; yva?: Int32Array },
  D: number,
  classes: number,
  o: TrainOptions & { gates: GateOptions; hidden?: number[]; fineTune: number },
  seed: number,
): Promise<{
  plan: PrunePlan;
  widths: number[];
  weights: number;
  gatedTrain: number;
  train: number;
  validation?: number;
  prunedValidation?: number;
}> {
  const g = gatedClassifier(D, classes, { gates: o.gates, hidden: o.hidden, seed });
  await g.build(undefined, o.runtime);
  try {
    await g.fit(d.xtr, d.ytr, { epochs: o.epochs, batchSize: o.batchSize ?? 32, seed, verbose: 0 });
    const gatedTrain = (await g.evaluate(d.xtr, d.ytr)).accuracy;
    const { model: p, plan } = prune(g);
    try {
      const prunedValidation = d.xva ? (await p.evaluate(d.xva, d.yva!)).accuracy : undefined;
      if (o.fineTune > 0)
        await fineTune(p, d.xtr, d.ytr, {
          epochs: o.fineTune,
          batchSize: o.batchSize ?? 32,
          seed: seed + 1000,
          baseLearningRate: 0.001,
        });
      return {
        plan,
        widths: hiddenWidths(p),
        weights: denseWeights(p),
        gatedTrain,
        train: (await p.evaluate(d.xtr, d.ytr)).accuracy,
        validation: d.xva ? (await p.evaluate(d.xva, d.yva!)).accuracy : undefined,
        prunedValidation,
      };
    } finally {
      p.dispose();
    }
  } finally {
    g.dispose();
  }
}
