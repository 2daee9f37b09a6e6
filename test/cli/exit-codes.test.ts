// The CLI's one error-to-exit-code mapping (src/cli/errors.ts) through every command: 2 and a
// one-line `bsfnet: <message>` (no stack) for the user's input or options, 1 for a failed run or a bug.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commands, main } from "../../src/cli/main.js";
import { exitCodeOf, errorMessageOf } from "../../src/cli/errors.js";
import {
  ConfigError,
  DataError,
  DivergenceError,
  ModelFileError,
  ShapeError,
  WasmLoadError,
} from "../../src/errors.js";
import { OutOfMemoryError } from "../../src/runtime/memory.js";
import { saveModel } from "../../src/io/file.js";
import { setRuntime } from "../../src/runtime/runtime.js";
import { runtime } from "../util/wasm.js";
import { D, gatedModel } from "../util/models.js";

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A user's mistake: exit 2, and the first line is `bsfnet: <message>` matching `what`, no stack. */
async function expectUserError(argv: string[], what: RegExp): Promise<void> {
  const r = await cli(argv);
  expect(r.code, argv.join(" ")).toBe(2);
  const first = r.err.split("\n")[0];
  expect(first, argv.join(" ")).toMatch(/^bsfnet: /);
  expect(first, argv.join(" ")).toMatch(what);
  expect(r.err).not.toMatch(/unexpected error|\n\s+at /);
}

const dir = mkdtempSync(join(tmpdir(), "bsfnet-cli-exit-"));
// Row 3's cell in column b is not a number (rows 1 and 2 made the column numeric).
const badCsv = join(dir, "bad.csv");
writeFileSync(badCsv, `${["a,b,label", "1,2,x", "3,4,y", "5,abc,x", "7,8,y"].join("\n")}\n`);
const missingCsv = join(dir, "missing.csv");
const junkModel = join(dir, "junk.bsfnet");
writeFileSync(junkModel, "not a model at all, not even close");
const missingModel = join(dir, "missing.bsfnet");

describe("exitCodeOf", () => {
  it("maps the user's input and options to 2, a failed run and bugs to 1", () => {
    expect(exitCodeOf(new ConfigError("x"))).toBe(2);
    expect(exitCodeOf(new DataError("x", { file: "f.csv", row: 2 }))).toBe(2);
    expect(exitCodeOf(new ShapeError("x", "dense"))).toBe(2);
    expect(exitCodeOf(new ModelFileError("x", "m.bsfnet"))).toBe(2);
    expect(
      exitCodeOf(
        Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), { code: "ENOENT", syscall: "open" }),
      ),
    ).toBe(2);
    expect(exitCodeOf(new DivergenceError("non-finite loss", 3, 7))).toBe(1);
    expect(exitCodeOf(new WasmLoadError("x"))).toBe(1);
    expect(exitCodeOf(new OutOfMemoryError("x"))).toBe(1);
    expect(exitCodeOf(new TypeError("x is undefined"))).toBe(1);
    expect(exitCodeOf("a string")).toBe(1);
  });

  it("prints typed errors as `bsfnet: <message>` and anything else with its stack", () => {
    expect(errorMessageOf(new DataError("'abc' is not a number", { file: "f.csv", row: 4, column: "b" }))).toBe(
      "bsfnet: f.csv, row 4, column b: 'abc' is not a number",
    );
    expect(errorMessageOf(new DivergenceError("non-finite loss", 3, 7))).toBe("bsfnet: non-finite loss");
    const bug = errorMessageOf(new TypeError("x is undefined"));
    expect(bug).toMatch(/^bsfnet: unexpected error: TypeError: x is undefined\n\s+at /);
  });
});

describe("bsfnet exit codes through every command", () => {
  it("an unknown option exits 2 naming the option, for every command", async () => {
    expect(commands.map((c) => c.name).sort()).toEqual([
      "attention",
      "demo",
      "evaluate",
      "export",
      "info",
      "predict",
      "prune",
      "select",
      "train",
    ]);
    for (const c of commands) {
      const argv = c.name === "attention" ? ["attention", "spectra", "--frobnicate"] : [c.name, "--frobnicate"];
      await expectUserError(argv, /--frobnicate/);
    }
    await expectUserError(["frobnicate"], /unknown command "frobnicate"/);
  });

  it("a DataError exits 2 through every command that reads a CSV", async () => {
    const cell = /bad\.csv, row 4, column .*'abc' is not a number/;
    await expectUserError(["select", badCsv, "--label", "label", "--epochs", "2"], cell);
    await expectUserError(["evaluate", badCsv, "--label", "label", "--folds", "2", "--epochs", "2"], cell);
    await expectUserError(["select", missingCsv, "--label", "label"], /missing\.csv: cannot open/);
    await expectUserError(["evaluate", missingCsv, "--label", "label"], /missing\.csv: cannot open/);

    setRuntime(await runtime());
    const gated = await gatedModel(5);
    const model = join(dir, "gated.bsfnet");
    await saveModel(gated, model);
    gated.dispose();
    const ft = (csv: string) => [
      "prune",
      model,
      "-o",
      join(dir, "out.bsfnet"),
      "--fine-tune-epochs",
      "1",
      "--data",
      csv,
      "--label",
      "label",
    ];
    await expectUserError(ft(badCsv), cell);
    await expectUserError(ft(missingCsv), /missing\.csv: cannot open/);
    // A well-formed CSV of the wrong width is a DataError too.
    const narrow = join(dir, "narrow.csv");
    writeFileSync(narrow, `${["a,b,label", "1,2,0", "3,4,1", "5,6,0"].join("\n")}\n`);
    await expectUserError(ft(narrow), new RegExp(`narrow\\.csv: has 2 features, the model reads ${D}`));
  });

  it("a ModelFileError exits 2 through prune, export and info", async () => {
    for (const m of [junkModel, missingModel]) {
      const what = m === junkModel ? /junk\.bsfnet: .*not a bsfnet model file/ : /missing\.bsfnet: cannot read/;
      await expectUserError(["prune", m, "-o", join(dir, "o.bsfnet")], what);
      await expectUserError(["export", m, "--format", "onnx", "-o", join(dir, "o.onnx")], what);
      await expectUserError(["info", m], what);
    }
  });

  it("--help lists every command's summary; <command> --help prints its usage and exits 0", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    for (const c of commands) {
      expect(top.out).toContain(`${c.name}  `);
      expect(top.out).toContain(c.summary);
      const r = await cli(c.name === "attention" ? ["attention", "spectra", "--help"] : [c.name, "--help"]);
      expect(r.code, c.name).toBe(0);
      expect(r.out).toBe(c.usage);
    }
  });

  it("the process exits with the handler's code and prints one line on stderr", () => {
    const tsx = join(__dirname, "../../node_modules/.bin/tsx");
    const p = spawnSync(tsx, [join(__dirname, "../../src/cli/main.ts"), "info", junkModel], { encoding: "utf8" });
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
    expect(p.stderr).toMatch(/^bsfnet: .*junk\.bsfnet: .*not a bsfnet model file/);
  }, 30000);
});
