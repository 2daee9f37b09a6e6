// Small helpers shared by the prune, export and info commands.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BsfnetError, ConfigError } from "../errors.js";

export function parse(argv: string[], options: ParseArgsConfig["options"], usage: string): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n\n${usage}`);
  }
}

export function number(v: unknown, name: string, dflt: number, check: (n: number) => boolean): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || !check(n)) throw new ConfigError(`--${name}: invalid value ${JSON.stringify(v)}`);
  return n;
}

/** An integer option >= min. */
export function integer(v: unknown, name: string, dflt: number, min = 1): number {
  return number(v, name, dflt, (n) => Number.isInteger(n) && n >= min);
}

/** Run a command body: usage errors and bsfnet errors print a message and give exit code 2 or 1. */
export async function guard(body: () => Promise<number>, err: (s: string) => void = (s) => process.stderr.write(s + "\n")): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`bsfnet: ${e.message}`);
      return 2;
    }
    if (e instanceof BsfnetError) {
      err(`bsfnet: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
