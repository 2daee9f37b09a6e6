// A tracing runtime for the step anatomy (bench/train/step.ts, bench/cnn/step.ts): a `Runtime`
// whose kernels object `k` wraps every exported wasm function, timing each call with
// performance.now() and adding it up per kernel (or per label) with call counts. A model built on
// it (`model.build(shape, tracer.runtime)`) runs its real `fit` and training step unchanged: the
// same kernels, arguments and results, only timed. A callback cuts the record into one window per
// training step (fit's batch loop: gather the batch, then `trainStep`); per-epoch work between
// steps (the weights' finiteness check) is dropped.
// The wrapper costs two performance.now() calls and a closure per kernel call (well under a µs),
// which the per-kernel figures include.
import { type Callback, Runtime, type WasmKernels } from "../../src/index.js";

/** One row of a step anatomy table. */
export interface StepPart {
  name: string;
  /** calls per step (fractional for a kernel called in some steps only) */
  calls: number;
  /** µs per step (all its calls) */
  us: number;
}

export interface KernelTotal {
  calls: number;
  ms: number;
}

/** Names a call for the record; default: the export's name. */
export type TraceLabel = (name: string, args: readonly number[]) => string;

/** Wraps every function of a wasm exports object; `memory` (and any other value) passes through. */
export function traceKernels(
  k: WasmKernels,
  record: (label: string, ms: number) => void,
  label?: TraceLabel,
): WasmKernels {
  const traced: Record<string, unknown> = {};
  for (const name of Object.keys(k)) {
    const v = (k as unknown as Record<string, unknown>)[name];
    if (typeof v !== "function") {
      traced[name] = v;
      continue;
    }
    const f = v as (...a: number[]) => unknown;
    traced[name] = label
      ? (...args: number[]) => {
          const t0 = performance.now();
          const r = f(...args);
          record(label(name, args), performance.now() - t0);
          return r;
        }
      : (...args: number[]) => {
          const t0 = performance.now();
          const r = f(...args);
          record(name, performance.now() - t0);
          return r;
        };
  }
  return traced as unknown as WasmKernels;
}

export class KernelTrace {
  /** The traced runtime: build models on it. */
  readonly runtime: Runtime;
  /** One map per training step, in order; keys in the order of their first call. */
  readonly steps: Map<string, KernelTotal>[] = [];
  private window = new Map<string, KernelTotal>();

  private constructor(kernels: WasmKernels, label?: TraceLabel) {
    this.runtime = new Runtime(traceKernels(kernels, (l, ms) => this.record(l, ms), label));
  }

  /** Loads the kernels (as `ready()` does) into a new traced runtime. */
  static async load(label?: TraceLabel): Promise<KernelTrace> {
    // A fresh instance of its own: the untraced runtime below only supplies the exports object and
    // never allocates, so the traced runtime's allocator owns the whole memory.
    const base = await Runtime.load();
    return new KernelTrace(base.k, label);
  }

  private record(label: string, ms: number): void {
    const t = this.window.get(label);
    if (t) {
      t.calls++;
      t.ms += ms;
    } else this.window.set(label, { calls: 1, ms });
  }

  /** Closes the current window as one step. */
  endStep(): void {
    this.steps.push(this.window);
    this.window = new Map();
  }

  /** Drops what was recorded since the last step (work outside the training step). */
  discard(): void {
    this.window = new Map();
  }

  /** Forgets every step recorded so far. */
  clear(): void {
    this.steps.length = 0;
    this.discard();
  }

  /** A fit callback: a step ends at each onBatchEnd; work at the epoch's edges is dropped. */
  callback(): Callback {
    return {
      onTrainBegin: () => this.discard(),
      onEpochBegin: () => this.discard(),
      onBatchEnd: () => this.endStep(),
      onEpochEnd: () => this.discard(),
    };
  }

  /**
   * Per-kernel µs per step over the recorded steps after the first `skip` (warm-up): a kernel
   * called in every step gets its median over the steps (robust to a disturbed step on a shared
   * machine); one called in some steps only (Adam's periodic moment flush) its mean, amortized, and
   * a fractional call count. Rows in the order of the kernels' first calls.
   */
  parts(skip = 0, rename: (label: string) => string = (l) => l): StepPart[] {
    const steps = this.steps.slice(skip);
    if (!steps.length) throw new Error(`no traced steps after skipping ${skip}`);
    const labels: string[] = [];
    for (const s of steps) for (const l of s.keys()) if (!labels.includes(l)) labels.push(l);
    return labels.map((l) => {
      const seen = steps.map((s) => s.get(l)).filter((t): t is KernelTotal => t !== undefined);
      const calls = seen.reduce((a, t) => a + t.calls, 0) / steps.length;
      const us =
        seen.length === steps.length
          ? median(seen.map((t) => t.ms * 1000))
          : (seen.reduce((a, t) => a + t.ms, 0) * 1000) / steps.length;
      return { name: rename(l), calls, us };
    });
  }

  /** Median wall time of the traced steps' kernels (µs), for a log line. */
  stepsUs(skip = 0): number {
    return median(this.steps.slice(skip).map((s) => [...s.values()].reduce((a, t) => a + t.ms, 0) * 1000));
  }
}

/** A calls-per-step cell: an integer, or the mean for a kernel called every few steps. */
export function callsPerStep(calls: number): string {
  return Number.isInteger(calls) ? String(calls) : calls.toFixed(2);
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
