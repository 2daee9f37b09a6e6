// Runs a paper script (scripts/*.ts) in a child process with its output under a temporary
// directory, and reads back the JSON it wrote.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { dataDir } from "../util/data.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** what JSON.parse gives: the scripts' JSON, read field by field in the tests */
export type Json = ReturnType<typeof JSON.parse>;

export function runScript(script: string, args: string[], json: string): { out: string; json: Json } {
  const out = mkdtempSync(join(tmpdir(), "bsfnet-paper-"));
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "scripts", script), ...args, "--out", out, "--data", dataDir()],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 240_000,
    },
  );
  expect(r.status, `${script} failed:\n${r.stderr}`).toBe(0);
  return { out, json: JSON.parse(readFileSync(join(out, "results", json), "utf8")) };
}
