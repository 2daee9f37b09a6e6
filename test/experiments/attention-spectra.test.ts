import { describe, expect, it } from "vitest";
import { attentionSpectra } from "../../src/experiments/attention.js";

describe("spectral regions of interest (shortened)", () => {
  it("high gates cover the discriminating peaks and the gate costs at most a point of accuracy", async () => {
    const r = await attentionSpectra({ epochs: 10, penalty: 0.001, init: 0.9, seed: 1, spectra: { nSamples: 900 } });
    expect(r.coverage).toBeGreaterThanOrEqual(0.8);
    expect(r.precision).toBeGreaterThan(0.5);
    expect(r.ungated).toBeGreaterThan(0.9);
    expect(r.gated).toBeGreaterThan(r.ungated - 0.01);
  });
});
