import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadKernels, instantiateModule } from "../../src/runtime/wasm.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { WasmLoadError } from "../../src/errors.js";

const wasmUrl = new URL("../../build/bsfnet.wasm", import.meta.url);

describe("loading the kernels", () => {
  it("from a path, a file URL, bytes, and a compiled WebAssembly.Module", async () => {
    const bytes = readFileSync(wasmUrl);
    const fromPath = await loadKernels(fileURLToPath(wasmUrl));
    const fromUrl = await loadKernels(wasmUrl);
    const fromBytes = await loadKernels(new Uint8Array(bytes));
    const mod = new WebAssembly.Module(bytes);
    const fromModule = instantiateModule(mod);
    for (const k of [fromPath, fromUrl, fromBytes, fromModule]) {
      expect(typeof k.dense_forward).toBe("function");
      expect(k.memory).toBeInstanceOf(WebAssembly.Memory);
    }
    // separate instances, separate memories
    expect(fromPath.memory).not.toBe(fromBytes.memory);
  });

  it("with no argument finds build/bsfnet.wasm", async () => {
    const rt = await Runtime.load();
    expect(rt.k.l1_value).toBeTypeOf("function");
  });

  it("refuses what is not a bsfnet module, with a typed error", async () => {
    await expect(loadKernels(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).rejects.toThrow(/missing exports/);
    await expect(loadKernels(new Uint8Array([1, 2, 3]))).rejects.toThrow(WasmLoadError);
    await expect(loadKernels("/nonexistent/bsfnet.wasm")).rejects.toThrow(/cannot read wasm module/);
  });
});
