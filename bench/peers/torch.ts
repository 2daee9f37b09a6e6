// PyTorch in the same run as bsfnet: find a Python that imports torch, hand it the nets and the
// data (raw float32 / int32 files), run scripts/reference/bench_torch.py, read its JSON. No torch:
// a notice, and every torch figure is null with the reason.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

export type TorchResults =
  | { ok: true; python: string; torch: string; rows: (TorchTrainRow | TorchInferRow)[]; seconds: number }
  | { ok: false; reason: string };

export interface TorchPlanOptions {
  nets: { plan: NetPlan; x: Float32Array; y: Int32Array }[];
  threads: number[];
  trainBatches: number[];
  inferBatches: number[];
  warmupSeconds: number;
  inferSeconds: number;
  log?: (s: string) => void;
  found?: PythonFound;
}

const SCRIPT = fileURLToPath(new URL("../../scripts/reference/bench_torch.py", import.meta.url));

export async function runTorch(o: TorchPlanOptions): Promise<TorchResults> {
  const log = o.log ?? (() => {});
  const found = o.found ?? findTorchPython();
  if (found.python === null) {
    log(`  [bsfnet] skipping PyTorch: ${found.reason}`);
    return { ok: false, reason: found.reason };
  }
  const dir = mkdtempSync(join(tmpdir(), "bsfnet-torch-"));
  const t0 = performance.now();
  try {
    const nets = o.nets.map(({ plan, x, y }) => {
      const xp = join(dir, `${plan.name}.x`);
      const yp = join(dir, `${plan.name}.y`);
      writeFileSync(xp, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      writeFileSync(yp, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
      return { ...plan, x: xp, y: yp, n: y.length };
    });
    const rows: (TorchTrainRow | TorchInferRow)[] = [];
    let version = "";
    // One child per thread count, its BLAS pools sized by environment: Debian's torch calls the
    // system libblas (OpenBLAS, pthreads), whose own pool ignores torch.set_num_threads — measured:
    // a "one-thread" process ran 2 threads, and the two-thread runs oversubscribed both cores.
    for (const threads of o.threads) {
      const planPath = join(dir, `plan-${threads}.json`);
      writeFileSync(
        planPath,
        JSON.stringify({
          nets,
          threads: [threads],
          trainBatches: o.trainBatches,
          inferBatches: o.inferBatches,
          warmupSeconds: o.warmupSeconds,
          inferSeconds: o.inferSeconds,
        }),
      );
      const t = String(threads);
      const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
      const { code, out, err } = await new Promise<{ code: number | null; out: string; err: string }>((res) => {
        const p = spawn(found.python, [SCRIPT, planPath], { stdio: ["ignore", "pipe", "pipe"], env });
        let out = "";
        let err = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => {
          err += d;
          for (const line of String(d).trimEnd().split("\n")) if (line.trim()) log(`  ${line}`);
        });
        p.on("close", (c) => res({ code: c, out, err }));
        p.on("error", (e) => res({ code: null, out, err: e.message }));
      });
      if (code !== 0) {
        const reason = `bench_torch.py failed (exit ${code}): ${err.trim().split("\n").pop()}`;
        log(`  [bsfnet] ${reason}`);
        return { ok: false, reason };
      }
      const parsed = JSON.parse(out) as { torch: string; rows: (TorchTrainRow | TorchInferRow)[] };
      version = parsed.torch;
      rows.push(...parsed.rows);
    }
    return {
      ok: true,
      python: found.python,
      torch: version,
      rows,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Two rounds of runTorch as one: each row's figures the better of the two (`fresh`, `steady`,
 * `sps` each its own maximum). PyTorch runs in a process of its own, minutes away from the node
 * engines that take turns with each other; on a VM whose speed swings by a third within minutes,
 * one round before them and one after, the peer's best of each, cannot let a slow minute of the
 * peer flatter bsfnet. A round that failed gives way to the other. */
export function bestOfTorch(a: TorchResults, b: TorchResults): TorchResults {
  if (!a.ok) return b;
  if (!b.ok) return a;
  const key = (r: TorchTrainRow | TorchInferRow) => `${r.mode} ${r.net} ${r.threads} ${r.B}`;
  const other = new Map(b.rows.map((r) => [key(r), r]));
  const rows = a.rows.map((r) => {
    const o = other.get(key(r));
    if (!o) return r;
    if (r.mode === "train" && o.mode === "train")
      return { ...r, fresh: Math.max(r.fresh, o.fresh), steady: Math.max(r.steady, o.steady) };
    if (r.mode === "infer" && o.mode === "infer") return { ...r, sps: Math.max(r.sps, o.sps) };
    return r;
  });
  const seen = new Set(a.rows.map(key));
  rows.push(...b.rows.filter((r) => !seen.has(key(r))));
  return { ...a, rows, seconds: a.seconds + b.seconds };
}
