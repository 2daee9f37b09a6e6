// train --gate: the STG and hard-concrete gates from the command line; what train reports and
// writes about gates is their inference value in [0, 1], not the raw mu or log alpha.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { readModelFile } from "../../src/io/file.js";
import { rng } from "../util/wasm.js";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** class = (a + b > 0), six noise columns */
function csv(n: number): string {
  const r = rng(11);
  const lines = ["a,n1,b,n2,n3,n4,n5,n6,class"];
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: 8 }, () => r() * 2 - 1);
    lines.push([...v.map((x) => x.toFixed(4)), v[0] + v[2] > 0 ? "yes" : "no"].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe("train --gate", () => {
  for (const gate of ["gaussian", "hard-concrete"]) {
    it(`${gate}: trains, reports open gates by their inference value, saves the gate kind`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "bsfnet-gate-"));
      writeFileSync(join(dir, "d.csv"), csv(400));
      const m = join(dir, "m.bsfnet");
      const h = join(dir, "h.json");
      const r = await run([
        "train",
        join(dir, "d.csv"),
        "--label",
        "class",
        "--gate",
        gate,
        "--epochs",
        "40",
        "--lambda",
        "0.05",
        "--quiet",
        "-o",
        m,
        "--history",
        h,
      ]);
      expect(r.code, r.err).toBe(0);
      const line = /gate input_gate: (\d+) of 8 open \(gate value > 0\): (.*)/.exec(r.out);
      expect(line, r.out).not.toBeNull();
      expect(line![2].split(", ")).toEqual(expect.arrayContaining(["a", "b"]));
      const file = await readModelFile(m);
      expect(file.spec.layers.find((l) => l.config.name === "input_gate")?.config.gate).toBe(gate);
      const doc = JSON.parse(readFileSync(h, "utf8"));
      const last = doc.gates.input_gate.at(-1) as number[];
      expect(last.every((v) => v >= 0 && v <= 1)).toBe(true);
    });
  }

  it("an unknown gate kind is an error naming the option", async () => {
    const r = await run(["train", "x.csv", "--label", "class", "--gate", "bogus", "-o", "m.bsfnet"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--gate must be bernoulli, gaussian or hard-concrete/);
  });
});
