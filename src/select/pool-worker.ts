// One worker of src/select/pool.ts: instantiates the posted wasm module, then runs the jobs it is
// sent, one at a time, and posts each result back.
import { parentPort, workerData } from "node:worker_threads";
import { ready } from "../runtime/runtime.js";
import { stabilityRun, type StabilityJob } from "./stability.js";

const { module, x, y, options } = workerData as {
  module: WebAssembly.Module;
  x: Float32Array;
  y: Int32Array | Float32Array;
  options: Parameters<typeof stabilityRun>[4];
};
await ready(module);
parentPort!.on("message", async (job: StabilityJob) => {
  try {
    parentPort!.postMessage({ result: await stabilityRun(x, y, options.features, job, options) });
  } catch (e) {
    parentPort!.postMessage({ error: `run ${job.run}: ${(e as Error).message}` });
  }
});
parentPort!.postMessage({ ready: true });
