// bsfnet info <model> [--json]: what a model file holds (checked: version, checksum, shapes).
import { stat } from "node:fs/promises";
import { readModelFile } from "../io/file.js";
import { countSpec } from "../model/spec.js";
import { summary } from "../prune/summary.js";
import { ConfigError } from "../errors.js";
import { helpOf, parse, type OptionTable } from "./args.js";
import type { Command } from "./command.js";

const options = {
  json: { type: "boolean", help: "print everything as JSON" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionTable;

const usage = helpOf(
  "Usage: bsfnet info <model.bsfnet> [--json]",
  options,
  "Prints the model's format version, input, layers (units, weights, bytes) and metadata.",
);

export const command: Command = {
  name: "info",
  summary: "describe a model file: format version, input, layers, sizes and metadata",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, options, usage);
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${usage}`);
    const m = await readModelFile(path);
    const spec = m.spec;
    const counts = countSpec(spec);
    const bytes = (await stat(path)).size;
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            file: path,
            bytes,
            version: m.version,
            name: spec.name,
            inputShape: spec.inputShape,
            layers: spec.layers.map((l) => ({ className: l.className, ...l.config })),
            counts,
            meta: m.meta,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    io.out(`${path}: bsfnet model "${spec.name}", format version ${m.version}, ${bytes} bytes, checksum ok`);
    io.out(summary(spec));
    io.out(
      `hidden units ${counts.units}, weights ${counts.weights} (+ ${counts.gates} gate weights), ${counts.bytes} bytes of parameters`,
    );
    const keys = Object.keys(m.meta);
    const keep = m.meta.inputKeep;
    if (keep) {
      const list =
        keep.length > 24 ? `${keep.slice(0, 24).join(", ")}, ... (${keep.length - 24} more)` : keep.join(", ");
      io.out(`reads ${keep.length} of ${m.meta.fullInputSize} input values: ${list}`);
    }
    if (Array.isArray(m.meta.columns)) {
      const cols = keep ? keep.map((j) => m.meta.columns![j]) : m.meta.columns;
      io.out(`input columns: ${cols.join(", ")}${m.meta.label ? `; label: ${m.meta.label}` : ""}`);
    }
    if (m.meta.classNames) io.out(`classes: ${m.meta.classNames.join(", ")}`);
    if (keys.length) io.out(`metadata: ${keys.join(", ")}`);
    return 0;
  },
};
