import { describe, expect, it } from "vitest";
import { ProgressBar } from "../../src/model/callbacks.js";

describe("ProgressBar", () => {
  it("draws a bar per batch (throttled) and a summary line per epoch", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ isTTY: true, write: (s: string) => void out.push(s) });
    bar.onTrainBegin({ epochs: 2, stepsPerEpoch: 4, samples: 100 });
    bar.onEpochBegin(0);
    bar.onBatchEnd(0, { loss: 0.5, accuracy: 0.75, size: 32 });
    bar.onBatchEnd(1, { loss: 0.25, accuracy: 1, size: 32 }); // within 100 ms: not redrawn
    bar.onEpochEnd(0, { loss: 0.4, accuracy: 0.8, valLoss: 0.3, valAccuracy: 0.9, gates: {}, seconds: 1.5 });
    expect(out.length).toBe(2);
    expect(out[0]).toMatch(/^\rEpoch 1\/2 \[=+ *\] 1\/4 loss 0\.5000 acc 0\.7500/);
    expect(out[1]).toMatch(/Epoch 1\/2 loss 0\.4000 acc 0\.8000 val_loss 0\.3000 val_acc 0\.9000 \(1\.50 s\)/);
    expect(out[1].endsWith("\n")).toBe(true);
  });
});
