// bench/train/threads.ts runs end to end (quick mode) and returns what bench/run.ts reads:
// samples/s on one and two threads and their ratio, per net and batch size. No timing threshold.
import { describe, expect, it } from "vitest";
import { measureThreads } from "../../bench/train/threads.js";

describe("measureThreads", () => {
  it("quick: finite, positive samples/s and speed-ups for the CNN and the Musk2 MLP at 32 and 128", async () => {
    const r = await measureThreads({ quick: true });
    for (const net of [r.cnn, r.musk2]) {
      for (const row of [net.b32, net.b128]) {
        for (const v of [row.one, row.two, row.speedup, row.cpuUs1, row.cpuUs2]) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThan(0);
        }
        expect(row.speedup).toBeCloseTo(row.two / row.one, 10);
        // per-thread CPU time is read on Linux only
        if (process.platform === "linux") expect(row.cpuBound).toBeGreaterThan(0);
        else expect(row.cpuBound).toBeNull();
      }
    }
  }, 180_000);
});
