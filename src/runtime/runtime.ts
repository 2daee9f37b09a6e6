// The training-side runtime: kernel memory plus loading (from build/bsfnet*.wasm in Node, or from
// a module, bytes or URL) and the process-wide default that Sequential uses.
import { KernelMemory } from "./memory.js";
import { loadKernels, type WasmSource } from "./wasm.js";
import { BsfnetError } from "../errors.js";

export { ALIGN, align16, KernelMemory, OutOfMemoryError } from "./memory.js";

export class Runtime extends KernelMemory {
  static async load(source?: WasmSource): Promise<Runtime> {
    return new Runtime(await loadKernels(source));
  }
}

let defaultRuntime: Runtime | undefined;
let pending: Promise<Runtime> | undefined;

/**
 * Load the kernels once for the whole process. In Node with no argument it reads build/bsfnet.wasm;
 * on Workers pass the imported WebAssembly.Module; elsewhere bytes or a URL.
 */
export function ready(source?: WasmSource): Promise<Runtime> {
  if (defaultRuntime && source === undefined) return Promise.resolve(defaultRuntime);
  if (pending && source === undefined) return pending;
  const p = Runtime.load(source).then((rt) => {
    defaultRuntime = rt;
    return rt;
  });
  if (source === undefined) pending = p;
  return p;
}

/** The runtime loaded by ready(); throws if none yet. */
export function currentRuntime(): Runtime {
  if (!defaultRuntime) throw new BsfnetError("bsfnet is not initialised: `await ready()` first");
  return defaultRuntime;
}

/** Use an already-instantiated runtime as the default (Workers, tests). */
export function setRuntime(rt: Runtime): void {
  defaultRuntime = rt;
}
