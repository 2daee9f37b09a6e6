import { describe, expect, it } from "vitest";
import {
  makeEpistasis,
  makeLed,
  makeMadelon,
  makeParity,
  makeRedundantCopies,
  makeWaveform,
} from "../../src/data/benchmarks.js";
import { ConfigError } from "../../src/errors.js";

describe("selection benchmarks with known truth", () => {
  it("parity: the label is the XOR of the relevant bits, which sit at seeded random positions", () => {
    const ds = makeParity({ seed: 3 });
    expect([ds.n, ds.d, ds.relevant.length]).toEqual([1100, 10, 5]);
    for (let i = 0; i < ds.n; i++) {
      const p = ds.relevant.reduce((a, j) => a ^ ds.x[i * ds.d + j], 0);
      expect(ds.y[i]).toBe(p);
    }
    expect(makeParity({ seed: 3 }).x).toEqual(ds.x);
    expect(makeParity({ seed: 4 }).relevant).not.toEqual(ds.relevant);
  });

  it("epistasis: 0/1/2 genotypes; neither locus alone shifts the class rate", () => {
    const ds = makeEpistasis({ seed: 0, nSamples: 20000, flipY: 0 });
    expect(ds.relevant.length).toBe(2);
    const [a, b] = ds.relevant;
    for (let i = 0; i < ds.n; i++) expect(ds.y[i]).toBe((ds.x[i * ds.d + a] + ds.x[i * ds.d + b]) % 2);
    for (const j of ds.relevant) {
      for (const g of [0, 1, 2]) {
        let n = 0,
          pos = 0;
        for (let i = 0; i < ds.n; i++) {
          if (ds.x[i * ds.d + j] === g) {
            n++;
            pos += ds.y[i];
          }
        }
        expect(Math.abs(pos / n - 0.5)).toBeLessThan(0.04);
      }
    }
  });

  it("LED, waveform, copies and MADELON-style sets name their relevant columns and groups", () => {
    const led = makeLed({ seed: 1 });
    expect([led.d, led.relevant.length, led.classNames.length]).toEqual([24, 7, 10]);
    const wf = makeWaveform({ seed: 1 });
    expect([wf.d, wf.relevant.length]).toEqual([40, 19]);
    const cp = makeRedundantCopies({ seed: 1 });
    expect(cp.groups.length).toBe(5);
    for (const g of cp.groups) {
      expect(g.length).toBe(2);
      let diff = 0;
      for (let i = 0; i < cp.n; i++) diff += Math.abs(cp.x[i * cp.d + g[0]] - cp.x[i * cp.d + g[1]]);
      expect(diff / cp.n).toBeLessThan(0.2); // copies within their noise
    }
    const md = makeMadelon({ seed: 1 });
    expect(md.relevant.length).toBe(10);
  });

  it("refuses bad options with a ConfigError naming them", () => {
    expect(() => makeParity({ nRelevant: 11 })).toThrow(/nBits/);
    expect(() => makeEpistasis({ flipY: 2 })).toThrow(ConfigError);
    expect(() => makeLed({ noise: -1 })).toThrow(/noise/);
  });
});
