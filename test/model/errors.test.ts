import { describe, expect, it } from "vitest";
import {
  Sequential,
  Dense,
  BSF,
  Adam,
  SGD,
  ShapeError,
  DataError,
  ConfigError,
  DivergenceError,
} from "../../src/index.js";

function model(): Sequential {
  const m = new Sequential([
    new Dense({ units: 4, activation: "relu", inputShape: [3] }),
    new Dense({ units: 2, activation: "softmax" }),
  ]);
  return m.compile({ optimizer: new Adam(), seed: 0 });
}

const x = new Float32Array([0, 1, 2, 3, 4, 5]);
const y = [0, 1];

describe("bad input gets a typed error", () => {
  it("x whose width does not match the model", async () => {
    await expect(model().fit(new Float32Array(7), [0, 1])).rejects.toThrow(ShapeError);
    await expect(
      model().fit(
        [
          [1, 2, 3],
          [1, 2],
        ],
        [0, 1],
      ),
    ).rejects.toThrow(/row 1 has 2 values, the model expects 3/);
  });
  it("x and y of different lengths", async () => {
    await expect(model().fit(x, [0, 1, 1])).rejects.toThrow(/2 samples but y has 3 labels/);
  });
  it("NaN or Infinity in x names the row and column", async () => {
    const bad = x.slice();
    bad[4] = NaN;
    await expect(model().fit(bad, y)).rejects.toThrow(DataError);
    await expect(model().fit(bad, y)).rejects.toThrow(/row 1, column 1/);
    bad[4] = Infinity;
    await expect(model().fit(bad, y)).rejects.toThrow(/Infinity/);
  });
  it("NaN or Infinity in predict's x names the row and column, in any chunk of rows", async () => {
    const m = model();
    await m.fit(x, y, { verbose: 0 });
    const rows = new Float32Array(3 * 10);
    rows[3 * 7 + 2] = NaN; // row 7: the third chunk of 3 rows
    expect(() => m.predictSync(rows, { batchSize: 3 })).toThrow(DataError);
    expect(() => m.predictSync(rows, { batchSize: 3 })).toThrow(/row 7, column 2: x holds NaN/);
    rows[3 * 7 + 2] = -Infinity;
    expect(() => m.predictSync(rows)).toThrow(/-Infinity/);
    rows[3 * 7 + 2] = 0;
    expect(m.predictSync(rows).length).toBe(20);
  });
  it("labels that are not class indices", async () => {
    await expect(model().fit(x, [0, 2])).rejects.toThrow(/not a class index in \[0, 2\)/);
    await expect(model().fit(x, [0, 0.5])).rejects.toThrow(DataError);
  });
  it("predict with a wrong shape names the input", async () => {
    const m = model();
    await m.fit(x, y, { verbose: 0 });
    await expect(m.predict(new Float32Array(4))).rejects.toThrow(/layer input: x has 4 values/);
  });
  it("fit before compile, bad options, unknown loss, softmax in a hidden layer", async () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    await expect(m.fit(x, y)).rejects.toThrow(/compile\(\) before fit/);
    expect(() => model().compile({ loss: "mse" as never })).toThrow(ConfigError);
    await expect(model().fit(x, y, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    const s = new Sequential([
      new Dense({ units: 3, activation: "softmax", inputShape: [3] }),
      new Dense({ units: 2 }),
    ]);
    s.compile();
    await expect(s.fit(x, y)).rejects.toThrow(/softmax is only supported as the output/);
    expect(() => new BSF({ init: 2 })).toThrow(/init must be in \[0, 1\]/);
    expect(() => new Dense({ units: 0 })).toThrow(/units must be a positive integer/);
  });
  it("a layer that cannot take the shape (Dense on a 2-D input)", async () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [2, 3] })]).compile();
    await expect(m.build()).rejects.toThrow(/layer dense_\d+: Dense expects a flat input/);
  });
  it("training that diverges stops with a clear message", async () => {
    const m = new Sequential([
      new Dense({ units: 8, activation: "relu", inputShape: [3] }),
      new Dense({ units: 2, activation: "softmax" }),
    ]);
    m.compile({ optimizer: new SGD({ learningRate: 1e30 }) });
    const big = Float32Array.from({ length: 300 }, (_, i) => ((i * 7919) % 100) * 1e6);
    const labels = Array.from({ length: 100 }, (_, i) => i % 2);
    await expect(m.fit(big, labels, { epochs: 5, verbose: 0 })).rejects.toThrow(DivergenceError);
    await expect(m.fit(big, labels, { epochs: 5, verbose: 0 })).rejects.toThrow(/diverged/);
  });
});
