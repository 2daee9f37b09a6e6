// The native side of the ceiling: this CPU's vector instruction set (/proc/cpuinfo) and the
// single-thread SGEMM GFLOP/s of the two peers, measured: onnxruntime-node on a one-MatMul ONNX
// graph (bsfnet's own ONNX writer, src/export/onnx.ts, on a bias-free Dense layer) and PyTorch's
// torch.matmul (scripts/reference/peak_torch.py in a child process, one thread).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { toOnnx } from "../../src/export/onnx.js";
import type { ModelSpec } from "../../src/model/spec.js";
import { findTorchPython, type PythonFound } from "../peers/torch.js";

export const SGEMM_SIZES = [512, 1024] as const;
export type SgemmSet = { "512": number | null; "1024": number | null };

export interface CpuInfo {
  model: string;
  /** the widest vector instruction set the flags name: "AVX-512" (avx512f), "AVX2", "SSE" or "unknown" */
  isa: string;
  /** f32 lanes of one native vector register of that set */
  nativeF32Lanes: number | null;
  fma: boolean;
  /** the vector flags found (avx*, fma, sse4_2) */
  flags: string[];
}

/** The CPU's model name and vector flags from a /proc/cpuinfo text. */
export function parseCpuinfo(text: string, fallbackModel = "unknown"): CpuInfo {
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? fallbackModel;
  const all = (/^flags\s*:\s*(.+)$/m.exec(text)?.[1] ?? "").trim().split(/\s+/).filter(Boolean);
  const has = (f: string) => all.includes(f);
  const [isa, lanes] = has("avx512f")
    ? ["AVX-512", 16]
    : has("avx2")
      ? ["AVX2", 8]
      : has("sse2")
        ? ["SSE", 4]
        : ["unknown", null];
  return {
    model,
    isa,
    nativeF32Lanes: lanes as number | null,
    fma: has("fma"),
    flags: all.filter((f) => /^(avx|fma|sse4_2)/.test(f)),
  };
}

export function cpuInfo(): CpuInfo {
  const model = os.cpus()[0]?.model.trim() ?? "unknown";
  return parseCpuinfo(existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "", model);
}

/** A one-layer model spec: input [K] → MatMul by a [K, N] kernel (a Dense layer without bias). */
export function matmulSpec(K: number, N: number): ModelSpec {
  const values = new Float32Array(K * N);
  for (let i = 0; i < values.length; i++) values[i] = Math.cos(i);
  return {
    name: "matmul",
    inputShape: [K],
    layers: [
      {
        className: "Dense",
        config: { name: "matmul", units: N, activation: "linear", useBias: false },
        weights: [{ name: "kernel", shape: [K, N], values }],
      },
    ],
  };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export interface OrtSgemm {
  gflops: SgemmSet;
  /** process CPU time over wall time while timing: about 1 when onnxruntime ran on one thread */
  cpuOverWall: number;
}

/** onnxruntime-node (one intra-op thread) on an n×n by n×n MatMul: best of 7 samples of CPU time
 * after 0.5 s of calls. */
export async function ortSgemm(quick = false): Promise<OrtSgemm> {
  const gflops: SgemmSet = { "512": null, "1024": null };
  let cpu = 0;
  let wall = 0;
  for (const n of SGEMM_SIZES) {
    const session = await ort.InferenceSession.create(toOnnx(matmulSpec(n, n)), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
    });
    try {
      const x = new Float32Array(n * n).map((_, i) => Math.sin(i));
      const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", x, [n, n]) };
      const run = () => session.run(feeds);
      let t = cpuNow();
      while (cpuNow() - t < (quick ? 200 : 500)) await run();
      let reps = 1;
      for (;;) {
        t = cpuNow();
        for (let r = 0; r < reps; r++) await run();
        if (cpuNow() - t > 20) break;
        reps *= 2;
      }
      let best = Infinity;
      for (let s = 0; s < (quick ? 4 : 7); s++) {
        const w = performance.now();
        t = cpuNow();
        for (let r = 0; r < reps; r++) await run();
        const dt = cpuNow() - t;
        cpu += dt;
        wall += performance.now() - w;
        best = Math.min(best, dt / reps);
      }
      gflops[String(n) as "512" | "1024"] = (2 * n ** 3) / (best * 1e6);
    } finally {
      await session.release();
    }
  }
  return { gflops, cpuOverWall: cpu / wall };
}

export type TorchSgemm =
  | { gflops: SgemmSet; cpuOverWall: number; torch: string; python: string }
  | { gflops: null; reason: string };

const SCRIPT = fileURLToPath(new URL("../../scripts/reference/peak_torch.py", import.meta.url));

/** torch.matmul on one thread (the BLAS pools sized by the environment, as bench/peers/torch.ts does). */
export function torchSgemm(quick = false, found: PythonFound = findTorchPython()): TorchSgemm {
  if (found.python === null) return { gflops: null, reason: found.reason };
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const args = [SCRIPT, ...SGEMM_SIZES.map(String), ...(quick ? ["--quick"] : [])];
  const r = spawnSync(found.python, args, { encoding: "utf8", env, timeout: 120_000 });
  if (r.status !== 0)
    return {
      gflops: null,
      reason: `peak_torch.py failed (exit ${r.status}): ${(r.stderr || String(r.error ?? "")).trim().split("\n").pop()}`,
    };
  const out = JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
    torch: string;
    rows: { n: number; gflops: number; cpu_over_wall: number }[];
  };
  const by = (n: number) => out.rows.find((x) => x.n === n)?.gflops ?? null;
  const ratios = out.rows.map((x) => x.cpu_over_wall);
  return {
    gflops: { "512": by(512), "1024": by(1024) },
    cpuOverWall: Math.max(...ratios),
    torch: out.torch,
    python: found.python,
  };
}
