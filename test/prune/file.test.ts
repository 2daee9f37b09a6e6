// pruneModelFile: pruning a saved model carries its metadata along (what `bsfnet prune` does).
import { describe, expect, it } from "vitest";
import { pruneModelFile } from "../../src/prune/file.js";
import { modelInput } from "../../src/model/meta.js";
import { DataError } from "../../src/errors.js";
import { D, gatedModel } from "../util/models.js";
import { maxAbsDiff, randn, rng, runtime } from "../util/wasm.js";
import { Sequential } from "../../src/model/sequential.js";

describe("pruneModelFile", () => {
  it("composes the input mapping with the file's own and keeps the full width", async () => {
    const rt = await runtime();
    const gated = await gatedModel(5);
    // as if this model already read D of 20 columns of a wider row: columns 2, 4, 6, ...
    const prev = Array.from({ length: D }, (_, j) => 2 * j + 2);
    const meta = { inputKeep: prev, fullInputSize: 20, classNames: ["a", "b", "c"] };
    const r = await pruneModelFile({ version: 1, spec: gated.toSpec(), meta }, { runtime: rt });
    expect(r.plan.inputKeep).toBeDefined();
    expect(r.meta.inputKeep).toEqual(r.plan.inputKeep!.map((j) => prev[j]));
    expect(r.meta.fullInputSize).toBe(20);
    expect(r.meta.classNames).toEqual(["a", "b", "c"]);
    expect(r.spec.layers.some((l) => l.className === "BSF")).toBe(false);
    // the pruned model on full rows equals the gated model on its own columns of them
    const full = randn(rng(3), 6 * 20);
    const small = Sequential.fromSpec(r.spec, rt);
    const own = modelInput({ inputKeep: prev, fullInputSize: 20 }, full, D);
    expect(
      maxAbsDiff(small.predictSync(modelInput(r.meta, full, r.spec.inputShape[0])), gated.predictSync(own)),
    ).toBeLessThan(1e-5);
    small.dispose();
    gated.dispose();
  });

  it("refuses fine-tuning rows of the wrong width before training", async () => {
    const rt = await runtime();
    const gated = await gatedModel(6);
    const rows = async () => ({ x: new Float32Array(3 * (D + 1)), y: new Int32Array(3), d: D + 1, source: "rows.csv" });
    await expect(
      pruneModelFile(
        { version: 1, spec: gated.toSpec(), meta: {} },
        { runtime: rt, fineTune: { epochs: 1, batchSize: 4, learningRate: 0.001, rows } },
      ),
    ).rejects.toThrow(DataError);
    gated.dispose();
  });
});
