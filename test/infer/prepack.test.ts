// InferenceModel's prepack: the dense kernels with 16 outputs or more get a one-row copy, and a
// one-row call reads it. The same bits as without it, row by row, on both builds; the memory it
// takes is exactly the copies' size. A Conv2D's kernel is then fixed: its kept Winograd transform is matched by the
// kernel's address (keep = 2), with the same bits call after call.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InferenceModel } from "../../src/infer/index.js";
import { modelToBytes } from "../../src/io/file.js";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { Conv2D } from "../../src/layers/conv.js";
import { Flatten } from "../../src/layers/flatten.js";
import { Adam } from "../../src/optim/optimizer.js";
import type { KernelMemory } from "../../src/runtime/memory.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";
import { randn, rng, runtime } from "../util/wasm.js";
import { gatedModel } from "../util/models.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

async function wideModel(): Promise<Sequential> {
  const m = new Sequential(
    [
      new Dense({ units: 37, activation: "relu" }), // 45 x 37: a copy of 45 x 40 (the last vector padded)
      new Dense({ units: 20 }), // 37 x 20
      new Dense({ units: 3, activation: "softmax" }), // under 16 outputs: no copy
    ],
    { inputShape: [45], name: "wide" },
  );
  m.compile({ seed: 3, optimizer: new Adam() });
  await m.build(undefined, await runtime());
  return m;
}

describe("InferenceModel prepack", async () => {
  // before any module is compiled in this file (kernelBuilds' rule)
  const relaxed = await enableRelaxedSimd();
  for (const wasm of ["bsfnet.wasm", ...(relaxed ? ["bsfnet.relaxed.wasm"] : [])]) {
    it(`${wasm}: one-row calls give the bits of the unpacked model; the copies take their size`, async () => {
      const bytes = readFileSync(`${root}build/${wasm}`);
      const cases: [Sequential, number][] = [
        [await wideModel(), 45 * 40 * 4 + 37 * 20 * 4],
        [await gatedModel(2), 8 * 16 * 4], // dense_1 only
      ];
      for (const [m, copies] of cases) {
        const file = modelToBytes(m);
        const packed = await InferenceModel.load(bytes, file);
        const plain = await InferenceModel.load(bytes, file, { prepack: false });
        expect(packed.memoryBytes - plain.memoryBytes, m.name).toBe(copies);
        const D = packed.inputSize;
        const x = randn(rng(4), 9 * D, 2);
        for (let i = 0; i < 9; i++) {
          const row = x.subarray(i * D, (i + 1) * D);
          expect(bits(packed.predict(row)), `${m.name} row ${i}`).toEqual(bits(plain.predict(row)));
        }
        const batch = bits(packed.predict(x));
        expect(batch).toEqual(bits(plain.predict(x)));
        // A one-row call reads the copy, and only it: a copy overwritten changes its output, not
        // that of a call of more rows (the list taken away: the gate's zeros would skip the copy).
        const dense = packed.layers.find((l) => l instanceof Dense && l.rowCopy !== 0) as Dense;
        dense.kernelFinite = false;
        const mem = (packed as unknown as { mem: KernelMemory }).mem;
        mem.f32(dense.rowCopy, mem.k.dense_row_pack_bytes(dense.inputSize, dense.units) / 4).fill(1000);
        const row = x.subarray(0, D);
        expect(bits(packed.predict(row)), m.name).not.toEqual(bits(plain.predict(row)));
        expect(bits(packed.predict(x))).toEqual(batch);
        m.dispose();
      }
    });

    it(`${wasm}: a convolution keeps its transform by the kernel's address, the same bits`, async () => {
      const bytes = readFileSync(`${root}build/${wasm}`);
      const m = new Sequential(
        [
          new Conv2D({ filters: 16, kernelSize: 3, activation: "relu" }),
          new Flatten({}),
          new Dense({ units: 4, activation: "softmax" }),
        ],
        { inputShape: [13, 14, 8], name: "conv" },
      );
      m.compile({ seed: 5, optimizer: new Adam() });
      await m.build(undefined, await runtime());
      const file = modelToBytes(m);
      const packed = await InferenceModel.load(bytes, file);
      const plain = await InferenceModel.load(bytes, file, { prepack: false });
      const fixed = (im: InferenceModel) => (im.layers[0] as unknown as { fixed: boolean }).fixed;
      expect(fixed(packed)).toBe(true);
      expect(fixed(plain)).toBe(false);
      const x = randn(rng(6), 3 * packed.inputSize);
      for (let i = 0; i < 3; i++) {
        const row = x.subarray(i * packed.inputSize, (i + 1) * packed.inputSize);
        expect(bits(packed.predict(row)), `call ${i}`).toEqual(bits(plain.predict(row)));
      }
      expect(bits(packed.predict(x))).toEqual(bits(plain.predict(x)));
      m.dispose();
    });
  }
});
