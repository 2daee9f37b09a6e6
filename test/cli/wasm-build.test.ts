// Which wasm build the command line runs (issue 12, item 4): the relaxed-SIMD build by default,
// on Node 20 too (the CLI sets V8's flag before the first compile), and SIMD128 under
// BSFNET_WASM=simd128. A child process each: V8 flags are per process.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");
const mainTs = join(root, "src/cli/main.ts");

function buildLine(env: Record<string, string | undefined>): string {
  const { BSFNET_WASM: _, ...base } = process.env;
  const r = spawnSync(tsx, [mainTs, "--version", "--verbose"], {
    encoding: "utf8",
    env: { ...base, ...env },
    timeout: 60000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").find((l) => l.startsWith("wasm build:")) ?? r.stdout;
}

describe("the CLI's wasm build", () => {
  it.skipIf(!existsSync(join(root, "build/bsfnet.relaxed.wasm")))("is relaxed SIMD by default", () => {
    expect(buildLine({})).toMatch(/^wasm build: relaxed-simd;/);
  });

  it("is SIMD128 under BSFNET_WASM=simd128", () => {
    expect(buildLine({ BSFNET_WASM: "simd128" })).toMatch(/^wasm build: simd128 \(BSFNET_WASM=simd128\)/);
  });

  it("--version alone still prints only the version", () => {
    const r = spawnSync(tsx, [mainTs, "--version"], { encoding: "utf8", timeout: 60000 });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
