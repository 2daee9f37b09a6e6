// PyTorch in the same run as bsfnet: find a Python that imports torch, hand it the nets and the
// data (raw float32 / int32 files), keep scripts/reference/bench_torch.py running and ask it for
// one row at a time. No torch: a notice, and every torch figure is null with the reason.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { NetPlan } from "./nets.js";

export type PythonFound = { python: string; torch: string } | { python: null; reason: string };

/** The interpreters tried, in order: $BSFNET_PYTHON, python3, /usr/bin/python3 (on these machines
 * only the last has torch; a pyenv shim named python3 may not). */
export function pythonCandidates(env: Record<string, string | undefined> = process.env): string[] {
  return [...new Set([env.BSFNET_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p))];
}

/** The first candidate for which `import torch` works, or null and why none did. */
export function findTorchPython(candidates = pythonCandidates()): PythonFound {
  const why: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 60000 });
    if (r.error) why.push(`${python}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
    else if (r.status !== 0) {
      const last = r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`;
      why.push(`${python}: ${last}`);
    } else return { python, torch: r.stdout.trim() };
  }
  return { python: null, reason: `no Python that imports torch (${why.join("; ") || "no candidates"})` };
}

export interface TorchTrainRow {
  mode: "train";
  net: string;
  threads: number;
  B: number;
  steps: number;
  window: number;
  /** samples/s over the fresh and the steady-state window */
  fresh: number;
  steady: number;
}

export interface TorchInferRow {
  mode: "infer";
  net: string;
  threads: number;
  B: number;
  sps: number;
  samples: number;
}

export type TorchRow = TorchTrainRow | TorchInferRow;

export interface TorchRequest {
  mode: "train" | "infer";
  net: string;
  B: number;
}

export interface TorchPlanOptions {
  nets: { plan: NetPlan & { stepsByBatch: Record<string, number> }; x: Float32Array; y: Int32Array }[];
  threads: number[];
  warmupSeconds: number;
  inferSeconds: number;
  log?: (s: string) => void;
  found?: PythonFound;
}

const SCRIPT = fileURLToPath(new URL("../../scripts/reference/bench_torch.py", import.meta.url));

/** PyTorch as a peer that answers one row at a time (bench_torch.py --serve): one Python process
 * per thread count, so the bench can ask for each row right after the node engines measured
 * theirs. Its BLAS pools are sized by environment: Debian's torch calls the system libblas
 * (OpenBLAS, pthreads), whose own pool ignores torch.set_num_threads (measured: a "one-thread"
 * process ran 2 threads, and the two-thread runs oversubscribed both cores). */
export class TorchPeers {
  private constructor(
    readonly python: string,
    readonly torch: string,
    private readonly procs: Map<number, TorchProcess>,
    private readonly dir: string,
  ) {}

  /** Writes the nets' data and plans to a temporary directory and starts a process per thread
   * count; no Python with torch, or a process that does not start: the reason. */
  static async open(o: TorchPlanOptions): Promise<TorchPeers | { reason: string }> {
    const log = o.log ?? (() => {});
    const found = o.found ?? findTorchPython();
    if (found.python === null) {
      log(`  [bsfnet] skipping PyTorch: ${found.reason}`);
      return { reason: found.reason };
    }
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-torch-"));
    const nets = o.nets.map(({ plan, x, y }) => {
      const xp = join(dir, `${plan.name}.x`);
      const yp = join(dir, `${plan.name}.y`);
      writeFileSync(xp, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      writeFileSync(yp, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
      return { ...plan, x: xp, y: yp, n: y.length };
    });
    const procs = new Map<number, TorchProcess>();
    let version = "";
    for (const threads of o.threads) {
      const planPath = join(dir, `plan-${threads}.json`);
      const plan = { nets, threads, warmupSeconds: o.warmupSeconds, inferSeconds: o.inferSeconds };
      writeFileSync(planPath, JSON.stringify(plan));
      const t = String(threads);
      const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
      const p = new TorchProcess(spawn(found.python, [SCRIPT, "--serve", planPath], { env }), log);
      try {
        version = (JSON.parse(await p.line()) as { torch: string }).torch;
      } catch (e) {
        for (const q of [p, ...procs.values()]) q.close();
        rmSync(dir, { recursive: true, force: true });
        const reason = `bench_torch.py --serve (${threads} threads) did not start: ${(e as Error).message}`;
        log(`  [bsfnet] ${reason}`);
        return { reason };
      }
      procs.set(threads, p);
    }
    return new TorchPeers(found.python, version, procs, dir);
  }

  /** One row from the process of `threads`; a process that failed throws its reason. */
  async row(threads: number, req: TorchRequest): Promise<TorchRow> {
    const p = this.procs.get(threads);
    if (!p) throw new Error(`no PyTorch process on ${threads} threads`);
    return p.ask(req);
  }

  close(): void {
    for (const p of this.procs.values()) p.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One bench_torch.py --serve child: request lines in, one JSON line out per request. */
class TorchProcess {
  private readonly lines: string[] = [];
  private readonly waiting: { ok: (l: string) => void; fail: (e: Error) => void }[] = [];
  private ended: Error | null = null;
  private lastErr = "";
  // requests answer in order, one at a time
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly p: ChildProcessWithoutNullStreams,
    log: (s: string) => void,
  ) {
    createInterface({ input: p.stdout }).on("line", (line) => {
      const w = this.waiting.shift();
      if (w) w.ok(line);
      else this.lines.push(line);
    });
    createInterface({ input: p.stderr }).on("line", (line) => {
      if (!line.trim()) return;
      this.lastErr = line.trim();
      log(`  ${line}`);
    });
    const end = (why: string) => {
      this.ended ??= new Error(why);
      for (const w of this.waiting.splice(0)) w.fail(this.ended);
    };
    p.on("close", (code) => end(`bench_torch.py exited (${code})${this.lastErr ? `: ${this.lastErr}` : ""}`));
    p.on("error", (e) => end(`bench_torch.py: ${e.message}`));
    p.stdin.on("error", () => {}); // a child that died: its close event says why
  }

  line(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((ok, fail) => this.waiting.push({ ok, fail }));
  }

  ask(req: TorchRequest): Promise<TorchRow> {
    const next = this.queue.then(async () => {
      if (this.ended) throw this.ended;
      this.p.stdin.write(`${JSON.stringify(req)}\n`);
      return JSON.parse(await this.line()) as TorchRow;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  close(): void {
    this.p.stdin.end();
    if (this.p.exitCode === null) this.p.kill();
  }
}

/** The better of two measurements of one row (each figure its own maximum; null: not measured):
 * the node engines and PyTorch each measure a training row twice, in alternating rounds, on a VM
 * whose speed swings by a third within minutes, and each keeps its best. */
export function betterRow<T extends { fresh: number | null; steady: number | null }>(a: T | undefined, b: T): T {
  if (!a) return b;
  const max = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  return { ...b, fresh: max(a.fresh, b.fresh), steady: max(a.steady, b.steady) };
}
