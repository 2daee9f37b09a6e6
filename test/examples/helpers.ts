// Shared by the example tests: the example model, Node's reference predictions for it, and rows.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InferenceModel } from "../../src/infer/index.js";
import { predict } from "../../examples/shared/handler.js";
import { loadModel } from "../../src/io/file.js";
import { reduceRows } from "../../src/prune/plan.js";
import { rng } from "../util/wasm.js";
import { runtime } from "../util/wasm.js";

export { freePort, waitFor } from "../../scripts/lib/loopback.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const MODEL = `${root}examples/shared/wine.bsfnet`;
export const WASM = `${root}build/bsfnet.wasm`;

/** Rows around the training data: mean + 1.5 std * uniform(-1, 1) per feature, rounded to 3 places. */
export function exampleRows(n: number, seed = 1): number[][] {
  const bytes = readFileSync(MODEL);
  const json = JSON.parse(
    new TextDecoder().decode(bytes.subarray(20, 20 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true))),
  );
  const s = json.meta.standardize as { mean: number[]; std: number[] };
  const r = rng(seed);
  return Array.from({ length: n }, () =>
    s.mean.map((m, j) => Math.round((m + 1.5 * s.std[j] * (2 * r() - 1)) * 1000) / 1000),
  );
}

/** Probabilities for the rows from the training-side Sequential (standardize, reduce, predict). */
export async function referenceProbabilities(rows: number[][]): Promise<Float32Array> {
  const model = await loadModel(MODEL, { runtime: await runtime() });
  const ref = await InferenceModel.load(readFileSync(WASM), readFileSync(MODEL));
  const meta = ref.meta as {
    fullInputSize: number;
    inputKeep?: number[];
    standardize: { mean: number[]; std: number[] };
  };
  const D = meta.fullInputSize;
  const x = new Float32Array(rows.length * D);
  rows.forEach((r, i) => {
    r.forEach((v, j) => {
      x[i * D + j] = (v - meta.standardize.mean[j]) / meta.standardize.std[j];
    });
  });
  const out = model.predictSync(reduceRows(x, D, meta.inputKeep));
  model.dispose();
  // The shared handler on the Node inference entry agrees with it too.
  const viaHandler = predict(ref, rows).predictions.flatMap((p) => p.probabilities);
  for (let i = 0; i < out.length; i++)
    if (Math.abs(viaHandler[i] - out[i]) > 1e-6) throw new Error(`handler disagrees at ${i}`);
  return out;
}
