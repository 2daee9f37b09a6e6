// The paper's three nets as the peer benchmark runs them, one description each for bsfnet (a
// Sequential), PyTorch (the JSON plan scripts/reference/bench_torch.py builds from) and
// onnxruntime-node (bsfnet's own ONNX export of the trained model), so all three compute the same
// function: same layer shapes, the same BSF input gate on the MLPs, softmax cross-entropy, Adam 1e-3.
import { DEFAULT_THRESHOLD, type Sequential } from "../../src/index.js";
import { paperClassifier } from "../../src/select/classifier.js";
import { bsfnetCnn, randomImages } from "../cnn/cnn.js";
import { HIDDEN, INPUTS, randomData } from "../train/musk2.js";

export type NetName = "musk2" | "kdd99" | "cnn";
export const NETS: NetName[] = ["musk2", "kdd99", "cnn"];

/** KDD Cup 99's 41 columns (categorical ones as integers) and its 23 classes in the 10% set. */
export const KDD_INPUTS = 41;
export const KDD_CLASSES = 23;

export interface NetPlan {
  name: NetName;
  kind: "mlp" | "cnn";
  inputs: number;
  hidden: number[];
  classes: number;
  gate?: { penalty: number; init: number; threshold: number };
  /** training steps of one model: fresh is its first `window` (after step 0), steady its last `window` */
  steps: number;
  window: number;
}

const GATE = { penalty: 0.01, init: 0.5, threshold: DEFAULT_THRESHOLD };

/** What each net is, and how long it trains. The CNN's steady state comes after 300 steps, not
 * 2,000: at batch 128 a step is ~0.1 s, so 2,000 steps on each of four engines would take the
 * whole bench's budget. */
export function netPlan(name: NetName, quick: boolean): NetPlan {
  const mlpSteps = quick ? 120 : 2000;
  const mlpWindow = quick ? 40 : 200;
  switch (name) {
    case "musk2":
      return {
        name,
        kind: "mlp",
        inputs: INPUTS,
        hidden: [...HIDDEN],
        classes: 2,
        gate: GATE,
        steps: mlpSteps,
        window: mlpWindow,
      };
    case "kdd99":
      return {
        name,
        kind: "mlp",
        inputs: KDD_INPUTS,
        hidden: [1, 1, 2, 1].map((m) => m * KDD_INPUTS),
        classes: KDD_CLASSES,
        gate: GATE,
        steps: mlpSteps,
        window: mlpWindow,
      };
    case "cnn":
      return {
        name,
        kind: "cnn",
        inputs: 784,
        hidden: [],
        classes: 10,
        steps: quick ? 12 : 300,
        window: quick ? 4 : 50,
      };
  }
}

/** A new bsfnet model of the net (not built): Adam 1e-3 (Keras' betas and epsilon), seed 0. The
 * Musk2 net is bench/train/musk2.ts's (paperClassifier at D = 168 is the same stack and gate). */
export function bsfnetNet(p: NetPlan): Sequential {
  if (p.kind === "cnn") return bsfnetCnn(false, 0);
  return paperClassifier(p.inputs, p.classes, { gate: { penalty: p.gate!.penalty, init: p.gate!.init }, seed: 0 });
}

/** Reproducible data of the net's shape with a learnable label (a net trained on pure noise
 * closes every gate within a few hundred steps and would time a degenerate model). */
export function netData(p: NetPlan, n: number): { x: Float32Array; y: Int32Array } {
  if (p.kind === "cnn") return randomImages(n, 3);
  if (p.name === "musk2") return randomData(n, 3);
  // KDD99-shaped: N(0, 1) columns from musk2's generator, re-cut to 41; the class is the largest of
  // 23 fixed signed sums over the first 8 columns
  const wide = randomData(Math.ceil((n * p.inputs) / INPUTS) + 1, 5).x;
  const x = wide.slice(0, n * p.inputs);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let c = 0; c < p.classes; c++) {
      let z = 0;
      for (let j = 0; j < 8; j++) z += (((c * 5 + j * 3) % 7) - 3) * x[i * p.inputs + j];
      if (z > best) {
        best = z;
        y[i] = c;
      }
    }
  }
  return { x, y };
}
