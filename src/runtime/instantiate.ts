// Instantiating a compiled module: portable (no Node imports), shared by the training runtime and
// the inference entry. The module imports only `env.abort` (the debug build's assertions), and the
// shared-memory builds (training threads) `env.memory`.
import { KERNEL_NAMES, type WasmKernels } from "./abi.js";
import { WasmLoadError } from "../errors.js";

function imports(memory?: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      ...(memory ? { memory } : {}),
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new WasmLoadError(`bsfnet wasm: assertion failed at ${line}:${col}`);
      },
      seed: () => 0,
    },
  };
}

/** Instantiate synchronously from a compiled module (never compiles: safe on Workers). */
export function instantiateModule(module: WebAssembly.Module, memory?: WebAssembly.Memory): WasmKernels {
  const exp = new WebAssembly.Instance(module, imports(memory)).exports as Record<string, unknown>;
  const missing = KERNEL_NAMES.filter((n) => !(n in exp));
  if (missing.length) {
    throw new WasmLoadError(`not a bsfnet wasm module (or an older one): missing exports ${missing.join(", ")}`);
  }
  return exp as unknown as WasmKernels;
}
