// Option parsing shared by the commands (and by scripts/): strict parseArgs whose errors are
// ConfigErrors carrying the usage text, number and integer options, and the CSV options of select
// and evaluate.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readCsv } from "../data/csv-node.js";
import type { CsvDataset } from "../data/csv.js";
import { ConfigError } from "../errors.js";

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

/** The options of the commands that read a CSV (select, evaluate). */
export const csvOptions = {
  label: { type: "string" },
  "no-header": { type: "boolean" },
  drop: { type: "string" },
  epochs: { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The CSV named by the first positional, read with --label, --no-header and --drop. */
export async function loadCsv(values: Record<string, unknown>, positionals: string[], usage: string): Promise<CsvDataset> {
  const file = positionals[0];
  if (!file) throw new ConfigError(`missing <file.csv>\n\n${usage}`);
  if (values.label === undefined) throw new ConfigError("missing --label <name|index>");
  const drop = typeof values.drop === "string" ? values.drop.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  return readCsv(file, { header: !values["no-header"], label: values.label as string, drop });
}

/** How select and evaluate name columns and features; ends their usage texts. */
export const csvUsageNote = `Columns: --label takes a column name or a 0-based index (negative counts from the end).
Feature indices (--features, and "index" in the output) are 0-based among the feature columns,
the label and dropped columns excluded.`;
