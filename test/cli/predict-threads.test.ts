// predict --threads: the rows split over threads from the command line print the same bytes as one
// thread; a bad value is a usage error naming the option (exit 2).
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { rng } from "../util/wasm.js";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function csv(n: number, seed: number): string {
  const r = rng(seed);
  const lines = ["a,b,c,d,class"];
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: 4 }, () => r() * 2 - 1);
    lines.push([...v.map((x) => x.toFixed(4)), v[0] - v[1] > 0.3 ? "p" : v[2] > 0 ? "q" : "s"].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe("predict --threads", () => {
  it("--threads 2 and auto print what one thread prints, byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-predict-threads-"));
    writeFileSync(join(dir, "train.csv"), csv(120, 5));
    writeFileSync(join(dir, "test.csv"), csv(333, 6));
    const m = join(dir, "m.bsfnet");
    const t = await run(["train", join(dir, "train.csv"), "--label", "class", "--epochs", "5", "--quiet", "-o", m]);
    expect(t.code, t.err).toBe(0);
    for (const format of ["csv", "json"]) {
      const base = ["predict", m, join(dir, "test.csv"), "--label", "class", "--format", format];
      const one = await run(base);
      expect(one.code, one.err).toBe(0);
      expect(one.out.split("\n").length).toBe(format === "csv" ? 334 : 333);
      for (const threads of ["2", "auto"]) {
        const r = await run([...base, "--threads", threads]);
        expect(r.code, r.err).toBe(0);
        expect(r.out, `${format} --threads ${threads}`).toBe(one.out);
        expect(r.err).toBe(one.err); // the accuracy and the confusion matrix
      }
    }
  }, 60_000);

  it("--threads 0, x, 1.5 and more than the cores exit 2 naming --threads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-predict-threads-"));
    writeFileSync(join(dir, "d.csv"), csv(10, 1));
    for (const bad of ["0", "x", "1.5", "100000"]) {
      const r = await run(["predict", join(dir, "missing.bsfnet"), join(dir, "d.csv"), "--threads", bad]);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/--threads must be an integer from 1 to \d+/);
    }
  });
});
