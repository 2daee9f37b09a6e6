// SVG figures for the paper page (no dependencies): scatter panels side by side (t-SNE maps) and
// an x-y chart with its own axis ranges and ticks (accuracy against k).
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];

export interface ScatterPanel {
  title: string;
  /** points as [x, y] */
  points: readonly (readonly [number, number])[];
  /** class index of every point (colour) */
  classes: ArrayLike<number>;
}

/** Panels of 2-D points, one colour per class, each panel scaled to its own extent. */
export function scatterPanels(
  panels: readonly ScatterPanel[],
  o: { title: string; classNames: readonly string[]; size?: number },
): string {
  const S = o.size ?? 320;
  const T = 46;
  const pad = 12;
  const W = panels.length * (S + pad) + pad;
  const H = T + S + 30;
  const body = panels.map((p, k) => {
    const xs = p.points.map((q) => q[0]);
    const ys = p.points.map((q) => q[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const left = pad + k * (S + pad);
    const sx = (v: number) => left + 8 + ((v - x0) / Math.max(1e-12, x1 - x0)) * (S - 16);
    const sy = (v: number) => T + 8 + (1 - (v - y0) / Math.max(1e-12, y1 - y0)) * (S - 16);
    const dots = p.points
      .map(
        (q, i) =>
          `<circle cx="${sx(q[0]).toFixed(1)}" cy="${sy(q[1]).toFixed(1)}" r="3" fill="${PALETTE[p.classes[i] % PALETTE.length]}" fill-opacity="0.8"/>`,
      )
      .join("");
    return (
      `<rect x="${left}" y="${T}" width="${S}" height="${S}" fill="none" stroke="#999"/>` +
      `<text x="${left + S / 2}" y="${T - 6}" text-anchor="middle" font-size="12">${esc(p.title)}</text>` +
      dots
    );
  });
  const legend = o.classNames
    .map(
      (c, i) =>
        `<circle cx="${pad + 8 + i * 90}" cy="${H - 12}" r="4" fill="${PALETTE[i % PALETTE.length]}"/><text x="${pad + 16 + i * 90}" y="${H - 8}" font-size="11">${esc(c)}</text>`,
    )
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="${pad}" y="20" font-size="13" font-weight="bold">${esc(o.title)}</text>` +
    body.join("") +
    legend +
    `</svg>\n`
  );
}

export interface XYSeries {
  label: string;
  points: readonly (readonly [number, number])[];
  /** draw markers only */
  markers?: boolean;
}

/** Series on shared axes with explicit ranges; optional vertical marks (e.g. a chosen k). */
export function xyChart(
  series: readonly XYSeries[],
  o: {
    title: string;
    xLabel: string;
    yLabel: string;
    x: [number, number];
    y: [number, number];
    xTicks?: number[];
    yTicks?: number[];
    marks?: { x: number; label: string }[];
  },
): string {
  const W = 680,
    H = 360,
    L = 64,
    R = 170,
    T = 34,
    B = 44;
  const sx = (v: number) => L + ((v - o.x[0]) / (o.x[1] - o.x[0])) * (W - L - R);
  const sy = (v: number) =>
    T + (1 - (Math.max(o.y[0], Math.min(o.y[1], v)) - o.y[0]) / (o.y[1] - o.y[0])) * (H - T - B);
  const ticks = (o.yTicks ?? [o.y[0], o.y[1]]).map(
    (v) =>
      `<line x1="${L - 3}" y1="${sy(v)}" x2="${W - R}" y2="${sy(v)}" stroke="#eee"/><text x="${L - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="10">${v}</text>`,
  );
  const xt = (o.xTicks ?? [o.x[0], o.x[1]]).map(
    (v) => `<text x="${sx(v)}" y="${H - B + 14}" text-anchor="middle" font-size="10">${v}</text>`,
  );
  const lines = series.map((s, k) => {
    const c = PALETTE[k % PALETTE.length];
    const pts = s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`);
    const shape = s.markers
      ? s.points
          .map((p) => `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="4" fill="${c}"/>`)
          .join("")
      : `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.join(" ")}"/>` +
        s.points
          .map((p) => `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2" fill="${c}"/>`)
          .join("");
    return `${shape}<text x="${W - R + 8}" y="${T + 14 + 16 * k}" font-size="11" fill="${c}">${esc(s.label)}</text>`;
  });
  const marks = (o.marks ?? []).map(
    (m) =>
      `<line x1="${sx(m.x)}" y1="${T}" x2="${sx(m.x)}" y2="${H - B}" stroke="#d95f02" stroke-dasharray="4,3"/><text x="${sx(m.x) + 3}" y="${T + 10}" font-size="10" fill="#d95f02">${esc(m.label)}</text>`,
  );
  const axes =
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>` +
    `<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>` +
    `<text x="14" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="13" font-weight="bold">${esc(o.title)}</text>` +
    ticks.join("") +
    xt.join("") +
    axes +
    marks.join("") +
    lines.join("") +
    `</svg>\n`
  );
}

/** Mean silhouette coefficient (Rousseeuw 1987; scikit-learn's silhouette_score, Euclidean): for each
 * point, a = mean distance to its own class, b = the smallest mean distance to another class,
 * s = (b - a) / max(a, b) (0 for a point alone in its class). x is n x d, row-major. */
export function silhouette(x: ArrayLike<number>, d: number, labels: ArrayLike<number>): number {
  const n = labels.length;
  const k = Math.max(...Array.from(labels)) + 1;
  const size = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) size[labels[i]]++;
  let total = 0;
  const sum = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sum.fill(0);
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c] - x[j * d + c];
        s += t * t;
      }
      sum[labels[j]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (size[own] <= 1) continue;
    const a = sum[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sum[c] / size[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}
