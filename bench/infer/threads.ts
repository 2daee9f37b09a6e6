// Inference on one thread against two (model.predict(x, { threads })): ms per call of the paper's
// three nets (bench/peers/nets.ts: the Musk2 and KDD99 MLPs, the Table 6 CNN) at several batch
// sizes. Both counts run the same shared-memory build (build/bsfnet*.threads.wasm) and the same
// model, so the ratio is the threads' alone; the two-thread outputs are checked against the
// one-thread ones bit for bit. Runs alternate one and two threads (A/B in one process, `rounds`
// rounds after a timed warm-up), each run's figure its median call, the median of the rounds kept
// with the spread (min-max) of the ratio. Also: what starting a pool costs (first call after
// closeThreads, minus a call), the estimated forward FLOPs the "auto" choice uses, and the load
// average, since two threads get two cores only on an idle machine.
// Run: npx tsx bench/infer/threads.ts [--quick] [--nets musk2,kdd99,cnn] [--batches 1,32,256]
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { forwardFlops, PREDICT_FLOPS_PER_SECOND, threadRuntime } from "../../src/runtime/threads.js";
import { enableRelaxedSimd } from "../../src/runtime/wasm.js";
import { bsfnetNet, NETS, netData, netPlan, type NetName } from "../peers/nets.js";
import { busiest, threadCpu } from "../train/threads.js";
import { middle as med } from "../lib/ab.js";

export interface InferThreadRow {
  net: NetName;
  B: number;
  /** median ms per call, one and two threads */
  ms1: number;
  ms2: number;
  /** ms1 / ms2: the median of the rounds' ratios, and their range */
  speedup: number;
  min: number;
  max: number;
  /** one thread's CPU time per call over the busiest thread's on two (Linux per-thread CPU time):
   * the speed-up two idle cores would give, wake-up latency aside; null where unreadable */
  cpuBound: number | null;
  /** what "auto" picks for a call of B rows (on a running pool) */
  auto: number;
  /** the estimate's one-thread time, us */
  estUs: number;
}

/** Median ms of fn's calls over `seconds`, and the busiest thread's CPU ms per call. */
async function median(fn: () => Promise<unknown>, seconds: number): Promise<{ ms: number; cpu?: number }> {
  const t: number[] = [];
  const c0 = threadCpu();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || t.length < 5) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  const cpu = busiest(c0, threadCpu());
  t.sort((a, b) => a - b);
  return { ms: t[t.length >> 1], cpu: cpu === undefined ? undefined : (cpu * 1000) / t.length };
}

export async function measureInferThreads(
  o: { quick?: boolean; nets?: NetName[]; batches?: number[]; log?: (s: string) => void } = {},
): Promise<{ rows: InferThreadRow[]; startMs: Record<string, number>; load: [number[], number[]] }> {
  const log = o.log ?? (() => {});
  const rounds = o.quick ? 3 : 7;
  const seconds = o.quick ? 0.1 : 0.25;
  const batches = o.batches ?? [1, 8, 16, 32, 64, 128, 256, 1024];
  const tr = await threadRuntime();
  const rows: InferThreadRow[] = [];
  const startMs: Record<string, number> = {};
  const load0 = loadavg();
  for (const name of o.nets ?? NETS) {
    const plan = netPlan(name, true);
    const model = bsfnetNet(plan);
    await model.build(undefined, tr.rt);
    const { x } = netData(plan, Math.max(...batches));
    // start-up: the first two-thread call (workers instantiate and build the layers) over a warm one
    const xs = x.subarray(0, 64 * plan.inputs);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await model.closeThreads();
      const s = performance.now();
      await model.predict(xs, { threads: 2 });
      const first = performance.now() - s;
      const s2 = performance.now();
      await model.predict(xs, { threads: 2 });
      starts.push(first - (performance.now() - s2));
    }
    startMs[name] = med(starts);
    // warm-up by time: V8 tiers wasm up in the background over the first few hundred ms
    const w0 = performance.now();
    while (performance.now() - w0 < (o.quick ? 300 : 800)) {
      await model.predict(x.subarray(0, 256 * plan.inputs), { threads: 1 });
      await model.predict(x.subarray(0, 256 * plan.inputs), { threads: 2 });
    }
    for (const B of batches) {
      const xb = x.slice(0, B * plan.inputs);
      const a = await model.predict(xb, { threads: 1 });
      const b = await model.predict(xb, { threads: 2 });
      const same = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
      if (!same) throw new Error(`${name} B=${B}: two threads differ from one`);
      const one: number[] = [];
      const two: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const a1 = await median(() => model.predict(xb, { threads: 1 }), seconds);
        const a2 = await median(() => model.predict(xb, { threads: 2 }), seconds);
        one.push(a1.ms);
        two.push(a2.ms);
        if (a1.cpu !== undefined && a2.cpu) cpu.push(a1.cpu / a2.cpu);
      }
      const ratios = one.map((v, i) => v / two[i]);
      const flops = forwardFlops(model.layers, B);
      const auto = await model.autoPredictThreads(B);
      const row: InferThreadRow = {
        net: name,
        B,
        ms1: med(one),
        ms2: med(two),
        speedup: med(ratios),
        min: Math.min(...ratios),
        max: Math.max(...ratios),
        cpuBound: cpu.length ? med(cpu) : null,
        auto,
        estUs: (flops / PREDICT_FLOPS_PER_SECOND) * 1e6,
      };
      rows.push(row);
      log(
        `  ${name.padEnd(6)} B=${String(B).padStart(4)}: 1t ${row.ms1.toFixed(3)} ms, 2t ${row.ms2.toFixed(3)} ms, ` +
          `${row.speedup.toFixed(2)}x (${row.min.toFixed(2)}-${row.max.toFixed(2)}), CPU-bound ${row.cpuBound?.toFixed(2) ?? "-"}x; ` +
          `1t ${(flops / (row.ms1 / 1000) / 1e9).toFixed(1)} GFLOP/s; 2t - 1t/2 = ${((row.ms2 - row.ms1 / 2) * 1000).toFixed(0)} us; auto ${auto}`,
      );
    }
    log(`  ${name}: starting a two-thread pool ${startMs[name].toFixed(1)} ms`);
    await model.closeThreads();
    model.dispose();
  }
  return { rows, startMs, load: [load0, loadavg()] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (k: string) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const relaxed = await enableRelaxedSimd();
  console.log(`build: ${relaxed && process.env.BSFNET_WASM !== "simd128" ? "relaxed-threads" : "threads (SIMD128)"}`);
  const r = await measureInferThreads({
    quick: process.argv.includes("--quick"),
    nets: arg("--nets")?.split(",") as NetName[] | undefined,
    batches: arg("--batches")?.split(",").map(Number),
    log: console.log,
  });
  console.log(
    `load average before ${r.load[0].map((v) => v.toFixed(2)).join(" ")}, after ${r.load[1].map((v) => v.toFixed(2)).join(" ")}`,
  );
  console.log("| net | batch | 1 thread (ms) | 2 threads (ms) | speed-up (range) | CPU-bound speed-up | auto |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const x of r.rows)
    console.log(
      `| ${x.net} | ${x.B} | ${x.ms1.toFixed(3)} | ${x.ms2.toFixed(3)} | ${x.speedup.toFixed(2)}x (${x.min.toFixed(2)}-${x.max.toFixed(2)}) | ${x.cpuBound === null ? "–" : `${x.cpuBound.toFixed(2)}x`} | ${x.auto} |`,
    );
}
