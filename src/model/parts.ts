// An inference forward shared by threads within one call: the layers that cut into parts
// (Layer.inferenceParts: a convolution's output tiles, a one-row dense layer's columns) are
// computed part by part on several threads, each on its own workspace, all writing into thread 0's
// buffers; the other layers run on thread 0. Calls too short to split by rows use it
// (Sequential.predict). Kept apart from stack.ts: bsfnet/infer has no threads and does not bundle it.
import type { Layer, StepContext } from "../layers/layer.js";
import type { KernelMemory } from "../runtime/memory.js";
import type { BatchPlan } from "./plan.js";
import type { LayerStack } from "./stack.js";

/** One shared step (partSteps): layer `layer` (with the next when `fused`) cut into `parts`,
 * reading `inp` and writing `out` (byte offsets in thread 0's plan). */
export interface PartStep {
  layer: number;
  fused: boolean;
  parts: number;
  inp: number;
  out: number;
}

/** The step table thread 0 hands its workers (i32): [steps, B, thread 0's input rows, 0], then
 * per step PART_FIELDS values: layer, fused (0 / 1), parts, inp, out. */
const PART_FIELDS = 5;

/** Bytes of the step table of `steps`. */
export const partTableBytes = (steps: readonly PartStep[]): number => 16 + steps.length * PART_FIELDS * 4;

/** Writes the step table of `steps` (a forward of B rows from `input`) into `table`. */
export function writePartTable(table: Int32Array, steps: readonly PartStep[], B: number, input: number): void {
  table.set([steps.length, B, input, 0]);
  steps.forEach((st, s) => {
    table.set([st.layer, st.fused ? 1 : 0, st.parts, st.inp, st.out], 4 + s * PART_FIELDS);
  });
}

/** Reads the step table at byte `at` of `buffer` (writePartTable's). */
export function readPartTable(buffer: ArrayBufferLike, at: number): { steps: PartStep[]; B: number; input: number } {
  const [S, B, input] = new Int32Array(buffer, at, 4);
  const rows = new Int32Array(buffer, at + 16, S * PART_FIELDS);
  const steps: PartStep[] = [];
  for (let s = 0; s < S; s++) {
    const [layer, fused, parts, inp, out] = rows.subarray(s * PART_FIELDS, (s + 1) * PART_FIELDS);
    steps.push({ layer, fused: fused === 1, parts, inp, out });
  }
  return { steps, B, input };
}

/** Thread 0's side: say that step s's input is written; wait until every part of it is (an error
 * only when a thread is lost); say whether a thread failed its part (an error if so). */
export interface PartSync {
  ready(s: number): void;
  wait(s: number): void;
  check(): void;
}

/** The other threads' side: wait until step s may start, report their part done (or failed, first). */
export interface PartWorkerSync {
  waitReady(s: number): void;
  done(s: number): void;
  fail(e: unknown): void;
}

const context = (mem: KernelMemory, i: number): StepContext => ({
  rt: mem,
  training: false,
  seed: 0,
  stream: i,
  row0: 0,
});

/** The steps of an inference forward of B rows (in `plan`'s buffers) that threads can share: a
 * layer (with the layer it fuses) whose forward cuts into 2 or more parts (at most T) and whose
 * multiply-adds `flopsOf(layer, B)` reach `minFlops`, with the buffers it reads and writes. */
export function partSteps(
  stack: LayerStack,
  mem: KernelMemory,
  plan: BatchPlan,
  B: number,
  T: number,
  minFlops: number,
  flopsOf: (l: Layer, B: number) => number,
): PartStep[] {
  const out: PartStep[] = [];
  const layers = stack.layers;
  let inp = plan.input;
  for (let i = 0; i < layers.length; i++) {
    const fused = plan.fused[i];
    const next = fused ? layers[i + 1] : undefined;
    const o = fused ? plan.acts[i + 1] : plan.acts[i];
    const parts = Math.min(T, layers[i].inferenceParts(B, mem.k, next));
    if (parts >= 2 && flopsOf(layers[i], B) >= minFlops) out.push({ layer: i, fused, parts, inp, out: o });
    if (fused) i++;
    inp = o;
  }
  return out;
}

/** The stack's inference forward with `steps` shared: at each, `sync.ready` says that this thread
 * has written the step's input (the others start their parts once every part of the step before
 * is written too), this thread computes part 0, and `sync.wait` returns once every part is
 * written. When only views (Layer.aliasesInput) lie between a step and the next, the next is
 * ready as soon as this thread's part is, so a thread that finishes later goes on without
 * sleeping. Every output has the bits of LayerStack.forward. */
export function forwardParts(
  stack: LayerStack,
  mem: KernelMemory,
  plan: BatchPlan,
  B: number,
  steps: readonly PartStep[],
  sync: PartSync,
): number {
  const layers = stack.layers;
  let inp = plan.input;
  let at = 0;
  let s = 0;
  let readied = 0;
  let lost = false;
  const ready = (upTo: number) => {
    for (; readied <= upTo; readied++) sync.ready(readied);
  };
  try {
    for (; s < steps.length; s++) {
      const { layer: i, fused, parts, out } = steps[s];
      // the layers since the last step, on this thread alone
      const stepInp = stack.forward(mem, plan, B, false, inp, 0, 0, 0, at, i);
      ready(s);
      layers[i].forwardPart(context(mem, i), fused ? layers[i + 1] : undefined, out, stepInp, B, plan.ws[i], 0, parts);
      at = fused ? i + 2 : i + 1;
      const after = steps[s + 1];
      if (after && layers.slice(at, after.layer).every((l) => l.aliasesInput)) ready(s + 1);
      try {
        sync.wait(s);
      } catch (e) {
        lost = true;
        throw e;
      }
      sync.check();
      inp = out;
    }
    return stack.forward(mem, plan, B, false, inp, 0, 0, 0, at);
  } finally {
    // After a failure (the error this call reports: this thread's, or a worker's part) the other
    // threads still run the steps this thread did not finish: release them all and wait until
    // they are through, so that none is still in this call when the next one starts. A thread
    // lost is not waited for again.
    if (s < steps.length) {
      ready(steps.length - 1);
      if (!lost) {
        try {
          for (; s < steps.length; s++) sync.wait(s);
        } catch {}
      }
    }
  }
}

/** Thread t's parts of `steps` (partSteps of thread 0's plan) on this thread's own workspaces
 * (`plan`: this thread's): at each step, wait until it may start, compute part t if there is one,
 * report it done. The layers before the first step this thread runs itself, into its own buffers,
 * from thread 0's rows at `input` (the same bits): it would only sleep until thread 0 had, and
 * then start a wake-up later. A failure is reported (sync.fail) before that step's done, and the
 * later steps are only reported done, so thread 0 never waits on a lost part. */
export function forwardMyParts(
  stack: LayerStack,
  mem: KernelMemory,
  plan: BatchPlan,
  B: number,
  input: number,
  steps: readonly PartStep[],
  t: number,
  sync: PartWorkerSync,
): void {
  const layers = stack.layers;
  let failed = false;
  let own: number | undefined;
  try {
    if (steps.length && t < steps[0].parts) own = stack.forward(mem, plan, B, false, input, 0, 0, 0, 0, steps[0].layer);
  } catch (e) {
    failed = true;
    sync.fail(e);
  }
  for (let s = 0; s < steps.length; s++) {
    const { layer: i, fused, parts, out } = steps[s];
    const inp = s === 0 && own !== undefined ? own : steps[s].inp;
    if (s > 0 || own === undefined) sync.waitReady(s);
    try {
      if (!failed && t < parts)
        layers[i].forwardPart(context(mem, i), fused ? layers[i + 1] : undefined, out, inp, B, plan.ws[i], t, parts);
    } catch (e) {
      failed = true;
      sync.fail(e);
    }
    sync.done(s);
  }
}
