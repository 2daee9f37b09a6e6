// The messages between the page and its worker (types only: both sides import this file).
import type { Gates, ParseOptions, Task, TrainOptions } from "./core.js";

export type ToWorker =
  | { type: "load"; name: string; file: Blob; header: boolean }
  | { type: "inspect"; header: boolean }
  | { type: "synthetic"; seed: number }
  | { type: "parse"; options: ParseOptions }
  | { type: "train"; options: TrainOptions }
  | { type: "stop" }
  | { type: "curve" };

export interface DatasetSummary {
  source: string;
  n: number;
  d: number;
  label: string;
  task: Task;
  classNames: string[];
  featureNames: string[];
}

export interface ErrorInfo {
  /** the library's error class (DataError, ConfigError, ...) */
  name: string;
  message: string;
}

export interface EpochMessage {
  type: "epoch";
  epoch: number;
  epochs: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** input gate values after this epoch (absent without an input gate) */
  input?: number[];
  /** mean gate value of each hidden gate layer */
  hidden: Record<string, number>;
  elapsed: number;
}

export interface DoneMessage {
  type: "done";
  stopped: boolean;
  epochsDone: number;
  seconds: number;
  features: { index: number; name: string; importance: number; runMean: number }[];
  selected: number[];
  rankingJson: string;
  reducedCsv: string;
  model: Uint8Array;
  onnx: Uint8Array;
  pruneSummary: string;
  predictions: Float32Array;
  outputs: number;
  prunedInputs: number;
  /** input gate values per epoch, float32 exactly as trained (the Node comparison reads them) */
  gateHistory: number[][];
  gates: Gates;
  wasm: string;
}

export type FromWorker =
  | { type: "ready"; wasm: string }
  | { type: "columns"; source: string; columns: string[]; label: string; task: Task; text?: string }
  | { type: "parsed"; summary: DatasetSummary }
  | { type: "progress"; fraction: number; elapsed: number; what: string }
  | { type: "epochs"; list: EpochMessage[] }
  | DoneMessage
  | { type: "curve"; points: { k: number; mean: number; std: number }[]; metric: string }
  | { type: "error"; error: ErrorInfo; during: string };
