// One wasm instance and its linear memory. Arenas (one per model and batch size) are carved out
// of that memory by a first-fit allocator in TypeScript; wasm itself never allocates.
// Portable: no loading here (that is runtime.ts / wasm.ts), so the inference bundle can use it.
import type { WasmKernels } from "./abi.js";
import { BsfnetError } from "../errors.js";

const PAGE = 65536;
export const ALIGN = 16;
/** Arenas start at the second page: page 0 holds any static data of the module, and pointer 0
 * stays free to mean "none" in kernel calls. */
const BASE = PAGE;
/** wasm32 memory tops out at 4 GiB; V8 allows up to 65536 pages. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024 - PAGE;

// Arithmetic, not bitwise: sizes past 2 GiB must not wrap to small numbers.
export const align16 = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export class OutOfMemoryError extends BsfnetError {}

interface Block {
  ptr: number;
  size: number;
}

export class KernelMemory {
  readonly k: WasmKernels;
  private free: Block[] = [];
  private top: number;
  private buf!: ArrayBuffer;
  private f32view!: Float32Array;
  private i32view!: Int32Array;
  private u8view!: Uint8Array;

  /** `allocates: false` is a view on a memory that another KernelMemory allocates in (a training
   * thread's instance on the shared memory): it must never carve blocks of its own, not even the
   * GEMM workspace, which its owner hands it instead. */
  constructor(kernels: WasmKernels, options: { allocates?: boolean } = {}) {
    this.k = kernels;
    this.top = BASE;
    this.allocates = options.allocates ?? true;
    this.refresh();
    if (this.allocates) this.gemmWorkspace();
  }

  private readonly allocates: boolean;

  /** Reserve the packed GEMM's scratch (assembly/gemm_packed.ts) and hand it to `kernels`, an
   * instance on this memory (this one by default). The region is kept in that instance's globals,
   * so each instance sharing one memory (one per thread) needs its own call. Returns the pointer. */
  gemmWorkspace(kernels: WasmKernels = this.k): number {
    const bytes = kernels.gemm_workspace_bytes();
    const ptr = this.alloc(bytes);
    kernels.gemm_workspace(ptr, bytes);
    return ptr;
  }

  get memory(): WebAssembly.Memory {
    return this.k.memory;
  }

  /** Growing memory detaches every view on the old buffer; views are rebuilt lazily here. */
  private refresh(): void {
    const b = this.k.memory.buffer as ArrayBuffer;
    if (b !== this.buf) {
      this.buf = b;
      this.f32view = new Float32Array(b);
      this.i32view = new Int32Array(b);
      this.u8view = new Uint8Array(b);
    }
  }

  /** A Float32Array view of n floats at ptr; valid until the next alloc (which may grow memory). */
  f32(ptr: number, n: number): Float32Array {
    this.refresh();
    return this.f32view.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }

  i32(ptr: number, n: number): Int32Array {
    this.refresh();
    return this.i32view.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }

  u8(ptr: number, n: number): Uint8Array {
    this.refresh();
    return this.u8view.subarray(ptr, ptr + n);
  }

  /** Reserve `bytes` (rounded up to 16) and zero them. Grows memory if needed; never call mid-step. */
  alloc(bytes: number): number {
    if (!this.allocates) throw new OutOfMemoryError("this view of a shared memory does not allocate (its owner does)");
    if (!Number.isFinite(bytes) || bytes < 0) throw new OutOfMemoryError(`invalid allocation size ${bytes}`);
    const size = Math.max(ALIGN, align16(bytes));
    let ptr = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size >= size) {
        ptr = b.ptr;
        if (b.size === size) this.free.splice(i, 1);
        else {
          b.ptr += size;
          b.size -= size;
        }
        break;
      }
    }
    if (ptr < 0) {
      ptr = this.top;
      const end = ptr + size;
      if (end > MAX_BYTES) {
        throw new OutOfMemoryError(
          `cannot allocate ${(size / 2 ** 20).toFixed(1)} MiB: wasm32 memory is limited to 4 GiB ` +
            `(${(this.top / 2 ** 20).toFixed(1)} MiB in use); use a smaller batch size or model`,
        );
      }
      const have = this.k.memory.buffer.byteLength;
      if (end > have) {
        const pages = Math.ceil((end - have) / PAGE);
        try {
          this.k.memory.grow(pages);
        } catch (e) {
          throw new OutOfMemoryError(`cannot grow wasm memory by ${pages} pages: ${(e as Error).message}`, {
            cause: e,
          });
        }
      }
      this.top = end;
    }
    this.u8(ptr, size).fill(0);
    return ptr;
  }

  /** Return a block to the free list (coalescing neighbours). */
  release(ptr: number, bytes: number): void {
    const size = Math.max(ALIGN, align16(bytes));
    const blocks = this.free;
    let i = 0;
    while (i < blocks.length && blocks[i].ptr < ptr) i++;
    blocks.splice(i, 0, { ptr, size });
    // merge with next, then with previous
    if (i + 1 < blocks.length && blocks[i].ptr + blocks[i].size === blocks[i + 1].ptr) {
      blocks[i].size += blocks[i + 1].size;
      blocks.splice(i + 1, 1);
    }
    if (i > 0 && blocks[i - 1].ptr + blocks[i - 1].size === blocks[i].ptr) {
      blocks[i - 1].size += blocks[i].size;
      blocks.splice(i, 1);
      i--;
    }
    // a free block at the top shrinks the heap instead
    const last = blocks[blocks.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      blocks.pop();
    }
  }

  /** Bytes currently reserved (for tests and `summary()`). */
  get inUse(): number {
    return this.top - BASE - this.free.reduce((s, b) => s + b.size, 0);
  }
}
