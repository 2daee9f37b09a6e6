// Independent jobs (CV folds, nested folds) run here one after the other, or on the worker pool of
// src/select/pool.ts when it is loaded and workers are asked for (`workers` other than 1). The pool needs
// node:worker_threads, so the selectors only reach it through this hook: a browser bundle of
// crossval.ts or nested.ts (the playground) carries no Node module, and runs its folds in turn.
export interface PoolShared {
  kind: "stability" | "cv-fold" | "nested-fold";
  x: Float32Array;
  y: Int32Array | Float32Array;
  options: unknown;
}

export type JobRunner = <J, R>(
  shared: PoolShared,
  jobs: J[],
  workers: number,
  here: (job: J) => Promise<R>,
) => Promise<R[]>;

let pool: JobRunner | undefined;

/** Called by src/select/pool.ts when it loads (the Node entry and the CLI load it). */
export function installJobRunner(runner: JobRunner): void {
  pool = runner;
}

export function jobRunnerInstalled(): boolean {
  return pool !== undefined;
}

/** The jobs' results in job order, the same whether they ran here or on workers. */
export async function runJobs<J, R>(
  shared: PoolShared,
  jobs: J[],
  workers: number,
  here: (job: J) => Promise<R>,
): Promise<R[]> {
  if (workers !== 1 && pool) return pool(shared, jobs, workers, here);
  const out: R[] = [];
  for (const j of jobs) out.push(await here(j));
  return out;
}
