// train --threads: two training threads from the command line; the same seed and thread count
// write the same model file, and a bad value is a usage error naming the option.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

function csv(n: number): string {
  const r = rng(5);
  const lines = ["a,b,c,d,class"];
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: 4 }, () => r() * 2 - 1);
    lines.push([...v.map((x) => x.toFixed(4)), v[0] - v[1] > 0 ? "p" : "q"].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe("train --threads", () => {
  it("--threads 2 twice: identical model files; the output says the thread count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-threads-"));
    writeFileSync(join(dir, "d.csv"), csv(150));
    const files: Buffer[] = [];
    for (const name of ["a", "b"]) {
      const m = join(dir, `${name}.bsfnet`);
      const r = await run([
        "train",
        join(dir, "d.csv"),
        "--label",
        "class",
        "--epochs",
        "3",
        "--threads",
        "2",
        "--quiet",
        "-o",
        m,
      ]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/training threads: 2/);
      files.push(readFileSync(m));
    }
    expect(files[0].equals(files[1])).toBe(true);
  }, 60_000);

  it("--threads auto reports its choice; --threads 0 and --threads x exit 2 naming --threads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bsfnet-threads-"));
    writeFileSync(join(dir, "d.csv"), csv(60));
    const m = join(dir, "m.bsfnet");
    const auto = await run([
      "train",
      join(dir, "d.csv"),
      "--label",
      "class",
      "--epochs",
      "1",
      "--threads",
      "auto",
      "--quiet",
      "-o",
      m,
    ]);
    expect(auto.code, auto.err).toBe(0);
    expect(auto.out).toMatch(/training threads: auto: 1 thread/);
    for (const bad of ["0", "x", "1.5"]) {
      const r = await run(["train", join(dir, "d.csv"), "--label", "class", "--threads", bad, "-o", m]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--threads must be an integer/);
    }
  }, 60_000);
});
