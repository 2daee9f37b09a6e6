// bench/peers' interleavedSeconds: the engines take turns, round after round, and each gets its
// own median back in the order given.
import { describe, expect, it } from "vitest";
import { interleavedSeconds } from "../../bench/peers/bsfnet.js";

describe("interleavedSeconds", () => {
  it("runs the engines in turn in every round and returns one median each", async () => {
    const order: number[] = [];
    const fns = [0, 1, 2].map((id) => () => {
      order.push(id);
    });
    const secs = await interleavedSeconds(fns, 0, 0.003, 4);
    // collapse runs of the same engine: warm-ups 0, 1, 2, then four rounds of 0, 1, 2
    const blocks = order.filter((id, i) => i === 0 || order[i - 1] !== id);
    expect(blocks).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(secs).toHaveLength(3);
    for (const s of secs) expect(s).toBeGreaterThanOrEqual(0);
  });

  it("awaits an engine that returns a promise before timing the next call", async () => {
    let running = 0;
    let overlap = false;
    const slow = async () => {
      running++;
      if (running > 1) overlap = true;
      await new Promise((r) => setTimeout(r, 1));
      running--;
    };
    await interleavedSeconds([slow, slow], 0, 0.01, 2);
    expect(overlap).toBe(false);
  });
});
