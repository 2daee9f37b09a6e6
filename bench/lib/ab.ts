// What the before/after scripts (train/gemm-ab.ts, infer/softmax.ts, infer/rows.ts) share: their
// options, the kernel file of the chosen build, and the middle of a list of rounds.
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";

/** The value after `name` in args, else dflt. */
export function option(args: readonly string[], name: string, dflt: string): string {
  return args.includes(name) ? args[args.indexOf(name) + 1] : dflt;
}

/** The middle value of a (the upper of the two middle ones when the count is even). */
export function middle(a: readonly number[]): number {
  return [...a].sort((x, y) => x - y)[a.length >> 1];
}

/** The file under build/ of `--wasm relaxed | simd128`; enables relaxed SIMD where Node needs the
 * flag, and says so when this engine cannot run it. */
export async function buildFile(wasm: string): Promise<string> {
  if (wasm === "relaxed" && !(await enableRelaxedSimd())) throw new Error("this Node cannot run relaxed SIMD");
  return wasm === "relaxed" ? "bsfnet.relaxed.wasm" : "bsfnet.wasm";
}
