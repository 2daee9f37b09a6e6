// The data layer's public pieces that run anywhere (browser, Workers, Deno, Bun, Node).
// File reading (node:fs, node:zlib) is in ./node.ts, which re-exports all of this as well.
export type { Dataset, ValidateOptions, FromArraysOptions } from "./dataset.js";
export {
  fromArrays,
  validateXY,
  validateDataset,
  subsetRows,
  selectColumns,
  classCounts,
  numClasses,
  sortClassNames,
  row,
} from "./dataset.js";
export type { CsvOptions, CsvDataset, CsvEncoding, CategoryMap, ColumnRef } from "./csv.js";
export { parseCsv, parseCsvStream, CsvParser, detectDelimiter } from "./csv.js";
export { modelRows, modelColumns, type ModelRows, type ModelRowsOptions } from "./csv-model.js";
export { parseDecimal } from "./number.js";
export { Standardizer, type StandardizerJSON } from "./standardize.js";
export { stratifiedSplit, randomSplit, stratifiedKFold, kFold, groupKFold, type Split } from "./split.js";
export { Random } from "../util/random.js";
export { makeClassification, type MakeClassificationOptions, type SyntheticDataset } from "./synthetic.js";
export {
  makeParity,
  makeEpistasis,
  makeLed,
  makeWaveform,
  makeRedundantCopies,
  makeMadelon,
  type BenchmarkDataset,
  type ParityOptions,
  type EpistasisOptions,
  type LedOptions,
  type WaveformOptions,
  type RedundantCopiesOptions,
} from "./benchmarks.js";
