import { describe, expect, it } from "vitest";
import { makeSpectra, peakCoverage } from "../../src/data/spectra.js";

describe("makeSpectra", () => {
  it("is deterministic and the classes differ only around their own peaks", () => {
    const a = makeSpectra({ seed: 4, nSamples: 300 });
    const b = makeSpectra({ seed: 4, nSamples: 300 });
    expect(a.x).toEqual(b.x);
    expect(a.n).toBe(300);
    const L = a.d;
    const mean = Array.from({ length: 3 }, () => new Float64Array(L));
    const cnt = [0, 0, 0];
    for (let i = 0; i < a.n; i++) {
      cnt[a.y[i]]++;
      for (let t = 0; t < L; t++) mean[a.y[i]][t] += a.x[i * L + t];
    }
    for (const [c, m] of mean.entries()) for (let t = 0; t < m.length; t++) m[t] /= cnt[c];
    // the largest between-class mean difference sits on a discriminating peak
    let best = 0;
    for (let t = 1; t < L; t++)
      if (Math.abs(mean[0][t] - mean[1][t]) > Math.abs(mean[0][best] - mean[1][best])) best = t;
    const peaks = [...a.discriminating[0], ...a.discriminating[1]];
    expect(peaks.some((p) => Math.abs(p - best) <= a.hwhm)).toBe(true);
  });

  it("peakCoverage counts peaks with a high gate nearby", () => {
    const w = new Float32Array(100);
    w[20] = 1;
    w[61] = 0.9;
    const r = peakCoverage(w, [20, 60, 80], 2, 0.02);
    expect(r.high).toEqual([20, 61]);
    expect(r.coverage).toBeCloseTo(2 / 3);
    expect(r.precision).toBe(1);
  });
});
