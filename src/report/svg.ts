// Minimal SVG charts for the reports under docs/ (no dependencies): bars and line series.
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Horizontal bars, one per label, values in [0, max]. */
export function barChart(
  labels: readonly string[],
  values: readonly number[],
  o: { title: string; max?: number; highlight?: readonly boolean[] },
): string {
  const rowH = 18;
  const left = 170;
  const width = 560;
  const barW = width - left - 60;
  const max = o.max ?? Math.max(...values, 1e-9);
  const h = 40 + labels.length * rowH;
  const rows = labels.map((l, i) => {
    const y = 30 + i * rowH;
    const w = Math.max(0, (values[i] / max) * barW);
    const fill = o.highlight?.[i] ? "#d95f02" : "#1b9e77";
    return (
      `<text x="${left - 6}" y="${y + 12}" text-anchor="end" font-size="11">${esc(l)}</text>` +
      `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="${fill}"/>` +
      `<text x="${left + w + 4}" y="${y + 12}" font-size="10">${values[i].toFixed(3)}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="13" font-weight="bold">${esc(o.title)}</text>` +
    rows.join("") +
    `</svg>\n`
  );
}

/** Line series over a shared x axis (e.g. gate weights per epoch), y in [0, 1]. */
export function lineChart(
  series: readonly { label: string; values: readonly number[]; highlight?: boolean }[],
  o: { title: string; xLabel: string; marks?: readonly number[] },
): string {
  const W = 640,
    H = 320,
    L = 40,
    R = 150,
    T = 30,
    B = 35;
  const n = Math.max(...series.map((s) => s.values.length));
  const x = (i: number) => L + (i / Math.max(1, n - 1)) * (W - L - R);
  const y = (v: number) => T + (1 - Math.max(0, Math.min(1, v))) * (H - T - B);
  const palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
  const lines = series.map((s, k) => {
    const c = s.highlight === false ? "#bbbbbb" : palette[k % palette.length];
    const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const last = s.values[s.values.length - 1] ?? 0;
    const label =
      s.highlight === false
        ? ""
        : `<text x="${W - R + 6}" y="${y(last) + 4}" font-size="10" fill="${c}">${esc(s.label)}</text>`;
    return `<polyline fill="none" stroke="${c}" stroke-width="1.3" points="${pts}"/>${label}`;
  });
  const axes =
    `<line x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}" stroke="black"/><line x1="${L}" y1="${y(0)}" x2="${L}" y2="${y(1)}" stroke="black"/>` +
    `<text x="${L - 4}" y="${y(1) + 4}" text-anchor="end" font-size="10">1</text><text x="${L - 4}" y="${y(0) + 4}" text-anchor="end" font-size="10">0</text>` +
    `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${esc(o.xLabel)} (0..${n - 1})</text>`;
  const marks = (o.marks ?? []).map(
    (v) =>
      `<line x1="${x(v).toFixed(1)}" y1="${T}" x2="${x(v).toFixed(1)}" y2="${H - B}" stroke="#d95f02" stroke-dasharray="3,3"/>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="13" font-weight="bold">${esc(o.title)}</text>` +
    axes +
    marks.join("") +
    lines.join("") +
    `</svg>\n`
  );
}

/** A gray-level heat map of values in [0, 1] on an h x w grid (white = 1). */
export function heatMap(values: ArrayLike<number>, w: number, h: number, o: { title: string; cell?: number }): string {
  const cell = o.cell ?? 10;
  const top = 28;
  const cells: string[] = [];
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = Math.round(255 * Math.max(0, Math.min(1, values[i * w + j])));
      cells.push(
        `<rect x="${j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${v},${v},${v})"/>`,
      );
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(w * cell, 320)}" height="${top + h * cell}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="4" y="18" font-size="12" font-weight="bold">${esc(o.title)}</text>` +
    cells.join("") +
    `</svg>\n`
  );
}
