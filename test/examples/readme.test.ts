// Every fenced example of README.md runs as written: `ts` blocks with tsx (imports of "bsfnet"
// pointed at the sources, so no build is needed), `sh` blocks with bash (`npx bsfnet` is the CLI
// from the sources; the set-up block's npm commands are what the test environment already did),
// in a directory laid out as a fresh clone beside the shared data. The quick start's Worker runs
// under the real workerd and must answer with predictions.
import { expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataDir, describeWithData } from "../util/data.js";
import { freePort, root } from "./helpers.js";

const blocks = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1],
  code: m[2],
}));

/** A fresh clone's layout: the repository's files (linked) in clone/, the data in shared/data. */
function cloneDir(): string {
  const base = mkdtempSync(join(tmpdir(), "bsfnet-readme-"));
  const clone = join(base, "clone");
  mkdirSync(clone);
  mkdirSync(join(base, "shared"));
  symlinkSync(dataDir(), join(base, "shared/data"));
  for (const f of ["src", "examples", "build", "node_modules", "package.json", "tsconfig.json"])
    symlinkSync(join(root, f), join(clone, f));
  return clone;
}

const npx = `npx() { if [ "$1" = bsfnet ]; then shift; "${root}node_modules/.bin/tsx" "${root}src/cli/main.ts" "$@"; else command npx "$@"; fi; }`;

describeWithData("README.md examples", "wine/wine.data", () => {
  it("has a quick start, command-line examples and library examples", () => {
    expect(blocks.filter((b) => b.lang === "ts").length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((b) => b.lang === "sh").length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(root, "README.md"), "utf8")).toMatch(/^# bsfnet\n[\s\S]*?\n## Quick start\n/);
  });

  blocks.forEach((b, i) => {
    if (b.lang === "ts") {
      it(`ts block ${i + 1} runs and gives a sensible result`, () => {
        const clone = cloneDir();
        const code = b.code
          .replace(/from "bsfnet"/g, `from "${root}src/index.ts"`)
          .replace(/from "bsfnet\/infer"/g, `from "${root}src/infer/index.ts"`);
        writeFileSync(join(clone, `example-${i}.mts`), code);
        const p = spawnSync(join(root, "node_modules/.bin/tsx"), [`example-${i}.mts`], {
          cwd: clone,
          encoding: "utf8",
        });
        expect(p.status, p.stderr).toBe(0);
        const acc = /validation accuracy (\d\.\d+)/.exec(p.stdout);
        if (acc) expect(Number(acc[1])).toBeGreaterThan(0.9);
      }, 120000);
    }
    if (b.lang === "sh" && !/^npm /m.test(b.code)) {
      it(`sh block ${i + 1} runs as written`, async () => {
        const clone = cloneDir();
        const port = String(await freePort());
        const script = `set -e\n${npx}\n${b.code.replace(/8787/g, port)}\n`;
        // detached: its own process group, so a server it starts in the background is stopped with it
        const proc = spawn("bash", ["-c", script], { cwd: clone, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        proc.stdout.on("data", (d) => (out += d));
        proc.stderr.on("data", (d) => (err += d));
        const stop = setTimeout(() => proc.kill("SIGKILL"), 170000);
        const code = await new Promise<number>((res) => proc.on("exit", (c) => res(c ?? 1)));
        clearTimeout(stop);
        try {
          process.kill(-proc.pid!, "SIGTERM");
        } catch {
          // nothing left running
        }
        expect(code, `${out}\n${err}`).toBe(0);
        expect(err).not.toMatch(/bsfnet: /);
        if (b.code.includes("curl")) {
          const reply = JSON.parse(out.slice(out.lastIndexOf('{"classes"')));
          expect(reply.classes).toEqual(["1", "2", "3"]);
          expect(reply.predictions[0].class).toBe("1"); // the first row of Wine is cultivar 1
        }
        if (b.code.includes("predict")) expect(Number(/accuracy: (\d\.\d+)/.exec(out + err)?.[1])).toBeGreaterThan(0.9);
      }, 180000);
    }
  });
});
