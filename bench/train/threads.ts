// Two training threads against one (fit({ threads })): samples/s of the paper's Table 6 CNN
// (bench/cnn/cnn.ts) and the Musk2 MLP (bench/train/musk2.ts) at batch 32 and 128.
// Both thread counts run the same shared-memory build (build/bsfnet*.threads.wasm), so the ratio
// is the threads' alone. A step is timed from one onBatchEnd to the next (wall clock: the work of
// two threads is what is being sped up), after a warm-up of steps and time (V8 runs wasm on its
// baseline compiler for the first few hundred ms); the figure of a run is its median step, and
// runs alternate 1 and 2 threads (A/B in one process), the best of `rounds` kept for each. The
// CPU time of the process over the timed steps is printed beside it: on a loaded machine, two
// threads get less than two cores and the ratio shows it. So is a CPU-time figure that does not
// depend on the load: one thread's CPU time per step over the busiest thread's CPU time per step
// on two (per-thread CPU time from Linux's /proc/self/task/*/schedstat), the speed-up two idle
// cores would give if waking a thread cost nothing (two barriers cost about 70 us a step).
// Run: npx tsx bench/train/threads.ts [--quick]
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Sequential } from "../../src/index.js";
import { stepFlops, threadRuntime } from "../../src/runtime/threads.js";
import { bsfnetCnn, randomImages } from "../cnn/cnn.js";
import { bsfnetModel, randomData, INPUTS } from "./musk2.js";

export interface ThreadRow {
  /** samples/s on one and on two threads */
  one: number;
  two: number;
  /** two / one */
  speedup: number;
  /** process CPU seconds per wall second while two threads ran (2 = both cores busy) */
  cpuPerWall2: number;
  /** process CPU microseconds per sample on one and two threads: what two threads add in work
   * (barriers, reduction), independent of how many cores the machine could give */
  cpuUs1: number;
  cpuUs2: number;
  /** one thread's CPU time per step over the busiest thread's on two threads (Linux
   * /proc/self/task/<tid>/schedstat): the speed-up two idle cores would give, barrier wake-ups
   * aside; null where per-thread CPU time cannot be read */
  cpuBound: number | null;
  /** one thread's rate in GFLOP/s by the estimate "auto" uses (stepFlops: what the products would
   * cost without Winograd), to check the rate chooseThreads assumes */
  gflops1: number;
}

/** CPU nanoseconds of each thread of this process (Linux), undefined elsewhere. */
export function threadCpu(): Map<string, number> | undefined {
  try {
    const out = new Map<string, number>();
    for (const tid of readdirSync("/proc/self/task")) {
      const v = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      if (Number.isFinite(v)) out.set(tid, v);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** CPU seconds of the busiest thread between two snapshots. */
export function busiest(a: Map<string, number> | undefined, b: Map<string, number> | undefined): number | undefined {
  if (!a || !b) return undefined;
  let m = 0;
  for (const [tid, v] of b) m = Math.max(m, (v - (a.get(tid) ?? 0)) / 1e9);
  return m;
}

export interface ThreadsResult {
  cnn: { b32: ThreadRow; b128: ThreadRow };
  musk2: { b32: ThreadRow; b128: ThreadRow };
}

interface Net {
  make: () => Sequential;
  data: (n: number) => { x: Float32Array; y: Int32Array };
}

const NETS: Record<"cnn" | "musk2", Net> = {
  cnn: { make: () => bsfnetCnn(false, 1), data: (n) => randomImages(n, 3) },
  musk2: { make: () => bsfnetModel(1), data: (n) => randomData(n, 3) },
};

/** Median step time (s) of one fit on `threads` threads, and CPU s per wall s over those steps. */
async function run(
  net: Net,
  B: number,
  threads: number,
  steps: number,
  warmSteps: number,
  warmMs: number,
): Promise<{ step: number; cpuPerWall: number; cpuUs: number; busiestPerStep?: number; flops: number }> {
  const tr = await threadRuntime();
  const m = net.make();
  await m.build(undefined, tr.rt);
  const flops = stepFlops(m.layers, B);
  const { x, y } = net.data(B * (steps + warmSteps));
  const times: number[] = [];
  let last = 0;
  let warmed = false;
  let seen = 0;
  let cpu0 = process.cpuUsage();
  let wall0 = 0;
  let cpuPerWall = 0;
  let cpuUs = 0;
  let tasks0: Map<string, number> | undefined;
  let busiestPerStep: number | undefined;
  const started = performance.now();
  await m.fit(x, y, {
    epochs: 100,
    batchSize: B,
    threads,
    verbose: 0,
    callbacks: [
      {
        onBatchEnd: (_b, _logs, model) => {
          const now = performance.now();
          if (!warmed) {
            if (++seen >= warmSteps && now - started >= warmMs) {
              warmed = true;
              cpu0 = process.cpuUsage();
              tasks0 = threadCpu();
              wall0 = now;
            }
          } else if (times.length < steps) {
            // (stopTraining takes effect at the end of the epoch: later steps are not timed)
            times.push((now - last) / 1000);
            if (times.length >= steps) {
              const c = process.cpuUsage(cpu0);
              cpuPerWall = (c.user + c.system) / 1e3 / (now - wall0);
              cpuUs = (c.user + c.system) / (steps * B);
              const b = busiest(tasks0, threadCpu());
              busiestPerStep = b === undefined ? undefined : b / steps;
              model.stopTraining = true;
            }
          }
          last = now;
        },
      },
    ],
  });
  m.dispose();
  times.sort((a, b) => a - b);
  return { step: times[times.length >> 1], cpuPerWall, cpuUs, busiestPerStep, flops };
}

/** Two threads against one on both nets at batch 32 and 128. */
export async function measureThreads(o: { quick?: boolean } = {}): Promise<ThreadsResult> {
  const rounds = o.quick ? 1 : 3;
  const out: Record<string, Record<string, ThreadRow>> = { cnn: {}, musk2: {} };
  for (const name of ["cnn", "musk2"] as const) {
    for (const B of [32, 128]) {
      // about a second of steps per run on one thread (fewer for the quick smoke run)
      const steps = name === "cnn" ? (o.quick ? 4 : B === 32 ? 40 : 12) : o.quick ? 50 : B === 32 ? 800 : 300;
      const warm = o.quick ? 2 : Math.max(3, steps >> 3);
      const warmMs = o.quick ? 0 : 300;
      let one = Number.POSITIVE_INFINITY;
      let two = Number.POSITIVE_INFINITY;
      let cpu2 = 0;
      let flops = 0;
      let cpuUs1 = Number.POSITIVE_INFINITY;
      let cpuUs2 = Number.POSITIVE_INFINITY;
      let busy1 = Number.POSITIVE_INFINITY;
      let busy2 = Number.POSITIVE_INFINITY;
      for (let r = 0; r < rounds; r++) {
        const s = await run(NETS[name], B, 1, steps, warm, warmMs);
        one = Math.min(one, s.step);
        flops = s.flops;
        cpuUs1 = Math.min(cpuUs1, s.cpuUs);
        busy1 = Math.min(busy1, s.busiestPerStep ?? Number.NaN);
        const t = await run(NETS[name], B, 2, steps, warm, warmMs);
        cpuUs2 = Math.min(cpuUs2, t.cpuUs);
        busy2 = Math.min(busy2, t.busiestPerStep ?? Number.NaN);
        if (t.step < two) {
          two = t.step;
          cpu2 = t.cpuPerWall;
        }
      }
      const cpuBound = Number.isFinite(busy1 / busy2) ? busy1 / busy2 : null;
      out[name][`b${B}`] = {
        one: B / one,
        two: B / two,
        speedup: one / two,
        cpuPerWall2: cpu2,
        cpuUs1,
        cpuUs2,
        cpuBound,
        gflops1: flops / one / 1e9,
      };
    }
  }
  return out as unknown as ThreadsResult;
}

function table(r: ThreadsResult): string {
  const lines = [
    "| net | batch | 1 thread (samples/s) | 2 threads (samples/s) | speed-up | CPU s / wall s (2 threads) | CPU us / sample (1, 2 threads) | CPU-bound speed-up | 1 thread, GFLOP/s (stepFlops) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const name of ["cnn", "musk2"] as const) {
    for (const b of ["b32", "b128"] as const) {
      const row = r[name][b];
      lines.push(
        `| ${name === "cnn" ? "Table 6 CNN" : `Musk2 MLP (${INPUTS} inputs)`} | ${b.slice(1)} | ${row.one.toFixed(0)} | ${row.two.toFixed(0)} | ${row.speedup.toFixed(2)}x | ${row.cpuPerWall2.toFixed(2)} | ${row.cpuUs1.toFixed(1)}, ${row.cpuUs2.toFixed(1)} | ${row.cpuBound === null ? "n/a" : `${row.cpuBound.toFixed(2)}x`} | ${row.gflops1.toFixed(1)} |`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.argv.includes("--quick");
  const r = await measureThreads({ quick });
  console.log(table(r));
  console.log(JSON.stringify(r));
}
