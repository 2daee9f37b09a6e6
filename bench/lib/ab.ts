// What the before/after scripts (train/gemm-ab.ts, infer/softmax.ts, infer/rows.ts,
// cnn/conv-speed.ts) share: their options, the kernel file of the chosen build, the middle of a
// list of rounds, and a build's one-row dense call whatever its signature.
import type { WasmKernels } from "../../src/runtime/abi.js";
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

/** A build's one-row dense call (dense_forward_row) in today's argument order, whatever the build
 * takes: since the list of nonzero inputs, (out, inp, copy, kernel, list, bias, C, OC, relu); before
 * it, (out, inp, copy, bias, C, OC, relu), which ignores kernel and list and needs a copy. Null
 * for a build without it. `listed`: whether the build takes a list. */
export function rowForwardOf(k: WasmKernels): {
  listed: boolean;
  call(
    out: number,
    inp: number,
    copy: number,
    kernel: number,
    list: number,
    bias: number,
    C: number,
    OC: number,
    relu: number,
  ): void;
} | null {
  if (!("dense_forward_row" in k)) return null;
  const f = k.dense_forward_row as unknown as ((...a: number[]) => void) & { length: number };
  const listed = f.length >= 9;
  return {
    listed,
    call: listed ? f : (out, inp, copy, _kernel, _list, bias, C, OC, relu) => f(out, inp, copy, bias, C, OC, relu),
  };
}
