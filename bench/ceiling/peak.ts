// Peak f32 GFLOP/s of one core through WebAssembly SIMD: the register-only loops of
// bench/ceiling/assembly/peak.ts (built by `npm run asbuild:ceiling` into build/bench/), timed in
// CPU time, best of 7 samples after a warm-up by time (V8 runs wasm on its baseline compiler first).
// The spill check reads V8's own machine code of each loop (`node --print-wasm-code`, in a child
// process) and counts the stack accesses inside the loop: a loop with more chains than registers
// shows them, and its GFLOP/s drops.
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type PeakBuild = "simd128" | "relaxed";
export const CHAINS = [8, 10, 12, 14] as const;

/** What each build's madd_N loops compute: the simd128 build has only a multiply and an add; the
 * relaxed one has f32x4.relaxed_madd (a fused multiply-add on x64 with FMA3). */
export const PEAK_OP: Record<PeakBuild, { fn: "madd"; what: string }> = {
  simd128: { fn: "madd", what: "f32x4.mul + f32x4.add" },
  relaxed: { fn: "madd", what: "f32x4.relaxed_madd" },
};

export const PEAK_FILE: Record<PeakBuild, string> = {
  simd128: fileURLToPath(new URL("../../build/bench/peak.wasm", import.meta.url)),
  relaxed: fileURLToPath(new URL("../../build/bench/peak.relaxed.wasm", import.meta.url)),
};

export interface PeakRow {
  chains: number;
  gflops: number;
  /** stack loads and stores inside the loop of V8's optimized code; null: not checked */
  stackAccesses: number | null;
}

type PeakFn = (iters: number, seed: number, mul: number, add: number) => number;

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** FLOPs of one call: every round does `chains` f32x4 multiply-adds (2 FLOPs a lane, 4 lanes). */
export const loopFlops = (chains: number, iters: number) => chains * 4 * 2 * iters;

function timeLoop(fn: PeakFn, chains: number, quick: boolean): number {
  const iters = 100_000; // about 0.2 ms a call at the peak
  let t = cpuNow();
  while (cpuNow() - t < (quick ? 150 : 300)) fn(iters, 1, 0.5, 1);
  const reps = 50;
  let best = Infinity;
  for (let s = 0; s < (quick ? 4 : 7); s++) {
    t = cpuNow();
    for (let r = 0; r < reps; r++) fn(iters, s, 0.5, 1);
    best = Math.min(best, (cpuNow() - t) / reps);
  }
  return loopFlops(chains, iters) / (best * 1e6);
}

/** Function index of each export (the names V8's code listing does not print). */
export function exportIndices(bytes: Uint8Array): Record<string, number> {
  let p = 8;
  const uleb = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      v |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return v >>> 0;
      shift += 7;
    }
  };
  const out: Record<string, number> = {};
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = uleb();
    const end = p + size;
    if (id === 7) {
      for (let n = uleb(); n > 0; n--) {
        const len = uleb();
        const name = new TextDecoder().decode(bytes.subarray(p, p + len));
        p += len;
        const kind = bytes[p++];
        const index = uleb();
        if (kind === 0) out[name] = index;
      }
    }
    p = end;
  }
  return out;
}

/** Stack accesses ([rbp ± x], [rsp + x]) inside the innermost loop of each function's TurboFan
 * code in a `--print-wasm-code` listing: the instructions from a backward jump's target to the jump. */
export function loopStackAccesses(listing: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const block of listing.split("--- WebAssembly code ---").slice(1)) {
    const fn = /name: wasm-function\[(\d+)\]/.exec(block);
    if (!fn || !/compiler: TurboFan/.test(block)) continue;
    const lines = block.split("\n").flatMap((l) => {
      const m = /^0x[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/.exec(l.trim());
      return m ? [{ off: Number.parseInt(m[1], 16), text: m[2] }] : [];
    });
    let best: { from: number; to: number } | null = null;
    for (const l of lines) {
      const j = /^j\w+\s+0x[0-9a-f]+\s+<\+0x([0-9a-f]+)>/.exec(l.text);
      if (!j) continue;
      const target = Number.parseInt(j[1], 16);
      if (target < l.off && (!best || l.off - target < best.to - best.from)) best = { from: target, to: l.off };
    }
    if (!best) continue;
    const { from, to } = best;
    const n = lines.filter((l) => l.off >= from && l.off <= to && /\[(rbp|rsp)[-+\]]/.test(l.text)).length;
    out.set(Number(fn[1]), n);
  }
  return out;
}

const SELF = fileURLToPath(import.meta.url);

/** The child of spillCheck, run with --no-liftoff: V8 compiles every function with its optimizing
 * compiler up front (no tier-up racing the exit) and prints the code to stdout. */
function compileAll(build: PeakBuild): void {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(PEAK_FILE[build])));
  for (const c of CHAINS) (inst.exports[`${PEAK_OP[build].fn}_${c}`] as PeakFn)(10, 1, 0.5, 1);
}

/** Stack accesses in each loop, or null where V8's listing could not be had (a Node without the
 * disassembler). */
export function spillCheck(build: PeakBuild): Map<number, number | null> {
  const out = new Map<number, number | null>();
  const args = ["--no-liftoff", "--print-wasm-code", "--import", "tsx", SELF, "--compile", build];
  if (build === "relaxed") args.unshift("--experimental-wasm-relaxed-simd");
  let listing = "";
  // The listing goes to a file, not a pipe: V8 writes it with C stdio, and through a pipe from
  // execFileSync its tail came out missing (measured: 433 of 653 lines, a different cut each run).
  const dir = mkdtempSync(path.join(tmpdir(), "bsfnet-peak-"));
  const file = path.join(dir, "code.txt");
  const fd = openSync(file, "w");
  try {
    execFileSync(process.execPath, args, { stdio: ["ignore", fd, "ignore"], timeout: 60_000 });
    listing = readFileSync(file, "utf8");
  } catch {
    // no listing (a Node without the disassembler): every count stays null
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const counts = loopStackAccesses(listing);
  const idx = exportIndices(readFileSync(PEAK_FILE[build]));
  for (const c of CHAINS) {
    const i = idx[`${PEAK_OP[build].fn}_${c}`];
    out.set(c, counts.get(i) ?? null);
  }
  return out;
}

export type PeakResult = { op: string; rows: PeakRow[]; best: number; bestChains: number } | { reason: string };

/** GFLOP/s of the build's loop at each chain count, with the spill check (run here unless its
 * counts are handed in, or `spills: false`). */
export function measurePeak(
  build: PeakBuild,
  o: { quick?: boolean; spills?: false | Map<number, number | null> } = {},
): PeakResult {
  const file = PEAK_FILE[build];
  if (!existsSync(file)) return { reason: `${file} not built (npm run asbuild:ceiling)` };
  const bytes = readFileSync(file);
  if (!WebAssembly.validate(bytes))
    return { reason: `this engine (Node ${process.version}) does not validate the ${build} build` };
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const spills = o.spills === false ? new Map<number, null>() : (o.spills ?? spillCheck(build));
  const rows = CHAINS.map((chains) => ({
    chains,
    gflops: timeLoop(inst.exports[`${PEAK_OP[build].fn}_${chains}`] as PeakFn, chains, !!o.quick),
    stackAccesses: spills.get(chains) ?? null,
  }));
  const top = rows.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { op: PEAK_OP[build].what, rows, best: top.gflops, bestChains: top.chains };
}

if (process.argv[1] && fileURLToPath(`file://${process.argv[1]}`) === SELF && process.argv.includes("--compile")) {
  compileAll(process.argv[process.argv.indexOf("--compile") + 1] as PeakBuild);
}
