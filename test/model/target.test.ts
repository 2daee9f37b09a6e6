// foldTargetScale / unfoldTargetScale: the output layer rewritten so the model predicts
// mean + std z instead of z, and back.
import { describe, expect, it } from "vitest";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { foldTargetScale, unfoldTargetScale } from "../../src/model/target.js";
import { ready } from "../../src/runtime/runtime.js";

describe("target scale folding", () => {
  it("fold makes predictions mean + std z; unfold undoes it", async () => {
    await ready();
    const m = new Sequential(
      [new Dense({ units: 5, activation: "relu" }), new Dense({ name: "out", units: 1, activation: "linear" })],
      { inputShape: [3] },
    );
    m.compile({ seed: 1, loss: "meanSquaredError" });
    await m.build();
    const x = Float32Array.from({ length: 21 }, (_, i) => Math.sin(i * 1.3));
    const z = Array.from(await m.predict(x));
    foldTargetScale(m, 100, 7.5);
    const t = Array.from(await m.predict(x));
    expect(Math.max(...t.map((v, i) => Math.abs(v - (100 + 7.5 * z[i]))))).toBeLessThan(1e-3);
    unfoldTargetScale(m, 100, 7.5);
    const back = Array.from(await m.predict(x));
    expect(Math.max(...back.map((v, i) => Math.abs(v - z[i])))).toBeLessThan(1e-4);
    expect(Math.max(...z.map(Math.abs))).toBeGreaterThan(0);
    m.dispose();
  });
});
