// bsfnet: Binary Stochastic Filtering on WebAssembly SIMD. The public API.
export { ready, setRuntime, currentRuntime, Runtime } from "./runtime/runtime.js";
export { loadKernels, instantiateModule, type WasmSource } from "./runtime/wasm.js";
export type { WasmKernels } from "./runtime/abi.js";
export * from "./errors.js";
export { Layer, type Shape, type Param, type LayerConfig, type Initializer } from "./layers/layer.js";
export { Dense, type DenseConfig } from "./layers/dense.js";
export { Activation, type ActivationName } from "./layers/activation.js";
export { BSF, type BSFConfig } from "./layers/bsf.js";
export { layerFromConfig, registerLayer } from "./layers/registry.js";
export { Adam, SGD, type Optimizer } from "./optim/optimizer.js";
export { Sequential, type FitOptions, type CompileOptions } from "./model/sequential.js";
export { EarlyStopping, ProgressBar, type Callback, type EpochLogs, type History } from "./model/callbacks.js";
export { paperClassifier } from "./select/classifier.js";
export { prune, planPrune, applyPrune, fineTune, summary, reduceRows, type PrunePlan, type GatePlan } from "./prune/index.js";
export { saveModel, loadModel, readModelFile, modelToBytes, modelFromBytes } from "./io/file.js";
export { encodeModelFile, decodeModelFile, FORMAT_VERSION, type ModelFile, type ModelMeta } from "./io/format.js";
export { InferenceModel, type InferenceOptions } from "./infer/index.js";
