// TensorFlow.js set up for a fair single-thread comparison: the wasm backend loads its .wasm files
// from node_modules (no network), with one thread; the cpu backend is plain JavaScript.
import * as tf from "@tensorflow/tfjs";
import * as tfw from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import path from "node:path";

export { tf };
export type TfBackend = "wasm" | "cpu";
/** The three implementations the dense and conv kernel tables compare. */
export type Impl = "bsfnet" | "tfjs-wasm" | "tfjs-cpu";
export const IMPLS: Impl[] = ["bsfnet", "tfjs-wasm", "tfjs-cpu"];

export interface TfInfo {
  version: string;
  wasmVersion: string;
  wasmDir: string;
  /** the .wasm binary the backend picked, from its feature checks */
  wasmBinary: string;
  simd: boolean;
  multithreadSupport: boolean;
  /** what getThreadsCount() reported after setThreadsCount(1) */
  threads: number;
  prodMode: boolean;
}

let info: TfInfo | undefined;

export async function initTf(): Promise<TfInfo> {
  if (info) return info;
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  const wasmDir = path.join(path.dirname(pkgPath), "dist") + path.sep;
  // Production mode, as a deployed app would run: no debug checks, no console advice to install
  // tfjs-node from the cpu backend.
  tf.enableProdMode();
  tfw.setWasmPaths(wasmDir);
  // One thread: no worker pool. (In Node the backend finds no cross-origin isolation and picks the
  // single-threaded binary anyway; setThreadsCount also pins the pool size where threads exist.)
  tfw.setThreadsCount(1);
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  const multithreadSupport = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
  if (!(await tf.setBackend("wasm"))) throw new Error(`tfjs wasm backend failed to initialise from ${wasmDir}`);
  await tf.ready();
  const wasmBinary = simd
    ? multithreadSupport
      ? "tfjs-backend-wasm-threaded-simd.wasm"
      : "tfjs-backend-wasm-simd.wasm"
    : "tfjs-backend-wasm.wasm";
  const threads = tfw.getThreadsCount();
  await tf.setBackend("cpu");
  await tf.ready();
  await tf.setBackend("wasm");
  info = {
    version: tf.version.tfjs,
    wasmVersion: tfw.version_wasm,
    wasmDir: path.relative(process.cwd(), wasmDir) || wasmDir,
    wasmBinary,
    simd,
    multithreadSupport,
    threads,
    prodMode: tf.env().getBool("PROD"),
  };
  return info;
}

export async function useBackend(name: TfBackend): Promise<void> {
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} is not available`);
  }
  await tf.ready();
}
