#!/usr/bin/env node
// The bsfnet command line: the list of commands (one per file, src/cli/<name>.ts, each a Command),
// dispatch, `bsfnet --help`, and the one error handler that turns a thrown error into a message
// and an exit code (src/cli/errors.ts).
import type { CliIO, Command } from "./command.js";
import { stdio } from "./command.js";
import { errorMessageOf, exitCodeOf } from "./errors.js";
import { ConfigError } from "../errors.js";
import { command as select } from "./select.js";
import { command as evaluate } from "./evaluate.js";
import { command as demo } from "./demo.js";
import { command as attention } from "./attention.js";
import { command as prune } from "./prune.js";
import { command as exportModel } from "./export.js";
import { command as info } from "./info.js";
import { command as train } from "./train.js";
import { command as predict } from "./predict.js";
import { readFileSync } from "node:fs";
import { enableRelaxedSimd, loadedWasmBuild } from "../runtime/wasm.js";
import { ready } from "../runtime/runtime.js";

export const commands: readonly Command[] = [
  select,
  evaluate,
  train,
  prune,
  predict,
  exportModel,
  info,
  demo,
  attention,
];

/** The package's version (package.json is two levels up from both src/cli and dist/cli). */
export function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
      .version;
  } catch {
    return "unknown";
  }
}

export function usage(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `bsfnet: Binary Stochastic Filtering on WebAssembly

Usage: bsfnet <command> [options]     bsfnet <command> --help shows a command's options
       bsfnet --version [--verbose]     --verbose: also the wasm build this process loads

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}`;
}

/** Runs one command line; throws what the command throws. */
export async function dispatch(argv: string[], io: CliIO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = commands.find((c) => c.name === name);
  if (cmd) {
    // every command's help, before it parses or touches anything (attention writes to disk)
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(cmd.usage);
      return 0;
    }
    return cmd.run(rest, io);
  }
  switch (name) {
    case "--version":
    case "-V":
      io.out(version());
      if (rest.includes("--verbose") || rest.includes("-v")) {
        await ready();
        const env = process.env.BSFNET_WASM;
        io.out(
          `wasm build: ${loadedWasmBuild() ?? "unknown"}${env ? ` (BSFNET_WASM=${env})` : ""}; Node ${process.version}, V8 ${process.versions.v8}`,
        );
      }
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      // no command at all is a usage mistake (2), like any other; asking for help is not
      if (name === undefined) {
        io.err(usage());
        return 2;
      }
      io.out(usage());
      return 0;
    default:
      throw new ConfigError(`unknown command ${JSON.stringify(name)}\n\n${usage()}`);
  }
}

/** Runs one command line and returns its exit code: errors are printed to io.err, never thrown. */
export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    io.err(errorMessageOf(e));
    return exitCodeOf(e);
  }
}

const isMain = (() => {
  try {
    const argv1 = process.argv[1] ?? "";
    return import.meta.url === new URL(`file://${argv1}`).href || /bsfnet$|cli[\\/]main\.[jt]s$/.test(argv1);
  } catch {
    return false;
  }
})();

// Relaxed SIMD (fused multiply-add in the GEMM) on Node 20 too, where V8 validates it only behind a
// flag: set before the first module is compiled. BSFNET_WASM=simd128 keeps the SIMD128 build.
if (isMain)
  enableRelaxedSimd()
    .then(() => main(process.argv.slice(2)))
    .then((code) => process.exit(code));
