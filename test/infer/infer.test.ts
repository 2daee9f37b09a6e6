// The inference entry: same predictions as the training-side model, from a Module or bytes, and a
// bundle that holds nothing of training.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { InferenceModel } from "../../src/infer/index.js";
import { modelToBytes } from "../../src/io/file.js";
import { ModelFileError } from "../../src/errors.js";
import { reduceRows } from "../../src/prune/index.js";
import { maxAbsDiff, randn, rng } from "../util/wasm.js";
import { D, gatedCnn, prunedModel } from "../util/models.js";
import { prune } from "../../src/prune/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const wasmBytes = () => readFileSync(`${root}build/bsfnet.wasm`);

/** Budget of the minified inference bundle: the dense and conv layers, the file decoder and the
 * loader take 38.3 KB minified, 12.0 KB gzipped (Dense's training branch, the call to
 * dense_forward_train, took it 37 bytes past the 12,000 of before). 40 KB / 12.5 KB still fails on
 * an accidental import of training code (the optimizer, Sequential, data: tens of KB). */
const BUDGET = { minified: 40_000, gzipped: 12_500 };

describe("bsfnet/infer", () => {
  it("predicts what the pruned Sequential predicts, from a Module and from bytes; maps full rows", async () => {
    const { gated, pruned, plan } = await prunedModel(2);
    const file = modelToBytes(pruned, { inputKeep: plan.inputKeep, fullInputSize: D });
    const mod = new WebAssembly.Module(wasmBytes());
    const a = InferenceModel.fromModule(mod, file);
    const b = await InferenceModel.load(wasmBytes(), file, { batchSize: 7 });
    const x = randn(rng(9), 50 * D, 2);
    const ref = gated.predictSync(x);
    expect(a.inputSize).toBe(plan.inputKeep?.length ?? D);
    const pa = a.predict(a.reduceInput(x));
    const pb = b.predict(b.reduceInput(x));
    expect(maxAbsDiff(pa, ref)).toBeLessThan(1e-5);
    expect(maxAbsDiff(pb, pa)).toBe(0); // batch size does not change results
    expect(maxAbsDiff(pa, pruned.predictSync(reduceRows(x, D, plan.inputKeep)))).toBe(0);
    expect(Array.from(a.predictClasses(a.reduceInput(x)))).toEqual(Array.from(await gated.predictClasses(x)));
    expect(() => a.predict([new Array(a.inputSize + 1).fill(0)])).toThrow(/row 0 has/);
    const bad = a.reduceInput(x);
    bad[a.inputSize * 9 + 1] = Number.POSITIVE_INFINITY; // checked in wasm per chunk of 7 rows: the second
    expect(() => b.predict(bad)).toThrow(/row 9, column 1: input holds Infinity/);
    console.log(
      `[bsfnet] test net: input ${D} -> ${a.inputSize}, weights ${plan.before.weights} -> ${plan.after.weights}`,
    );
    expect(plan.after.weights).toBeLessThan(plan.before.weights);
    gated.dispose();
    pruned.dispose();
  });

  it("runs pruned conv nets (Conv2D, MaxPool, Flatten view; Conv1D) like the gated Sequential", async () => {
    for (const oneD of [false, true]) {
      const gated = await gatedCnn(5, oneD);
      const full = gated.inputShape!.reduce((a, b) => a * b, 1);
      const { model: pruned, plan } = prune(gated);
      const m = InferenceModel.fromModule(
        new WebAssembly.Module(wasmBytes()),
        modelToBytes(pruned, { inputKeep: plan.inputKeep, fullInputSize: full }),
        { batchSize: 5 },
      );
      const x = randn(rng(21), 13 * full, 1.5);
      expect(maxAbsDiff(m.predict(m.reduceInput(x)), gated.predictSync(x))).toBeLessThan(1e-5);
      pruned.dispose();
      gated.dispose();
    }
  });

  it("refuses a broken file and a wasm module that is not bsfnet's", async () => {
    const { gated, pruned } = await prunedModel(3);
    const file = modelToBytes(pruned);
    const mod = new WebAssembly.Module(wasmBytes());
    expect(() => InferenceModel.fromModule(mod, file.subarray(0, file.length - 4))).toThrow(ModelFileError);
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await expect(InferenceModel.load(empty, file)).rejects.toThrow(/not a bsfnet wasm module/);
    gated.dispose();
    pruned.dispose();
  });

  it("bundles without training code or Node modules, within the size budget", async () => {
    const r = await build({
      entryPoints: [`${root}src/infer/index.ts`],
      bundle: true,
      format: "esm",
      platform: "neutral",
      minify: true,
      write: false,
      metafile: true,
    });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs).toContain("src/layers/dense.ts");
    // the layer stack training runs, shared, not a copy
    expect(inputs).toContain("src/model/stack.ts");
    const training = [
      "src/optim/",
      "src/model/sequential.ts",
      "src/model/callbacks.ts",
      "src/select/",
      "src/data/",
      "src/prune/",
      "src/export/",
    ];
    for (const banned of [...training, "src/util/atomic", "src/runtime/runtime.ts", "src/runtime/wasm.ts"]) {
      expect(inputs.filter((i) => i.includes(banned))).toEqual([]);
    }
    const code = r.outputFiles[0].text;
    expect(code).not.toMatch(/node:/);
    expect(code).not.toMatch(/WebAssembly\.compile\(.*WebAssembly\.compile/s);
    const min = Buffer.byteLength(code);
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(`[bsfnet] inference bundle: ${min} bytes minified, ${gz} bytes gzipped`);
    expect(min).toBeLessThan(BUDGET.minified);
    expect(gz).toBeLessThan(BUDGET.gzipped);
  });
});
