// Stability selection's runs are independent, so they can run on worker_threads: the wasm module
// is compiled once here and instantiated in each worker (a WebAssembly.Module can be posted), the
// data is copied once per worker, and each worker takes the next job when it finishes one. A run
// depends only on its job (rows and seed), so the result is the same as running the jobs in this
// thread, in any order and with any number of workers.
import { availableParallelism } from "node:os";
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { defaultWasmCandidates } from "../runtime/wasm.js";
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

/** How many workers to use for `jobs` runs when the caller asked for `requested` (0: automatic). */
export function workerCount(requested: number, jobs: number): number {
  if (requested > 0) return Math.min(requested, jobs);
  const cores = availableParallelism();
  return cores > 1 ? Math.min(cores, jobs) : 0;
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
  const ts = import.meta.url.endsWith(".ts");
  const url = new URL(ts ? "./pool-worker.ts" : "./pool-worker.js", import.meta.url);
  const results: StabilityRun[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      // From source (tsx, vitest) the worker registers tsx's loader before importing the worker
      // file; the built package runs the compiled .js directly.
      const boot = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`;
      const data = { workerData: { module, x, y, options: o } };
      const worker = ts ? new Worker(boot, { ...data, eval: true }) : new Worker(url, data);
      let finished = false;
      const give = () => {
        if (next < jobs.length) worker.postMessage(jobs[next++]);
        else {
          finished = true;
          void worker.terminate().then(() => resolve());
        }
      };
      // a worker that dies without an error event (out of memory, process.exit) must not leave the
      // pool waiting
      worker.on("exit", (code) => {
        if (!finished) reject(new Error(`a selection worker exited with code ${code} before finishing its runs`));
      });
      worker.on("message", (m: { ready?: true; result?: StabilityRun; error?: string }) => {
        if (m.error) {
          finished = true;
          void worker.terminate();
          reject(new Error(m.error));
        } else {
          if (m.result) results.push(m.result);
          give();
        }
      });
      worker.on("error", reject);
    });
  await Promise.all(Array.from({ length: workers }, one));
  return results.sort((a, b) => a.run - b.run);
}
