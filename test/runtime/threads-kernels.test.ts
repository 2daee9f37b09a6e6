// The kernels data-parallel training adds or changes: every mask kernel drawn on a slice with its
// row offset gives exactly the rows the whole batch gets (so one and two threads draw the same
// masks), grad_reduce against a scalar sum, and the shared-memory build's static data.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { get, put, randn, rng, runtime } from "../util/wasm.js";
import type { Runtime } from "../../src/runtime/runtime.js";

/** Runs `draw(out, mask, inp, rows, row0)` on the whole batch and on two slices [0, r), [r, B) at
 * their offsets; returns both results (out and mask rows, concatenated). */
function wholeAndSliced(
  rt: Runtime,
  B: number,
  rowIn: number,
  rowMask: number,
  r: number,
  draw: (out: number, mask: number, inp: number, rows: number, row0: number) => void,
): { whole: Float32Array[]; sliced: Float32Array[] } {
  const x = randn(rng(B * 131 + rowIn), B * rowIn);
  const inp = put(rt, x);
  const out = rt.alloc(B * rowIn * 4);
  const mask = rt.alloc(B * rowMask * 4);
  draw(out, mask, inp, B, 0);
  const whole = [get(rt, out, B * rowIn), get(rt, mask, B * rowMask)];
  const out2 = rt.alloc(B * rowIn * 4);
  const mask2 = rt.alloc(B * rowMask * 4);
  draw(out2, mask2, inp, r, 0);
  draw(out2 + r * rowIn * 4, mask2 + r * rowMask * 4, inp + r * rowIn * 4, B - r, r);
  return { whole, sliced: [get(rt, out2, B * rowIn), get(rt, mask2, B * rowMask)] };
}

// Shapes with odd widths (tails of the f32x4 loops, odd row offsets for the Box-Muller pairs).
const SHAPES: [number, number, number][] = [
  [5, 7, 2],
  [9, 13, 4],
  [4, 3, 1],
  [11, 1, 5],
  [6, 8, 3],
  [3, 5, 1],
];

describe("mask kernels: a slice at its row offset draws the whole batch's rows", () => {
  it("bsf_forward, bsf_channel_forward, bsf_position_forward", async () => {
    const rt = await runtime();
    const k = rt.k;
    for (const [B, C, r] of SHAPES) {
      const w = put(
        rt,
        Array.from({ length: C }, (_, i) => (i + 0.5) / C),
      );
      const dense = wholeAndSliced(rt, B, C, C, r, (o, m, x, rows, row0) =>
        k.bsf_forward(o, m, x, w, rows, C, 7, 3, row0),
      );
      expect(dense.sliced).toEqual(dense.whole);
      const P = 3;
      const ch = wholeAndSliced(rt, B, P * C, C, r, (o, m, x, rows, row0) =>
        k.bsf_channel_forward(o, m, x, w, rows, P, C, 7, 4, row0),
      );
      expect(ch.sliced).toEqual(ch.whole);
      const wp = put(rt, [0.2, 0.5, 0.9]);
      const pos = wholeAndSliced(rt, B, P * C, P, r, (o, m, x, rows, row0) =>
        k.bsf_position_forward(o, m, x, wp, rows, P, C, 7, 5, row0),
      );
      expect(pos.sliced).toEqual(pos.whole);
      // a real draw: some units kept, some dropped
      const ones = dense.whole[1].filter((v) => v === 1).length;
      expect(ones).toBeGreaterThan(0);
      expect(ones).toBeLessThan(B * C);
    }
  });

  it("gate_forward (gaussian and hard concrete) and gate_sample", async () => {
    const rt = await runtime();
    const k = rt.k;
    for (const [B, C, r] of SHAPES) {
      const theta = put(rt, randn(rng(C), C, 0.5));
      for (const kind of [1, 2]) {
        for (const P of [1, 2]) {
          const res = wholeAndSliced(rt, B, P * C, C, r, (o, z, x, rows, row0) =>
            k.gate_forward(o, z, x, theta, rows, P, C, kind, 0.5, 11, 2, row0),
          );
          expect(res.sliced).toEqual(res.whole);
        }
        // the row offset is an offset into the same stream, not another stream
        const z1 = rt.alloc(B * C * 4);
        k.gate_sample(z1, theta, B, C, kind, 0.5, 11, 2, 0);
        const z2 = rt.alloc(C * 4);
        k.gate_sample(z2, theta, 1, C, kind, 0.5, 11, 2, B - 1);
        expect(get(rt, z2, C)).toEqual(get(rt, z1 + (B - 1) * C * 4, C));
      }
    }
  });

  it("dropout_forward at first = row0 * width", async () => {
    const rt = await runtime();
    const k = rt.k;
    for (const [B, C, r] of SHAPES) {
      const res = wholeAndSliced(rt, B, C, C, r, (o, m, x, rows, row0) =>
        k.dropout_forward(o, m, x, rows * C, 0.4, 5, 9, row0 * C),
      );
      expect(res.sliced).toEqual(res.whole);
      expect(res.whole[1].some((v) => v === 0)).toBe(true);
    }
  });
});

describe("grad_reduce", () => {
  it("dst += src, src zeroed when asked, against a scalar sum", async () => {
    const rt = await runtime();
    for (const N of [1, 3, 4, 7, 16, 33]) {
      const a = randn(rng(N), N);
      const b = randn(rng(N + 100), N);
      const dst = put(rt, a);
      const src = put(rt, b);
      rt.k.grad_reduce(dst, src, N, 0);
      expect(get(rt, dst, N)).toEqual(Float32Array.from(a, (v, i) => Math.fround(v + b[i])));
      expect(get(rt, src, N)).toEqual(b);
      rt.k.grad_reduce(dst, src, N, 1);
      expect(get(rt, dst, N)).toEqual(Float32Array.from(a, (v, i) => Math.fround(Math.fround(v + b[i]) + b[i])));
      expect(get(rt, src, N).every((v) => v === 0)).toBe(true);
    }
  });
});

/** Active data segments of a wasm binary: [offset, length] each (i32.const offsets only). */
function dataSegments(bytes: Uint8Array): [number, number][] {
  let p = 8;
  const leb = () => {
    let n = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++];
      n += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return n;
  };
  const out: [number, number][] = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    const end = p + size;
    if (id === 11) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const flags = leb();
        expect(flags).toBe(0); // active, memory 0
        expect(bytes[p++]).toBe(0x41); // i32.const
        const offset = leb();
        expect(bytes[p++]).toBe(0x0b); // end
        const len = leb();
        out.push([offset, len]);
        p += len;
      }
    }
    p = end;
  }
  return out;
}

describe("the shared-memory builds", () => {
  it("import a shared memory, and their only static data lies below the first arena (page 1)", () => {
    for (const name of ["bsfnet.threads.wasm", "bsfnet.relaxed-threads.wasm"]) {
      const bytes = readFileSync(new URL(`../../build/${name}`, import.meta.url));
      // (Node 20 compiles the relaxed build only behind a flag; its segments are read all the same)
      if (WebAssembly.validate(bytes)) {
        const mod = new WebAssembly.Module(bytes);
        expect(WebAssembly.Module.imports(mod)).toContainEqual({ module: "env", name: "memory", kind: "memory" });
      }
      const segs = dataSegments(bytes);
      expect(segs.length).toBeGreaterThan(0); // the parser found the section
      // every instance rewrites its active segments at instantiation: they must hold constants
      // only (the std math tables) and no arena may overlap them
      for (const [off, len] of segs) expect(off + len).toBeLessThanOrEqual(65536);
    }
    // and no kernel keeps a scratch in static memory, which every thread's instance would share
    const dir = new URL("../../assembly/", import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
      expect(readFileSync(new URL(f, dir), "utf8"), f).not.toMatch(/memory\.data\s*[(<]/);
    }
  });
});
