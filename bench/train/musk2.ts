// The network of the benchmarks: the paper's classifier (section 2.1.1) at Musk2's width, D = 168
// inputs behind a BSF gate, dense D, D, 2D, D with ReLU, softmax over 2 classes. One definition,
// used by the kernel bench (layer shapes), the training bench (bsfnet and tfjs models) and the
// smoke test (both models have the same dense parameters).
import type * as tfType from "@tensorflow/tfjs";
import { Sequential, Dense, BSF, Adam } from "../../src/index.js";

export const INPUTS = 168;
export const CLASSES = 2;
export const HIDDEN = [168, 168, 336, 168] as const;
export const BATCHES = [32, 128] as const;

/** Each dense layer as [in, out] (C, OC), input to output. */
export const DENSE_SHAPES: [number, number][] = (() => {
  const sizes = [INPUTS, ...HIDDEN, CLASSES];
  return sizes.slice(0, -1).map((c, i) => [c, sizes[i + 1]]);
})();

/** The bsfnet model: BSF gate (penalty 0.01) then the dense stack; Adam with Keras defaults. */
export function bsfnetModel(seed = 0): Sequential {
  const model = new Sequential([
    new BSF({ penalty: 0.01, inputShape: [INPUTS] }),
    ...HIDDEN.map((units) => new Dense({ units, activation: "relu" })),
    new Dense({ units: CLASSES, activation: "softmax" }),
  ]);
  model.compile({ optimizer: new Adam(), seed });
  return model;
}

/** The same dense stack in tfjs (no gate: tfjs has none, which only saves tfjs work). */
export function tfjsModel(tf: typeof tfType): tfType.Sequential {
  const model = tf.sequential();
  HIDDEN.forEach((units, i) => {
    model.add(
      tf.layers.dense(i === 0 ? { units, activation: "relu", inputShape: [INPUTS] } : { units, activation: "relu" }),
    );
  });
  model.add(tf.layers.dense({ units: CLASSES, activation: "softmax" }));
  // tfjs' Adam defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon = backend epsilon (1e-7), as Keras.
  model.compile({ optimizer: tf.train.adam(0.001), loss: "sparseCategoricalCrossentropy" });
  return model;
}

/** Informative columns of randomData: the label depends on these only. */
export const INFORMATIVE = 24;

/**
 * Standardized random data: x ~ N(0, 1), n rows of INPUTS, from a seeded generator; the label is
 * learnable, y = [sum of the first INFORMATIVE columns, with fixed random signs > 0], so the
 * network trains as on real data (pure-noise labels make the BSF penalty close every gate within a
 * few hundred steps, after which the network is dead and the benchmark would time a degenerate
 * model).
 */
export function randomData(n: number, seed = 1): { x: Float32Array; y: Int32Array } {
  let s = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const x = new Float32Array(n * INPUTS);
  for (let i = 0; i < x.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    x[i] = r * Math.cos(t);
    if (i + 1 < x.length) x[i + 1] = r * Math.sin(t);
  }
  const sign = Array.from({ length: INFORMATIVE }, (_, j) => ((j * 7 + 3) % 5 < 2 ? -1 : 1));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < INFORMATIVE; j++) z += sign[j] * x[i * INPUTS + j];
    y[i] = z > 0 ? 1 : 0;
  }
  return { x, y };
}
