// Option parsing shared by the commands (and by scripts/): one option table per command drives both
// node:util parseArgs (strict: an unknown option is a ConfigError naming it) and the option list of
// `--help` (with each default), so the two cannot drift. parseArgs stays (no dependency) because
// the only things it lacked are small: negative numbers as values and generated help.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { constants, accessSync, statSync, lstatSync, realpathSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { readCsv } from "../data/csv-node.js";
import type { CsvDataset } from "../data/csv.js";
import { ConfigError, DataError } from "../errors.js";

/** One option: parseArgs' type and short letter, plus what --help shows. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** placeholder of the value in --help, e.g. "name|index" */
  arg?: string;
  /** the default as shown in --help (the command applies it) */
  default?: string;
  help?: string;
}

export type OptionTable = Record<string, OptionSpec>;

/** `--label -1`: parseArgs takes a value starting with "-" for an option and refuses it as
 * ambiguous; a negative number after a string option is its value, so it is joined as --label=-1. */
function joinNegativeValues(argv: string[], options: OptionTable): string[] {
  const out: string[] = [];
  const isString = (tok: string): boolean => {
    if (tok.startsWith("--")) return !tok.includes("=") && options[tok.slice(2)]?.type === "string";
    if (/^-[A-Za-z]$/.test(tok)) return Object.values(options).some((o) => o.short === tok[1] && o.type === "string");
    return false;
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    const next = argv[i + 1];
    if (tok === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (next !== undefined && isString(tok) && /^-(\d|\.\d)/.test(next)) {
      // inline forms parseArgs reads as the value: --label=-1, -o-1
      out.push(tok.startsWith("--") ? `${tok}=${next}` : `${tok}${next}`);
      i++;
    } else out.push(tok);
  }
  return out;
}

export function parse(
  argv: string[],
  options: OptionTable,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const config: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, o] of Object.entries(options))
    config[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  try {
    const r = parseArgs({
      args: joinNegativeValues(argv, options),
      options: config,
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    const first = usage.split("\n")[0].replace(/^Usage:\s*/, "");
    const cmd = first.split(/\s+/).slice(0, 2).join(" ");
    throw new ConfigError(`${(e as Error).message.split("\n")[0]} (${cmd} --help lists the options)`);
  }
}

/** The option list of --help, from the table: `  --name <arg>  help (default: x)`. */
export function optionHelp(options: OptionTable): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` <${o.arg ?? "value"}>` : ""}`;
    const text = [o.help ?? "", o.default !== undefined ? `(default: ${o.default})` : ""].filter(Boolean).join(" ");
    return [flag, text] as const;
  });
  const w = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, t]) => `  ${f.padEnd(w)}  ${t}`.trimEnd()).join("\n");
}

/** A command's --help: the synopsis, a description, the generated options and notes. */
export function helpOf(synopsis: string, options: OptionTable, ...notes: string[]): string {
  return [synopsis, "", "Options:", optionHelp(options), ...notes.filter(Boolean).flatMap((n) => ["", n])].join("\n");
}

export function number(v: unknown, name: string, dflt: number, check: (n: number) => boolean): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || !check(n))
    throw new ConfigError(`--${name}: invalid value ${JSON.stringify(v)}`);
  return n;
}

/** An integer option >= min. */
export function integer(v: unknown, name: string, dflt: number, min = 1): number {
  return number(v, name, dflt, (n) => Number.isInteger(n) && n >= min);
}

/** A comma-separated list option ("a, b,c" -> ["a", "b", "c"]), undefined when absent. */
export function list(v: unknown): string[] | undefined {
  return typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

/** The options of the commands that read a CSV (select, evaluate, train). */
export const csvOptions = {
  label: {
    type: "string",
    arg: "name|index",
    help: "the label column: a name, or a 0-based index (negative from the end)",
  },
  "no-header": { type: "boolean", help: "the first line is data, not column names (columns are then c0, c1, ...)" },
  drop: { type: "string", arg: "c1,c2", help: "columns to ignore (names or indices)" },
  categorical: {
    type: "string",
    arg: "c1,c2",
    help: "columns to encode as categories whatever their content (also keeps a text column of distinct values)",
  },
  epochs: { type: "string", arg: "E", help: "training epochs" },
  seed: { type: "string", arg: "S", default: "0", help: "seed of initialization, shuffling and masks" },
  quiet: { type: "boolean", short: "q", help: "no progress bar" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionTable;

/** Where a CSV comes from: a path, or "-" for stdin. A directory or an unreadable path is a
 * DataError naming it, before any parsing. */
export function checkInput(path: string): void {
  if (path === "-") return;
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new DataError(
      code === "ENOENT" ? "cannot open: no such file" : `cannot open (${code ?? (e as Error).message})`,
      { file: path },
    );
  }
  if (st.isDirectory()) throw new DataError("is a directory, not a file", { file: path });
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new DataError("cannot read: permission denied", { file: path });
  }
}

/** Checks, before any training, that `path` (named by `--option`) can be written: its directory
 * exists and is writable, and it is not a directory itself. A symlink is checked where it points;
 * a device or pipe (/dev/stdout) is written directly. A ConfigError names the user's path. */
export function checkOutput(path: string, option: string, { directory = false } = {}): void {
  const bad = (why: string): never => {
    throw new ConfigError(`${option} ${path}: ${why}`);
  };
  let target = resolve(path);
  try {
    if (lstatSync(target).isSymbolicLink()) target = realpathSync(target);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") bad(`cannot write (${(e as { code?: string }).code})`);
  }
  let st: Stats | undefined;
  try {
    st = statSync(target);
  } catch {
    st = undefined;
  }
  if (st) {
    if (st.isDirectory() && !directory) bad("is a directory");
    if (!st.isDirectory() && directory) bad("is a file, not a directory");
    if (!st.isFile() && !st.isDirectory()) {
      try {
        accessSync(target, constants.W_OK);
      } catch {
        bad("cannot write: permission denied");
      }
      return;
    }
  }
  const dir = st?.isDirectory() ? target : dirname(target);
  let d: Stats | undefined;
  try {
    d = statSync(dir);
  } catch {
    bad(`the directory ${dirname(path) || "."} does not exist`);
  }
  if (!d!.isDirectory()) bad(`${dirname(path)} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
    if (st?.isFile()) accessSync(target, constants.W_OK);
  } catch {
    bad(
      st?.isFile() ? "cannot write: permission denied" : `cannot write in ${dirname(path) || "."}: permission denied`,
    );
  }
}

/** Every output option that is set, checked (see checkOutput). */
export function checkOutputs(values: Record<string, unknown>, names: readonly string[]): void {
  for (const n of names) {
    const v = values[n];
    if (typeof v === "string") checkOutput(v, n === "out" ? "-o" : `--${n}`);
  }
}

/** The CSV named by the first positional ("-": stdin), read with --label, --no-header, --drop and
 * --categorical; `numericLabel` reads the label as a regression target (the dataset's `target`). */
export async function loadCsv(
  values: Record<string, unknown>,
  positionals: string[],
  usage: string,
  { numericLabel = false } = {},
): Promise<CsvDataset> {
  const file = positionals[0];
  if (!file) throw new ConfigError(`missing <file.csv>\n\n${usage}`);
  if (positionals.length > 1)
    throw new ConfigError(`unexpected argument ${JSON.stringify(positionals[1])}: give one CSV file`);
  if (values.label === undefined) throw new ConfigError("missing --label <name|index>");
  checkInput(file);
  return readCsv(file, {
    header: !values["no-header"],
    label: values.label as string,
    drop: list(values.drop),
    categorical: list(values.categorical),
    numericLabel,
  });
}

/** How select and evaluate name columns and features; ends their usage texts. */
export const csvUsageNote = `Columns: --label takes a column name or a 0-based index (negative counts from the end).
Feature indices (--features, and "index" in the output) are 0-based among the feature columns,
the label and dropped columns excluded. <file.csv> may be gzip'd, or - for stdin.`;
