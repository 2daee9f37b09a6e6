// A text table of a model before and after pruning: per layer the units, weights and bytes.
import { traitsOf } from "../layers/registry.js";
import { asSpec, countSpec, layerWidth, type ModelSpec, type SpecSource } from "../model/spec.js";

function rows(spec: ModelSpec): Map<string, { className: string; units: string; weights: number }> {
  const m = new Map<string, { className: string; units: string; weights: number }>();
  for (const l of spec.layers) {
    const t = traitsOf(l.className);
    const width = layerWidth(l);
    const units =
      width !== undefined
        ? `${width}${t.prunable?.kind === "conv" ? " ch" : ""}`
        : t.gate
          ? `${l.weights[0]?.values.length ?? 0} gates`
          : "";
    m.set(l.config.name as string, {
      className: l.className,
      units,
      weights: l.weights.reduce((s, w) => s + w.values.length, 0),
    });
  }
  return m;
}

function table(header: string[], body: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i])))
      .join("  ")
      .trimEnd();
  return [line(header), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
}

/** Layers, units, weights and bytes of a model, or of a model before and after pruning. */
export function summary(before: SpecSource, after?: SpecSource): string {
  const a = asSpec(before);
  const b = after === undefined ? undefined : asSpec(after);
  const ra = rows(a);
  const rb = b ? rows(b) : undefined;
  const body: string[][] = [];
  for (const [name, r] of ra) {
    const q = rb?.get(name);
    const row = [name, r.className, r.units, String(r.weights), String(r.weights * 4)];
    if (rb) row.push(q ? q.units : "removed", q ? String(q.weights) : "0", q ? String(q.weights * 4) : "0");
    body.push(row);
  }
  const ca = countSpec(a);
  const cb = b ? countSpec(b) : undefined;
  const total = ["total", "", `${ca.units} hidden`, String(ca.bytes / 4), String(ca.bytes)];
  if (cb) total.push(`${cb.units} hidden`, String(cb.bytes / 4), String(cb.bytes));
  body.push(total);
  const header = ["layer", "type", "units", "weights", "bytes"];
  if (b) header.push("units after", "weights after", "bytes after");
  let s = `input [${a.inputShape.join(", ")}]${b ? ` -> [${b.inputShape.join(", ")}]` : ""}\n${table(header, body)}`;
  if (cb) {
    const pct = (x: number, y: number) => (x ? ((100 * (x - y)) / x).toFixed(1) : "0.0");
    s += `\nweights without gates: ${ca.weights} -> ${cb.weights} (${pct(ca.weights, cb.weights)}% fewer); hidden units ${ca.units} -> ${cb.units}`;
  }
  return s;
}
