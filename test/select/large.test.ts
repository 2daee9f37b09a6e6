import { expect, it } from "vitest";
import { selectFeatures } from "../../src/select/select.js";

it("selectFeatures takes hundreds of thousands of rows (no argument-spreading stack overflow)", async () => {
  const n = 300_000;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x[2 * i] = y[i] ? 1 : -1;
    x[2 * i + 1] = ((i * 7919) % 1000) / 1000;
  }
  const r = await selectFeatures(x, y, { features: 2, epochs: 1, batchSize: 1024 });
  expect(r.features.length).toBe(2);
  expect(r.features[0].index).toBe(0);
});
