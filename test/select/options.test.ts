import { describe, expect, it } from "vitest";
import { selectFeatures } from "../../src/select/select.js";
import { crossValidate } from "../../src/select/crossval.js";
import { ConfigError } from "../../src/errors.js";

const x = [
  [0, 1],
  [1, 0],
  [0, 1],
  [1, 0],
];
const y = [0, 1, 0, 1];

describe("library calls refuse options they do not know", () => {
  it("selectFeatures names the unknown option", async () => {
    await expect(selectFeatures(x, y, { epoch: 1 } as never)).rejects.toThrow(ConfigError);
    await expect(selectFeatures(x, y, { epoch: 1 } as never)).rejects.toThrow(/unknown option "epoch"/);
  });
  it("crossValidate names the unknown option", async () => {
    await expect(crossValidate(x, y, { features: 2, fold: 2 } as never)).rejects.toThrow(
      /crossValidate: unknown option "fold"/,
    );
  });
  it("bad schedule values are ConfigErrors", async () => {
    await expect(selectFeatures(x, y, { schedule: "later" as never })).rejects.toThrow(/schedule must be/);
    await expect(selectFeatures(x, y, { epochs: 10, warmupEpochs: 11 })).rejects.toThrow(/warmupEpochs/);
  });
});
