// Export to the TF.js layers format: model.json (Keras topology + weights manifest) and one
// weights .bin of little-endian float32, loadable by tf.loadLayersModel. Gates are folded into the
// next layer (see fold.ts); Dense, Conv2D/Conv1D, MaxPool, Flatten, Activation and Dropout map one to
// one (Keras layouts: kernels (in, out) and (kh, kw, cin, cout), NHWC).
import { ConfigError } from "../errors.js";
import { cloneSpec, type ModelSpec, type SpecSource } from "../model/spec.js";
import { exportableSpec } from "./fold.js";

export interface TfjsArtifacts {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

type Config = Record<string, unknown>;

const glorot = { class_name: "GlorotUniform", config: { seed: null } };
const zeros = { class_name: "Zeros", config: {} };

/** The Keras layer each bsfnet layer class becomes, from its config and the common fields: the
 * TF.js exporter of each layer type. A class missing here cannot be exported to TF.js. */
export const TFJS_LAYERS: Readonly<Record<string, (c: Config, base: Config) => Config>> = {
  Dense: (c, base) => ({
    class_name: "Dense",
    config: {
      ...base,
      units: c.units,
      activation: c.activation ?? "linear",
      use_bias: c.useBias !== false,
      kernel_initializer: glorot,
      bias_initializer: zeros,
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
  }),
  Activation: (c, base) => ({ class_name: "Activation", config: { ...base, activation: c.activation } }),
  Conv2D: (c, base) => conv(c, base, true),
  Conv1D: (c, base) => conv(c, base, false),
  MaxPool2D: (c, base) => {
    const p = c.poolSize as number | number[];
    const ps = Array.isArray(p) ? p : [p ?? 2, p ?? 2];
    return {
      class_name: "MaxPooling2D",
      config: { ...base, pool_size: ps, strides: ps, padding: "valid", data_format: "channels_last" },
    };
  },
  MaxPool1D: (c, base) => {
    const p = (c.poolSize as number | undefined) ?? 2;
    return { class_name: "MaxPooling1D", config: { ...base, pool_size: [p], strides: [p], padding: "valid" } };
  },
  Flatten: (_c, base) => ({ class_name: "Flatten", config: { ...base, data_format: "channels_last" } }),
  Dropout: (c, base) => ({
    class_name: "Dropout",
    config: { ...base, rate: c.rate ?? 0, noise_shape: null, seed: null },
  }),
  // TF.js has no Normalization layer: foldNormalization multiplies it into the Dense after it; one
  // left here had none.
  Normalization: (c) => {
    throw new ConfigError(
      `cannot export layer ${String(c.name)} to TF.js: a Normalization is folded into a Dense layer right after it, and this one has none`,
    );
  },
};

function conv(c: Config, base: Config, two: boolean): Config {
  const ks = c.kernelSize as number | number[];
  return {
    class_name: two ? "Conv2D" : "Conv1D",
    config: {
      ...base,
      filters: c.filters,
      kernel_size: two ? (Array.isArray(ks) ? ks : [ks, ks]) : [Array.isArray(ks) ? ks[ks.length - 1] : ks],
      strides: two ? [1, 1] : [1],
      padding: c.padding ?? "valid",
      data_format: "channels_last",
      dilation_rate: two ? [1, 1] : [1],
      activation: c.activation ?? "linear",
      use_bias: c.useBias !== false,
      kernel_initializer: glorot,
      bias_initializer: zeros,
    },
  };
}

function kerasLayer(className: string, c: Config, first: boolean, inputShape: number[]): Config {
  const base: Config = { name: c.name, trainable: true, dtype: "float32" };
  if (first) base.batch_input_shape = [null, ...inputShape];
  return TFJS_LAYERS[className](c, base);
}

/** Each Normalization directly followed by a Dense folded into it: ((x - m) / s) W + b =
 * x (W / s) + (b - (m / s) W), computed in float64. */
export function foldNormalization(spec: ModelSpec): ModelSpec {
  const out = cloneSpec(spec);
  for (let i = 0; i < out.layers.length - 1; i++) {
    const norm = out.layers[i];
    const dense = out.layers[i + 1];
    if (norm.className !== "Normalization" || dense.className !== "Dense") continue;
    const mean = norm.weights.find((w) => w.name === "mean")!.values;
    const variance = norm.weights.find((w) => w.name === "variance")!.values;
    const k = dense.weights.findIndex((w) => w.name === "kernel");
    const kernel = dense.weights[k];
    const [C, OC] = kernel.shape;
    if (C !== mean.length) continue; // a Normalization over the channels of an image: not a row scale
    const inv = Array.from(variance, (v) => 1 / Math.max(Math.sqrt(Math.max(v, 0)), 1e-7));
    const W = new Float32Array(kernel.values.length);
    const shift = new Float64Array(OC);
    for (let r = 0; r < C; r++) {
      for (let o = 0; o < OC; o++) {
        const w = kernel.values[r * OC + o] * inv[r];
        W[r * OC + o] = w;
        shift[o] += mean[r] * w;
      }
    }
    dense.weights[k] = { ...kernel, values: W };
    const b = dense.weights.findIndex((w) => w.name === "bias");
    if (b >= 0)
      dense.weights[b] = {
        ...dense.weights[b],
        values: Float32Array.from(dense.weights[b].values, (v, o) => v - shift[o]),
      };
    else {
      dense.config.useBias = true;
      dense.weights.splice(k + 1, 0, { name: "bias", shape: [OC], values: Float32Array.from(shift, (v) => -v) });
    }
    if (norm.config.inputShape) dense.config.inputShape = norm.config.inputShape;
    out.layers.splice(i, 1);
    i--;
  }
  return out;
}

export function toTfjs(model: SpecSource, weightsFile = "weights.bin"): TfjsArtifacts {
  const spec = foldNormalization(exportableSpec(model, TFJS_LAYERS, "TF.js"));
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
      config: {
        name: spec.name,
        layers: spec.layers.map((l, i) => kerasLayer(l.className, l.config, i === 0, spec.inputShape)),
      },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
  return { modelJson, weights };
}

/** Write model.json and weights.bin into `dir` (created if missing), each atomically. */
export async function saveTfjs(model: SpecSource, dir: string): Promise<{ modelJson: string; weights: string }> {
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
