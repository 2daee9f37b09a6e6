// The playground's figures as SVG strings. The gate waterfall and the importance bars are the
// report's own charts (src/report/svg.ts), so the page and `select --report` draw the same thing;
// loss and the accuracy curve are the report's xyChart on ranges taken from the data.
import { barChart, lineChart } from "../src/report/svg.js";
import { xyChart as reportXyChart } from "../src/report/plot.js";

export { barChart };

/** Gate value of every input feature after each epoch; the selected ones (or the 8 best at the
 * last epoch) in colour and labelled, the others grey, so 168 features stay readable. */
export function waterfall(history: readonly (readonly number[])[], names: readonly string[], title: string): string {
  const d = history[0]?.length ?? 0;
  const last = history[history.length - 1] ?? [];
  const top = new Set(
    Array.from({ length: d }, (_, j) => j)
      .sort((a, b) => (last[b] ?? 0) - (last[a] ?? 0))
      .slice(0, 8),
  );
  const series = Array.from({ length: d }, (_, j) => ({
    label: names[j] ?? `f${j}`,
    values: history.map((h) => h[j]),
    highlight: top.has(j) ? undefined : false,
  }));
  // grey first so the coloured lines are drawn on top
  series.sort((a, b) => Number(a.highlight === undefined) - Number(b.highlight === undefined));
  return lineChart(series.length ? series : [{ label: "", values: [0] }], { title, xLabel: "epoch" });
}

export interface Series {
  label: string;
  x: readonly number[];
  y: readonly number[];
}

/** Line series on their own x values with an automatic y range (loss, accuracy curve): the
 * report's xyChart (src/report/plot.ts) on ranges and ticks taken from the data. */
export function xyChart(
  series: readonly Series[],
  o: { title: string; xLabel: string; yLabel: string; y01?: boolean },
): string {
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, x0 + 1);
  let [y0, y1] = [0, 1];
  if (!o.y01 && ys.length) {
    [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const round = (v: number) => Number(v.toPrecision(3));
  return reportXyChart(
    series.map((s) => ({ label: s.label, points: s.x.map((v, i) => [v, s.y[i]] as const) })),
    {
      title: o.title,
      xLabel: o.xLabel,
      yLabel: o.yLabel,
      x: [x0, x1],
      y: [y0, y1],
      xTicks: [x0, x1].map(round),
      yTicks: [0, 0.25, 0.5, 0.75, 1].map((f) => round(y0 + f * (y1 - y0))),
    },
  );
}
