// Timing with tinybench: one Bench per measurement, warmup first, then samples until the time
// budget is spent. A sample may run the operation `reps` times (short kernels) so each sample is
// well above timer resolution; every figure is per operation. The machine is shared, so the
// figure we report is the median sample (robust to a colleague's test run), with mean and spread
// kept in results.json.
import { readFileSync } from "node:fs";
import os from "node:os";
import { Bench } from "tinybench";

export interface Timing {
  /** median time of one operation, ms */
  ms: number;
  meanMs: number;
  minMs: number;
  /** relative margin of error of the mean, % */
  rme: number;
  samples: number;
  reps: number;
}

export interface MeasureOptions {
  /** ms of warmup */
  warmup: number;
  /** ms of measurement */
  time: number;
  /** minimum duration of one sample, ms (reps are chosen to reach it; 0: one call per sample, no calibration) */
  minSample?: number;
  /** minimum number of samples (default 5 sync, 3 async) and of warmup calls (default 2); for
   * operations of seconds, `{ warmup: 0, warmupIterations: 0, time: 0, iterations: 1 }` times one call */
  iterations?: number;
  warmupIterations?: number;
  /** async setup before warmup (e.g. switching the tfjs backend); teardown after the run */
  before?: () => Promise<void> | void;
  after?: () => Promise<void> | void;
}

/** Calls of fn needed for one sample to last at least `ms`. */
function calibrate(fn: () => unknown, ms: number): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const dt = performance.now() - t0;
    if (dt >= ms || reps >= 1 << 20) return reps;
    reps = dt > 0 ? Math.max(reps * 2, Math.ceil((reps * ms) / dt)) : reps * 8;
  }
}

/** Time a synchronous operation. */
export async function measureSync(name: string, fn: () => unknown, o: MeasureOptions): Promise<Timing> {
  await o.before?.();
  try {
    const reps = o.minSample === 0 ? 1 : calibrate(fn, o.minSample ?? 1);
    const bench = new Bench(benchOptions(o, 5));
    bench.add(name, () => {
      for (let r = 0; r < reps; r++) fn();
    });
    await bench.run();
    return timing(bench, name, reps);
  } finally {
    await o.after?.();
  }
}

/** Time an asynchronous operation (one call per sample). */
export async function measureAsync(name: string, fn: () => Promise<unknown>, o: MeasureOptions): Promise<Timing> {
  await o.before?.();
  try {
    const bench = new Bench(benchOptions(o, 3));
    bench.add(name, fn, { async: true });
    await bench.run();
    return timing(bench, name, 1);
  } finally {
    await o.after?.();
  }
}

function benchOptions(o: MeasureOptions, iterations: number) {
  const warmupIterations = o.warmupIterations ?? 2;
  return {
    warmup: warmupIterations > 0 || o.warmup > 0,
    warmupTime: o.warmup,
    warmupIterations,
    time: o.time,
    iterations: o.iterations ?? iterations,
    timestampProvider: "hrtimeNow" as const,
  };
}

function timing(bench: Bench, name: string, reps: number): Timing {
  const r = bench.getTask(name)!.result;
  if (r.state === "errored") throw r.error;
  if (r.state !== "completed") throw new Error(`bench task ${name} ended in state ${r.state}`);
  return {
    ms: r.latency.p50 / reps,
    meanMs: r.latency.mean / reps,
    minMs: r.latency.min / reps,
    rme: r.latency.rme,
    samples: r.latency.samplesCount,
    reps,
  };
}

export function load(): [number, number, number] {
  return os.loadavg().map((v) => Math.round(v * 100) / 100) as [number, number, number];
}

/** CPU ms used by this process's children that have ended and been waited for (Linux:
 * /proc/self/stat's cutime + cstime, in USER_HZ = 100 ticks a second); 0 where it cannot be read.
 * The bench's own children (PyTorch in python3, workerd, a child node for the relaxed build) are
 * its work, not other processes'. */
function childrenMs(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // the fields after the command name, which is in parentheses and may hold spaces
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields 16 and 17 of proc(5) (cutime, cstime) are at 13 and 14 counting from field 3
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return 0;
  }
}

export interface CpuSnapshot {
  wall: number;
  /** the whole machine's busy CPU ms */
  busy: number;
  /** this process's CPU ms, its ended children's included */
  self: number;
}

/** CPU time of the whole machine and of this process (with its ended children), to tell how busy
 * the machine was between two snapshots. */
export function cpuSnapshot(): CpuSnapshot {
  const busy = os.cpus().reduce((s, c) => s + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
  const u = process.cpuUsage();
  return { wall: performance.now(), busy, self: (u.user + u.system) / 1000 + childrenMs() };
}

/** Busy CPU ms of other processes between two snapshots. A child still running at b is counted
 * as other until it is waited for: take b after the children of the span have ended. */
export function othersMs(a: CpuSnapshot, b: CpuSnapshot): number {
  return Math.max(0, b.busy - a.busy - (b.self - a.self));
}

/** Cores other processes used on average between two snapshots. */
export function othersCores(a: CpuSnapshot, b: CpuSnapshot): number {
  return othersMs(a, b) / Math.max(1e-9, b.wall - a.wall);
}

/** CPU ms of this process so far: on a shared machine, the time slices others take do not count. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median CPU ms per call of fn over `s` seconds (at least 3 samples), each sample enough calls for
 * 5 ms: for A/B scripts that alternate sides in one process (bench/infer/rows.ts, softmax.ts).
 * best: the fastest sample instead, the least disturbed on a VM whose speed swings by a third within
 * seconds (its CPU time runs slow, not only less of it; the cause is not visible from inside). */
export function cpuMsPerCall(fn: () => unknown, s: number, best = false): number {
  let n = 1;
  for (let t0 = cpuMs(); cpuMs() - t0 < 5; n *= 2) for (let i = 0; i < n; i++) fn();
  const t: number[] = [];
  const w0 = performance.now();
  while (performance.now() - w0 < s * 1000 || t.length < 3) {
    const a = cpuMs();
    for (let i = 0; i < n; i++) fn();
    t.push((cpuMs() - a) / n);
  }
  t.sort((a, b) => a - b);
  return best ? t[0] : t[t.length >> 1];
}
