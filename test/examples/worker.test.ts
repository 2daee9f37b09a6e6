// The Cloudflare Worker example under the real workerd runtime (the workerd npm package): built
// with esbuild, served on a loopback port, answering POSTs with the same probabilities as Node, and
// bad requests (oversized: 413, malformed: 400) with a JSON error without dying.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { buildWorker } from "../../examples/worker/build.js";
import { maxAbsDiff } from "../util/wasm.js";
import { exampleRows, freePort, referenceProbabilities, root, waitFor } from "./helpers.js";

describe("examples/worker under workerd", () => {
  it("serves predictions equal to bsfnet in Node (1e-5)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-worker-"));
    const port = await freePort();
    const config = await buildWorker(dir, port);
    const proc = spawn(join(root, "node_modules/.bin/workerd"), ["serve", config], {
      cwd: dirname(config),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    proc.stderr.on("data", (d) => (log += d));
    try {
      const url = `http://127.0.0.1:${port}/`;
      await waitFor(url);
      const rows = exampleRows(64);
      const res = await fetch(url, { method: "POST", body: JSON.stringify({ rows }) });
      expect(res.status, log).toBe(200);
      const body = (await res.json()) as {
        classes: string[];
        predictions: { class: string; probabilities: number[] }[];
      };
      expect(body.classes).toEqual(["1", "2", "3"]);
      const got = body.predictions.flatMap((p) => p.probabilities);
      const ref = await referenceProbabilities(rows);
      expect(maxAbsDiff(got, ref)).toBeLessThan(1e-5);
      expect(new Set(body.predictions.map((p) => p.class)).size).toBeGreaterThan(1);
      expect(got.filter((v) => v > 0.001 && v < 0.999).length).toBeGreaterThan(5); // not all saturated
      // bad requests get a 400 with a reason, not a crash
      const bad = await fetch(url, { method: "POST", body: JSON.stringify({ rows: [[1, 2]] }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/needs 13 values/);
      expect((await fetch(url)).status).toBe(405);
      // oversized bodies get a 413 whether they declare their length or arrive chunked; malformed
      // ones a 400; each with a JSON error, and the Worker answers the next request
      const errorOf = async (init: RequestInit) => {
        const r = await fetch(url, { method: "POST", ...init } as RequestInit);
        return { status: r.status, error: ((await r.json()) as { error?: unknown }).error };
      };
      const big = await errorOf({ body: "x".repeat(3 * 1024 * 1024) });
      expect(big.status).toBe(413);
      expect(big.error).toMatch(/larger than/);
      const piece = new TextEncoder().encode("1,".repeat(32 * 1024));
      const chunked = await errorOf({
        body: new ReadableStream<Uint8Array>({
          start(c) {
            for (let i = 0; i < 48; i++) c.enqueue(piece);
            c.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
      for (const body of ["{rows: [[1,", "null", "", JSON.stringify({ rows: [["a", ...new Array(12).fill(1)]] })]) {
        const r = await errorOf({ body });
        expect(r.status, body).toBe(400);
        expect(typeof r.error, body).toBe("string");
      }
      const again = await fetch(url, { method: "POST", body: JSON.stringify({ rows: rows.slice(0, 2) }) });
      expect(again.status).toBe(200);
      expect(proc.exitCode).toBeNull();
    } finally {
      proc.kill("SIGTERM");
    }
  });
});
