import { describe, expect, it } from "vitest";
import { Sequential, Dense, BSF, Adam, EarlyStopping, type EpochLogs } from "../../src/index.js";
import { blobs } from "../util/blobs.js";

describe("callbacks", () => {
  it("see per-epoch loss, accuracy, validation figures and every gate's weights", async () => {
    const data = blobs(200, 5, 2, 3);
    const m = new Sequential([
      new BSF({ penalty: 0.01, inputShape: [5], name: "gate_in" }),
      new Dense({ units: 6, activation: "relu" }),
      new BSF({ penalty: 0.01, name: "gate_hidden" }),
      new Dense({ units: 2, activation: "softmax" }),
    ]).compile({ optimizer: new Adam(), seed: 1 });
    const seen: EpochLogs[] = [];
    let batches = 0;
    const h = await m.fit(data.x, data.y, {
      epochs: 3,
      batchSize: 50,
      validationSplit: 0.2,
      verbose: 0,
      callbacks: [{ onEpochEnd: (_e, logs) => void seen.push(logs), onBatchEnd: () => void batches++ }],
    });
    expect(seen.length).toBe(3);
    expect(batches).toBe(3 * 4); // 160 training rows / 50 = 4 batches
    for (const l of seen) {
      expect(l.loss).toBeGreaterThan(0);
      expect(l.accuracy).toBeGreaterThanOrEqual(0);
      expect(l.valLoss).toBeGreaterThan(0);
      expect(Object.keys(l.gates).sort()).toEqual(["gate_hidden", "gate_in"]);
      expect(l.gates.gate_in.length).toBe(5);
      expect(l.gates.gate_hidden.length).toBe(6);
    }
    expect(h.gates.gate_in.length).toBe(3);
    expect(h.gates.gate_in[2]).toEqual(seen[2].gates.gate_in);
  });

  it("EarlyStopping stops when the loss stops improving", async () => {
    const data = blobs(100, 4, 2, 3);
    const m = new Sequential([new Dense({ units: 2, activation: "softmax", inputShape: [4] })]).compile({ seed: 0 });
    const stop = new EarlyStopping({ patience: 1, minDelta: 10 }); // nothing improves by 10
    const h = await m.fit(data.x, data.y, { epochs: 50, verbose: 0, callbacks: [stop] });
    expect(h.loss.length).toBe(2);
    expect(stop.stoppedEpoch).toBe(1);
  });
});
