// bsfnet: Binary Stochastic Filtering on WebAssembly SIMD. The public API.
export { ready, setRuntime, currentRuntime, Runtime } from "./runtime/runtime.js";
export { loadKernels, instantiateModule, type WasmSource } from "./runtime/wasm.js";
export type { WasmKernels } from "./runtime/abi.js";
export * from "./errors.js";
export { Layer, type Shape, type Param, type LayerConfig, type Initializer } from "./layers/layer.js";
export { Dense, type DenseConfig } from "./layers/dense.js";
export { Activation, type ActivationName } from "./layers/activation.js";
export { BSF, DEFAULT_THRESHOLD, type BSFConfig } from "./layers/bsf.js";
export { layerFromConfig, layerClass, registerLayer, traitsOf, type LayerClass } from "./layers/registry.js";
export type { LayerTraits } from "./layers/layer.js";
export {
  countSpec,
  type ModelSpec,
  type LayerSpec,
  type TensorSpec,
  type ModelCounts,
  type SpecSource,
} from "./model/spec.js";
export { buildSpec, buildStack, specShapes } from "./model/build.js";
export { LayerStack } from "./model/stack.js";
export { modelInput, inputColumns, type ModelMeta } from "./model/meta.js";
export { Adam, SGD, type Optimizer } from "./optim/optimizer.js";
export {
  Sequential,
  type FitOptions,
  type CompileOptions,
  type EvaluateResult,
  type RegressionResult,
} from "./model/sequential.js";
export { EarlyStopping, ProgressBar, type Callback, type EpochLogs, type History } from "./model/callbacks.js";
export { paperClassifier } from "./select/classifier.js";
export {
  prune,
  planPrune,
  planSpec,
  planGates,
  pruneSpec,
  applyPrune,
  prunedMeta,
  fineTune,
  summary,
  reduceRows,
  type PrunePlan,
  type GatePlan,
  type PlanOptions,
} from "./prune/index.js";
export { saveModel, loadModel, readModelFile, modelToBytes, modelFromBytes } from "./io/file.js";
export { encodeModelFile, decodeModelFile, readModel, FORMAT_VERSION, type ModelFile } from "./io/format.js";
export { InferenceModel, type InferenceOptions } from "./infer/index.js";
export { Conv2D, Conv1D, type Conv2DConfig, type Conv1DConfig, type Padding } from "./layers/conv.js";
export { MaxPool2D, MaxPool1D } from "./layers/pool.js";
export { Flatten } from "./layers/flatten.js";
export { Dropout } from "./layers/dropout.js";
export { Normalization, type NormalizationConfig } from "./layers/normalization.js";
export { checkOptions } from "./layers/layer.js";
export {
  selectFeatures,
  rankGates,
  type SelectOptions,
  type SelectionResult,
  type FeatureImportance,
} from "./select/select.js";
export { crossValidate, type CrossValidateOptions, type CrossValidateResult } from "./select/crossval.js";
export { selectK, selectAutoLambda, type PathPoint } from "./select/path.js";
export { stabilitySelection } from "./select/stability.js";
export { nestedCrossValidate } from "./select/nested.js";
// the Node entry: CV folds may run on worker threads (`workers`), which this module provides
import "./select/pool.js";
export type { GateSchedule } from "./select/select.js";
export * from "./data/index.js";
// Node file reading, as the CLI reads: a CSV (gzip'd, or "-" for stdin), and a CSV read as a
// train-made model needs it (its columns by name, its categorical codes)
export { readCsv, readCsvSync, readModelRows, readInputBytes } from "./data/csv-node.js";
export { modelRows, modelColumns, type ModelRows, type ModelRowsOptions } from "./data/csv-model.js";
export { takeColumns } from "./util/columns.js";
export { trainReport, selectReport } from "./report/html.js";
export { toTfjs, saveTfjs } from "./export/tfjs.js";
export { toOnnx, saveOnnx } from "./export/onnx.js";
