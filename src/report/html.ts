// One self-contained HTML file per run (inline SVG, no script, no network): what a person opens
// after `select --report` or `train --report`. The charts are src/report/svg.ts's.
import type { History } from "../model/callbacks.js";
import { barChart, lineChart } from "./svg.js";

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function page(title: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:2em}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}</style></head>
<body><h1>${esc(title)}</h1>
${sections.join("\n")}
<p><small>Written by bsfnet.</small></p></body></html>
`;
}

/** Gate weights of every feature over the epochs, at most `max` lines (the highest at the end). */
function gateHistory(columns: readonly string[], epochsOfGates: readonly Float32Array[], max = 12): string {
  const lastW = epochsOfGates[epochsOfGates.length - 1];
  const order = Array.from(lastW.keys())
    .sort((a, b) => lastW[b] - lastW[a])
    .slice(0, max);
  return lineChart(
    order.map((j) => ({ label: columns[j] ?? `unit ${j}`, values: epochsOfGates.map((w) => w[j]) })),
    { title: `Input gate weights over epochs (top ${order.length} of ${lastW.length})`, xLabel: "epoch" },
  );
}

export interface TrainReportInput {
  title: string;
  columns: readonly string[];
  history: History;
  last: number;
}

export function trainReport(r: TrainReportInput): string {
  const h = r.history;
  const sections: string[] = [];
  const gate = h.gates.input_gate;
  if (gate?.length) {
    const w = gate[gate.length - 1];
    const order = Array.from(w.keys()).sort((a, b) => w[b] - w[a]);
    sections.push(
      `<h2>Input gate weights after training</h2>`,
      barChart(
        order.map((j) => r.columns[j]),
        order.map((j) => w[j]),
        { title: "gate weight per feature", max: 1 },
      ),
    );
    sections.push(`<h2>Gate weights over epochs</h2>`, gateHistory(r.columns, gate));
  }
  const acc = [{ label: "training accuracy", values: h.accuracy }];
  if (h.valAccuracy.length) acc.push({ label: "validation accuracy", values: h.valAccuracy });
  sections.push(`<h2>Accuracy over epochs</h2>`, lineChart(acc, { title: "accuracy", xLabel: "epoch" }));
  return page(r.title, sections);
}

export interface SelectReportInput {
  title: string;
  features: readonly { name: string; importance: number }[];
  /** the input gate's weights after each epoch, by feature index, and the feature names */
  gates?: readonly Float32Array[];
  columns: readonly string[];
  /** cross-validated accuracy with the top k features kept */
  curve?: readonly { k: number; mean: number; std: number }[];
}

export function selectReport(r: SelectReportInput): string {
  const sections = [
    `<h2>Ranked importances</h2>`,
    barChart(
      r.features.map((f) => f.name),
      r.features.map((f) => f.importance),
      { title: "importance (gate weight, mean of the last epochs)", max: 1 },
    ),
  ];
  if (r.gates?.length) sections.push(`<h2>Gate weights over epochs</h2>`, gateHistory(r.columns, r.gates));
  if (r.curve?.length) {
    sections.push(
      `<h2>Cross-validated accuracy against the number of top features kept</h2>`,
      lineChart([{ label: "mean accuracy", values: r.curve.map((c) => c.mean) }], {
        title: `accuracy with the top k features, k = ${r.curve.map((c) => c.k).join(", ")}`,
        xLabel: "point",
      }),
      `<table><tr><th>top k</th><th>accuracy</th><th>std</th></tr>${r.curve.map((c) => `<tr><td>${c.k}</td><td>${c.mean.toFixed(4)}</td><td>${c.std.toFixed(4)}</td></tr>`).join("")}</table>`,
    );
  }
  return page(r.title, sections);
}
