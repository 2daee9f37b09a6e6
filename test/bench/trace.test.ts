// The tracing runtime of the step anatomy (bench/lib/trace.ts): a model trained on it computes
// exactly what it computes on the plain runtime, and the trace sees every kernel call of each step.
// No timing asserted.
import { describe, expect, it } from "vitest";
import { KernelTrace } from "../../bench/lib/trace.js";
import { HIDDEN, INPUTS, bsfnetModel, randomData } from "../../bench/train/musk2.js";

describe("bench tracing runtime", () => {
  it("trains bit-identically to the plain runtime and counts the calls of each step", async () => {
    const { x, y } = randomData(256, 3);
    const plain = bsfnetModel(0);
    await plain.build([INPUTS]);
    await plain.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });

    const trace = await KernelTrace.load();
    const traced = bsfnetModel(0);
    await traced.build([INPUTS], trace.runtime);
    trace.clear();
    await traced.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, callbacks: [trace.callback()] });

    const a = plain.getWeights();
    const b = traced.getWeights();
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => {
      expect(Buffer.from(b[i].values.buffer).equals(Buffer.from(w.values.buffer))).toBe(true);
    });

    expect(trace.steps.length).toBe(256 / 32);
    const parts = trace.parts(1);
    const calls = Object.fromEntries(parts.map((p) => [p.name, p.calls]));
    expect(calls.dense_forward_train).toBe(HIDDEN.length + 1);
    expect(calls.dense_backward_train).toBe(HIDDEN.length + 1);
    expect(calls.bsf_forward).toBe(1);
    expect(calls.adam_step).toBe(1);
    expect(calls.has_nonfinite).toBeUndefined(); // per-epoch work is not part of a step
    for (const p of parts) expect(p.us).toBeGreaterThanOrEqual(0);
    plain.dispose();
    traced.dispose();
  });
});
