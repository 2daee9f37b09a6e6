// A stack of layers trained with a fused softmax + cross-entropy output (Keras' Sequential with
// sparse categorical cross-entropy), or for regression with the mean squared error on a linear
// output. Parameters live in one block of wasm memory; each batch size gets one arena of
// activations; a training step is a fixed sequence of kernel calls.
import { Layer, sizeOf, type Shape } from "../layers/layer.js";
import { initParam } from "../layers/initializers.js";
import { makeOptimizer, stepRange, type Optimizer, type OptimizerSpec } from "../optim/optimizer.js";
import type { BatchPlan, ParamBlock } from "./plan.js";
import { LayerStack } from "./stack.js";
import { forwardParts, partSteps, partTableBytes, writePartTable, type PartStep } from "./parts.js";
import { buildSpec, type BuildOptions } from "./build.js";
import { flatWeights, groupSpec, type ModelSpec } from "./spec.js";
import { assertFinite, toTargets, toX, toY, type TargetInput, type XInput, type YInput } from "./inputs.js";
import { ProgressBar, type Callback, type EpochLogs, type History } from "./callbacks.js";
import { align16, ready, type Runtime } from "../runtime/runtime.js";
import { ConfigError, DivergenceError, ShapeError } from "../errors.js";
import { randomSplit, stratifiedSplit } from "../data/split.js";
import { takeRows } from "../data/dataset.js";
import { Random } from "../util/random.js";
import { argmaxRows } from "../util/argmax.js";
import { trainSlice } from "./slice.js";
import {
  availableThreads,
  checkThreads,
  choosePredictThreads,
  chooseThreads,
  forwardFlops,
  PREDICT_FLOPS_PER_SECOND,
  PREDICT_MIN_PIECE,
  PREDICT_START_SECONDS,
  PREDICT_WAKE_SECONDS,
  predictPieces,
  predictPlanRows,
  sharedMemoryUnavailable,
  sliceOf,
  stepFlops,
  threadRuntime,
  ThreadPool,
  type ThreadsOption,
  type UpdateShare,
  choosePartsThreads,
  PART_MIN_FLOPS,
  type PredictChoice,
  updateRanges,
} from "../runtime/threads.js";

export type LossName = "sparseCategoricalCrossentropy" | "meanSquaredError";

const CLASSIFICATION_LOSSES = ["sparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "crossentropy"];
const REGRESSION_LOSSES = ["meanSquaredError", "mean_squared_error", "mse"];

export interface CompileOptions {
  optimizer?: OptimizerSpec;
  /** Classification (class-index labels, a softmax output) or regression: "meanSquaredError" /
   * "mse" (float targets, n rows of the output width; any output activation but softmax). */
  loss?: LossName | "sparse_categorical_crossentropy" | "crossentropy" | "mean_squared_error" | "mse";
  /** Seed of the initial weights (and the default seed of fit). Default 0. */
  seed?: number;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  validationData?: [XInput, YInput | TargetInput];
  /** Fraction of the training data held out for validation (seeded; stratified by class for a
   * classifier, a plain random split for regression). */
  validationSplit?: number;
  shuffle?: boolean;
  /** Seed of shuffling and of the gates' masks; default: the compile seed. */
  seed?: number;
  callbacks?: Callback[];
  /** 1: progress bar on a terminal (default), 0: silent. */
  verbose?: 0 | 1;
  /** Data-parallel training threads (Node worker_threads over one shared wasm memory; see
   * docs/design/threads.md): 1 (default), up to os.availableParallelism(), or "auto" (more than
   * one only where a step is long enough to pay for the barriers; History.threads says what was
   * used). With more than one the model moves to the shared-memory runtime and stays there. Same
   * seed and thread count give bit-identical weights; another thread count agrees to rounding
   * (the slices' gradients are summed in another order). */
  threads?: ThreadsOption;
}

export interface PredictOptions {
  /** Rows per call of the layer stack on one thread (the activation buffers are sized for it);
   * with threads, each of those calls is cut into one piece per thread (each thread's buffers hold
   * about batchSize / threads rows). Default: the model's inference rows (plan.ts inferenceRows:
   * a call's activations stay cache-sized; 32 rows for the Table 6 CNN, 1,024 for small MLPs). */
  batchSize?: number;
  /** Threads of this call (Node worker_threads over one shared wasm memory; see
   * docs/design/threads.md): 1 (default), up to os.availableParallelism(), or "auto" (more than one
   * only where the call's rows are enough work to pay for waking a thread). Each thread runs the
   * forward pass on its rows against the same weights, each row in the same place of a kernel call
   * as on one thread, so the outputs are the one-thread outputs bit for bit. The workers stay alive between calls (unref'd: they do not keep the
   * process alive) until `closeThreads()` or `dispose()`; with more than one thread the model moves
   * to the shared-memory runtime and stays there. */
  threads?: ThreadsOption;
}

/** What evaluate() returns for a classifier (the default type). */
export interface EvaluateResult {
  loss: number;
  accuracy: number;
}

/** What evaluate() returns for a model compiled with meanSquaredError: `model.evaluate<RegressionResult>(x, t)`. */
export interface RegressionResult {
  /** mse plus the L1 penalties, as trained */
  loss: number;
  /** mean over rows and outputs of the squared error */
  mse: number;
  rmse: number;
  /** 1 - SSE / SST, pooled over the outputs (sklearn's "variance_weighted"; the plain R² for one
   * output); 1 or 0 for a constant target (perfect or not), as sklearn does */
  r2: number;
}

interface DataInWasm {
  x: number;
  /** i32 labels (classification) or f32 target rows (regression) */
  y: number;
  n: number;
  bytes: number;
  /** regression: sum over rows and outputs of (target - its column mean)^2, for R² */
  sst?: number;
}

/** Whether a predict call of n rows (rows per kernel call batchSize) is too short to split by rows
 * and fits in one kernel call: its threads then share the layers that cut into parts instead. */
const sharesLayers = (n: number, batchSize: number): boolean => n < 2 * PREDICT_MIN_PIECE && n <= batchSize;

/** A batchSize option checked; `fallback` when absent (predict: the stack's inference rows). */
function checkBatchSize(value: unknown, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0)
    throw new ConfigError(`${where}: option batchSize must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** Sum of squares about each output's mean (float64), the denominator of R². */
function totalSumOfSquares(t: Float32Array, V: number): number {
  const n = t.length / V;
  let sst = 0;
  for (let v = 0; v < V; v++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += t[i * V + v];
    m /= n;
    for (let i = 0; i < n; i++) sst += (t[i * V + v] - m) ** 2;
  }
  return sst;
}

export interface SequentialOptions {
  inputShape?: number[];
  name?: string;
}

export class Sequential {
  readonly layers: Layer[] = [];
  readonly name: string;
  inputShape?: Shape;
  stopTraining = false;
  private rt?: Runtime;
  private optimizer?: Optimizer;
  private compiled = false;
  /** compiled with meanSquaredError: float targets, the squared error instead of softmax + cross-entropy */
  private regression = false;
  private seed = 0;
  private block?: ParamBlock;
  private stack?: LayerStack;
  /** batch plans by `B` (training: every layer's output kept) and `infer B` (predict: two buffers in turn) */
  private plans = new Map<string, BatchPlan>();
  /** optimizer steps taken so far (Adam's t; also the PRNG stream of the gates) */
  private steps = 0;
  /** the parameters changed since the layers last settled (Layer.settle, before an inference pass) */
  private unsettled = true;
  /** the workers of threaded predict calls, kept between calls, with the rows each thread's
   * plan holds and a staging block for the workers' rows and outputs */
  private inferPool?: { pool: ThreadPool; batchSize: number; staging: { ptr: number; bytes: number } };
  /** threaded predict calls run one at a time: they share the pool's staging block */
  private predictLock: Promise<unknown> = Promise.resolve();
  /** "auto": estimated seconds two threads would have saved so far while no pool runs */
  private autoForgone = 0;

  constructor(layers: Layer[] = [], options: SequentialOptions = {}) {
    this.name = options.name ?? "sequential";
    if (options.inputShape) this.inputShape = [...options.inputShape];
    for (const l of layers) this.add(l);
  }

  add(layer: Layer): this {
    if (this.block) throw new ConfigError(`model ${this.name}: cannot add layers after it is built`);
    if (!(layer instanceof Layer)) throw new ConfigError(`model ${this.name}: add() expects a Layer`);
    if (this.layers.some((l) => l.name === layer.name)) {
      throw new ConfigError(`model ${this.name}: two layers are named ${layer.name}`);
    }
    this.layers.push(layer);
    return this;
  }

  compile(options: CompileOptions = {}): this {
    const loss = options.loss ?? "sparseCategoricalCrossentropy";
    const regression = REGRESSION_LOSSES.includes(loss);
    if (!regression && !CLASSIFICATION_LOSSES.includes(loss)) {
      throw new ConfigError(
        `unknown loss ${JSON.stringify(loss)}: bsfnet trains with sparseCategoricalCrossentropy (classification) or meanSquaredError (regression)`,
      );
    }
    if (options.seed !== undefined && !Number.isInteger(options.seed))
      throw new ConfigError(`seed must be an integer, got ${options.seed}`);
    this.regression = regression;
    this.checkHead();
    this.optimizer = makeOptimizer(options.optimizer);
    this.seed = (options.seed ?? 0) >>> 0;
    this.compiled = true;
    if (this.block) this.allocParams(true);
    return this;
  }

  /** "regression" when compiled with meanSquaredError, else "classification". */
  get task(): "classification" | "regression" {
    return this.regression ? "regression" : "classification";
  }

  /** The squared error of a softmax output is not what anyone means by regression: refuse it
   * (checked at compile, and again before training in case layers were added after). */
  private checkHead(): void {
    const last = this.layers[this.layers.length - 1];
    if (this.regression && last?.outputActivation === "softmax") {
      throw new ConfigError(
        `model ${this.name}: loss meanSquaredError needs a linear output, but layer ${last.name} ends in softmax (give it activation "linear")`,
      );
    }
  }

  get outputLayer(): Layer {
    const l = this.layers[this.layers.length - 1];
    if (!l) throw new ConfigError(`model ${this.name} has no layers`);
    return l;
  }

  /** Number of classes: the output layer's width. */
  get classes(): number {
    return this.outputLayer.outputSize;
  }

  get built(): boolean {
    return this.block !== undefined;
  }

  get runtime(): Runtime {
    if (!this.rt) throw new ConfigError(`model ${this.name} is not built yet: call build() or fit()`);
    return this.rt;
  }

  /** Build every layer, plan parameter memory and initialize weights (seeded). */
  async build(inputShape?: Shape, runtime?: Runtime): Promise<this> {
    this.buildSync(inputShape, runtime ?? (await ready()));
    return this;
  }

  buildSync(inputShape: Shape | undefined, runtime: Runtime): void {
    if (this.block) return;
    const shape = inputShape ?? this.inputShape ?? this.layers[0]?.declaredInputShape;
    if (!shape)
      throw new ConfigError(
        `model ${this.name}: unknown input shape (give inputShape to the first layer or the model)`,
      );
    if (this.layers.length === 0) throw new ConfigError(`model ${this.name} has no layers`);
    this.stack = new LayerStack(this.layers, shape);
    this.rt = runtime;
    this.inputShape = [...shape];
    this.allocParams(false);
  }

  /** A built model from a spec (see `toSpec`), its weights checked against the layers' shapes and
   * loaded; compile it before fit. */
  static fromSpec(spec: ModelSpec, runtime: Runtime, options: BuildOptions = {}): Sequential {
    const { layers } = buildSpec(spec, options);
    const model = new Sequential(layers, { name: spec.name, inputShape: spec.inputShape });
    model.buildSync(spec.inputShape, runtime);
    try {
      model.setWeights(flatWeights(spec));
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** A deep copy of the built model's topology and weights. */
  toSpec(): ModelSpec {
    this.checkBuilt("toSpec");
    const cfg = this.getConfig();
    return groupSpec(cfg.name, this.inputShape!, cfg.layers, this.getWeights(), false);
  }

  private allocParams(reinitSlots: boolean): void {
    const rt = this.runtime;
    const slots = this.optimizer?.slots ?? 2;
    if (this.block && reinitSlots) {
      if (this.block.slots.length === slots) {
        for (const s of this.block.slots) rt.k.fill_f32(s, this.block.floats, 0);
        this.steps = 0;
        return;
      }
      // optimizer changed its slot count: move the weights into a new block
      const saved = this.getWeights();
      const stack = this.stack!;
      this.freeMemory();
      this.stack = stack;
      this.block = stack.placeParams(rt, slots);
      this.setWeights(saved);
      return;
    }
    this.block = this.stack!.placeParams(rt, slots);
    this.unsettled = true;
    this.block.all.forEach((p, i) => {
      initParam(rt, p, this.seed, 0x40000000 + i);
    });
  }

  private plan(B: number, training = true): BatchPlan {
    if (!training && this.unsettled) {
      this.stack!.settle(this.runtime);
      this.unsettled = false;
    }
    const key = training ? `${B}` : `infer ${B}`;
    let p = this.plans.get(key);
    if (!p) {
      p = this.stack!.planBatch(this.runtime, B, training);
      this.plans.set(key, p);
    }
    return p;
  }

  /** Runs the layers on B rows at `input` (default: the plan's input buffer); returns the logits. */
  private forward(plan: BatchPlan, B: number, training: boolean, input = plan.input): number {
    return this.stack!.forward(this.runtime, plan, B, training, input, this.fitSeed, this.steps);
  }

  private fitSeed = 0;

  /** One optimizer step on the batch already in plan.input/labels (regression: the target rows
   * in plan.probs); returns [lossSum, correct] (regression: [lossSum, summed squared error]). */
  private trainStep(plan: BatchPlan, B: number): [number, number] {
    const [loss, correct] = trainSlice(this.runtime, this.stack!, plan, this.slice(plan, B, B, 0));
    return this.finishStep(B, loss, correct);
  }

  /** Rows [row0, row0 + rows) of the batch of B in `plan`, as thread 0 (or the only thread) runs them. */
  private slice(plan: BatchPlan, rows: number, B: number, row0: number) {
    return {
      B: rows,
      total: B,
      row0,
      input: plan.input,
      labels: this.regression ? plan.probs : plan.labels,
      seed: this.fitSeed,
      step: this.steps,
      regression: this.regression,
      penalties: true,
    };
  }

  /** The same step on the pool's threads: slice 0 here, the others on the workers, their
   * gradients summed into the model's in thread order, then one optimizer step. */
  private async threadedStep(pool: ThreadPool, plan: BatchPlan, B: number): Promise<[number, number]> {
    const V = this.classes;
    const rowBytes = this.stack!.inputSize * 4;
    const labels = this.regression ? plan.probs : plan.labels;
    pool.begin(B, plan.input, labels, rowBytes, this.regression ? V * 4 : 4, this.fitSeed, this.steps);
    const first = sliceOf(B, pool.threads, 0);
    let [loss, correct] = trainSlice(this.runtime, this.stack!, plan, this.slice(plan, first.B, B, 0));
    for (const [l, c] of await pool.end()) {
      loss += l;
      correct += c;
    }
    if (!pool.sharesUpdate) {
      pool.reduce();
      return this.finishStep(B, loss, correct);
    }
    // The workers sum and step their ranges of the block while this thread does the rest, the
    // pinned parameters (L1, clip) among them; the penalties are read before any value changes.
    loss += this.penaltySum() * B;
    this.steps++;
    pool.beginUpdate(this.steps, this.optimizer!.learningRate);
    try {
      pool.reduce(pool.ownRanges);
      this.update(pool.ownRanges);
    } finally {
      await pool.endUpdate();
    }
    return [loss, correct];
  }

  /** Penalties, the optimizer step and the constraints, once per step whatever the thread count. */
  private finishStep(B: number, lossSum: number, correct: number): [number, number] {
    const loss = lossSum + this.penaltySum() * B;
    this.steps++;
    this.update([[0, this.block!.floats]]);
    return [loss, correct];
  }

  /** The penalties at the current values: the L1 ones (Param.l1) and each layer's own (a gate's
   * sum P(z > 0)), per sample, as Keras adds them to the batch mean. Reads only. */
  private penaltySum(): number {
    const k = this.runtime.k;
    let penalty = 0;
    for (const p of this.block!.all) if (p.l1) penalty += p.l1 * k.l1_value(p.ptr, p.size);
    for (const l of this.layers) penalty += l.penaltyValue(k);
    return penalty;
  }

  /** The L1 gradients, the optimizer step over `ranges` (floats of the block; an elementwise
   * optimizer gives each float the bits of one step over the whole block) and the clips. The
   * pinned parameters (L1, clip) lie in `ranges` (updateRanges keeps them off the workers'). */
  private update(ranges: readonly [number, number][]): void {
    this.unsettled = true;
    const k = this.runtime.k;
    const block = this.block!;
    const opt = this.optimizer!;
    // a layer's own penalty gradient (a gate's) was added in backward
    for (const p of block.all) if (p.l1) k.l1_backward(p.grad, p.ptr, p.size, p.l1);
    for (const [lo, hi] of ranges) stepRange(opt, k, block, lo, hi, this.steps);
    for (const p of block.all) if (p.clip) k.clip(p.ptr, p.size, p.clip[0], p.clip[1]);
  }

  /** The update split of a pool of T training threads (updateRanges), or undefined where thread 0
   * keeps it: an optimizer that is not elementwise or that a worker cannot rebuild from its config. */
  private updateShare(T: number): UpdateShare | undefined {
    const opt = this.optimizer!;
    if (!opt.elementwise) return undefined;
    const optimizer = { className: opt.className, config: opt.getConfig() };
    try {
      const again = makeOptimizer(optimizer as OptimizerSpec);
      if (again.className !== opt.className || !again.elementwise) return undefined;
    } catch {
      return undefined;
    }
    const block = this.block!;
    const params = block.all.map((p) => ({
      offset: (p.ptr - block.params) / 4,
      floats: align16(p.size * 4) / 4,
      pinned: p.l1 !== undefined || p.clip !== undefined,
    }));
    const ranges = updateRanges(params, block.floats, T);
    return ranges && { optimizer, params: block.params, slots: block.slots, ranges };
  }

  /** Move parameters, gradients and optimizer state to another runtime (the shared-memory one of
   * training threads); batch plans are made again there. */
  private moveTo(rt: Runtime): void {
    const old = this.block!;
    const bytes = this.rt!.u8(old.ptr, old.bytes).slice();
    const slots = old.slots.length;
    this.freeMemory();
    this.stack = new LayerStack(this.layers, this.inputShape!);
    this.rt = rt;
    this.block = this.stack.placeParams(rt, slots);
    // the same layers and slot count give the same layout, so the block copies as it is
    rt.u8(this.block.ptr, this.block.bytes).set(bytes);
    this.unsettled = true;
  }

  /** The thread count fit uses, and for "auto" why. */
  private async threadCount(option: unknown, B: number): Promise<{ threads: number; reason?: string }> {
    const available = await availableThreads();
    const t = checkThreads(option, available);
    if (t !== "auto") return { threads: t };
    const why = sharedMemoryUnavailable();
    if (why) return { threads: 1, reason: `auto: 1 thread (${why})` };
    const shared = this.updateShare(available) !== undefined;
    return chooseThreads(stepFlops(this.layers, B), this.block!.floats, B, available, shared);
  }

  private upload(x: Float32Array, y: Int32Array | Float32Array | undefined, n: number): DataInWasm {
    const rt = this.runtime;
    // y.length is n for labels, n * outputs for target rows
    const bytes = x.length * 4 + (y ? y.length * 4 + 16 : 0) + 16;
    const ptr = rt.alloc(bytes);
    rt.f32(ptr, x.length).set(x);
    const yPtr = y ? ptr + align16(x.length * 4) : 0;
    if (y instanceof Float32Array) {
      rt.f32(yPtr, y.length).set(y);
      return { x: ptr, y: yPtr, n, bytes, sst: totalSumOfSquares(y, this.classes) };
    }
    if (y) rt.i32(yPtr, n).set(y);
    return { x: ptr, y: yPtr, n, bytes };
  }

  /** Class indices, or target rows for a regression model. */
  private targets(y: YInput | TargetInput, n: number, what = "y"): Int32Array | Float32Array {
    return this.regression ? toTargets(y, n, this.classes, what) : toY(y as YInput, n, this.classes, what);
  }

  private checkReady(where: string): void {
    if (!this.compiled) throw new ConfigError(`model ${this.name}: call compile() before ${where}()`);
  }

  private penaltyValue(): number {
    const k = this.runtime.k;
    let s = 0;
    for (const p of this.block!.all) if (p.l1) s += p.l1 * k.l1_value(p.ptr, p.size);
    for (const l of this.layers) s += l.penaltyValue(k);
    return s;
  }

  /** Mean loss (cross-entropy plus penalties) and accuracy over data already in wasm memory. */
  private evaluateUploaded(d: DataInWasm, batchSize: number): EvaluateResult {
    const k = this.runtime.k;
    const plan = this.plan(batchSize);
    const V = this.classes;
    const rowBytes = sizeOf(this.inputShape!) * 4;
    if (this.regression) throw new Error("evaluateUploaded: a regression model goes through evaluateRegression");
    let loss = 0;
    let correct = 0;
    // Evaluation reads the rows in order, so each batch is used where it lies: no gather.
    for (let s = 0; s < d.n; s += batchSize) {
      const B = Math.min(batchSize, d.n - s);
      const labels = d.y + s * 4;
      const logits = this.forward(plan, B, false, d.x + s * rowBytes);
      loss += k.softmax_xent_forward(plan.probs, logits, labels, B, V);
      correct += k.argmax_correct(plan.probs, labels, B, V);
    }
    return { loss: loss / d.n + this.penaltyValue(), accuracy: correct / d.n };
  }

  /** Mean squared error (plus penalties as the loss), RMSE and R² over target rows in wasm memory. */
  private evaluateRegression(d: DataInWasm, batchSize: number): RegressionResult {
    const k = this.runtime.k;
    const plan = this.plan(batchSize);
    const V = this.classes;
    const rowBytes = sizeOf(this.inputShape!) * 4;
    let sum = 0;
    for (let s = 0; s < d.n; s += batchSize) {
      const B = Math.min(batchSize, d.n - s);
      const out = this.forward(plan, B, false, d.x + s * rowBytes);
      sum += k.mse_forward(out, d.y + s * V * 4, B, V);
    }
    const mse = sum / d.n;
    const sse = sum * V; // mse_forward averages each row over its V outputs
    const sst = d.sst!;
    const r2 = sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
    return { loss: mse + this.penaltyValue(), mse, rmse: Math.sqrt(mse), r2 };
  }

  async fit(xIn: XInput, yIn: YInput | TargetInput, options: FitOptions = {}): Promise<History> {
    this.checkReady("fit");
    this.checkHead();
    const inferred = this.inputShape ?? this.layers[0]?.declaredInputShape;
    if (!this.block) {
      let shape = inferred;
      if (!shape && Array.isArray(xIn) && Array.isArray(xIn[0])) shape = [(xIn[0] as number[]).length];
      await this.build(shape);
    }
    const epochs = options.epochs ?? 1;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 0)
      throw new ConfigError(`epochs must be a non-negative integer, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const inSize = sizeOf(this.inputShape!);
    let { data: x, n } = toX(xIn, inSize);
    const V = this.classes;
    let y = this.targets(yIn, n);
    let val: { x: Float32Array; y: Int32Array | Float32Array; n: number } | undefined;
    if (options.validationData) {
      const [vx, vy] = options.validationData;
      const v = toX(vx, inSize, "validation x");
      val = { x: v.data, y: this.targets(vy, v.n, "validation y"), n: v.n };
    } else if (options.validationSplit !== undefined) {
      const f = options.validationSplit;
      if (!(f > 0 && f < 1)) throw new ConfigError(`validationSplit must be in (0, 1), got ${f}`);
      const seed = options.seed ?? this.seed;
      // regression targets have no classes to stratify by
      const { train, validation } = y instanceof Float32Array ? randomSplit(n, f, seed) : stratifiedSplit(y, f, seed);
      const all = y;
      const pick = (idx: Int32Array) => ({
        x: takeRows(x, inSize, idx),
        y: all instanceof Float32Array ? takeRows(all, V, idx) : Int32Array.from(idx, (r) => all[r]),
        n: idx.length,
      });
      val = pick(validation);
      const tr = pick(train);
      x = tr.x;
      y = tr.y;
      n = tr.n;
    }
    const choice = await this.threadCount(options.threads, batchSize);
    let pool: ThreadPool | undefined;
    if (choice.threads > 1) {
      const tr = await threadRuntime();
      if (this.rt !== tr.rt) this.moveTo(tr.rt);
    }
    this.fitSeed = ((options.seed ?? this.seed) ^ 0x9e3779b9) >>> 0;
    const callbacks = [...(options.callbacks ?? [])];
    if ((options.verbose ?? 1) === 1 && ProgressBar.wanted()) callbacks.push(new ProgressBar());
    const batchCallbacks = callbacks.filter((c) => c.onBatchEnd);
    const history: History = {
      epochs: [],
      loss: [],
      accuracy: [],
      valLoss: [],
      valAccuracy: [],
      rmse: [],
      valRmse: [],
      valR2: [],
      gates: {},
      threads: choice.threads,
    };
    if (choice.reason) history.threadsReason = choice.reason;
    const regression = this.regression;
    const gateLayers = this.stack!.gates;
    for (const g of gateLayers) history.gates[g.name] = [];

    const rt = this.runtime;
    const k = rt.k;
    const train = this.upload(x, y, n);
    const valData = val ? this.upload(val.x, val.y, val.n) : undefined;
    const plan = this.plan(batchSize);
    if (choice.threads > 1) {
      const T = choice.threads;
      const stack = this.stack!;
      const block = this.block!;
      try {
        pool = await ThreadPool.start(await threadRuntime(), T, {
          inputShape: [...this.inputShape!],
          layers: this.getConfig().layers,
          regression,
          params: block.all.map((p) => ({ ptr: p.ptr, grad: p.grad })),
          grads: block.grads,
          floats: block.floats,
          plan: (mem) => stack.planBatch(mem, sliceOf(batchSize, T, 0).B),
          update: this.updateShare(T),
        });
      } catch (e) {
        if (valData) rt.release(valData.x, valData.bytes);
        rt.release(train.x, train.bytes);
        throw e;
      }
    }
    const shuffleRng = new Random(this.fitSeed);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const steps = Math.ceil(n / batchSize);
    this.stopTraining = false;
    try {
      const info = { epochs, stepsPerEpoch: steps, samples: n, threads: choice.threads, threadsReason: choice.reason };
      for (const c of callbacks) await c.onTrainBegin?.(info, this);
      for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
        const t0 = performance.now();
        for (const c of callbacks) await c.onEpochBegin?.(epoch, this);
        if (options.shuffle ?? true) shuffleRng.shuffle(order);
        let lossSum = 0;
        let correct = 0;
        for (let s = 0, batch = 0; s < n; s += batchSize, batch++) {
          const B = Math.min(batchSize, n - s);
          rt.i32(plan.idx, B).set(order.subarray(s, s + B));
          k.gather_rows(plan.input, train.x, plan.idx, B, inSize);
          // regression: the batch's target rows go to plan.probs, which only a softmax head uses
          if (regression) k.gather_rows(plan.probs, train.y, plan.idx, B, V);
          else k.gather_i32(plan.labels, train.y, plan.idx, B);
          const [l, c] = pool ? await this.threadedStep(pool, plan, B) : this.trainStep(plan, B);
          if (!Number.isFinite(l)) {
            throw new DivergenceError(
              `training diverged: the loss became ${l} at epoch ${epoch + 1}, batch ${batch + 1}; ` +
                `lower the learning rate, standardize the inputs, or reduce the BSF penalty`,
              epoch,
              batch,
            );
          }
          lossSum += l;
          correct += c;
          const batchLogs = regression
            ? { loss: l / B, rmse: Math.sqrt(c / B), size: B }
            : { loss: l / B, accuracy: c / B, size: B };
          for (const cb of batchCallbacks) await cb.onBatchEnd!(batch, batchLogs, this);
        }
        if (k.has_nonfinite(this.block!.params, this.block!.floats)) {
          throw new DivergenceError(
            `training diverged: a weight became NaN or infinite in epoch ${epoch + 1}`,
            epoch,
            steps,
          );
        }
        const logs: EpochLogs = regression
          ? { loss: lossSum / n, rmse: Math.sqrt(correct / n), gates: {}, seconds: 0 }
          : { loss: lossSum / n, accuracy: correct / n, gates: {}, seconds: 0 };
        if (valData && regression) {
          const r = this.evaluateRegression(valData, batchSize);
          logs.valLoss = r.loss;
          logs.valRmse = r.rmse;
          logs.valR2 = r.r2;
          history.valLoss.push(r.loss);
          history.valRmse.push(r.rmse);
          history.valR2.push(r.r2);
        } else if (valData) {
          const r = this.evaluateUploaded(valData, batchSize);
          logs.valLoss = r.loss;
          logs.valAccuracy = r.accuracy;
          history.valLoss.push(r.loss);
          history.valAccuracy.push(r.accuracy);
        }
        for (const g of gateLayers) {
          const w = rt.f32(g.params[0].ptr, g.params[0].size).slice();
          logs.gates[g.name] = w;
          history.gates[g.name].push(w);
        }
        logs.seconds = (performance.now() - t0) / 1000;
        history.epochs.push(epoch);
        history.loss.push(logs.loss);
        if (regression) history.rmse.push(logs.rmse!);
        else history.accuracy.push(logs.accuracy!);
        for (const c of callbacks) await c.onEpochEnd?.(epoch, logs, this);
      }
      for (const c of callbacks) await c.onTrainEnd?.(history, this);
    } finally {
      await pool?.close();
      if (valData) rt.release(valData.x, valData.bytes);
      rt.release(train.x, train.bytes);
    }
    return history;
  }

  /** Classifier: `{ loss, accuracy }`. Regression (compiled with meanSquaredError): `{ loss, mse,
   * rmse, r2 }`, typed by `model.evaluate<RegressionResult>(x, t)`. */
  async evaluate<R extends EvaluateResult | RegressionResult = EvaluateResult>(
    xIn: XInput,
    yIn: YInput | TargetInput,
    options: { batchSize?: number } = {},
  ): Promise<R> {
    this.checkBuilt("evaluate");
    const { data, n } = toX(xIn, sizeOf(this.inputShape!));
    const y = this.targets(yIn, n);
    const d = this.upload(data, y, n);
    try {
      const batchSize = options.batchSize ?? 256;
      return (this.regression ? this.evaluateRegression(d, batchSize) : this.evaluateUploaded(d, batchSize)) as R;
    } finally {
      this.runtime.release(d.x, d.bytes);
    }
  }

  private checkBuilt(where: string): void {
    if (!this.block)
      throw new ConfigError(`model ${this.name}: ${where}() needs a built model (fit() or build() first)`);
  }

  /** Class probabilities (softmax output) or raw outputs, n rows of `classes` values; with
   * `threads`, the rows split over threads (the same outputs, bit for bit). */
  async predict(xIn: XInput, options: PredictOptions = {}): Promise<Float32Array> {
    this.checkBuilt("predict");
    const batchSize = checkBatchSize(options.batchSize, "predict", this.stack!.inferenceRows);
    const available = await availableThreads();
    const option = checkThreads(options.threads, available, "predict: option threads");
    const { data, n } = this.stack!.rows(xIn);
    const T = option === 1 ? 1 : this.predictThreadCount(option, n, batchSize, available);
    const here = () => this.stack!.predict(this.runtime, this.plan(batchSize, false), data, n);
    if (T === 1) return here();
    if (sharesLayers(n, batchSize)) {
      // too few rows to split: the layers that cut into parts are shared instead (the same bits)
      const run = this.predictLock.then(() => this.predictParts(data, n, batchSize, T));
      this.predictLock = run.catch(() => {});
      return run;
    }
    const lead = this.predictLead(batchSize);
    const pieces = n >= 2 * PREDICT_MIN_PIECE ? predictPieces(n, batchSize, T, lead) : [];
    // calls too short to give a worker rows stay here: no barrier for nothing
    if (!pieces.slice(1).some((p) => p.length > 0)) return here();
    const run = this.predictLock.then(() => this.predictThreaded(data, n, batchSize, T, lead, pieces));
    this.predictLock = run.catch(() => {});
    return run;
  }

  predictSync(xIn: XInput, options: { batchSize?: number } = {}): Float32Array {
    this.checkBuilt("predict");
    const { data, n } = this.stack!.rows(xIn);
    const B = checkBatchSize(options.batchSize, "predict", this.stack!.inferenceRows);
    return this.stack!.predict(this.runtime, this.plan(B, false), data, n);
  }

  /** Predicted class per sample. */
  async predictClasses(xIn: XInput, options: PredictOptions = {}): Promise<Int32Array> {
    return argmaxRows(await this.predict(xIn, options), this.classes);
  }

  /** The thread count of a predict call of n rows: "auto" by autoChoice, taken only on a running
   * pool of that size or once the forgone savings pay its start; an explicit count as given, but 1
   * for a call too short to split by rows (sharesLayers) where no layer cuts into parts worth sharing. */
  private predictThreadCount(option: ThreadsOption, n: number, batchSize: number, available: number): number {
    if (option === "auto")
      return sharedMemoryUnavailable() ? 1 : this.autoPool(this.autoChoice(n, batchSize, available));
    if (option > 1 && sharesLayers(n, batchSize) && !this.partSteps(this.plan(batchSize, false), n, option).length)
      return 1;
    return option;
  }

  /** "auto" for a call of n rows: below 2 * PREDICT_MIN_PIECE rows (in one call of batchSize)
   * the layers shared (choosePartsThreads on the call's shared steps), else the rows split
   * (choosePredictThreads); one thread for fewer rows than that in several calls. */
  private autoChoice(n: number, batchSize: number, available: number): PredictChoice {
    if (n >= 2 * PREDICT_MIN_PIECE) return choosePredictThreads(forwardFlops(this.layers, n), n, available);
    const steps = sharesLayers(n, batchSize) ? this.partSteps(this.plan(batchSize, false), n, available) : [];
    const flops = steps.map((st) => forwardFlops([this.layers[st.layer]], n));
    return choosePartsThreads(forwardFlops(this.layers, n), flops, steps.length ? available : 1);
  }

  /** An "auto" choice, taken only on a running pool of that size or once the savings forgone
   * without one add up to its start-up (a ski rental: at most twice the better of never and at once). */
  private autoPool(c: PredictChoice): number {
    if (c.threads === 1) return 1;
    if (this.inferPool?.pool.threads === c.threads) return c.threads;
    this.autoForgone += c.saving;
    if (this.autoForgone < PREDICT_START_SECONDS) return 1;
    this.autoForgone = 0;
    return c.threads;
  }

  /** The shared steps of a forward of n rows on T threads (partSteps) in `plan`, worked out once
   * per plan, row count and thread count (a plan is replaced, never changed, when memory moves). */
  private partSteps(plan: BatchPlan, n: number, T: number): PartStep[] {
    let byCall = this.stepsOf.get(plan);
    if (!byCall) this.stepsOf.set(plan, (byCall = new Map()));
    const key = n * 1024 + T;
    let steps = byCall.get(key);
    if (!steps) {
      steps = partSteps(this.stack!, this.runtime, plan, n, T, PART_MIN_FLOPS, (l, B) => forwardFlops([l], B));
      byCall.set(key, steps);
    }
    return steps;
  }

  private readonly stepsOf = new WeakMap<BatchPlan, Map<number, PartStep[]>>();

  /** The thread count `predict(x, { threads: "auto" })` takes for a call of n rows (rows per kernel
   * call `batchSize`) once a pool of it runs; until then it waits for the savings forgone without
   * one to pay for starting it. */
  async autoPredictThreads(n: number, batchSize?: number): Promise<number> {
    this.checkBuilt("autoPredictThreads");
    const bs = checkBatchSize(batchSize, "autoPredictThreads", this.stack!.inferenceRows);
    const available = await availableThreads();
    if (available < 2 || sharedMemoryUnavailable()) return 1;
    return this.autoChoice(n, bs, available).threads;
  }

  /** One call of n rows with its part steps shared over the pool's T threads (the workers write
   * their parts into this thread's plan), the same outputs bit for bit as one thread. */
  private async predictParts(data: Float32Array, n: number, batchSize: number, T: number): Promise<Float32Array> {
    const state = await this.predictPool(T, batchSize);
    const rt = this.runtime;
    const stack = this.stack!;
    const plan = this.plan(batchSize, false);
    const steps = this.partSteps(plan, n, T);
    if (steps.length === 0) return stack.predict(rt, plan, data, n);
    const bytes = partTableBytes(steps);
    writePartTable(rt.i32(this.staging(state, bytes), bytes / 4), steps, n, plan.input);
    // one batch (n <= batchSize): the rows are copied in and checked before the workers wake
    return stack.predict(rt, plan, data, n, "x", 0, (B) =>
      forwardParts(stack, rt, plan, B, steps, state.pool.beginParts(state.staging.ptr)),
    );
  }

  /** The rows split over T threads in pieces of the one-thread calls of batchSize rows
   * (predictPieces: so that each row is computed as one thread computes it); this thread's pieces
   * here, the workers' from a staging block of shared memory. */
  private async predictThreaded(
    data: Float32Array,
    n: number,
    batchSize: number,
    T: number,
    lead: number,
    pieces: { row0: number; B: number }[][],
  ): Promise<Float32Array> {
    const state = await this.predictPool(T, batchSize);
    const rt = this.runtime;
    const stack = this.stack!;
    const D = stack.inputSize;
    const V = stack.classes;
    // the staging block is laid out as the whole call (rows, then outputs); only the workers' rows are copied
    const inBytes = align16(n * D * 4);
    const bytes = inBytes + n * V * 4;
    const at = this.staging(state, bytes);
    const rows = rt.f32(at, n * D);
    // the workers' rows are checked here, where a bad value can be named by its row in the whole
    // input (a worker would name it in its piece, as a ThreadError); thread 0's stack.predict checks its own
    for (let t = 1; t < T; t++)
      for (const p of pieces[t]) {
        const from = p.row0 * D;
        rows.set(data.subarray(from, from + p.B * D), from);
        if (rt.k.has_nonfinite(at + from * 4, p.B * D)) assertFinite(data, D, "x", from, from + p.B * D);
      }
    state.pool.beginPredict({ n, bs: batchSize, lead, input: at, output: at + inBytes });
    const out = new Float32Array(n * V);
    try {
      const plan = this.plan(predictPlanRows(batchSize, T, lead), false);
      for (const p of pieces[0]) out.set(stack.predict(rt, plan, data, p.B, "x", p.row0), p.row0 * V);
    } finally {
      // the workers read the staging block: wait for them even when this thread's rows failed
      await state.pool.end();
    }
    const res = rt.f32(at + inBytes, n * V);
    for (let t = 1; t < T; t++)
      for (const p of pieces[t]) out.set(res.subarray(p.row0 * V, (p.row0 + p.B) * V), p.row0 * V);
    return out;
  }

  /** The pool's staging block, grown to `bytes` if it is smaller; its pointer. */
  private staging(state: NonNullable<Sequential["inferPool"]>, bytes: number): number {
    if (state.staging.bytes < bytes) {
      const rt = this.runtime;
      if (state.staging.bytes) rt.release(state.staging.ptr, state.staging.bytes);
      state.staging = { ptr: 0, bytes: 0 };
      state.staging = { ptr: rt.alloc(bytes), bytes };
    }
    return state.staging.ptr;
  }

  /** Rows thread 0 computes while a worker wakes up (by the forward FLOPs of a row). */
  private predictLead(batchSize: number): number {
    const rowSeconds = forwardFlops(this.layers, 1) / PREDICT_FLOPS_PER_SECOND;
    return Math.floor(Math.min(batchSize, PREDICT_WAKE_SECONDS / rowSeconds));
  }

  /** The running predict pool, or a new one of T threads whose plans hold the pieces of one-thread
   * calls of batchSize rows (on the shared-memory runtime: the model moves there first). */
  private async predictPool(T: number, batchSize: number): Promise<NonNullable<Sequential["inferPool"]>> {
    const cur = this.inferPool;
    if (cur && cur.pool.threads === T && cur.batchSize === batchSize) return cur;
    await this.closePool();
    const tr = await threadRuntime();
    if (this.rt !== tr.rt) this.moveTo(tr.rt);
    const stack = this.stack!;
    const rows = predictPlanRows(batchSize, T, 0);
    const pool = await ThreadPool.start(tr, T, {
      mode: "predict",
      inputShape: [...this.inputShape!],
      layers: this.getConfig().layers,
      regression: this.regression,
      params: this.block!.all.map((p) => ({ ptr: p.ptr, grad: 0 })),
      grads: 0,
      floats: 0,
      plan: (mem) => stack.planBatch(mem, rows, false),
    });
    this.inferPool = { pool, batchSize, staging: { ptr: 0, bytes: 0 } };
    return this.inferPool;
  }

  private async closePool(): Promise<void> {
    const cur = this.inferPool;
    if (!cur) return;
    this.inferPool = undefined;
    if (cur.staging.bytes) this.rt?.release(cur.staging.ptr, cur.staging.bytes);
    await cur.pool.close();
  }

  /** Stop the workers of threaded predict calls (dispose() does it too; idle workers never keep
   * the process alive). A later threaded call starts new ones. */
  async closeThreads(): Promise<void> {
    await this.predictLock;
    await this.closePool();
  }

  /** Copies of every parameter, in layer order. */
  getWeights(): { layer: string; name: string; shape: number[]; values: Float32Array }[] {
    this.checkBuilt("getWeights");
    return this.layers.flatMap((l) =>
      l.params.map((p) => ({
        layer: l.name,
        name: p.name,
        shape: [...p.shape],
        values: this.runtime.f32(p.ptr, p.size).slice(),
      })),
    );
  }

  setWeights(weights: readonly { layer?: string; name?: string; shape?: number[]; values: ArrayLike<number> }[]): void {
    this.checkBuilt("setWeights");
    const all = this.layers.flatMap((l) => l.params.map((p) => ({ l, p })));
    if (weights.length !== all.length) {
      throw new ShapeError(`setWeights got ${weights.length} tensors, the model has ${all.length}`);
    }
    all.forEach(({ l, p }, i) => {
      const w = weights[i];
      if (w.values.length !== p.size) {
        throw new ShapeError(
          `${p.name} needs ${p.size} values [${p.shape.join(", ")}], got ${w.values.length}`,
          l.name,
        );
      }
      for (let j = 0; j < w.values.length; j++) {
        if (!Number.isFinite(w.values[j])) throw new ShapeError(`${p.name}[${j}] is ${w.values[j]}`, l.name);
      }
      this.runtime.f32(p.ptr, p.size).set(w.values);
    });
    this.unsettled = true;
  }

  /** Gate weights of every BSF layer (copies). */
  gateWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const l of this.layers)
      if (l.traits.gate) out[l.name] = this.runtime.f32(l.params[0].ptr, l.params[0].size).slice();
    return out;
  }

  get paramCount(): number {
    return this.layers.reduce((s, l) => s + l.paramCount, 0);
  }

  getConfig(): {
    name: string;
    inputShape?: number[];
    layers: { className: string; config: Record<string, unknown> }[];
  } {
    return {
      name: this.name,
      inputShape: this.inputShape ? [...this.inputShape] : undefined,
      layers: this.layers.map((l) => ({ className: l.className, config: l.getConfig() })),
    };
  }

  private freeMemory(): void {
    const rt = this.rt;
    if (!rt) return;
    // the pool's workers point at this block: stop them (their own memory is released when they end)
    void this.closePool().catch(() => {});
    for (const p of this.plans.values()) rt.release(p.ptr, p.bytes);
    this.plans.clear();
    if (this.block) rt.release(this.block.ptr, this.block.bytes);
    this.block = undefined;
    this.stack = undefined;
  }

  /** Return this model's wasm memory; the model cannot be used afterwards. */
  dispose(): void {
    this.freeMemory();
    this.rt = undefined;
  }
}
