// Issue 9: targets with no marginal signal. With the paper's schedule (penalty from the first
// step) every gate closes before the network can learn the interaction; the default schedule
// must find them, and a run that closes every gate must say so.
import { describe, expect, it, vi } from "vitest";
import { makeEpistasis, makeParity, type BenchmarkDataset } from "../../src/data/benchmarks.js";
import { selectFeatures } from "../../src/select/select.js";

function score(ds: BenchmarkDataset, r: Awaited<ReturnType<typeof selectFeatures>>) {
  const top = r.features.slice(0, ds.relevant.length).map((f) => f.index);
  const rel = new Set(ds.relevant);
  return { found: top.filter((j) => rel.has(j)).length, irrelevantOpen: r.selected.filter((j) => !rel.has(j)).length };
}

describe("interactions with default settings", () => {
  for (const [name, make] of [
    ["parity of 5 of 10 bits", makeParity],
    ["two-locus epistasis among 20", makeEpistasis],
  ] as const) {
    it(`${name}: every relevant feature in the top k, at most 3 irrelevant gates open`, async () => {
      for (const seed of [0, 1]) {
        const ds = make({ seed });
        const r = await selectFeatures(ds.x, ds.y, { features: ds.d, seed, warn: false });
        const s = score(ds, r);
        expect(s.found, `seed ${seed}`).toBe(ds.relevant.length);
        expect(s.irrelevantOpen, `seed ${seed}`).toBeLessThanOrEqual(3);
        expect(r.allClosed).toBe(false);
      }
    });
  }

  it("epistasis draw 6 (1,600 rows), whose warm-up at lambda 0.01 left all 20 gates open: auto doubles lambda", async () => {
    const ds = makeEpistasis({ seed: 6, nSamples: 3200 });
    const n = 1600;
    const r = await selectFeatures(ds.x.subarray(0, n * ds.d), ds.y.subarray(0, n), {
      features: ds.d,
      seed: 6,
      warn: false,
    });
    expect(r.schedulesTried).toEqual(["penalty-first", "warm-up", "warm-up, lambda 0.02"]);
    expect(r.lambda).toBe(0.02);
    expect(r.allOpen).toBe(false);
    const s = score({ ...ds, relevant: ds.relevant }, r);
    expect(s.found).toBe(2);
    expect(s.irrelevantOpen).toBeLessThanOrEqual(3);
  });

  it("a run that leaves every gate open says so on stderr and in the result", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [Math.sin(i), Math.cos(i * 1.7), ((i * 37) % 11) / 11]);
    const y = rows.map((r) => (r[0] + r[1] + r[2] > 0.6 ? 1 : 0));
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const r = await selectFeatures(rows, y, { epochs: 20, seed: 0, lambda: 0 });
      expect(r.allOpen).toBe(true);
      expect(r.selected.length).toBe(3);
      expect(r.warnings[0]).toMatch(/every gate stayed open.*larger lambda/);
      expect(spy).toHaveBeenCalledWith(expect.stringMatching(/^bsfnet: warning: every gate stayed open/));
    } finally {
      spy.mockRestore();
    }
  });

  it("the paper's schedule closes every parity gate, and says so on stderr and in the result", async () => {
    const ds = makeParity({ seed: 0 });
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const r = await selectFeatures(ds.x, ds.y, { features: ds.d, seed: 0, schedule: "penalty-first", epochs: 100 });
      expect(r.allClosed).toBe(true);
      expect(r.selected).toEqual([]);
      expect(r.warnings[0]).toMatch(/every gate closed.*smaller lambda/);
      expect(spy).toHaveBeenCalledWith(expect.stringMatching(/^bsfnet: warning: every gate closed/));
    } finally {
      spy.mockRestore();
    }
  });

  it("auto reruns with the warm-up only when every gate closed (marginal signal keeps the paper's run)", async () => {
    const ds = makeParity({ seed: 0 });
    const r = await selectFeatures(ds.x, ds.y, { features: ds.d, seed: 0, warn: false });
    expect(r.schedulesTried).toEqual(["penalty-first", "warm-up"]);
    const rows = Array.from({ length: 300 }, (_, i) => [i % 2 ? 1 : -1, (i * 37) % 11]);
    const m = await selectFeatures(
      rows,
      rows.map((_, i) => i % 2),
      { epochs: 30, seed: 0 },
    );
    expect(m.schedulesTried).toEqual(["penalty-first"]);
    expect(m.selected).toContain(0);
  });

  it("one seed gives the same ranking twice", async () => {
    const ds = makeEpistasis({ seed: 2 });
    const a = await selectFeatures(ds.x, ds.y, { features: ds.d, seed: 5, epochs: 40, warn: false });
    const b = await selectFeatures(ds.x, ds.y, { features: ds.d, seed: 5, epochs: 40, warn: false });
    expect(b.history).toEqual(a.history);
  });
});
