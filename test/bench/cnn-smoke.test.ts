// The CNN benchmark compares like with like: bsfnet's Table 6 CNN and the tfjs one have the same
// layers and parameter count (the paper's Table 4: 1,199,882), and the filter-gradient fallback the
// bench gives tfjs' wasm backend computes what tfjs-cpu's Conv2DBackpropFilter does.
// No timing here: speed is measured by `npm run bench`, never asserted in tests.
import { describe, expect, it } from "vitest";
import { GATE, TABLE6_PARAMS, bsfnetCnn, tfjsCnn } from "../../bench/cnn/cnn.js";
import {
  registerWasmFilterGradFallback,
  tfFilterGrad,
  uniform,
  unregisterWasmFilterGradFallback,
} from "../../bench/cnn/conv.js";
import { initTf, tf, useBackend } from "../../bench/lib/tfjs.js";

describe("bench CNN", () => {
  it("bsfnet and tfjs build the Table 6 CNN with the same parameters", async () => {
    await initTf();
    await useBackend("cpu");
    const theirs = tfjsCnn(tf);
    expect(theirs.countParams()).toBe(TABLE6_PARAMS);
    const tfShapes = theirs.layers.flatMap((l) => l.getWeights().map((w) => w.shape.join("x")));
    const plain = bsfnetCnn(false);
    await plain.build();
    expect(plain.paramCount).toBe(TABLE6_PARAMS);
    expect(plain.getWeights().map((w) => w.shape.join("x"))).toEqual(tfShapes);
    const gated = bsfnetCnn(true);
    await gated.build();
    expect(gated.paramCount).toBe(TABLE6_PARAMS + 28 * 28); // one gate weight per pixel
    expect(GATE.penalty).toBeGreaterThan(0);
    plain.dispose();
    gated.dispose();
    theirs.dispose();
  });

  it("the wasm Conv2DBackpropFilter fallback matches tfjs-cpu's", async () => {
    await initTf();
    const [B, H, W, C, OC, K] = [3, 9, 7, 5, 6, 3];
    const x = uniform(B * H * W * C, 1),
      dy = uniform(B * (H - K + 1) * (W - K + 1) * OC, 2);
    const grad = async (backend: "cpu" | "wasm") => {
      await useBackend(backend);
      const tx = tf.tensor4d(x, [B, H, W, C]),
        tdy = tf.tensor4d(dy, [B, H - K + 1, W - K + 1, OC]);
      const g = tfFilterGrad(tx, tdy, [K, K, C, OC]);
      const v = g.dataSync().slice();
      tf.dispose([tx, tdy, g]);
      return v;
    };
    const ref = await grad("cpu");
    registerWasmFilterGradFallback();
    try {
      const got = await grad("wasm");
      expect(got.length).toBe(K * K * C * OC);
      for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i], 4);
    } finally {
      unregisterWasmFilterGradFallback();
      await useBackend("cpu");
    }
  });
});
