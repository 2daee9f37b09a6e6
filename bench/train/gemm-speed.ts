// GEMM GFLOP/s, one thread: 512^3 and 1024^3 (nn), the dense kernel-gradient shape of the Table 6
// CNN (gemm_tn M=9216, K=32, N=128: dweight[9216,128] += inp^T @ dout at batch 32), and every
// product of the paper's three nets in the orientation it runs in: each dense layer (B, C, OC) as its
// forward (nn: B,C,OC), backward dinp (nt: B,OC,C) and backward dweight (tn: C,B,OC), and the
// Winograd GEMMs of the CNN's conv2 (36 per chunk of 32 tiles: nn 32,32,64; tn 32,32,64; nn 32,64,32).
// Each shape is timed on gemm_* (packed path and row tiles, as the library calls them) and on
// gemm_*_simple (the register-blocked kernel of before), in the same process.
//   npm run asbuild && npx tsx bench/train/gemm-speed.ts [--quick] [--relaxed | --both] [--json]
// --relaxed runs the relaxed-SIMD build (fused multiply-add); Node 20 validates it only with
// --experimental-wasm-relaxed-simd, so it runs in a child process with that flag when needed.
// Time is this process's CPU time (process.cpuUsage), not wall time: on a shared machine that leaves
// out the time the thread is descheduled; each figure is the best of several samples after a warm-up
// by time (V8 runs wasm on its baseline compiler for the first 0.2-0.3 s).
//
// measureGemm({ quick, wasm }) gives the three headline figures for bench/run.ts (summary.json's
// gemmGflops).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Runtime } from "../../src/runtime/runtime.js";
import { instantiateModule } from "../../src/runtime/instantiate.js";

export type GemmBuild = "simd128" | "relaxed";
export interface GemmHeadline {
  "512": number;
  "1024": number;
  tn: number;
}

type Orient = "nn" | "nt" | "tn";
interface Shape {
  net: string;
  what: string;
  v: Orient;
  M: number;
  K: number;
  N: number;
  accumulate: number;
}
interface Row extends Shape {
  packed: number;
  simple: number;
}

const BUILD_FILE: Record<GemmBuild, string> = {
  simd128: fileURLToPath(new URL("../../build/bsfnet.wasm", import.meta.url)),
  relaxed: fileURLToPath(new URL("../../build/bsfnet.relaxed.wasm", import.meta.url)),
};
const SELF = fileURLToPath(import.meta.url);

const HEADLINE: Shape[] = [
  { net: "square", what: "512", v: "nn", M: 512, K: 512, N: 512, accumulate: 0 },
  { net: "square", what: "1024", v: "nn", M: 1024, K: 1024, N: 1024, accumulate: 0 },
  { net: "CNN", what: "tn", v: "tn", M: 9216, K: 32, N: 128, accumulate: 1 },
];

// The nets' dense layers as (in, out). Musk2: 166 inputs (+2 of the gate's padding to 168 as the
// bench's net has them), dense 168, 168, 336, 168, 2 classes. KDD99: the paper's D, D, 2D, D rule on
// its 41 inputs, 23 classes. CNN (Table 6): flatten 9216 -> 128 -> 10.
const NETS: [string, [number, number][]][] = [
  [
    "Musk2",
    [
      [168, 168],
      [168, 168],
      [168, 336],
      [336, 168],
      [168, 2],
    ],
  ],
  [
    "KDD99",
    [
      [41, 41],
      [41, 41],
      [41, 82],
      [82, 41],
      [41, 23],
    ],
  ],
  [
    "CNN",
    [
      [9216, 128],
      [128, 10],
    ],
  ],
];

function netShapes(quick: boolean): Shape[] {
  const out: Shape[] = [];
  const seen = new Set<string>();
  const add = (s: Shape) => {
    const key = `${s.net} ${s.v} ${s.M} ${s.K} ${s.N}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s);
    }
  };
  for (const [net, layers] of NETS) {
    for (const [C, OC] of layers) {
      // inference runs at batch 1 and 256; training at 32 and 128
      for (const B of quick ? [1, 128] : [1, 32, 128, 256])
        add({ net, what: `dense ${C}->${OC} B=${B} forward`, v: "nn", M: B, K: C, N: OC, accumulate: 0 });
      for (const B of quick ? [128] : [32, 128]) {
        add({ net, what: `dense ${C}->${OC} B=${B} dinp`, v: "nt", M: B, K: OC, N: C, accumulate: 0 });
        add({ net, what: `dense ${C}->${OC} B=${B} dweight`, v: "tn", M: C, K: B, N: OC, accumulate: 1 });
      }
    }
  }
  add({ net: "CNN", what: "conv2 Winograd forward", v: "nn", M: 32, K: 32, N: 64, accumulate: 0 });
  add({ net: "CNN", what: "conv2 Winograd dkernel", v: "tn", M: 32, K: 32, N: 64, accumulate: 1 });
  add({ net: "CNN", what: "conv2 Winograd dinp", v: "nn", M: 32, K: 64, N: 32, accumulate: 0 });
  return out;
}

/** CPU milliseconds used by this process so far. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let warmed = false;

/** GFLOP/s of fn: its fastest sample (each at least `sampleMs` CPU ms of calls) over a second of
 * samples (at least 7). Seven samples of 20 ms were not enough on a VM whose speed swings by a
 * third within seconds: one run gave 25 GFLOP/s at 512^3 where the next gave
 * 42. */
function time(fn: () => void, flops: number, quick: boolean): number {
  // The first shape of the process also waits out V8's baseline tier: 0.5 s of calls.
  const warm = warmed ? 60 : 500;
  warmed = true;
  const t = cpuNow();
  while (cpuNow() - t < warm) fn();
  const sampleMs = 10;
  let reps = 1;
  for (;;) {
    const t0 = cpuNow();
    for (let r = 0; r < reps; r++) fn();
    if (cpuNow() - t0 > sampleMs) break;
    reps *= 2;
  }
  let best = Infinity;
  const budget = quick ? 100 : 1000;
  for (let s = 0, start = cpuNow(); s < (quick ? 5 : 7) || cpuNow() - start < budget; s++) {
    const t0 = cpuNow();
    for (let r = 0; r < reps; r++) fn();
    best = Math.min(best, (cpuNow() - t0) / reps);
  }
  return flops / (best * 1e6);
}

function fill(rt: Runtime, p: number, n: number, f: (i: number) => number): void {
  const a = rt.f32(p, n);
  for (let i = 0; i < n; i++) a[i] = f(i);
}

/** Times each shape on the packed-dispatching kernel and on the simple one, in this process. */
function runShapes(rt: Runtime, shapes: Shape[], quick: boolean, simple = true): Row[] {
  const rows: Row[] = [];
  for (const s of shapes) {
    const { M, K, N } = s;
    const a = rt.alloc(M * K * 4),
      b = rt.alloc(K * N * 4),
      c = rt.alloc(M * N * 4);
    fill(rt, a, M * K, Math.sin);
    fill(rt, b, K * N, Math.cos);
    fill(rt, c, M * N, (i) => Math.sin(i * 0.7));
    const flops = 2 * M * K * N;
    const f = rt.k[`gemm_${s.v}`];
    const g = rt.k[`gemm_${s.v}_simple`];
    const packed = time(() => f(c, a, b, M, K, N, s.accumulate), flops, quick);
    const old = simple ? time(() => g(c, a, b, M, K, N, s.accumulate), flops, quick) : Number.NaN;
    rows.push({ ...s, packed, simple: old });
    rt.release(c, M * N * 4);
    rt.release(b, K * N * 4);
    rt.release(a, M * K * 4);
  }
  return rows;
}

function canRunHere(build: GemmBuild): boolean {
  return WebAssembly.validate(readFileSync(BUILD_FILE[build]));
}

/** The rows for one build: in this process when this engine validates it, else in a child
 * process with --experimental-wasm-relaxed-simd. */
function measureRows(build: GemmBuild, quick: boolean, headlineOnly: boolean, simple = !headlineOnly): Row[] {
  if (canRunHere(build)) {
    const rt = new Runtime(instantiate(build));
    const shapes = headlineOnly ? HEADLINE : [...HEADLINE, ...netShapes(quick)];
    // One throwaway pass over the first shape: V8 compiles the optimized code on a background
    // thread, which a loaded machine can delay past the first warm-up.
    runShapes(rt, [HEADLINE[0]], quick, false);
    return runShapes(rt, shapes, quick, simple);
  }
  const args = ["--experimental-wasm-relaxed-simd", "--import", "tsx", SELF, "--rows", `--${build}`];
  if (quick) args.push("--quick");
  if (headlineOnly) args.push("--headline");
  if (!simple) args.push("--no-simple");
  const out = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop() as string) as Row[];
}

function instantiate(build: GemmBuild) {
  return instantiateModule(new WebAssembly.Module(readFileSync(BUILD_FILE[build])));
}

/** GFLOP/s of gemm_* (as the library calls it) at 512^3, 1024^3 and the tn kernel-gradient shape. */
export function measureGemm(opts: { quick?: boolean; wasm?: GemmBuild } = {}): GemmHeadline {
  const rows = measureRows(opts.wasm ?? "simd128", opts.quick ?? false, true, false);
  const by = (w: string) => Number(rows.find((r) => r.what === w)?.packed.toFixed(1));
  return { "512": by("512"), "1024": by("1024"), tn: by("tn") };
}

function table(build: GemmBuild, rows: Row[]): string {
  const lines = [
    `### ${build}`,
    "",
    "| net | product | gemm | M,K,N | GFLOP/s new | GFLOP/s before | new/before |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.net} | ${r.what} | ${r.v} | ${r.M},${r.K},${r.N} | ${r.packed.toFixed(1)} | ${r.simple.toFixed(1)} | ${(r.packed / r.simple).toFixed(2)}× |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(`file://${process.argv[1]}`) === SELF) {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const headlineOnly = argv.includes("--headline");
  const builds: GemmBuild[] = argv.includes("--both")
    ? ["simd128", "relaxed"]
    : argv.includes("--relaxed")
      ? ["relaxed"]
      : ["simd128"];
  if (argv.includes("--rows")) {
    // the child of measureRows: its rows as the last line of JSON
    console.log(JSON.stringify(measureRows(builds[0], quick, headlineOnly, !argv.includes("--no-simple"))));
  } else {
    const all = builds.map((b) => [b, measureRows(b, quick, headlineOnly, true)] as const);
    if (argv.includes("--json")) console.log(JSON.stringify(Object.fromEntries(all), null, 1));
    else for (const [b, rows] of all) console.log(`${table(b, rows)}\n`);
  }
}
