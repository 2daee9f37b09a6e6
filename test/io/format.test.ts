// The bsfnet model file: round trip, hostile files, fuzzing, atomic saves.
// biome-ignore-all lint/suspicious/noExplicitAny: the hostile-file cases rewrite arbitrary parts of a parsed JSON header
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Sequential } from "../../src/model/sequential.js";
import { Dense } from "../../src/layers/dense.js";
import { BSF } from "../../src/layers/bsf.js";
import { Activation } from "../../src/layers/activation.js";
import { ModelFileError } from "../../src/errors.js";
import { decodeModelFile, FORMAT_VERSION } from "../../src/io/format.js";
import { crc32 } from "../../src/io/crc32.js";
import { loadModel, modelFromBytes, modelToBytes, saveModel } from "../../src/io/file.js";
import { randn, rng, runtime } from "../util/wasm.js";
import { gatedCnn } from "../util/models.js";

async function small(seed = 1): Promise<Sequential> {
  const m = new Sequential(
    [
      new BSF({ name: "gate", init: 0.7 }),
      new Dense({ units: 5, activation: "relu", name: "h" }),
      new Activation({ activation: "tanh", name: "t" }),
      new Dense({ units: 3, activation: "softmax", name: "o" }),
    ],
    { inputShape: [4], name: "small" },
  );
  m.compile({ seed });
  await m.build(undefined, await runtime());
  return m;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
/** Recompute the checksum after a deliberate edit, so the edit reaches the structural checks. */
function reseal(b: Uint8Array): Uint8Array {
  dv(b).setUint32(16, crc32(b.subarray(20)), true);
  return b;
}
/** A file with its JSON header replaced (re-padded, re-sealed). */
function withHeader(b: Uint8Array, edit: (h: Record<string, unknown>) => void, raw = (s: string) => s): Uint8Array {
  const J = dv(b).getUint32(8, true);
  const W = dv(b).getUint32(12, true);
  const h = JSON.parse(new TextDecoder().decode(b.subarray(20, 20 + J)));
  edit(h);
  const json = new TextEncoder().encode(raw(JSON.stringify(h)));
  const J2 = (json.length + 3) & ~3;
  const out = new Uint8Array(20 + J2 + W);
  out.set(b.subarray(0, 20));
  out.fill(0x20, 20, 20 + J2);
  out.set(json, 20);
  out.set(b.subarray(20 + J, 20 + J + W), 20 + J2);
  dv(out).setUint32(8, J2, true);
  return reseal(out);
}

/** Loading must either succeed (and the model must then predict finite values) or throw a ModelFileError. */
async function loadsOrRefuses(bytes: Uint8Array): Promise<"loaded" | "refused"> {
  const rt = await runtime();
  let m: Sequential;
  try {
    m = modelFromBytes(bytes, rt);
  } catch (e) {
    if (!(e instanceof ModelFileError)) throw new Error(`not a ModelFileError: ${String(e)}`, { cause: e });
    expect((e as Error).message.length).toBeGreaterThan(10);
    return "refused";
  }
  try {
    const x = randn(rng(1), m.inputShape!.reduce((a, b) => a * b, 1) * 2);
    const y = m.predictSync(x, { batchSize: 2 });
    expect(y.every(Number.isFinite)).toBe(true);
  } finally {
    m.dispose();
  }
  return "loaded";
}

describe("model file round trip", () => {
  it("restores topology, weights and predictions exactly", async () => {
    const m = await small();
    const bytes = modelToBytes(m, { classNames: ["a", "b", "c"] });
    const f = decodeModelFile(bytes);
    expect(f.version).toBe(FORMAT_VERSION);
    expect(f.meta.classNames).toEqual(["a", "b", "c"]);
    const back = modelFromBytes(bytes, await runtime());
    expect(back.getConfig()).toEqual(m.getConfig());
    const x = randn(rng(2), 10 * 4, 2);
    expect(back.predictSync(x)).toEqual(m.predictSync(x));
    expect(bytes.length % 4).toBe(0);
    back.dispose();
    m.dispose();
  });

  it("saves atomically to disk and loads back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-io-"));
    const m = await small(3);
    const p = join(dir, "m.bsfnet");
    await saveModel(m, p);
    const back = await loadModel(p, { runtime: await runtime() });
    const x = randn(rng(3), 8 * 4);
    expect(back.predictSync(x)).toEqual(m.predictSync(x));
    expect(readdirSync(dir)).toEqual(["m.bsfnet"]);
    back.dispose();
    m.dispose();
  });

  it("a crash mid-save leaves the old file intact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-crash-"));
    const p = join(dir, "m.bsfnet");
    const m = await small(4);
    await saveModel(m, p);
    const old = readFileSync(p);
    // A child process starts overwriting the file and is killed (SIGKILL) after writing the new
    // bytes but before the rename: the moment a crash would do the most harm.
    const script = `
      import { open } from "node:fs/promises";
      import { writeFileAtomic } from ${JSON.stringify(new URL("../../src/util/atomic.ts", import.meta.url).pathname)};
      const fh = await open(${JSON.stringify(join(dir, "probe"))}, "w");
      const proto = Object.getPrototypeOf(fh);
      await fh.close();
      proto.sync = async function () { process.kill(process.pid, "SIGKILL"); };
      await writeFileAtomic(${JSON.stringify(p)}, new Uint8Array(100000).fill(7));
      console.log("not killed");
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30000,
    });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).not.toContain("not killed");
    expect(readFileSync(p)).toEqual(old);
    const back = await loadModel(p, { runtime: await runtime() });
    back.dispose();
    m.dispose();
  });
});

describe("hostile model files give a ModelFileError", () => {
  const refuse = async (b: Uint8Array, re: RegExp) => {
    expect(() => decodeModelFile(b)).not.toThrow(TypeError);
    let err: unknown;
    try {
      modelFromBytes(b, await runtime()).dispose();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(re);
  };

  it("truncated at every length", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    for (let n = 0; n < b.length; n++) await refuse(b.subarray(0, n), /truncated|shorter|not a bsfnet/);
  });

  it("wrong checksum, wrong magic, trailing bytes", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    const flipped = b.slice();
    flipped[b.length - 3] ^= 0x10;
    await refuse(flipped, /checksum/);
    const magic = b.slice();
    magic[0] = 0x50;
    await refuse(magic, /not a bsfnet model file/);
    const longer = new Uint8Array(b.length + 4);
    longer.set(b);
    await refuse(longer, /unexpected bytes/);
  });

  it("a newer format version", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    dv(b).setUint32(4, FORMAT_VERSION + 1, true);
    await refuse(b, /newer bsfnet/);
  });

  it("shapes that disagree with the weights or the config", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    // units changed in the config: the kernel in the file no longer fits
    await refuse(
      withHeader(b, (h: any) => {
        h.model.layers[1].config.units = 6;
      }),
      /is \[4, 6\] by its config|\[4, 5\]/,
    );
    // index shape disagrees with its own length
    await refuse(
      withHeader(b, (h: any) => {
        h.weights[1].shape = [5, 4];
      }),
      /is \[4, 5\] by its config/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.weights[1].shape = [4, 6];
      }),
      /holds 24 values/,
    );
    // input shape changed
    await refuse(
      withHeader(b, (h: any) => {
        h.model.inputShape = [7];
      }),
      /gate is \[7\] by its config, the weights are \[4\]/,
    );
    // a tensor missing
    await refuse(
      withHeader(b, (h: any) => {
        h.weights.pop();
      }),
      /floats|no more tensors/,
    );
  });

  it("absurd sizes that would exhaust memory are refused before allocating", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    const t0 = performance.now();
    await refuse(
      withHeader(b, (h: any) => {
        h.model.layers[1].config.units = 2 ** 30;
      }),
      /too large|by its config/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.model.inputShape = [2 ** 20, 2 ** 20];
      }),
      /exceeds the limit/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.weights[1].shape = [2 ** 31, 2 ** 31];
        h.weights[1].length = 2 ** 62;
      }),
      /runs past|offset|holds/,
    );
    const big = b.slice();
    dv(big).setUint32(12, 0xfffffffc, true);
    await refuse(big, /truncated/);
    const bigHeader = b.slice();
    dv(bigHeader).setUint32(8, 0x7ffffffc, true);
    await refuse(bigHeader, /exceeds the limit/);
    const deep = `${'{"a":'.repeat(200000)}1${"}".repeat(200000)}`;
    await refuse(
      withHeader(
        b,
        (h: any) => {
          h.model.layers[0].config.deep = "DEEP";
        },
        (s) => s.replace('"DEEP"', deep),
      ),
      /nested too deeply|JSON/,
    );
    const wide = `[${Array.from({ length: 300000 }, () => "0").join(",")}]`;
    await refuse(
      withHeader(
        b,
        (h: any) => {
          h.model.layers[0].config.wide = "WIDE";
        },
        (s) => s.replace('"WIDE"', wide),
      ),
      /nested too deeply/,
    );
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("unknown layer types and invalid configs", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    await refuse(
      withHeader(b, (h: any) => {
        h.model.layers[2].className = "Transformer";
      }),
      /unknown layer type "Transformer"/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.model.layers[0].config.threshold = 7;
      }),
      /threshold/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.model.layers[2].config.activation = "gelu";
      }),
      /unknown activation/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.model.layers[2].config.name = "h";
      }),
      /two layers are named h/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.format = "onnx";
      }),
      /not a bsfnet model header/,
    );
    await refuse(
      withHeader(b, (h: any) => {
        h.meta = { inputKeep: [0, 9, 2, 3], fullInputSize: 5 };
      }),
      /inputKeep/,
    );
  });

  it("non-finite weights", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    const J = dv(b).getUint32(8, true);
    dv(b).setFloat32(20 + J + 8, NaN, true);
    await refuse(reseal(b), /is NaN/);
  });
});

describe("fuzzing the loader (fast-check)", () => {
  it("random bytes never crash it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (b) => {
        await loadsOrRefuses(b);
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it("random byte edits of a valid file, checksum fixed up, load or refuse cleanly", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    const outcomes = { loaded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(b.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (edits, fix) => {
          const c = b.slice();
          for (const [i, v] of edits) c[i] = v;
          const r = await loadsOrRefuses(fix ? reseal(c) : c);
          outcomes[r]++;
        },
      ),
      { numRuns: 400, seed: 2 },
    );
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.loaded).toBeGreaterThan(0); // edits of weight bytes still give a valid model
  });

  it("arbitrary JSON values anywhere in the header load or refuse cleanly", async () => {
    const m = await small();
    const b = modelToBytes(m);
    m.dispose();
    const paths: ((h: any, v: unknown) => void)[] = [
      (h, v) => (h.version = v),
      (h, v) => (h.model = v),
      (h, v) => (h.model.name = v),
      (h, v) => (h.model.inputShape = v),
      (h, v) => (h.model.inputShape[0] = v),
      (h, v) => (h.model.layers = v),
      (h, v) => (h.model.layers[1] = v),
      (h, v) => (h.model.layers[1].className = v),
      (h, v) => (h.model.layers[1].config = v),
      (h, v) => (h.model.layers[1].config.units = v),
      (h, v) => (h.model.layers[1].config.useBias = v),
      (h, v) => (h.model.layers[0].config.mode = v),
      (h, v) => (h.model.layers[0].config.shareAxis = v),
      (h, v) => (h.model.layers[3].config.activation = v),
      (h, v) => (h.model.layers[2].config.inputShape = v),
      (h, v) => (h.weights = v),
      (h, v) => (h.weights[0] = v),
      (h, v) => (h.weights[1].shape = v),
      (h, v) => (h.weights[1].offset = v),
      (h, v) => (h.weights[2].length = v),
      (h, v) => (h.meta = v),
      (h, v) => (h.meta = { inputKeep: v, fullInputSize: 9 }),
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.integer({ min: -5, max: 40 }),
      fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 1e308, "Dense", "BSF", [4, 5], [5, 4], [20], { units: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(paths.length - 1), value, async (i, v) => {
        await loadsOrRefuses(withHeader(b, (h) => paths[i](h, v)));
      }),
      { numRuns: 400, seed: 3 },
    );
  });

  it("conv model headers: arbitrary values in conv, pool and gate configs load or refuse cleanly", async () => {
    const m = await gatedCnn(2);
    const b = modelToBytes(m);
    m.dispose();
    const L = (h: any, name: string) => h.model.layers.find((l: any) => l.config.name === name).config;
    const paths: ((h: any, v: unknown) => void)[] = [
      (h, v) => (L(h, "conv_1").kernelSize = v),
      (h, v) => (L(h, "conv_1").filters = v),
      (h, v) => (L(h, "conv_1").padding = v),
      (h, v) => (L(h, "conv_2").kernelSize = v),
      (h, v) => (L(h, "pool_1").poolSize = v),
      (h, v) => (L(h, "dropout").rate = v),
      (h, v) => (L(h, "gate_1").shareAxis = v),
      (h, v) => (L(h, "input_gate").shareAxis = v),
      (h, v) => (h.model.inputShape = v),
      (h, v) => (h.model.layers[7].className = v),
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.integer({ min: -2, max: 12 }),
      fc.constantFrom(
        [3, 3],
        [1, 1],
        [9, 10],
        [2 ** 12, 2 ** 12, 3],
        [9, 10, 3],
        [9, 10],
        "same",
        "valid",
        "channel",
        "position",
        "Flatten",
        "Conv2D",
        2 ** 20,
      ),
    );
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(paths.length - 1), value, async (i, v) => {
        if ((await loadsOrRefuses(withHeader(b, (h) => paths[i](h, v)))) === "loaded") loaded++;
      }),
      { numRuns: 250, seed: 4 },
    );
    expect(loaded).toBeGreaterThan(0);
  });
});
