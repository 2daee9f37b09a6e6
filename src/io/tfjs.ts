// Export to the TF.js layers format: model.json (Keras topology + weights manifest) and one
// weights .bin of little-endian float32, loadable by tf.loadLayersModel. Gates are folded into the
// next layer (see fold.ts); Dense/Activation/Dropout map one to one (same (in, out) kernel layout).
import type { Sequential } from "../model/sequential.js";
import type { ModelSpec } from "../prune/spec.js";
import { exportableSpec } from "./fold.js";

export interface TfjsArtifacts {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

function kerasLayer(className: string, c: Record<string, unknown>, first: boolean, inputShape: number[]): Record<string, unknown> {
  const base: Record<string, unknown> = { name: c.name, trainable: true, dtype: "float32" };
  if (first) base.batch_input_shape = [null, ...inputShape];
  if (className === "Dense") {
    return {
      class_name: "Dense",
      config: {
        ...base,
        units: c.units,
        activation: c.activation ?? "linear",
        use_bias: c.useBias !== false,
        kernel_initializer: { class_name: "GlorotUniform", config: { seed: null } },
        bias_initializer: { class_name: "Zeros", config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    };
  }
  if (className === "Activation") return { class_name: "Activation", config: { ...base, activation: c.activation } };
  return { class_name: "Dropout", config: { ...base, rate: c.rate ?? 0, noise_shape: null, seed: null } };
}

export function toTfjs(model: Sequential | ModelSpec, weightsFile = "weights.bin"): TfjsArtifacts {
  const spec = exportableSpec(model);
  const specs: { name: string; shape: number[]; dtype: "float32" }[] = [];
  const values: Float32Array[] = [];
  for (const l of spec.layers) {
    for (const w of l.weights) {
      specs.push({ name: `${String(l.config.name)}/${w.name}`, shape: [...w.shape], dtype: "float32" });
      values.push(w.values);
    }
  }
  const total = values.reduce((s, v) => s + v.length, 0);
  const weights = new Uint8Array(total * 4);
  const dv = new DataView(weights.buffer);
  let p = 0;
  for (const v of values) for (let i = 0; i < v.length; i++, p += 4) dv.setFloat32(p, v[i], true);
  const modelJson = {
    format: "layers-model",
    generatedBy: "bsfnet",
    convertedBy: null,
    modelTopology: {
      class_name: "Sequential",
      config: { name: spec.name, layers: spec.layers.map((l, i) => kerasLayer(l.className, l.config, i === 0, spec.inputShape)) },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
  return { modelJson, weights };
}

/** Write model.json and weights.bin into `dir` (created if missing), each atomically. */
export async function saveTfjs(model: Sequential | ModelSpec, dir: string): Promise<{ modelJson: string; weights: string }> {
  const { mkdir } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { writeFileAtomic } = await import("../util/atomic.js");
  await mkdir(dir, { recursive: true });
  const a = toTfjs(model);
  const paths = { modelJson: join(dir, "model.json"), weights: join(dir, "weights.bin") };
  await writeFileAtomic(paths.weights, a.weights);
  await writeFileAtomic(paths.modelJson, JSON.stringify(a.modelJson));
  return paths;
}
