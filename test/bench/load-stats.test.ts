// The load test's statistics and client loop (bench/load/): percentiles, memory growth from RSS
// samples, bounded flags, and a tiny run against a local Node server. No timing assertions.
import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import { percentile, rssGrowth, summarizeLoad } from "../../bench/load/stats.js";
import {
  parseLoadArgs,
  perSecond,
  runClients,
  SETTLE_BYTES,
  SETTLE_SECONDS,
  warmupSettled,
} from "../../bench/load/load.js";
import { ConfigError } from "../../src/errors.js";

const MiB = 2 ** 20;

describe("load test statistics", () => {
  it("nearest-rank percentiles", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });

  it("memory growth as medians of the first and last fifth, not single readings", () => {
    const flat = Array.from({ length: 50 }, (_, i) => ({ t: i * 200, bytes: (100 + (i % 2)) * MiB }));
    flat[49] = { t: 49 * 200, bytes: 400 * MiB }; // one reading during a collection
    expect(rssGrowth(flat)!.growth).toBe(0);
    const rising = Array.from({ length: 50 }, (_, i) => ({ t: i * 200, bytes: (100 + i) * MiB }));
    expect(rssGrowth(rising)!.growth).toBe(40);
    expect(rssGrowth([{ t: 0, bytes: MiB }])).toBeNull();
    expect(perSecond(rising.slice(0, 11))).toEqual([104, 109, 110]);
  });

  it("summarizes requests, rate, latencies and errors", () => {
    const s = summarizeLoad([3, 1, 2, 4], 1, 2, []);
    expect(s).toMatchObject({ requests: 5, rps: 2, p50: 2, p99: 4, max: 4, errors: 1, rssGrowthMiB: null });
  });

  it("bounds every flag and names the bad one", () => {
    expect(parseLoadArgs(["--clients", "16", "--seconds", "10"])).toMatchObject({
      clients: 16,
      seconds: 10,
      quick: false,
    });
    expect(parseLoadArgs(["--quick"])).toMatchObject({ clients: 4, quick: true });
    expect(() => parseLoadArgs(["--clients", "0"])).toThrow(ConfigError);
    expect(() => parseLoadArgs(["--clients", "1000"])).toThrow(/--clients must be an integer in \[1, 256\]/);
    expect(() => parseLoadArgs(["--seconds", "1e9"])).toThrow(/--seconds/);
    expect(() => parseLoadArgs(["--seconds", "x"])).toThrow(/got x/);
    expect(() => parseLoadArgs(["--forever"])).toThrow(/unknown option --forever/);
  });

  it("the command exits 2 with a one-line error on an out-of-range flag, before starting anything", async () => {
    const { spawnSync } = await import("node:child_process");
    const { join } = await import("node:path");
    const root = join(__dirname, "../..");
    const r = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "bench/load/load.ts"), "--seconds", "1000"], {
      encoding: "utf8",
      timeout: 60000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("bsfnet: --seconds must be a number in [0.2, 120], got 1000");
    expect(r.stdout).toBe("");
  });

  it("counts answers other than 200 as errors, on a tiny run against a local server", async () => {
    let n = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        n++;
        // every other answer a 500, the first one included: each client sends at least one request
        res.writeHead(n % 2 === 1 ? 500 : 200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await runClients(`http://127.0.0.1:${port}/`, 2, 0.3, () => "{}");
      expect(run.latenciesMs.length + run.errors).toBe(n);
      expect(run.errors).toBe(Math.ceil(n / 2));
      expect(run.failures[0]).toMatch(/^HTTP 500/);
      const s = summarizeLoad(run.latenciesMs, run.errors, run.seconds, []);
      expect(s.p50).toBeLessThanOrEqual(s.p99);
      expect(s.requests).toBe(n);
    } finally {
      server.close();
    }
  });

  it("the warm-up goes on until workerd's RSS stops growing over the last seconds, whatever it saws", () => {
    const MiB = 2 ** 20;
    const saw = [290, 284, 286, 288, 283, 285, 287, 290, 283, 286].map((m) => m * MiB); // a timed run's, flat
    expect(saw).toHaveLength(SETTLE_SECONDS);
    expect(warmupSettled(saw)).toBe(true);
    expect(warmupSettled(saw.slice(1))).toBe(false); // too few seconds to tell
    // one quiet second after a collection shrank the heap is not the end: it regrows
    expect(warmupSettled([240, 238, 236, 231, 231.5, 248, 261, 276, 281, 284].map((m) => m * MiB))).toBe(false);
    // nor a plateau of a few seconds before a step (the committed run at 71fa9b8: 263, then 281)
    expect(warmupSettled([250, 262, 263, 263, 262, 263, 263, 281, 279, 282].map((m) => m * MiB))).toBe(false);
    const step = saw.map((_, i) => (i >= SETTLE_SECONDS / 2 ? 285 * MiB + SETTLE_BYTES : 285 * MiB));
    expect(warmupSettled(step)).toBe(false); // a settle step up between the halves: still growing
    expect(warmupSettled([120 * MiB, 240 * MiB, ...saw])).toBe(true); // only the last seconds count
    expect(warmupSettled([240 * MiB, null])).toBe(true); // no /proc reading: no reason to wait
  });
});
