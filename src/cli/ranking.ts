// The ranked feature table that select and demo print.
import type { SelectionResult } from "../select/select.js";

function bar(v: number, width = 20): string {
  const n = Math.round(Math.max(0, Math.min(1, v)) * width);
  return "#".repeat(n) + ".".repeat(width - n);
}

export function formatRanking(r: SelectionResult, top: number, mark?: (index: number) => string): string {
  const rows = r.features.slice(0, top);
  const w = Math.max(7, ...rows.map((f) => f.name.length));
  const lines = [`rank  ${"feature".padEnd(w)}  index  importance  run mean`];
  rows.forEach((f, i) => {
    lines.push(
      `${String(i + 1).padStart(4)}  ${f.name.padEnd(w)}  ${String(f.index).padStart(5)}  ${f.importance.toFixed(4)}    ${f.runMean.toFixed(4)}  ${bar(f.importance)}${mark ? `  ${mark(f.index)}` : ""}`,
    );
  });
  return lines.join("\n");
}
