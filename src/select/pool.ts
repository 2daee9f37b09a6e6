// Stability selection's runs are independent, so they can run on worker_threads: the wasm module
// is compiled once here and instantiated in each worker (a WebAssembly.Module can be posted), the
// data is copied once per worker, and each worker takes the next job when it finishes one. A run
// depends only on its job (rows and seed), so the result is the same as running the jobs in this
// thread, in any order and with any number of workers.
import { availableParallelism, loadavg } from "node:os";
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { defaultWasmCandidates } from "../runtime/wasm.js";
import { installJobRunner, type PoolShared } from "./jobs.js";
import type { StabilityJob, StabilityOptions, StabilityRun } from "./stability.js";

/** The options a worker gets: everything but functions and the runtime. */
export type PortableOptions = Omit<
  StabilityOptions,
  "runner" | "runs" | "threshold" | "expectedFalse" | "callbacks" | "runtime"
>;

export async function compileDefault(): Promise<WebAssembly.Module> {
  for (const u of defaultWasmCandidates()) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(u);
    } catch {
      continue;
    }
    // the same choice as ready(): the first build this engine validates
    if (WebAssembly.validate(bytes as unknown as BufferSource))
      return WebAssembly.compile(bytes as unknown as BufferSource);
  }
  throw new Error("cannot find build/bsfnet.wasm: run `npm run asbuild`");
}

/** How many workers to use for `jobs` runs when the caller asked for `requested` (0: automatic:
 * one per free core, the cores less the last minute's load average, and none unless two are free,
 * since one worker is only this thread's work plus the cost of starting it). */
export function workerCount(requested: number, jobs: number): number {
  if (requested > 0) return Math.min(requested, jobs);
  const free = availableParallelism() - Math.floor(loadavg()[0]);
  return free > 1 ? Math.min(free, jobs) : 0;
}

/** A runner for stabilitySelection on `workers` threads (0: as many as cores, none on one core);
 * undefined when it should run in this thread. */
export function parallelRunner(
  x: Float32Array,
  y: Int32Array | Float32Array,
  o: PortableOptions & { callbacks?: unknown; runtime?: unknown },
  workers = 0,
): ((jobs: StabilityJob[]) => Promise<StabilityRun[]>) | undefined {
  const { callbacks: _c, runtime: _r, ...portable } = o;
  return async (jobs) => {
    const w = workerCount(workers, jobs.length);
    if (w <= 1) {
      const { stabilityRun } = await import("./stability.js");
      const out: StabilityRun[] = [];
      for (const j of jobs) out.push(await stabilityRun(x, y, o.features, j, portable));
      return out;
    }
    return runOnWorkers(await compileDefault(), x, y, portable, jobs, w);
  };
}

export async function runOnWorkers(
  module: WebAssembly.Module,
  x: Float32Array,
  y: Int32Array | Float32Array,
  o: PortableOptions,
  jobs: StabilityJob[],
  workers: number,
): Promise<StabilityRun[]> {
  const results = await runPool<StabilityJob, StabilityRun>(
    module,
    { kind: "stability", x, y, options: o },
    jobs,
    workers,
  );
  return results.sort((a, b) => a.run - b.run);
}

/** What a worker runs: a stability run, a fold of crossValidate, or a fold of nestedCrossValidate. */
export type PoolKind = PoolShared["kind"];
export type { PoolShared };

/**
 * Runs `jobs` on `workers` threads, each instantiating the posted wasm module; results come back
 * in job order. A job's result depends on the job and the shared data only, so it is what the
 * same job gives in this thread.
 */
export async function runPool<J, R>(
  module: WebAssembly.Module,
  shared: PoolShared,
  jobs: J[],
  workers: number,
): Promise<R[]> {
  const ts = import.meta.url.endsWith(".ts");
  const url = new URL(ts ? "./pool-worker.ts" : "./pool-worker.js", import.meta.url);
  const results: R[] = new Array(jobs.length);
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      // From source (tsx, vitest) the worker registers tsx's loader before importing the worker
      // file; the built package runs the compiled .js directly.
      const boot = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`;
      const data = { workerData: { module, ...shared } };
      const worker = ts ? new Worker(boot, { ...data, eval: true }) : new Worker(url, data);
      let finished = false;
      const give = () => {
        if (next < jobs.length) {
          const i = next++;
          worker.postMessage({ i, job: jobs[i] });
        } else {
          finished = true;
          void worker.terminate().then(() => resolve());
        }
      };
      // a worker that dies without an error event (out of memory, process.exit) must not leave the
      // pool waiting
      worker.on("exit", (code) => {
        if (!finished) reject(new Error(`a selection worker exited with code ${code} before finishing its jobs`));
      });
      worker.on("message", (m: { ready?: true; i?: number; result?: R; error?: string }) => {
        if (m.error) {
          finished = true;
          void worker.terminate();
          reject(new Error(m.error));
        } else {
          if (m.i !== undefined) results[m.i] = m.result as R;
          give();
        }
      });
      worker.on("error", reject);
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, one));
  return results;
}

/** Runs independent jobs on worker threads when `workers` (0: automatic) comes to more than one,
 * else in this thread with `here`; the results are the same either way. */
export async function mapJobs<J, R>(
  shared: PoolShared,
  jobs: J[],
  workers: number,
  here: (job: J) => Promise<R>,
): Promise<R[]> {
  const w = workers === 1 ? 1 : workerCount(workers, jobs.length);
  if (w <= 1) {
    const out: R[] = [];
    for (const j of jobs) out.push(await here(j));
    return out;
  }
  return runPool<J, R>(await compileDefault(), shared, jobs, w);
}

// loading this module is what lets crossValidate and nestedCrossValidate use workers (src/select/jobs.ts)
installJobRunner(mapJobs);
