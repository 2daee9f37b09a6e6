// One worker of src/select/pool.ts: instantiates the posted wasm module, then runs the jobs it is
// sent, one at a time, and posts each result back with the job's index.
import { parentPort, workerData } from "node:worker_threads";
import { ready } from "../runtime/runtime.js";
import { stabilityRun, type StabilityJob } from "./stability.js";
import { cvFold, type FoldJob } from "./crossval.js";
import { nestedFold, type NestedFoldJob } from "./nested.js";
import type { PoolShared } from "./pool.js";

const { module, kind, x, y, options } = workerData as PoolShared & { module: WebAssembly.Module };
await ready(module);
// biome-ignore lint/suspicious/noExplicitAny: each kind's options are the ones its caller posted
const o = options as any;
const run = (job: unknown): Promise<unknown> => {
  if (kind === "stability") return stabilityRun(x, y, o.features, job as StabilityJob, o);
  if (kind === "cv-fold") return cvFold(x, y, o, job as FoldJob);
  return nestedFold(x, y, o, job as NestedFoldJob);
};
parentPort!.on("message", async ({ i, job }: { i: number; job: unknown }) => {
  try {
    parentPort!.postMessage({ i, result: await run(job) });
  } catch (e) {
    parentPort!.postMessage({ error: `job ${i}: ${(e as Error).message}` });
  }
});
parentPort!.postMessage({ ready: true });
