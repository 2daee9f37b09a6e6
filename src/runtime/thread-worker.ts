// One thread of src/runtime/threads.ts: instantiates the shared-memory module over the shared
// memory, rebuilds the model's layers on the parameters in that memory (training: its own gradient
// block), then loops: sleep in Atomics.wait until the generation changes, run its slice (training:
// the step of src/model/slice.ts, as thread 0 does; predict: LayerStack.predict on its rows, as one
// thread would), report, bump the done counter.
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { layerFromConfig } from "../layers/registry.js";
import { LayerStack } from "../model/stack.js";
import { trainSlice } from "../model/slice.js";
import { KernelMemory } from "./memory.js";
import { instantiateModule } from "./instantiate.js";
import { makeOptimizer, stepRange, type Optimizer } from "../optim/optimizer.js";
import {
  CMD_PARTS,
  CMD_PREDICT,
  CMD_QUIT,
  CMD_STEP,
  CMD_UPDATE,
  J,
  P,
  predictPieces,
  READY,
  reduceRange,
  type WorkerSetup,
} from "./threads.js";
import { forwardMyParts, readPartTable } from "../model/parts.js";
import type { WasmKernels } from "./abi.js";

const { setup, port } = workerData as { setup: WorkerSetup; port: MessagePort };

/** Per-instance state a kernel keeps in wasm globals is set here, from this thread's own scratch
 * block: the packed GEMM's workspace (without one the GEMM takes its unpacked path). */
function initInstance(k: WasmKernels, scratch: WorkerSetup["scratch"]): void {
  if (scratch.bytes > 0) k.gemm_workspace(scratch.ptr, scratch.bytes);
}

let mem: KernelMemory;
let stack: LayerStack;
let optimizer: Optimizer | undefined;
try {
  if (setup.update) optimizer = makeOptimizer(setup.update.optimizer as Parameters<typeof makeOptimizer>[0]);
  mem = new KernelMemory(instantiateModule(setup.module, setup.memory), { allocates: false });
  initInstance(mem.k, setup.scratch);
  const layers = setup.layers.map((l) =>
    layerFromConfig({ className: l.className, config: structuredClone(l.config) }),
  );
  stack = new LayerStack(layers, setup.inputShape);
  const params = stack.layers.flatMap((l) => l.params);
  if (params.length !== setup.params.length)
    throw new Error(`${params.length} parameters, expected ${setup.params.length}`);
  params.forEach((p, i) => {
    [p.ptr, p.grad] = setup.params[i];
  });
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message ?? String(e) });
  process.exit(1);
}

const ctl = new Int32Array(setup.memory.buffer, setup.ctl, 4 + 8 * setup.threads);
const jobAt = (setup.ctl >> 2) + 4 + 8 * setup.index;
// read before saying ready: the first step may bump the generation right after
let seen = Atomics.load(ctl, 0);
parentPort!.postMessage({ ready: true });
for (;;) {
  Atomics.wait(ctl, 0, seen);
  const gen = Atomics.load(ctl, 0);
  if (gen === seen) continue;
  seen = gen;
  const cmd = Atomics.load(ctl, 2);
  if (cmd === CMD_QUIT) break;
  // a shared memory's buffer is never detached by a grow; the control block sits below any growth
  const view = new Int32Array(setup.memory.buffer, jobAt * 4, 8);
  if (cmd === CMD_PREDICT && setup.mode === "predict") {
    predictJob(view);
    jobDone();
    continue;
  }
  if (cmd === CMD_PARTS && setup.mode === "predict") {
    partsJob(view);
    continue;
  }
  if (cmd === CMD_UPDATE && optimizer) {
    updateJob(view, optimizer);
    jobDone();
    continue;
  }
  if (cmd !== CMD_STEP || setup.mode !== "train") continue;
  const res = new Float64Array(setup.memory.buffer, setup.results + 16 * setup.index, 2);
  try {
    const B = view[J.B];
    let loss = 0;
    let correct = 0;
    if (B > 0) {
      [loss, correct] = trainSlice(mem, stack, setup.plan, {
        B,
        total: view[J.total],
        row0: view[J.row0],
        input: view[J.input],
        labels: view[J.labels],
        seed: view[J.seed] >>> 0,
        step: view[J.step] >>> 0,
        regression: setup.regression,
        penalties: false,
      });
    }
    res[0] = loss;
    res[1] = correct;
  } catch (e) {
    failJob(view, e);
  }
  jobDone();
}
port.close();

/** This thread's job (or step of a shared forward) is over: the done count bumped, thread 0 woken. */
function jobDone(): void {
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}

/** This thread's job failed: its error to thread 0 (which reads it from the port) and the status
 * set (J.status, which predict's records share as P.status). */
function failJob(view: Int32Array, e: unknown): void {
  port.postMessage({ error: (e as Error)?.message ?? String(e) });
  view[J.status] = 1;
}

/** This thread's pieces of a predict call, each through the same LayerStack.predict one thread runs
 * (its chunking and kernels), reading the rows from and writing the outputs to shared memory. */
function predictJob(view: Int32Array): void {
  try {
    const D = stack.inputSize;
    const V = stack.classes;
    const pieces = predictPieces(view[P.n], view[P.bs], setup.threads, view[P.lead])[setup.index];
    for (const { row0, B } of pieces) {
      const rows = new Float32Array(setup.memory.buffer, view[P.input] + row0 * D * 4, B * D);
      const out = stack.predict(mem, setup.plan, rows, B);
      new Float32Array(setup.memory.buffer, view[P.output] + row0 * V * 4, B * V).set(out);
    }
  } catch (e) {
    failJob(view, e);
  }
}

/** This thread's range of the parameter update: every thread's gradients summed into thread 0's
 * block in thread order (as ThreadPool.reduce does), then the optimizer step on the range, at the
 * learning rate and step thread 0 wrote: the bits one thread's step over the whole block gives. */
function updateJob(view: Int32Array, opt: Optimizer): void {
  try {
    const u = setup.update!;
    const rec = new Float64Array(setup.memory.buffer, u.record, 2);
    reduceRange(mem.k, u.grads, u.lo, u.hi);
    opt.learningRate = rec[0];
    stepRange(opt, mem.k, { params: u.params, grads: u.grads[0], slots: u.slots }, u.lo, u.hi, rec[1]);
  } catch (e) {
    failJob(view, e);
  }
}

/** This thread's parts of a shared inference forward (forwardMyParts, model/parts.ts): the steps from
 * thread 0's table, each started when thread 0 says its input is ready, each reported done. */
function partsJob(view: Int32Array): void {
  const { steps, B, input } = readPartTable(setup.memory.buffer, view[P.input]);
  forwardMyParts(stack, mem, setup.plan, B, input, steps, setup.index, {
    // step s: thread 0 has written its input, and every worker its part of step s - 1
    waitReady: (s) => {
      const before = s * (setup.threads - 1);
      for (;;) {
        if (Atomics.load(ctl, 2) === CMD_QUIT) return;
        const r = Atomics.load(ctl, READY);
        if (r <= s) {
          Atomics.wait(ctl, READY, r, 1000);
          continue;
        }
        const d = Atomics.load(ctl, 1);
        if (d >= before) return;
        Atomics.wait(ctl, 1, d, 1000);
      }
    },
    done: jobDone,
    fail: (e) => failJob(view, e),
  });
}
