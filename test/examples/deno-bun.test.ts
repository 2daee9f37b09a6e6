// The Deno and Bun examples, each run by its real runtime (the deno and bun npm packages ship the
// binaries): rows on stdin, predictions on stdout, equal to bsfnet in Node to 1e-5.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { maxAbsDiff } from "../util/wasm.js";
import { exampleRows, referenceProbabilities, root } from "./helpers.js";

const runtimes: Record<string, { bin: string; args: string[] }> = {
  deno: {
    bin: join(root, "node_modules/.bin/deno"),
    args: ["run", "--unstable-sloppy-imports", "--allow-read", "examples/deno/main.ts"],
  },
  bun: { bin: join(root, "node_modules/.bin/bun"), args: ["examples/bun/main.ts"] },
};

for (const [name, { bin, args }] of Object.entries(runtimes)) {
  const version = existsSync(bin) ? spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 20000 }) : undefined;
  const usable = version?.status === 0;
  const why = `${name} binary not runnable here (${bin}${version ? `: ${version.stderr || version.error}` : ": missing"})`;
  if (!usable) process.stderr.write(`[bsfnet tests] SKIPPED examples/${name}: ${why}\n`);
  (usable ? describe : describe.skip)(`examples/${name}${usable ? "" : ` [SKIPPED: ${why}]`}`, () => {
    it(`${name} ${version?.stdout.split("\n")[0].trim()} predicts what Node predicts (1e-5)`, async () => {
      const rows = exampleRows(48, name.length);
      const r = spawnSync(bin, args, {
        cwd: root,
        input: JSON.stringify({ rows }),
        encoding: "utf8",
        timeout: 60000,
        env: { ...process.env, NO_COLOR: "1" },
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { predictions: { probabilities: number[] }[] };
      const got = out.predictions.flatMap((p) => p.probabilities);
      expect(got.length).toBe(48 * 3);
      expect(maxAbsDiff(got, await referenceProbabilities(rows))).toBeLessThan(1e-5);
    });
  });
}
