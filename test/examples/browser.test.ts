// The browser page in headless Chromium (Debian's chromium package; skipped with a notice where it
// is not installed): served from a loopback static server, it classifies rows.json on load and the
// result must equal bsfnet in Node to 1e-5.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBrowser } from "../../examples/browser/build.js";
import { CHROMIUM_FLAGS, findChromium } from "../../scripts/lib/playground-browser.js";
import { serve } from "../../scripts/lib/loopback.js";
import { maxAbsDiff } from "../util/wasm.js";
import { exampleRows, referenceProbabilities } from "./helpers.js";

const chromium = findChromium();
const why = "no chromium found (apt-get install chromium, or set CHROMIUM)";
if (!chromium) process.stderr.write(`[bsfnet tests] SKIPPED examples/browser: ${why}\n`);

(chromium ? describe : describe.skip)(`examples/browser${chromium ? "" : ` [SKIPPED: ${why}]`}`, () => {
  it("classifies in headless Chromium like bsfnet in Node (1e-5)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-browser-"));
    await buildBrowser(dir);
    const rows = exampleRows(32, 5);
    writeFileSync(join(dir, "rows.json"), JSON.stringify(rows));
    const { url, server } = await serve(dir);
    try {
      const args = [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${join(dir, "profile")}`,
        "--virtual-time-budget=10000",
        "--dump-dom",
        `${url}index.html`,
      ];
      const proc = spawn(chromium!, args, { stdio: ["ignore", "pipe", "pipe"] });
      let dom = "";
      proc.stdout.on("data", (d) => (dom += d));
      const code = await new Promise<number | null>((res) => {
        const t = setTimeout(() => proc.kill("SIGKILL"), 60000);
        proc.on("close", (c) => {
          clearTimeout(t);
          res(c);
        });
      });
      expect(code).toBe(0);
      const m = /<pre id="result"[^>]*>([^<]*)<\/pre>/.exec(dom);
      expect(m, dom.slice(0, 2000)).not.toBeNull();
      const result = JSON.parse(m![1].replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as {
        predictions: { probabilities: number[] }[];
      };
      const got = result.predictions.flatMap((p) => p.probabilities);
      expect(got.length).toBe(32 * 3);
      expect(maxAbsDiff(got, await referenceProbabilities(rows))).toBeLessThan(1e-5);
    } finally {
      server.close();
    }
  });
});
