// Loading the kernels: from a ready WebAssembly.Module (Cloudflare Workers import .wasm files as
// modules and forbid compiling bytes at run time), from bytes, or from a path/URL (Node, Deno, Bun).
// The loader package of AssemblyScript is deprecated; the module imports only `env.abort`.
import type { WasmKernels } from "./abi.js";
import { instantiateModule } from "./instantiate.js";
import { WasmLoadError } from "../errors.js";

export { instantiateModule };

export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | string | URL;

async function readSource(src: string | URL): Promise<BufferSource> {
  const url = typeof src === "string" && !/^[a-z][a-z0-9+.-]*:/i.test(src) ? undefined : new URL(src as string);
  if (url && url.protocol !== "file:") {
    const res = await fetch(url);
    if (!res.ok) throw new WasmLoadError(`cannot fetch wasm module ${url.href}: HTTP ${res.status}`);
    return await res.arrayBuffer();
  }
  const fs = await import("node:fs/promises");
  try {
    return (await fs.readFile(url ?? (src as string))) as unknown as BufferSource;
  } catch (e) {
    throw new WasmLoadError(`cannot read wasm module ${String(src)}: ${(e as Error).message}`, { cause: e });
  }
}

/** Where the release builds live relative to this file, in the source tree and in dist/: the
 * relaxed-SIMD build first (fused multiply-add, about 25% faster GEMM), used when this engine
 * validates it (Deno, Bun, workerd, current browsers; Node 20 only with
 * --experimental-wasm-relaxed-simd), else the SIMD128 build. Set BSFNET_WASM=simd128 to force the
 * latter (relaxed results may differ in the last bits between engines). */
export function defaultWasmCandidates(): URL[] {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BSFNET_WASM;
  const names = env === "simd128" ? ["bsfnet.wasm"] : ["bsfnet.relaxed.wasm", "bsfnet.wasm"];
  return ["../../build/", "../../../build/"].flatMap((dir) => names.map((n) => new URL(dir + n, import.meta.url)));
}

async function defaultBytes(): Promise<BufferSource> {
  const fs = await import("node:fs/promises");
  for (const u of defaultWasmCandidates()) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(u);
    } catch {
      continue; // try the next place
    }
    if (WebAssembly.validate(bytes as unknown as BufferSource)) return bytes as unknown as BufferSource;
  }
  throw new WasmLoadError(
    "cannot find build/bsfnet.wasm: run `npm run asbuild` (npm test and npm start do it), or pass the module to ready()",
  );
}

export async function loadKernels(source?: WasmSource): Promise<WasmKernels> {
  if (source instanceof WebAssembly.Module) return instantiateModule(source);
  let bytes: BufferSource;
  if (source === undefined) bytes = await defaultBytes();
  else if (typeof source === "string" || source instanceof URL) bytes = await readSource(source);
  else bytes = source as BufferSource;
  let mod: WebAssembly.Module;
  try {
    mod = await WebAssembly.compile(bytes);
  } catch (e) {
    throw new WasmLoadError(`invalid wasm module: ${(e as Error).message}`, { cause: e });
  }
  return instantiateModule(mod);
}
