// A Dense layer in training whose input has whole columns of zeros (a closed gate's, an image's
// background) runs its products over the other columns only (assembly/dense_cols.ts). End to end
// that must be the same training as a net that never saw those columns: a model fed 40 columns of
// which 32 are always zero ends with the bits of a model fed the 8 others, its first kernel's
// other rows untouched (their gradient is zero, and Adam moves nothing on a zero gradient). The
// wide model's kernels are watched, so the test also fails if its first layer ran whole products
// (which would give the same bits).
import { describe, expect, it } from "vitest";
import { Adam, Dense, Runtime, Sequential, type WasmKernels } from "../../src/index.js";
import { randn, rng } from "../util/wasm.js";

const [N, C, OPEN, H, K] = [256, 40, 8, 12, 3];

function net(inputs: number): Sequential {
  return new Sequential([
    new Dense({ units: H, activation: "relu", inputShape: [inputs] }),
    new Dense({ units: K, activation: "softmax" }),
  ]).compile({ optimizer: new Adam({ learningRate: 0.01 }), seed: 5 });
}

describe("dense layer over its input's nonzero columns (training)", () => {
  it("trains bit for bit as the net without the zero columns", async () => {
    const r = rng(41);
    const open = [3, 7, 8, 15, 22, 30, 31, 39];
    const small = randn(r, N * OPEN);
    const x = new Float32Array(N * C);
    for (let i = 0; i < N; i++) open.forEach((j, q) => void (x[i * C + j] = small[i * OPEN + q]));
    const y = Int32Array.from(
      { length: N },
      (_, i) => (small[i * OPEN] > 0 ? 1 : 0) + (small[i * OPEN + 1] > 0.5 ? 1 : 0),
    );

    // the kernels, with the training forward's record (columns multiplied, -1: whole) kept per call
    const k = (await Runtime.load()).k;
    const records: number[] = [];
    const watched = Object.fromEntries(Object.keys(k).map((n) => [n, (k as unknown as Record<string, unknown>)[n]]));
    watched.dense_forward_train = (...a: number[]) => {
      (k.dense_forward_train as (...a: number[]) => void)(...a);
      if (a[6] === C) records.push(new Int32Array(k.memory.buffer, a[4], 1)[0]); // ws, B, C
    };
    const wide = net(C);
    await wide.build(undefined, new Runtime(watched as unknown as WasmKernels));
    const narrow = net(OPEN);
    await narrow.build();
    const w0 = wide.getWeights();
    const k0 = w0[0].values;
    const rows = (m: Float32Array) =>
      Float32Array.from(open.flatMap((j) => Array.from(m.subarray(j * H, (j + 1) * H))));
    narrow.setWeights([{ values: rows(k0) }, ...w0.slice(1)]);

    const fit = { epochs: 4, batchSize: 32, verbose: 0 as const, shuffle: true };
    const hw = await wide.fit(x, y, fit);
    const hn = await narrow.fit(small, y, fit);
    expect(hw.loss).toEqual(hn.loss);
    // every step's first layer ran over the 8 open columns only
    expect(records.length).toBe(4 * (N / 32));
    expect(new Set(records)).toEqual(new Set([OPEN]));

    const [a, b] = [wide.getWeights(), narrow.getWeights()];
    const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    expect(bits(rows(a[0].values)).equals(bits(b[0].values))).toBe(true);
    for (let i = 1; i < a.length; i++) expect(bits(a[i].values).equals(bits(b[i].values)), a[i].name).toBe(true);
    for (let j = 0; j < C; j++)
      if (!open.includes(j))
        expect(bits(a[0].values.subarray(j * H, (j + 1) * H)).equals(bits(k0.subarray(j * H, (j + 1) * H)))).toBe(true);
    // and it learned: the first kernel's open rows moved
    expect(bits(rows(a[0].values)).equals(bits(rows(k0)))).toBe(false);
    wide.dispose();
    narrow.dispose();
  });
});
