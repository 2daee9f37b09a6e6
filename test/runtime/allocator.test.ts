import { describe, expect, it } from "vitest";
import { Runtime } from "../../src/runtime/runtime.js";

describe("Runtime allocator", () => {
  it("hands out 16-byte aligned, zeroed, non-overlapping blocks and reuses freed ones", async () => {
    const rt = await Runtime.load();
    const a = rt.alloc(10);
    const b = rt.alloc(100);
    const c = rt.alloc(33);
    for (const p of [a, b, c]) expect(p % 16).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 16);
    expect(c).toBeGreaterThanOrEqual(b + 112);
    rt.f32(b, 25).fill(7);
    rt.release(b, 100);
    const d = rt.alloc(64); // fits in b's hole
    expect(d).toBe(b);
    expect(Array.from(rt.f32(d, 16))).toEqual(new Array(16).fill(0));
    expect(a).toBeGreaterThanOrEqual(65536); // page 0 stays free
  });

  it("coalesces neighbours and shrinks the top", async () => {
    const rt = await Runtime.load();
    const before = rt.inUse;
    const ptrs = [rt.alloc(64), rt.alloc(64), rt.alloc(64)];
    expect(rt.inUse).toBe(before + 192);
    rt.release(ptrs[1], 64);
    rt.release(ptrs[0], 64);
    const big = rt.alloc(128); // the two freed neighbours, merged
    expect(big).toBe(ptrs[0]);
    rt.release(big, 128);
    rt.release(ptrs[2], 64);
    expect(rt.inUse).toBe(before);
  });

  it("grows memory on demand and keeps views valid after a grow", async () => {
    const rt = await Runtime.load();
    const p = rt.alloc(16);
    rt.f32(p, 4).set([1, 2, 3, 4]);
    const pages = rt.memory.buffer.byteLength / 65536;
    const q = rt.alloc(8 * 1024 * 1024);
    expect(rt.memory.buffer.byteLength / 65536).toBeGreaterThan(pages);
    expect(Array.from(rt.f32(p, 4))).toEqual([1, 2, 3, 4]);
    rt.f32(q, 2 * 1024 * 1024).fill(1);
  });

  it("refuses absurd sizes with a clear error instead of a trap", async () => {
    const rt = await Runtime.load();
    expect(() => rt.alloc(8 * 1024 ** 3)).toThrow(/wasm32 memory is limited to 4 GiB/);
    expect(() => rt.alloc(-1)).toThrow(/invalid allocation size/);
    expect(() => rt.alloc(NaN)).toThrow(/invalid allocation size/);
  });
});

describe("a KernelMemory that does not allocate (a training thread's view of the shared memory)", () => {
  it("refuses to allocate and leaves the GEMM workspace to its owner", async () => {
    const { KernelMemory } = await import("../../src/runtime/memory.js");
    const rt = await Runtime.load();
    const before = rt.inUse;
    const view = new KernelMemory(rt.k, { allocates: false });
    expect(view.inUse).toBe(0);
    expect(() => view.alloc(16)).toThrow(/does not allocate/);
    expect(rt.inUse).toBe(before);
    // the owner's own instance reserves its workspace at construction
    expect(before).toBeGreaterThanOrEqual(rt.k.gemm_workspace_bytes());
  });
});
