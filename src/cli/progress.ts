// Progress with an ETA on a terminal (stderr, so stdout stays the command's output): epochs of
// one training run, or steps of many (cross-validation folds). Silent when stderr is not a
// terminal or with --quiet.
import type { Callback, EpochLogs } from "../model/callbacks.js";

export interface Progress {
  /** `done` of `total` units finished; `what` is shown before the bar. */
  update(done: number, total: number, what?: string): void;
  /** Clears the line. */
  end(): void;
}

const clock = (s: number): string => {
  if (!Number.isFinite(s)) return "--:--";
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s - m * 60)).padStart(2, "0")}`;
};

export function progress(quiet: unknown, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (quiet || !stream.isTTY) return { update() {}, end() {} };
  const t0 = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total, what = "") {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const elapsed = (now - t0) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
      const width = 24;
      const k = Math.round((done / total) * width);
      stream.write(
        `\r${what}[${"=".repeat(k)}${" ".repeat(width - k)}] ${done}/${total} elapsed ${clock(elapsed)} ETA ${clock(eta)}\x1b[K`,
      );
      shown = true;
    },
    end() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}

/** A fit callback driving `p` epoch by epoch (the loss and validation accuracy in the label). */
export function epochProgress(p: Progress, epochs: number, label = ""): Callback {
  return {
    onEpochEnd(epoch: number, logs: EpochLogs) {
      const val = logs.valAccuracy !== undefined ? ` val acc ${logs.valAccuracy.toFixed(3)}` : "";
      p.update(epoch + 1, epochs, `${label}loss ${logs.loss.toFixed(4)}${val} `);
    },
    onTrainEnd() {
      p.end();
    },
  };
}
