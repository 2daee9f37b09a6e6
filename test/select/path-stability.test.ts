import { jobRunnerInstalled } from "../../src/select/jobs.js";
import { describe, expect, it } from "vitest";
import { makeMadelon } from "../../src/data/benchmarks.js";
import { selectAutoLambda, selectK } from "../../src/select/path.js";
import { selectFeatures } from "../../src/select/select.js";
import { stabilityJobs, stabilityRun, stabilitySelection } from "../../src/select/stability.js";
import { compileDefault, runOnWorkers } from "../../src/select/pool.js";
import { crossValidate, foldsOf } from "../../src/select/crossval.js";
import { nestedCrossValidate } from "../../src/select/nested.js";

const ds = makeMadelon({ nSamples: 300, nInformative: 3, nRedundant: 2, nNoise: 10, seed: 1 });
const base = { features: ds.d, epochs: 60, seed: 0 };

describe("selectK", () => {
  it("selects exactly K, from a run whose lambda left K gates open where one was found", async () => {
    const r = await selectK(ds.x, ds.y, 3, base);
    expect(r.selected.length).toBe(3);
    expect(new Set(r.selected).size).toBe(3);
    expect(r.path.length).toBeGreaterThan(0);
    expect(r.selected).toEqual(r.features.slice(0, 3).map((f) => f.index));
    if (r.openAtLambda === 3) expect(r.features.filter((f) => f.importance > 0.1).length).toBe(3);
  });
});

describe("warm starts along the lambda path", () => {
  it("start each lambda above the first from the nearest smaller one's run, on a third of the epochs", async () => {
    const warm = await selectK(ds.x, ds.y, 3, base);
    const cold = await selectK(ds.x, ds.y, 3, { ...base, warmPath: false });
    expect(cold.path.every((p) => !p.warmStart && p.epochs === 60)).toBe(true);
    for (const [i, p] of warm.path.entries()) {
      const smaller = warm.path.slice(0, i).some((q) => q.lambda < p.lambda);
      expect(p.warmStart, `point ${i}`).toBe(smaller);
      expect(p.epochs).toBe(smaller ? 20 : 60);
    }
    expect(warm.path.some((p) => p.warmStart)).toBe(true);
    // the first point is the same run either way
    expect({ ...warm.path[0], seconds: 0 }).toEqual({ ...cold.path[0], seconds: 0 });
  });

  it("a warm start continues from the given weights: the gates start where the earlier run left them", async () => {
    const a = await selectFeatures(ds.x, ds.y, { ...base, lambda: 0.001, keepWeights: true });
    const b = await selectFeatures(ds.x, ds.y, { ...base, lambda: 0.05, epochs: 1, warmStart: a.weights });
    const c = await selectFeatures(ds.x, ds.y, { ...base, lambda: 0.05, epochs: 1 });
    const gateA = a.history.at(-1)!;
    // one epoch moves a gate by at most lr-sized steps; from scratch the gates are near 0.5
    const dist = (g: Float32Array) => Math.max(...g.map((v, j) => Math.abs(v - gateA[j])));
    expect(dist(b.history[0])).toBeLessThan(dist(c.history[0]));
    expect(b.schedulesTried).toEqual(["penalty-first"]);
  });
});

describe("selectAutoLambda", () => {
  it("scores each lambda on held-out rows and takes the largest within tolerance of the best", async () => {
    const r = await selectAutoLambda(ds.x, ds.y, base, [0.001, 0.01, 0.1], 0.02);
    expect(r.path.map((p) => p.lambda)).toEqual([0.001, 0.01, 0.1]);
    const best = Math.min(...r.path.map((p) => p.validationLoss!));
    const ok = r.path.filter((p) => p.validationLoss! <= best + Math.max(0.02, 0.05 * best));
    expect(r.lambda).toBe(Math.max(...ok.map((p) => p.lambda)));
    for (const p of r.path) expect(p.validationAccuracy).toBeGreaterThan(0);
  });
});

describe("stability selection", () => {
  it("ranks by mean rank over the runs and selects by top-q frequency with the stated bound", async () => {
    const r = await stabilitySelection(ds.x, ds.y, { ...base, runs: 3 });
    expect(r.runs.length).toBe(3);
    for (const f of r.features) expect([0, 1 / 3, 2 / 3, 1].some((v) => Math.abs(v - f.frequency) < 1e-9)).toBe(true);
    for (let i = 1; i < r.features.length; i++)
      expect(r.features[i - 1].meanRank).toBeLessThanOrEqual(r.features[i].meanRank);
    const { q, threshold, bound } = r.rule;
    expect(threshold).toBe(0.9);
    expect(bound).toBeCloseTo((q * q) / (0.8 * ds.d), 12);
    expect(bound!).toBeLessThanOrEqual(4);
    expect(r.selected).toEqual(r.features.filter((f) => f.topFrequency >= 0.9 - 1e-9).map((f) => f.index));
    expect(new Set(r.runs.map((x) => x.seed)).size).toBe(3);
  });

  it("caps q where the runs leave every gate open, so noise open in every run is not selected", async () => {
    // four runs that left all 20 gates open, ranking 3 and 7 first in their own order
    const D = 20;
    const runs = Array.from({ length: 4 }, (_, r) => {
      const noise = Array.from({ length: D }, (_, j) => j).filter((j) => j !== 3 && j !== 7);
      const rot = [...noise.slice(r * 4), ...noise.slice(0, r * 4)];
      const ranking = r % 2 ? [7, 3, ...rot] : [3, 7, ...rot];
      return {
        run: r,
        seed: r,
        selected: ranking,
        ranking,
        importance: new Float32Array(D).fill(0.9),
        runMean: new Float32Array(D).fill(0.9),
        schedule: "warm-up",
        allClosed: false,
        seconds: 0,
      };
    });
    const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    const r = await stabilitySelection(new Float32Array(40 * D), y, {
      features: D,
      runs: 4,
      runner: async () => runs,
    });
    // q = min(median open 20, floor(sqrt(4 * 0.8 * 20))) = 8
    expect(r.rule.q).toBe(8);
    expect(r.features.slice(0, 2).map((f) => f.index)).toEqual([3, 7]);
    expect(r.features[0].frequency).toBe(1);
    expect(r.selected.sort((a, b) => a - b)).toEqual([3, 7]);
  });

  it("runs on worker threads give what the same jobs give in this thread", async () => {
    const jobs = stabilityJobs(ds.y, 3, 7);
    const here = [];
    for (const j of jobs) here.push(await stabilityRun(ds.x, ds.y, ds.d, j, base));
    // the build ready() chose in this thread
    const there = await runOnWorkers(await compileDefault(), ds.x, ds.y, base, jobs, 2);
    expect(there.map((r) => [r.selected, Array.from(r.importance)])).toEqual(
      here.map((r) => [r.selected, Array.from(r.importance)]),
    );
  }, 60_000);
});

describe("folds on worker threads", () => {
  it("crossValidate and nestedCrossValidate give on 2 workers exactly what they give in this thread", async () => {
    await import("../../src/select/pool.js");
    expect(jobRunnerInstalled()).toBe(true);
    const o = { features: ds.d, folds: 3, epochs: 20, seed: 4 };
    const [a, b] = [await crossValidate(ds.x, ds.y, o), await crossValidate(ds.x, ds.y, { ...o, workers: 2 })];
    expect(b.accuracies).toEqual(a.accuracies);
    expect(b.trainAccuracies).toEqual(a.trainAccuracies);
    const no = { ...o, top: 4, select: { epochs: 20 } };
    const [c, d] = [
      await nestedCrossValidate(ds.x, ds.y, no),
      await nestedCrossValidate(ds.x, ds.y, { ...no, workers: 2 }),
    ];
    expect(d.accuracies).toEqual(c.accuracies);
    expect(d.selections).toEqual(c.selections);
  }, 60_000);
});

describe("grouped folds", () => {
  it("never put rows of one group on both sides of a split", () => {
    const n = 500;
    const groups = Int32Array.from({ length: n }, (_, i) => Math.floor((i * 7919) % 97));
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const folds = foldsOf(y, 5, 3, groups);
    const seen = new Set<number>();
    for (const { train, validation } of folds) {
      const tr = new Set(Array.from(train, (i) => groups[i]));
      for (const i of validation) {
        expect(tr.has(groups[i])).toBe(false);
        seen.add(i);
      }
    }
    expect(seen.size).toBe(n);
  });
});
