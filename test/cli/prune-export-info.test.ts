// bsfnet prune | export | info through main(argv, io) -> exit code, output captured.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { saveModel, loadModel, readModelFile } from "../../src/io/file.js";
import { setRuntime } from "../../src/runtime/runtime.js";
import { reduceRows } from "../../src/prune/plan.js";
import { maxAbsDiff, randn, rng, runtime } from "../util/wasm.js";
import { blobs } from "../util/blobs.js";
import { D, gatedModel } from "../util/models.js";

let out: string[] = [];
let err: string[] = [];
const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };

/** Collects what the commands run after it write. */
function capture(): { out: () => string; err: () => string } {
  out = [];
  err = [];
  return { out: () => out.join("\n"), err: () => err.join("\n") };
}

const info = (argv: string[]) => main(["info", ...argv], io);
const prune = (argv: string[]) => main(["prune", ...argv], io);
const exportCmd = (argv: string[]) => main(["export", ...argv], io);

describe("bsfnet prune / export / info", () => {
  it("prunes a gated model file, exports it, and describes both", async () => {
    const rt = await runtime();
    setRuntime(rt);
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-cli-"));
    const gated = await gatedModel(5);
    const src = join(dir, "gated.bsfnet");
    await saveModel(gated, src);

    let c = capture();
    expect(await info([src])).toBe(0);
    expect(c.out()).toMatch(/format version 1/);
    expect(c.out()).toMatch(/input_gate\s+BSF/);

    const out = join(dir, "pruned.bsfnet");
    c = capture();
    expect(await prune([src, "-o", out])).toBe(0);
    expect(c.out()).toMatch(/removed/);
    const f = await readModelFile(out);
    expect(f.spec.layers.some((l) => l.className === "BSF")).toBe(false);
    expect(f.meta.fullInputSize).toBe(D);
    const pruned = await loadModel(out, { runtime: rt });
    const x = randn(rng(2), 20 * D, 2);
    expect(maxAbsDiff(pruned.predictSync(reduceRows(x, D, f.meta.inputKeep)), gated.predictSync(x))).toBeLessThan(1e-5);
    pruned.dispose();

    c = capture();
    expect(await info([out, "--json"])).toBe(0);
    const j = JSON.parse(c.out());
    expect(j.meta.inputKeep).toEqual(f.meta.inputKeep);
    expect(j.counts.gates).toBe(0);

    capture();
    expect(await exportCmd([out, "--format", "tfjs", "-o", join(dir, "tfjs")])).toBe(0);
    expect(await exportCmd([out, "--format", "onnx", "-o", join(dir, "m.onnx")])).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "tfjs/model.json"), "utf8")).format).toBe("layers-model");
    expect(existsSync(join(dir, "m.onnx"))).toBe(true);
    gated.dispose();
  });

  it("fine-tunes from a CSV", async () => {
    setRuntime(await runtime());
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-cli-ft-"));
    const gated = await gatedModel(6);
    const src = join(dir, "g.bsfnet");
    await saveModel(gated, src);
    gated.dispose();
    const { x, y } = blobs(120, D, 3, 6, 4);
    const lines = [`label,${Array.from({ length: D }, (_, j) => `f${j}`).join(",")}`];
    for (let i = 0; i < y.length; i++) lines.push(`${y[i]},${Array.from(x.subarray(i * D, (i + 1) * D)).join(",")}`);
    writeFileSync(join(dir, "d.csv"), lines.join("\n"));
    const c = capture();
    expect(
      await prune([
        src,
        "-o",
        join(dir, "ft.bsfnet"),
        "--fine-tune-epochs",
        "3",
        "--data",
        join(dir, "d.csv"),
        "--label",
        "label",
      ]),
    ).toBe(0);
    expect(c.out()).toMatch(/fine-tuned 3 epochs at learning rate 0.0001/);
    expect(existsSync(join(dir, "ft.bsfnet"))).toBe(true);
  });

  it("errors: usage, bad or missing model files (2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-cli-err-"));
    writeFileSync(join(dir, "junk.bsfnet"), "not a model at all, not even close");
    const c = capture();
    expect(await info([])).toBe(2);
    expect(await info([join(dir, "missing.bsfnet")])).toBe(2);
    expect(await info([join(dir, "junk.bsfnet")])).toBe(2);
    expect(c.err()).toMatch(/not a bsfnet model file/);
    expect(await exportCmd([join(dir, "junk.bsfnet"), "--format", "keras", "-o", "x"])).toBe(2);
    expect(await prune([join(dir, "junk.bsfnet")])).toBe(2);
    expect(await prune([join(dir, "junk.bsfnet"), "-o", join(dir, "o"), "--threshold", "2"])).toBe(2);
    expect(await prune([join(dir, "junk.bsfnet"), "-o", join(dir, "o"), "--fine-tune-epochs", "2"])).toBe(2);
    expect(await info(["--help"])).toBe(0);
  });
});
