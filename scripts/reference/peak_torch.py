"""PyTorch's single-thread SGEMM beside bsfnet's wasm peak (bench/ceiling/native.ts runs it).

  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 scripts/reference/peak_torch.py 512 1024 [--quick]

For each n: torch.matmul of two n x n float32 matrices into a preallocated output, one thread
(torch.set_num_threads(1); the BLAS pools are sized by the environment, which Debian's OpenBLAS
obeys and set_num_threads does not reach). 0.5 s of calls first, then the best of 7 samples of
process CPU time (all threads: a second thread would show as cpu_over_wall near 2). Prints one
JSON object: {"torch": version, "rows": [{"n", "gflops", "cpu_over_wall"}]}.
"""
import json, sys, time
import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
quick = "--quick" in sys.argv
rows = []
for n in [int(a) for a in sys.argv[1:] if not a.startswith("--")]:
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    c = torch.empty(n, n)
    t = time.process_time()
    while time.process_time() - t < (0.2 if quick else 0.5):
        torch.matmul(a, b, out=c)
    reps = 1
    while True:
        t = time.process_time()
        for _ in range(reps):
            torch.matmul(a, b, out=c)
        if time.process_time() - t > 0.02:
            break
        reps *= 2
    best, cpu, wall = float("inf"), 0.0, 0.0
    for _ in range(4 if quick else 7):
        t, w = time.process_time(), time.perf_counter()
        for _ in range(reps):
            torch.matmul(a, b, out=c)
        dt, dw = time.process_time() - t, time.perf_counter() - w
        best = min(best, dt / reps)
        cpu, wall = cpu + dt, wall + dw
    rows.append({"n": n, "gflops": 2 * n ** 3 / best / 1e9, "cpu_over_wall": cpu / wall})
print(json.dumps({"torch": torch.__version__, "rows": rows}))
