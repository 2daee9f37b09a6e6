// Shortened Table 4 runs (scripts/table4-kernels.ts): a few epochs on a few hundred images; the full
// runs are docs/table4-mnist.md and docs/table4-cifar10.md.
import { expect, it } from "vitest";
import { describeWithData } from "../util/data.js";
import { type Json, runScript } from "./run.js";

// a strong penalty on gates that start just above the threshold: a short run closes them (all, here: pruning then
// keeps one zero-weight channel per gate, the degenerate case)
const closing = ["--lambdas", "1", "--init", "0.11", "--batch", "8"];

function check(j: Json, baselineWeights: number): void {
  expect(j.baseline.weights).toBe(baselineWeights);
  for (const k of ["accuracy", "loss"]) expect(typeof j.baseline[k]).toBe("number");
  expect(j.runs.length).toBe(1);
  const r = j.runs[0];
  for (const k of ["lambda", "weights", "accuracy", "loss", "bytes"]) expect(typeof r[k]).toBe("number");
  expect(r.weights).toBeLessThan(baselineWeights);
  // the model file holds at least the float32 weights
  expect(r.bytes).toBeGreaterThanOrEqual(4 * r.weights);
  expect(j.baseline.bytes).toBeGreaterThanOrEqual(4 * baselineWeights);
  // pruning is exact: the pruned net before fine-tuning scores what the gated net scores
  expect(r.accuracyAfterPruneBeforeFineTune).toBe(r.accuracyBeforePrune);
  expect(j.complete).toBe(true);
}

describeWithData("Table 4, MNIST (shortened)", "mnist/train-images-idx3-ubyte.gz", () => {
  it("trains, prunes channels and fine-tunes the Table 6 CNN; every figure on the validation split", () => {
    const { json: j } = runScript(
      "table4-kernels.ts",
      ["--dataset", "mnist", "--train", "600", "--validation", "300", "--epochs", "2", "--fine-tune", "1", ...closing],
      "table4-mnist.json",
    );
    check(j, 1199882);
    expect(j.settings.validation).toBe(300);
    expect(j.baseline.accuracy).toBeGreaterThan(0.5);
  });
});

describeWithData("Table 4, CIFAR-10 subset (shortened)", "cifar10-subset/data_batch_1_first4000.bin", () => {
  it("the Keras example CNN has the paper's 1,250,858 weights and prunes", () => {
    const { json: j } = runScript(
      "table4-kernels.ts",
      [
        "--dataset",
        "cifar10",
        "--train",
        "200",
        "--validation",
        "100",
        "--epochs",
        "3",
        "--fine-tune",
        "1",
        ...closing,
      ],
      "table4-cifar10.json",
    );
    check(j, 1250858);
  });
});
