// playground/core.ts in Node: what the page's worker runs, checked without a browser. The
// downloads must read back in the library and the CLI as their own outputs do.
import { beforeAll, describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  checkSize,
  curvePoints,
  guessLabel,
  guessTask,
  parseDataset,
  peekColumns,
  runJob,
  syntheticCsv,
} from "../../playground/core.js";
import { parseCsv } from "../../src/data/csv.js";
import { DataError, ConfigError } from "../../src/errors.js";
import { InferenceModel } from "../../src/infer/index.js";
import { decodeModelFile } from "../../src/io/format.js";
import { Runtime } from "../../src/runtime/runtime.js";

const root = resolve(import.meta.dirname, "../..");
const wasm = readFileSync(join(root, "build/bsfnet.wasm"));
let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.load(wasm);
});
const bytes = (s: string) => new TextEncoder().encode(s);

describe("playground core", () => {
  it("guesses the label by name, else the last column, and the task from the label's values", () => {
    expect(guessLabel(["a", "Class", "b"])).toBe("Class");
    expect(guessLabel(["a", "b", "price"])).toBe("price");
    expect(guessTask(["1", "2", "1", "3"])).toBe("classification");
    expect(guessTask(Array.from({ length: 50 }, (_, i) => String(i * 0.37)))).toBe("regression");
    expect(guessTask(["yes", "no"])).toBe("classification");
    const { columns, sample } = peekColumns(bytes("x,y,label\n1,2,a\n3,4,b\n"), "t.csv");
    expect(columns).toEqual(["x", "y", "label"]);
    expect(sample).toEqual([
      ["1", "2", "a"],
      ["3", "4", "b"],
    ]);
  });

  it("refuses empty and too-large files with a DataError naming the file", () => {
    expect(() => checkSize(0, "e.csv")).toThrow(new DataError("empty file (no rows)", { file: "e.csv" }));
    expect(() => checkSize(2048, "big.csv", 1024)).toThrow(/^big\.csv: the file is 2\.0 KB, more than/);
    expect(() => parseDataset(bytes("a,b\n1,x\n"), "t.csv", { label: "b", drop: ["a"] })).toThrow(
      /t\.csv: no feature columns/,
    );
  });

  it("a target k keeps exactly k inputs in the pruned model; the ONNX export computes what the model does", async () => {
    const ds = parseDataset(bytes(syntheticCsv(1)), "s.csv", { label: "class" });
    const r = await runJob(ds, { lambda: 0.01, k: 4, epochs: 3, gates: "all", seed: 1 }, rt);
    expect(r.selected).toEqual(r.features.slice(0, 4).map((f) => f.index));
    const file = decodeModelFile(r.model);
    expect(file.meta.inputKeep?.length).toBe(4);
    expect([...(file.meta.inputKeep ?? [])].sort((a, b) => a - b)).toEqual([...r.selected].sort((a, b) => a - b));
    const m = await InferenceModel.load(wasm, r.model);
    const x = m.prepareInput(ds.x);
    const s = await ort.InferenceSession.create(r.onnx);
    const y = (await s.run({ input: new ort.Tensor("float32", x, [ds.n, 4]) })).output.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - r.predictions[i]));
    expect(worst).toBeLessThan(1e-5);
    // the ranking JSON and reduced CSV are the CLI's: they read back as select's would
    const doc = JSON.parse(r.rankingJson);
    expect(doc.features.map((f: { index: number }) => f.index)).toEqual(r.features.map((f) => f.index));
    expect(doc.k).toBe(4);
    const reduced = parseCsv(r.reducedCsv, { label: "class" });
    expect(reduced.featureNames).toEqual([...r.selected].sort((a, b) => a - b).map((j) => ds.featureNames[j]));
    expect(reduced.n).toBe(ds.n);
    expect(Array.from(reduced.x.subarray(0, 4))).toEqual([...r.selected].sort((a, b) => a - b).map((j) => ds.x[j]));
    await expect(runJob(ds, { lambda: 0.01, k: 4, epochs: 1, gates: "hidden", seed: 0 }, rt)).rejects.toThrow(
      ConfigError,
    );
  });

  it("regression: a numeric label, no accuracy, the model predicts in the label's units", async () => {
    const lines = ["a,b,noise,price"];
    for (let i = 0; i < 200; i++) {
      const a = Math.sin(i) * 3;
      const b = Math.cos(i * 0.7);
      lines.push(`${a},${b},${(i * 7919) % 13},${(100 + 10 * a - 5 * b).toFixed(3)}`);
    }
    const ds = parseDataset(bytes(lines.join("\n")), "r.csv", { label: "price", task: "regression" });
    const r = await runJob(ds, { lambda: 0.001, epochs: 20, gates: "input", seed: 0 }, rt);
    expect(r.task).toBe("regression");
    expect(r.history.accuracy).toEqual([]);
    expect(r.outputs).toBe(1);
    const mean = Array.from(r.predictions).reduce((s, v) => s + v, 0) / ds.n;
    // the standardized target's scale is folded back: predictions sit around the label's mean (≈100)
    expect(mean).toBeGreaterThan(80);
    expect(mean).toBeLessThan(120);
    expect(() => parseDataset(bytes("a,t\n1,5\n2,5\n"), "c.csv", { label: "t", task: "regression" })).toThrow(
      /c\.csv, column t: the label has a single value/,
    );
  });

  it("the same seed gives the same run; the curve points are select --report's", async () => {
    const ds = parseDataset(bytes(syntheticCsv(2)), "s.csv", { label: "class" });
    const o = { lambda: 0.02, epochs: 2, gates: "input" as const, seed: 5 };
    const [a, b] = [await runJob(ds, o, rt), await runJob(ds, o, rt)];
    expect(a.history.gates.input_gate).toEqual(b.history.gates.input_gate);
    expect(Buffer.from(a.model).equals(Buffer.from(b.model))).toBe(true);
    expect(curvePoints(13)).toEqual([1, 3, 4, 6, 8, 10, 11, 13]);
    expect(curvePoints(3)).toEqual([1, 2, 3]);
  });
});
