// The load test's figures from its raw record: requests per second, latency percentiles, errors,
// and how far workerd's resident memory moved over the run.

/** Nearest-rank percentile (p in [0, 100]) of ascending values; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface RssSample {
  /** ms since the timed run began */
  t: number;
  bytes: number;
}

export interface LoadStats {
  requests: number;
  rps: number;
  /** ms */
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** MiB: median RSS of the last fifth of the samples minus that of the first fifth */
  rssGrowthMiB: number | null;
  rssStartMiB: number | null;
  rssEndMiB: number | null;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Medians over fifths, not two single readings: one sample taken during a garbage collection
 * would otherwise look like growth or shrinkage. */
export function rssGrowth(samples: readonly RssSample[]): { start: number; end: number; growth: number } | null {
  if (samples.length < 2) return null;
  const k = Math.max(1, Math.floor(samples.length / 5));
  const start = median(samples.slice(0, k).map((s) => s.bytes)) / 2 ** 20;
  const end = median(samples.slice(-k).map((s) => s.bytes)) / 2 ** 20;
  return { start, end, growth: end - start };
}

export function summarizeLoad(
  latenciesMs: readonly number[],
  errors: number,
  seconds: number,
  rss: readonly RssSample[],
): LoadStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const g = rssGrowth(rss);
  return {
    requests: sorted.length + errors,
    rps: seconds > 0 ? sorted.length / seconds : 0,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    errors,
    rssGrowthMiB: g ? g.growth : null,
    rssStartMiB: g ? g.start : null,
    rssEndMiB: g ? g.end : null,
  };
}
