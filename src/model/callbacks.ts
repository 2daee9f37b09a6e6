// Training callbacks (Keras-like) and the terminal progress bar.

export interface EpochLogs {
  loss: number;
  /** classifiers: training accuracy (under the gates' random masks, as trained) */
  accuracy?: number;
  /** regression: training RMSE (under the masks) */
  rmse?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** regression, with validation data: RMSE and R² of the validation rows */
  valRmse?: number;
  valR2?: number;
  /** Every BSF layer's gate weights after this epoch, by layer name (copies). */
  gates: Record<string, Float32Array>;
  seconds: number;
}

export interface BatchLogs {
  loss: number;
  /** classifiers */
  accuracy?: number;
  /** regression */
  rmse?: number;
  size: number;
}

export interface TrainInfo {
  epochs: number;
  stepsPerEpoch: number;
  samples: number;
  /** training threads (fit's `threads` option) and, for "auto", why */
  threads?: number;
  threadsReason?: string;
}

/** A model the callbacks may stop. */
export interface Stoppable {
  stopTraining: boolean;
}

export interface Callback {
  onTrainBegin?(info: TrainInfo, model: Stoppable): void | Promise<void>;
  onEpochBegin?(epoch: number, model: Stoppable): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs, model: Stoppable): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, model: Stoppable): void | Promise<void>;
  onTrainEnd?(history: History, model: Stoppable): void | Promise<void>;
}

export interface History {
  epochs: number[];
  loss: number[];
  /** classifiers (empty for regression) */
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** regression (empty for classifiers): training RMSE, validation RMSE and R² per epoch */
  rmse: number[];
  valRmse: number[];
  valR2: number[];
  /** per BSF layer: the gate weights after each epoch */
  gates: Record<string, Float32Array[]>;
  /** training threads used (fit's `threads` option) and, for "auto", why */
  threads?: number;
  threadsReason?: string;
}

export interface EarlyStoppingConfig {
  monitor?: "loss" | "valLoss";
  patience?: number;
  minDelta?: number;
}

/** Stops when the monitored loss has not improved by minDelta for `patience` epochs. */
export class EarlyStopping implements Callback {
  private best = Infinity;
  private wait = 0;
  stoppedEpoch = -1;
  constructor(private readonly c: EarlyStoppingConfig = {}) {}

  onTrainBegin(): void {
    this.best = Infinity;
    this.wait = 0;
    this.stoppedEpoch = -1;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, model: Stoppable): void {
    const v = this.c.monitor === "valLoss" ? logs.valLoss : logs.loss;
    if (v === undefined) return;
    if (v < this.best - (this.c.minDelta ?? 0)) {
      this.best = v;
      this.wait = 0;
    } else if (++this.wait >= (this.c.patience ?? 5)) {
      model.stopTraining = true;
      this.stoppedEpoch = epoch;
    }
  }
}

interface Out {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

function stdout(): Out | undefined {
  const p = (globalThis as { process?: { stdout?: Out } }).process;
  return p?.stdout;
}

/** A one-line progress bar, redrawn at most every 100 ms; only on a terminal. */
export class ProgressBar implements Callback {
  private info?: TrainInfo;
  private epoch = 0;
  private last = 0;
  private sum = 0;
  private correct = 0;
  private seen = 0;
  private regression = false;

  constructor(private readonly out: Out | undefined = stdout()) {}

  static wanted(): boolean {
    return !!stdout()?.isTTY;
  }

  onTrainBegin(info: TrainInfo): void {
    this.info = info;
    if (info.threadsReason || (info.threads ?? 1) > 1)
      this.out?.write(`training threads: ${info.threadsReason ?? info.threads}\n`);
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.sum = this.correct = this.seen = 0;
  }

  onBatchEnd(batch: number, logs: BatchLogs): void {
    this.sum += logs.loss * logs.size;
    // classifiers: correct rows; regression: summed squared error (shown as RMSE)
    this.regression = logs.rmse !== undefined;
    this.correct += (this.regression ? logs.rmse! ** 2 : logs.accuracy!) * logs.size;
    this.seen += logs.size;
    const now = Date.now();
    if (now - this.last < 100 || !this.info) return;
    this.last = now;
    const steps = this.info.stepsPerEpoch;
    const width = 24;
    const done = Math.round(((batch + 1) / steps) * width);
    this.out?.write(
      `\rEpoch ${this.epoch + 1}/${this.info.epochs} [${"=".repeat(done)}${" ".repeat(width - done)}] ` +
        `${batch + 1}/${steps} loss ${(this.sum / this.seen).toFixed(4)} ` +
        (this.regression
          ? `rmse ${Math.sqrt(this.correct / this.seen).toFixed(4)}`
          : `acc ${(this.correct / this.seen).toFixed(4)}`) +
        "\x1b[K",
    );
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    if (!this.info) return;
    const metric = logs.rmse !== undefined ? `rmse ${logs.rmse.toFixed(4)}` : `acc ${logs.accuracy!.toFixed(4)}`;
    const valMetric =
      logs.valRmse !== undefined
        ? ` val_rmse ${logs.valRmse.toFixed(4)} val_r2 ${logs.valR2!.toFixed(4)}`
        : ` val_acc ${logs.valAccuracy?.toFixed(4)}`;
    const val = logs.valLoss !== undefined ? ` val_loss ${logs.valLoss.toFixed(4)}${valMetric}` : "";
    this.out?.write(
      `\rEpoch ${epoch + 1}/${this.info.epochs} loss ${logs.loss.toFixed(4)} ${metric}${val} ` +
        `(${logs.seconds.toFixed(2)} s)\x1b[K\n`,
    );
  }
}
