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
 * --experimental-wasm-relaxed-simd, which the CLI sets: enableRelaxedSimd), else the SIMD128 build.
 * Set BSFNET_WASM=simd128 to force the latter (relaxed results may differ in the last bits between
 * engines and CPUs); BSFNET_WASM=relaxed makes the loader set Node 20's flag itself. */
export function defaultWasmCandidates(): URL[] {
  const names = wasmChoice() === "simd128" ? ["bsfnet.wasm"] : ["bsfnet.relaxed.wasm", "bsfnet.wasm"];
  return ["../../build/", "../../../build/"].flatMap((dir) => names.map((n) => new URL(dir + n, import.meta.url)));
}

type Choice = "simd128" | "relaxed" | "auto";

function wasmChoice(): Choice {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BSFNET_WASM;
  return env === "simd128" || env === "relaxed" ? env : "auto";
}

/** Which default build the last `loadKernels()` without a source took (undefined before one). */
let loadedBuild: "relaxed-simd" | "simd128" | undefined;
/** Set once this module has compiled anything: V8 flags are only set before the first compile. */
let compiledAny = false;

export function loadedWasmBuild(): "relaxed-simd" | "simd128" | undefined {
  return loadedBuild;
}

/** A module of one function, `f32x4.relaxed_madd` of three zero vectors: validating it asks the
 * engine whether it runs relaxed SIMD without reading a build from disk. */
const RELAXED_PROBE = (() => {
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)]; // v128.const 0
  const body = [0, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b]; // no locals; relaxed_madd; end
  const code = [1, body.length, ...body];
  // magic, version; type section: () -> v128; function section: one of type 0; code section
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    1,
    5,
    1,
    0x60,
    0,
    1,
    0x7b,
    3,
    2,
    1,
    0,
    10,
    code.length,
    ...code,
  ]);
})();

/**
 * Lets Node 20 run the relaxed-SIMD build: sets V8's --experimental-wasm-relaxed-simd before
 * bsfnet compiles its first module (V8 reads wasm feature flags when it validates a module, so
 * modules compiled later see it; measured on Node 20.20: validation, compilation, worker_threads
 * and the kernel tests against the scalar references all behave). A no-op where the engine already
 * validates relaxed SIMD, under BSFNET_WASM=simd128, outside Node, or once a module was compiled.
 * Returns whether the engine now validates relaxed SIMD.
 */
export async function enableRelaxedSimd(): Promise<boolean> {
  if (relaxedValidates()) return true;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (wasmChoice() === "simd128" || compiledAny || !proc?.versions?.node || "Bun" in globalThis) return false;
  try {
    const v8 = await import("node:v8");
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return relaxedValidates();
}

function relaxedValidates(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

async function defaultBytes(): Promise<BufferSource> {
  const fs = await import("node:fs/promises");
  if (wasmChoice() === "relaxed" && !(await enableRelaxedSimd()))
    throw new WasmLoadError("BSFNET_WASM=relaxed, but this engine cannot run relaxed SIMD");
  for (const u of defaultWasmCandidates()) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(u);
    } catch {
      continue; // try the next place
    }
    if (WebAssembly.validate(bytes as unknown as BufferSource)) {
      loadedBuild = u.pathname.endsWith(".relaxed.wasm") ? "relaxed-simd" : "simd128";
      return bytes as unknown as BufferSource;
    }
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
  compiledAny = true;
  try {
    mod = await WebAssembly.compile(bytes);
  } catch (e) {
    throw new WasmLoadError(`invalid wasm module: ${(e as Error).message}`, { cause: e });
  }
  return instantiateModule(mod);
}
