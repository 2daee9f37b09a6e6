// The playground's figures as SVG strings. The gate waterfall and the importance bars are the
// report's own charts (src/report/svg.ts), so the page and `select --report` draw the same thing;
// loss and the accuracy curve need a y axis that is not [0, 1], hence the small chart here.
import { barChart, lineChart } from "../src/report/svg.js";

export { barChart };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];

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
  dashed?: boolean;
}

/** Line series on their own x values with an automatic y range (loss, accuracy curve). */
export function xyChart(
  series: readonly Series[],
  o: { title: string; xLabel: string; yLabel: string; y01?: boolean },
): string {
  const W = 640,
    H = 260,
    L = 52,
    R = 120,
    T = 30,
    B = 38;
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, x0 + 1);
  let y0 = o.y01 ? 0 : Math.min(...ys, 0);
  let y1 = o.y01 ? 1 : Math.max(...ys, 1e-6);
  if (!o.y01 && ys.length) {
    y0 = Math.min(...ys);
    y1 = Math.max(...ys);
    const pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
    y0 -= pad;
    y1 += pad;
  }
  const X = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v: number) => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => y0 + f * (y1 - y0));
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${L}" y1="${Y(t).toFixed(1)}" x2="${W - R}" y2="${Y(t).toFixed(1)}" stroke="#eee"/>` +
        `<text x="${L - 4}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end" font-size="10">${fmt(t)}</text>`,
    )
    .join("");
  const lines = series.map((s, k) => {
    const c = PALETTE[k % PALETTE.length];
    const pts = s.x.map((v, i) => `${X(v).toFixed(1)},${Y(s.y[i]).toFixed(1)}`).join(" ");
    const ly = s.y.length ? Y(s.y[s.y.length - 1]) : T;
    const dots =
      s.x.length < 20
        ? s.x
            .map((v, i) => `<circle cx="${X(v).toFixed(1)}" cy="${Y(s.y[i]).toFixed(1)}" r="2.5" fill="${c}"/>`)
            .join("")
        : "";
    return (
      `<polyline fill="none" stroke="${c}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5,3"' : ""} points="${pts}"/>${dots}` +
      `<text x="${W - R + 6}" y="${(ly + 4).toFixed(1)}" font-size="10" fill="${c}">${esc(s.label)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="13" font-weight="bold">${esc(o.title)}</text>` +
    grid +
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>` +
    `<text x="${L}" y="${H - B + 14}" font-size="10">${fmt(x0)}</text><text x="${W - R}" y="${H - B + 14}" text-anchor="end" font-size="10">${fmt(x1)}</text>` +
    `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>` +
    `<text x="12" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 12 ${(T + H - B) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>` +
    lines.join("") +
    `</svg>`
  );
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}
