import { describe, expect, it } from "vitest";
import { Sequential, Dense, BSF, Adam } from "../../src/index.js";
import { blobs } from "../util/blobs.js";

async function train(seed: number, fitSeed: number): Promise<Float32Array[]> {
  const data = blobs(300, 9, 3, 4);
  const model = new Sequential([
    new BSF({ penalty: 0.01, inputShape: [9] }),
    new Dense({ units: 9, activation: "relu" }),
    new Dense({ units: 3, activation: "softmax" }),
  ]);
  model.compile({ optimizer: new Adam(), seed });
  await model.fit(data.x, data.y, { epochs: 3, batchSize: 16, seed: fitSeed, verbose: 0 });
  const w = model.getWeights().map((t) => t.values);
  model.dispose();
  return w;
}

const bits = (ws: Float32Array[]) => ws.map((w) => Array.from(new Uint32Array(w.buffer, w.byteOffset, w.length)));

describe("reproducibility", () => {
  it("the same seeds give bit-identical weights", async () => {
    expect(bits(await train(1, 2))).toEqual(bits(await train(1, 2)));
  });
  it("another fit seed (shuffle and masks) gives other weights", async () => {
    expect(bits(await train(1, 2))).not.toEqual(bits(await train(1, 3)));
  });
  it("another init seed gives other weights", async () => {
    expect(bits(await train(1, 2))).not.toEqual(bits(await train(5, 2)));
  });
});
