// Data-parallel training on worker_threads (docs/design/threads.md). One shared WebAssembly.Memory
// holds everything; the shared-memory build is compiled once and instantiated in this thread and
// in each worker, all importing that memory. A step: this thread writes each worker's slice into
// its job record and bumps a generation counter (Atomics.notify), computes slice 0 itself, then
// sleeps in Atomics.wait until every worker has bumped the done counter. Workers sleep in
// Atomics.wait between steps: blocking, never spinning, because a spinning thread whose vCPU is
// descheduled costs the other one its whole time slice on these VMs.
import { BsfnetError, ConfigError, WasmLoadError } from "../errors.js";
import type { Layer } from "../layers/layer.js";
import type { BatchPlan } from "../model/plan.js";
import type { PartSync } from "../model/parts.js";
import type { WasmKernels } from "./abi.js";
import { instantiateModule } from "./instantiate.js";
import { Runtime } from "./runtime.js";

/** A worker failed (threw, or exited) during training or a threaded predict; the message names the thread. */
export class ThreadError extends BsfnetError {}

export type ThreadsOption = number | "auto";

let cores: number | undefined;

/** Cores this process may use (os.availableParallelism), 1 where that is unknown. */
export async function availableThreads(): Promise<number> {
  if (cores !== undefined) return cores;
  try {
    const os = await import("node:os");
    cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  } catch {
    cores = 1;
  }
  return cores;
}

/** A `threads` option checked: an integer from 1 to the available cores, or "auto". */
export function checkThreads(value: unknown, available: number, where = "fit: option threads"): ThreadsOption {
  if (value === undefined) return 1;
  if (value === "auto") return "auto";
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > available) {
    throw new ConfigError(
      `${where} must be an integer from 1 to ${available} (the cores available) or "auto", got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Why threads cannot be used here, or undefined when they can. */
export function sharedMemoryUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer === "undefined")
    return "SharedArrayBuffer is not available (a browser page needs cross-origin isolation)";
  if (typeof Atomics === "undefined" || typeof Atomics.wait !== "function") return "Atomics.wait is not available";
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return "training threads use Node's worker_threads";
  return undefined;
}

// --- choosing the thread count ("auto")

/** Multiply-adds of one training step, about 3x the forward's (forward, input and weight
 * gradients): 2 FLOPs per weight of a kernel per output position. Element-wise layers count one
 * FLOP per value, which is noise beside the products but keeps a kernel-less net above zero. */
export function stepFlops(layers: readonly Layer[], B: number): number {
  let f = 0;
  for (const l of layers) {
    const kernel = l.params.find((p) => p.name === "kernel");
    if (kernel) {
      const outChannels = l.outputShape[l.outputShape.length - 1];
      f += 2 * kernel.size * (l.outputSize / outChannels);
    } else f += l.outputSize;
  }
  return 3 * B * f;
}

/** Figures of the decision, from these 2-core VMs: a one-thread step runs at 30 GFLOP/s or more
 * by stepFlops' count (bench/train/threads.ts prints it: about 30 on the Musk2 MLP, more on the
 * Table 6 CNN, whose Winograd convolutions do fewer multiplies than counted), two barriers cost
 * about 70 us (issue 12), and the reduction reads two and writes two floats per parameter per extra
 * thread (1.2M floats, the Table 6 CNN's, in 0.22 ms: about 40 GB/s from cache; taken at half). */
const FLOPS_PER_SECOND = 30e9;
const BARRIERS_SECONDS = 70e-6;
const REDUCE_BYTES_PER_SECOND = 20e9;
/** two threads only when the estimate says at least this speed-up (the estimate is rough) */
const AUTO_MIN_SPEEDUP = 1.3;

export interface ThreadChoice {
  threads: number;
  /** the estimate behind it, for History and verbose output */
  reason: string;
}

/** The most threads t from 2 up to `limit` whose estimated time `time(t)` beats one thread's `one`
 * by `minSpeedup` (the fastest such t); 1 and `one` when none does. Training and predict differ only
 * in what a thread more costs. */
function fastestThreads(
  one: number,
  limit: number,
  minSpeedup: number,
  time: (t: number) => number,
): { best: number; bestTime: number } {
  let best = 1;
  let bestTime = one;
  for (let t = 2; t <= limit; t++) {
    const tt = time(t);
    if (tt * minSpeedup <= one && tt < bestTime) {
      best = t;
      bestTime = tt;
    }
  }
  return { best, bestTime };
}

/** The reason behind an "auto" choice: `work` says what was estimated ("a step", "256 rows"),
 * `cost` what a thread more costs when it does not pay. */
function autoReason(
  best: number,
  bestTime: number,
  one: number,
  available: number,
  work: string,
  cost: string,
): string {
  const us = (s: number) => `${(s * 1e6).toFixed(0)} us`;
  if (best > 1)
    return `auto: ${best} threads (${work} estimated at ${us(one)} on one thread, ${us(bestTime)} on ${best})`;
  if (available < 2) return "auto: 1 thread (one core available)";
  return `auto: 1 thread (${work} estimated at ${us(one)}: too short to pay for ${cost})`;
}

/** "auto": the most threads (up to `available`) whose estimated step time beats one thread by
 * AUTO_MIN_SPEEDUP; else 1. `shared`: whether the threads share the update (a block of
 * UPDATE_SHARE_MIN_FLOATS or more under an elementwise optimizer): then each thread sums a t-th of
 * the gradients, after one more wake-up. */
export function chooseThreads(
  flops: number,
  paramFloats: number,
  B: number,
  available: number,
  shared = paramFloats >= UPDATE_SHARE_MIN_FLOATS,
): ThreadChoice {
  const one = flops / FLOPS_PER_SECOND;
  const reduce = (t: number) => ((t - 1) * 16 * paramFloats) / REDUCE_BYTES_PER_SECOND;
  const { best, bestTime } = fastestThreads(
    one,
    Math.min(available, B),
    AUTO_MIN_SPEEDUP,
    (t) => one / t + BARRIERS_SECONDS + (shared ? PREDICT_WAKE_SECONDS + reduce(t) / t : reduce(t)),
  );
  const cost = `two barriers, about ${(BARRIERS_SECONDS * 1e6).toFixed(0)} us`;
  return { threads: best, reason: autoReason(best, bestTime, one, available, "a step", cost) };
}

// --- choosing the thread count of a predict call ("auto")

/** Multiply-adds of the forward pass on B rows (a third of stepFlops' count). */
export function forwardFlops(layers: readonly Layer[], B: number): number {
  return stepFlops(layers, B) / 3;
}

/** Figures of the inference decision, measured on these 2-core VMs by bench/infer/threads.ts
 * (docs/design/threads.md, "Inference threads"): one thread runs the forward pass at about
 * PREDICT_FLOPS_PER_SECOND by forwardFlops' count (the Musk2 MLP 48, the KDD99 MLP 30, the Table 6
 * CNN 70 with its Winograd convolutions); a two-thread call costs about PREDICT_CALL_SECONDS more
 * than half its work (28-100 us measured: a worker's wake-up, the workers' rows copied in and their
 * outputs out, thread 0's lead); a pool takes about PREDICT_START_SECONDS to start from the built
 * package (50-100 ms measured; 200-350 ms from source under tsx: the workers instantiate the module
 * and rebuild the layers). The resulting crossover: about 120 us of estimated one-thread work. */
export const PREDICT_FLOPS_PER_SECOND = 40e9;
export const PREDICT_CALL_SECONDS = 40e-6;
export const PREDICT_START_SECONDS = 0.05;
/** a worker's wake-up from Atomics.wait on these VMs (typical; it varies with the load) */
export const PREDICT_WAKE_SECONDS = 30e-6;
/** more threads only when the estimate says at least this speed-up */
const PREDICT_MIN_SPEEDUP = 1.2;

export interface PredictChoice extends ThreadChoice {
  /** estimated seconds the chosen count saves on this call against one thread */
  saving: number;
}

/** "auto" for one predict call of `flops` (forwardFlops) over `rows` rows: the most threads (up to
 * `available`) whose estimated time beats one thread by PREDICT_MIN_SPEEDUP; else 1. Worker
 * start-up is not in it: Sequential.predict starts a pool only once the savings it would have
 * had add up to the start-up cost (a ski rental: at most twice the better of never and at once). */
export function choosePredictThreads(flops: number, rows: number, available: number): PredictChoice {
  const one = flops / PREDICT_FLOPS_PER_SECOND;
  const { best, bestTime } = fastestThreads(
    one,
    Math.min(available, rows),
    PREDICT_MIN_SPEEDUP,
    (t) => one / t + PREDICT_CALL_SECONDS,
  );
  const cost = `waking a thread, about ${(PREDICT_CALL_SECONDS * 1e6).toFixed(0)} us`;
  const reason = autoReason(best, bestTime, one, available, `${rows} rows`, cost);
  return { threads: best, reason, saving: one - bestTime };
}

/** A shared step (partSteps, model/parts.ts) must have this many multiply-adds by forwardFlops' count
 * (2 per weight per output position): half of it must save more than a worker's wake-up. */
export const PART_MIN_FLOPS = PREDICT_WAKE_SECONDS * PREDICT_FLOPS_PER_SECOND;

/** "auto" for a call too short to split by rows whose forward has steps that cut into parts
 * (`stepFlops`: each such step's forwardFlops; `flops`: the whole forward's): the most threads
 * whose estimate (each step's work shared, plus a wake-up per step and one to start) beats one
 * thread by PREDICT_MIN_SPEEDUP; else 1. */
export function choosePartsThreads(flops: number, stepFlops: readonly number[], available: number): PredictChoice {
  const one = flops / PREDICT_FLOPS_PER_SECOND;
  const shared = stepFlops.reduce((a, b) => a + b, 0) / PREDICT_FLOPS_PER_SECOND;
  const { best, bestTime } = fastestThreads(
    one,
    available,
    PREDICT_MIN_SPEEDUP,
    (t) => one - shared + shared / t + (stepFlops.length + 1) * PREDICT_WAKE_SECONDS,
  );
  const cost = `a wake-up per shared layer, about ${(PREDICT_WAKE_SECONDS * 1e6).toFixed(0)} us`;
  const reason = autoReason(best, bestTime, one, available, "a call of its layers", cost);
  return { threads: best, reason, saving: one - bestTime };
}

// --- the shared-memory runtime

export interface ThreadRuntime {
  rt: Runtime;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

let shared: Promise<ThreadRuntime> | undefined;

/** The build this engine validates: relaxed SIMD first, as ready() chooses (BSFNET_WASM=simd128
 * forces SIMD128). */
async function threadModule(): Promise<WebAssembly.Module> {
  const fs = await import("node:fs/promises");
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BSFNET_WASM;
  const names = env === "simd128" ? ["bsfnet.threads.wasm"] : ["bsfnet.relaxed-threads.wasm", "bsfnet.threads.wasm"];
  for (const dir of ["../../build/", "../../../build/"]) {
    for (const n of names) {
      let bytes: Uint8Array;
      try {
        bytes = await fs.readFile(new URL(dir + n, import.meta.url));
      } catch {
        continue;
      }
      if (WebAssembly.validate(bytes as unknown as BufferSource))
        return WebAssembly.compile(bytes as unknown as BufferSource);
    }
  }
  throw new WasmLoadError(
    "cannot find build/bsfnet.threads.wasm (the shared-memory build training threads need): run `npm run asbuild`",
  );
}

function sharedMemory(): WebAssembly.Memory {
  // The build declares at most 65536 pages (4 GiB); a smaller maximum is a valid import where the
  // address space is short.
  let last: unknown;
  for (const maximum of [65536, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: 2, maximum, shared: true });
    } catch (e) {
      last = e;
    }
  }
  throw new ConfigError(`cannot create shared wasm memory for training threads: ${(last as Error)?.message}`);
}

/** The process-wide runtime over shared memory that threaded training uses (created once). The
 * module's only data segments are the standard library's read-only math tables in page 0, below
 * every arena (memory.ts), so a worker's instantiation rewrites the same bytes and nothing else;
 * workers are instantiated before any step runs. */
export function threadRuntime(): Promise<ThreadRuntime> {
  const why = sharedMemoryUnavailable();
  if (why) return Promise.reject(new ConfigError(`threads > 1 cannot be used here: ${why}`));
  shared ??= threadModule().then((module) => {
    const memory = sharedMemory();
    return { rt: new Runtime(instantiateModule(module, memory)), module, memory };
  });
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

// --- the pool

/** Control block (i32 indices): the generation this thread bumps to start a step, the count of
 * workers done with it, the command, then one job record of JOB ints per thread. */
const GEN = 0;
const DONE = 1;
const CMD = 2;
export const CMD_STEP = 1;
export const CMD_QUIT = 2;
export const CMD_PREDICT = 3;
export const CMD_UPDATE = 4;
export const CMD_PARTS = 5;
/** ctl index a shared inference forward counts its ready steps in (thread 0 -> workers) */
export const READY = 3;
/** how long thread 0 waits for a worker's part before it calls the worker lost */
const PART_TIMEOUT_MS = 10_000;
const HEAD = 4;
const JOB = 8;
/** job record fields */
export const J = { B: 0, row0: 1, input: 2, labels: 3, seed: 4, step: 5, total: 6, status: 7 } as const;
/** a predict job: the call's rows (n), the one-thread call size (bs) and thread 0's lead, from
 * which each worker finds its pieces (predictPieces); where row 0 is (input: the workers' rows at
 * their own offsets) and where row 0's outputs go */
export const P = { n: J.B, bs: J.row0, input: J.input, output: J.labels, lead: J.seed, status: J.status } as const;

/** What a worker needs to rebuild the model's layers and find every buffer in shared memory. */
export interface WorkerSetup {
  /** train: trainSlice on CMD_STEP; predict: LayerStack.predict on CMD_PREDICT (no gradients) */
  mode: "train" | "predict";
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  index: number;
  threads: number;
  ctl: number;
  results: number;
  inputShape: number[];
  layers: { className: string; config: Record<string, unknown> }[];
  regression: boolean;
  /** per parameter in layer order: [value pointer, this thread's gradient pointer (0: predict)] */
  params: [number, number][];
  plan: BatchPlan;
  /** train, when the pool shares the parameter update: this worker's floats [lo, hi) of the block,
   * every thread's gradient block (thread order), the values and slots, the optimizer to rebuild,
   * and where thread 0 writes each step's learning rate and step number (two f64) */
  update?: {
    optimizer: { className: string; config: Record<string, unknown> };
    params: number;
    slots: number[];
    grads: number[];
    lo: number;
    hi: number;
    record: number;
  };
  /** this thread's own scratch block (bytes 0 today): a kernel that keeps a scratch pointer in a
   * wasm global (globals are per instance) is pointed at it in thread-worker.ts */
  scratch: { ptr: number; bytes: number };
}

export interface PoolModel {
  /** default "train" */
  mode?: "train" | "predict";
  inputShape: number[];
  layers: { className: string; config: Record<string, unknown> }[];
  regression: boolean;
  /** the main block's parameters (value and gradient pointers, layer order) */
  params: { ptr: number; grad: number }[];
  /** the gradient block (its first float) and its length (predict: unused, 0) */
  grads: number;
  floats: number;
  /** a batch plan for each worker, sized for its largest slice */
  plan: (rt: Runtime) => BatchPlan;
  scratchBytes?: number;
  /** train: share the parameter update with the workers (updateRanges); absent: thread 0 does it */
  update?: UpdateShare;
}

/** What the workers need to take part in the parameter update (gradient sum and optimizer step). */
export interface UpdateShare {
  /** an elementwise optimizer's className and config (makeOptimizer rebuilds it in each worker) */
  optimizer: { className: string; config: Record<string, unknown> };
  /** the parameter block's values and optimizer slots (their first floats) */
  params: number;
  slots: number[];
  /** [lo, hi) floats of the block that worker t updates, at index t - 1 (updateRanges) */
  ranges: [number, number][];
}

/** Below this many floats in the parameter block thread 0 updates it alone. Sharing the update
 * costs a worker's wake-up (about PREDICT_WAKE_SECONDS) and saves (T - 1) / T of the update: the
 * gradient sum and an Adam step move about 44 bytes a float, which at REDUCE_BYTES_PER_SECOND is
 * about 140 us for 64k floats on one thread, half of it saved on two, against a wake-up of about
 * 30 us. The Musk2 MLP (169k floats) gains from it (docs/design/threads.md). */
export const UPDATE_SHARE_MIN_FLOATS = 1 << 16;

/** The floats of a parameter block of F floats each of T - 1 workers updates beside thread 0: one
 * contiguous range each, about F / T floats, cut at 4-float boundaries from the end of the block's
 * longest run of parameters that are not pinned. Pinned ones (an L1 penalty or a clip: thread 0
 * adds the penalty's gradient after the sum and clips after the step, as one thread does) stay with
 * thread 0. Undefined when F < UPDATE_SHARE_MIN_FLOATS or the run leaves a worker too little. */
export function updateRanges(
  params: readonly { offset: number; floats: number; pinned: boolean }[],
  F: number,
  T: number,
): [number, number][] | undefined {
  if (T < 2 || F < UPDATE_SHARE_MIN_FLOATS) return undefined;
  let best: [number, number] = [0, 0];
  let run: [number, number] | undefined;
  const sorted = [...params].sort((a, b) => a.offset - b.offset);
  for (const p of sorted) {
    if (p.pinned) {
      run = undefined;
      continue;
    }
    if (run && run[1] === p.offset) run[1] = p.offset + p.floats;
    else run = [p.offset, p.offset + p.floats];
    if (run[1] - run[0] > best[1] - best[0]) best = [run[0], run[1]];
  }
  const each = Math.floor(Math.min(best[1] - best[0], ((T - 1) * F) / T) / (T - 1) / 4) * 4;
  if (each * T < UPDATE_SHARE_MIN_FLOATS) return undefined;
  return Array.from({ length: T - 1 }, (_, i): [number, number] => [best[1] - (i + 1) * each, best[1] - i * each]);
}

/** Floats [lo, hi) of every thread's gradient block (`grads`, thread order) summed into thread
 * 0's in thread order, the others zeroed: thread 0 (ThreadPool.reduce) and a worker (its range of
 * a shared update) run the same sum. */
export function reduceRange(k: WasmKernels, grads: readonly number[], lo: number, hi: number): void {
  for (let t = 1; t < grads.length; t++) k.grad_reduce(grads[0] + lo * 4, grads[t] + lo * 4, hi - lo, 1);
}

/** [0, F) without the workers' ranges: thread 0's pieces of the update, in block order. */
export function complementRanges(ranges: readonly [number, number][], F: number): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > at) out.push([at, lo]);
    at = Math.max(at, hi);
  }
  if (at < F) out.push([at, F]);
  return out;
}

type WorkerLike = import("node:worker_threads").Worker;
const roleOf = (mode: "train" | "predict") => (mode === "train" ? "training thread" : "inference thread");
type PortLike = import("node:worker_threads").MessagePort;

/** Slice t of a batch of B rows over T threads: the first B % T slices get one row more. */
export function sliceOf(B: number, T: number, t: number): { B: number; row0: number } {
  const base = Math.floor(B / T);
  const extra = B % T;
  return { B: base + (t < extra ? 1 : 0), row0: t * base + Math.min(t, extra) };
}

/** Split points of a predict call lie at multiples of PREDICT_ALIGN rows from the start of a
 * one-thread call, and a piece has PREDICT_MIN_PIECE rows or more unless it is the whole call. Why:
 * a row's bits depend on where in a kernel call it lies, not on the other rows' values. The GEMMs
 * compute rows in tiles of 4 and the last M % 4 rows of a call by edge tiles, which in the relaxed
 * build round differently (fused against unfused multiply-adds), and a large product takes the
 * packed path only from 16 rows. A piece that starts on a multiple of 4 of the one-thread call and
 * ends on one or at the call's end, 16 rows or more, puts every row in the same tile or edge, on the
 * same path, as one thread does. */
export const PREDICT_ALIGN = 4;
export const PREDICT_MIN_PIECE = 16;

const roundTo = (v: number, a: number) => Math.round(v / a) * a;
const upTo = (v: number, a: number) => Math.ceil(v / a) * a;

/** What each of T threads computes of a predict call of n rows that one thread runs as calls of
 * `bs` rows ([k bs, (k + 1) bs)): one piece of every such call, cut at multiples of PREDICT_ALIGN
 * from its start, a piece either empty, the whole call, or PREDICT_MIN_PIECE rows or more (so a
 * call of fewer than twice that stays on one thread).
 * Thread 0 starts at once, a worker only when woken, so thread 0 takes `lead` rows more of the
 * first call (what it computes in a wake-up): the workers then tend to finish first and thread 0
 * finds them done instead of sleeping until the last one wakes it. Result: pieces[t] in row order. */
export function predictPieces(n: number, bs: number, T: number, lead: number): { row0: number; B: number }[][] {
  const out: { row0: number; B: number }[][] = Array.from({ length: T }, () => []);
  for (let k = 0; k * bs < n; k++) {
    const start = k * bs;
    const L = Math.min(bs, n - start);
    // at most a quarter of the call: the workers get rows even on a net whose rows cost next to nothing
    const extra = k === 0 ? Math.max(0, Math.min(lead, Math.floor(L / 4))) : 0;
    let prev = 0;
    for (let t = 0; t < T && prev < L; t++) {
      let cut = t === T - 1 ? L : roundTo(extra + ((L - extra) * (t + 1)) / T, PREDICT_ALIGN);
      cut = Math.max(cut, prev + PREDICT_MIN_PIECE);
      if (L - cut < PREDICT_MIN_PIECE) cut = L;
      if (cut > prev) out[t].push({ row0: start + prev, B: cut - prev });
      prev = cut;
    }
  }
  return out;
}

/** Rows a thread's predict plan holds so that every piece predictPieces gives it is one call (a
 * worker: lead 0), a multiple of PREDICT_ALIGN so that a longer piece splits on an aligned row. */
export function predictPlanRows(bs: number, T: number, lead: number): number {
  const rows = Math.ceil(bs / T) + 2 * PREDICT_MIN_PIECE + Math.ceil(lead);
  return Math.min(upTo(bs, PREDICT_ALIGN), upTo(rows, PREDICT_ALIGN));
}

export class ThreadPool {
  readonly threads: number;
  readonly mode: "train" | "predict";
  /** each worker's gradient block (index 0 unused: thread 0's is the model's own) */
  readonly grads: number[];
  private readonly rt: Runtime;
  private readonly ctlPtr: number;
  private readonly resultsPtr: number;
  private readonly workers: WorkerLike[];
  private readonly ports: PortLike[];
  private readonly receive: (port: PortLike) => { message: unknown } | undefined;
  private readonly blocks: { ptr: number; bytes: number }[];
  private readonly floats: number;
  /** where thread 0 writes a shared update's learning rate and step (0: the update is not shared) */
  private readonly record: number;
  /** thread 0's pieces of a shared update (the whole block when it is not shared) */
  readonly ownRanges: [number, number][];
  private exited?: string;
  private exitSignal: Promise<void>;
  private closed = false;

  private constructor(init: {
    rt: Runtime;
    mode: "train" | "predict";
    threads: number;
    ctl: number;
    results: number;
    workers: WorkerLike[];
    ports: PortLike[];
    grads: number[];
    blocks: { ptr: number; bytes: number }[];
    floats: number;
    record: number;
    ownRanges: [number, number][];
    receive: (port: PortLike) => { message: unknown } | undefined;
    exitSignal: Promise<void>;
  }) {
    this.rt = init.rt;
    this.mode = init.mode;
    this.threads = init.threads;
    this.ctlPtr = init.ctl;
    this.resultsPtr = init.results;
    this.workers = init.workers;
    this.ports = init.ports;
    this.grads = init.grads;
    this.blocks = init.blocks;
    this.floats = init.floats;
    this.record = init.record;
    this.ownRanges = init.ownRanges;
    this.receive = init.receive;
    this.exitSignal = init.exitSignal;
  }

  /** Start `threads - 1` workers over the shared runtime and wait until each has instantiated
   * the module and built the layers (a worker that fails to start rejects here). A predict pool's
   * workers are unref'd: idle, they do not keep the process alive; they live until close(). */
  static async start(tr: ThreadRuntime, threads: number, model: PoolModel): Promise<ThreadPool> {
    const wt = await import("node:worker_threads");
    const { rt } = tr;
    const mode = model.mode ?? "train";
    const role = roleOf(mode);
    const blocks: { ptr: number; bytes: number }[] = [];
    const take = (bytes: number) => {
      const ptr = rt.alloc(bytes);
      blocks.push({ ptr, bytes });
      return ptr;
    };
    const ctl = take((HEAD + JOB * threads) * 4);
    const results = take(16 * threads);
    const share = mode === "train" ? model.update : undefined;
    const record = share ? take(16) : 0;
    const grads = [model.grads];
    for (let t = 1; t < threads; t++) {
      // inference needs no gradients: its workers' parameters point at values only
      grads.push(mode === "train" ? take(model.floats * 4) : 0);
    }
    const setups: WorkerSetup[] = [];
    for (let t = 1; t < threads; t++) {
      const g = grads[t];
      const plan = model.plan(rt);
      blocks.push({ ptr: plan.ptr, bytes: plan.bytes });
      const scratchBytes = model.scratchBytes ?? rt.k.gemm_workspace_bytes();
      setups.push({
        mode,
        module: tr.module,
        memory: tr.memory,
        index: t,
        threads,
        ctl,
        results,
        inputShape: model.inputShape,
        layers: model.layers,
        regression: model.regression,
        params: model.params.map((p) => [p.ptr, mode === "train" ? g + (p.grad - model.grads) : 0]),
        plan,
        scratch: { ptr: scratchBytes ? take(scratchBytes) : 0, bytes: scratchBytes },
        update: share && {
          optimizer: share.optimizer,
          params: share.params,
          slots: share.slots,
          grads,
          lo: share.ranges[t - 1][0],
          hi: share.ranges[t - 1][1],
          record,
        },
      });
    }
    const ts = import.meta.url.endsWith(".ts");
    const url = new URL(ts ? "./thread-worker.ts" : "./thread-worker.js", import.meta.url);
    // From source (tsx, vitest) the worker registers tsx's loader before importing the worker file;
    // the built package runs the compiled .js directly.
    const boot = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`;
    const workers: WorkerLike[] = [];
    const ports: PortLike[] = [];
    let onExit: (why: string) => void = () => {};
    const exitSignal = new Promise<void>((resolve) => {
      onExit = () => resolve();
    });
    const pool = new ThreadPool({
      rt,
      mode,
      threads,
      ctl,
      results,
      workers,
      ports,
      grads,
      blocks,
      floats: model.floats,
      record,
      ownRanges: share ? complementRanges(share.ranges, model.floats) : [[0, model.floats]],
      receive: wt.receiveMessageOnPort as ThreadPool["receive"],
      exitSignal,
    });
    const started = setups.map((setup) => {
      const channel = new wt.MessageChannel();
      ports.push(channel.port1);
      const opts = { workerData: { setup, port: channel.port2 }, transferList: [channel.port2] };
      const w = ts ? new wt.Worker(boot, { ...opts, eval: true }) : new wt.Worker(url, opts);
      workers.push(w);
      return new Promise<void>((resolve, reject) => {
        w.once("message", (m: { ready?: true; error?: string }) => {
          if (m.ready) resolve();
          else reject(new ThreadError(`${role} ${setup.index}: ${m.error}`));
        });
        w.on("error", (e) => {
          pool.exited ??= `${role} ${setup.index} failed: ${e.message}`;
          onExit(pool.exited);
          reject(new ThreadError(pool.exited));
        });
        w.on("exit", (code) => {
          if (pool.closed) return;
          pool.exited ??= `${role} ${setup.index} exited (code ${code}) during ${mode === "train" ? "training" : "predict"}`;
          onExit(pool.exited);
          reject(new ThreadError(pool.exited));
        });
      });
    });
    try {
      await Promise.all(started);
    } catch (e) {
      await pool.close();
      throw e;
    }
    if (mode === "predict") pool.idle();
    return pool;
  }

  /** Let the process exit while the workers sleep (a predict pool between calls). */
  private idle(): void {
    for (const w of this.workers) w.unref();
    for (const p of this.ports) p.unref();
  }

  private get ctl(): Int32Array {
    return this.rt.i32(this.ctlPtr, HEAD + JOB * this.threads);
  }

  private job(t: number): Int32Array {
    return this.rt.i32(this.ctlPtr + (HEAD + JOB * t) * 4, JOB);
  }

  /** Wake every worker on its slice of a batch of B rows whose inputs and labels (or target rows)
   * are at `input` / `labels` (rows of rowBytes / labelBytes). */
  begin(B: number, input: number, labels: number, rowBytes: number, labelBytes: number, seed: number, step: number) {
    if (this.exited) throw new ThreadError(this.exited);
    for (let t = 1; t < this.threads; t++) {
      const s = sliceOf(B, this.threads, t);
      const j = this.job(t);
      j[J.B] = s.B;
      j[J.row0] = s.row0;
      j[J.input] = input + s.row0 * rowBytes;
      j[J.labels] = labels + s.row0 * labelBytes;
      j[J.seed] = seed | 0;
      j[J.step] = step | 0;
      j[J.total] = B;
      j[J.status] = 0;
    }
    this.wake(CMD_STEP);
  }

  /** Wake every worker on its pieces of a predict call (predictPieces(n, bs, threads, lead)) of
   * rows at `input` and outputs to `output` (row 0's; rows and outputs of every row at their own
   * offsets); a worker without rows only reports done. */
  beginPredict(call: { n: number; bs: number; lead: number; input: number; output: number }): void {
    if (this.exited) throw new ThreadError(this.exited);
    for (let t = 1; t < this.threads; t++) {
      const j = this.job(t);
      j[P.n] = call.n;
      j[P.bs] = call.bs;
      j[P.lead] = call.lead;
      j[P.input] = call.input;
      j[P.output] = call.output;
      j[P.status] = 0;
    }
    this.wake(CMD_PREDICT);
  }

  /** Every worker on command `cmd` (its job records written): the done count zeroed, the
   * generation bumped, the sleepers woken. */
  private wake(cmd: number): void {
    const ctl = this.ctl;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CMD, cmd);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
  }

  /** Whether the workers take part in the parameter update (beginUpdate). */
  get sharesUpdate(): boolean {
    return this.record !== 0;
  }

  /** Wake every worker on its range of the parameter update of step `t` (from 1) at learning rate
   * `learningRate`: the gradient sum over its range, then the optimizer step there. Thread 0 then
   * updates `ownRanges` and waits in endUpdate. */
  beginUpdate(t: number, learningRate: number): void {
    if (this.exited) throw new ThreadError(this.exited);
    const rec = new Float64Array(this.rt.memory.buffer, this.record, 2);
    rec[0] = learningRate;
    rec[1] = t;
    for (let w = 1; w < this.threads; w++) this.job(w)[J.status] = 0;
    this.wake(CMD_UPDATE);
  }

  /** Wake every worker on a shared inference forward (forwardParts) whose step table
   * (writePartTable, model/parts.ts) is at `table`; returns thread 0's side of its barriers: `ready(s)` lets the
   * workers start step s, `wait(s)` blocks (Atomics.wait) until each has reported it (a worker
   * lost for PART_TIMEOUT_MS is a ThreadError), `check()` is a ThreadError if a worker failed. */
  beginParts(table: number): PartSync {
    if (this.exited) throw new ThreadError(this.exited);
    for (let t = 1; t < this.threads; t++) {
      const j = this.job(t);
      j[P.input] = table;
      j[P.status] = 0;
    }
    const ctl = this.ctl;
    Atomics.store(ctl, READY, 0);
    this.wake(CMD_PARTS);
    const workers = this.threads - 1;
    return {
      ready: (s) => {
        Atomics.store(ctl, READY, s + 1);
        Atomics.notify(ctl, READY);
      },
      wait: (s) => {
        const want = (s + 1) * workers;
        const t0 = Date.now();
        for (;;) {
          const d = Atomics.load(ctl, DONE);
          if (d >= want) break;
          if (this.exited) throw new ThreadError(this.exited);
          if (Date.now() - t0 > PART_TIMEOUT_MS)
            throw new ThreadError(`${roleOf(this.mode)}: no part of step ${s} after ${PART_TIMEOUT_MS / 1000} s`);
          Atomics.wait(ctl, DONE, d, 100);
        }
      },
      check: () => this.checkJobs(),
    };
  }

  /** Wait until every worker finished its range of the update. */
  async endUpdate(): Promise<void> {
    await this.waitDone();
    this.checkJobs();
  }

  /** Wait until every worker finished the step; returns their [loss, correct] in thread order. */
  async end(): Promise<[number, number][]> {
    await this.waitDone();
    this.checkJobs();
    const out: [number, number][] = [];
    const res = new Float64Array(this.rt.memory.buffer, this.resultsPtr, 2 * this.threads);
    for (let t = 1; t < this.threads; t++) out.push([res[2 * t], res[2 * t + 1]]);
    return out;
  }

  private checkJobs(): void {
    for (let t = 1; t < this.threads; t++) {
      if (this.job(t)[J.status] !== 0) {
        const m = this.receive(this.ports[t - 1])?.message as { error?: string } | undefined;
        throw new ThreadError(`${roleOf(this.mode)} ${t}: ${m?.error ?? "failed"}`);
      }
    }
  }

  /** Blocks in Atomics.wait until every worker bumped the done counter; after a second it waits
   * asynchronously instead, so a worker that died (its exit event needs this thread's event loop)
   * ends training with an error, not a hang. */
  private async waitDone(): Promise<void> {
    const ctl = this.ctl;
    const want = this.threads - 1;
    const t0 = Date.now();
    let reffed = false;
    for (;;) {
      const d = Atomics.load(ctl, DONE);
      if (d >= want) break;
      if (this.exited) throw new ThreadError(this.exited);
      if (Date.now() - t0 < 1000) {
        Atomics.wait(ctl, DONE, d, 100);
        continue;
      }
      // an unref'd worker would let the process exit under a pending asynchronous wait
      if (!reffed && this.mode === "predict") {
        reffed = true;
        for (const w of this.workers) w.ref();
      }
      const w = (
        Atomics as unknown as {
          waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<unknown> };
        }
      ).waitAsync(ctl, DONE, d, 1000);
      if (w.async) await Promise.race([w.value, this.exitSignal]);
    }
    if (reffed) for (const w of this.workers) w.unref();
  }

  /** Sum every worker's gradients into the model's (thread order) and zero theirs, over the given
   * float ranges of the block (default: all of it). */
  reduce(ranges: readonly [number, number][] = [[0, this.floats]]): void {
    for (const [lo, hi] of ranges) reduceRange(this.rt.k, this.grads, lo, hi);
  }

  /** Stop and terminate every worker and release the pool's memory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ctl = this.ctl;
    Atomics.store(ctl, CMD, CMD_QUIT);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.ports) p.close();
    for (const b of this.blocks.reverse()) this.rt.release(b.ptr, b.bytes);
  }
}
