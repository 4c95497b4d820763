/**
 * Server-rendered SVG charts for the insights pages: horizontal bars (with a
 * zero line for signed values such as NPS), stacked bars and a from → to
 * matrix. No JavaScript, no external library: each chart is an `<svg
 * role="img">` with a `<title>` and a `<desc>` that says in words what it
 * shows, and the page puts the same figures in a data table next to it.
 * Every text goes through {@link esc}; every number is a number.
 */

const INK = "#1b1f24";
const MUTED = "#4a5360";
const LINE = "#c4cad3";
/** Bar colours with at least 3:1 contrast against white (WCAG non-text contrast). */
export const PALETTE = ["#1a4fd6", "#0f6b3a", "#b3261e", "#7a4b00", "#5b3cc4", "#00677f", "#8a1c7c"];

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

const n = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : 0);

function frame(id: string, title: string, desc: string, width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${esc(id)}-t ${esc(id)}-d" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui,sans-serif" font-size="13"><title id="${esc(id)}-t">${esc(title)}</title><desc id="${esc(id)}-d">${esc(desc)}</desc>${body}</svg>`;
}

export interface Bar {
  label: string;
  value: number | null;
  /** What is written next to the bar ("—" when the value is null). */
  display?: string;
}

/**
 * Horizontal bars, one per row; with a negative minimum (NPS: −100 … 100) a zero line splits the scale.
 *
 * @example
 * bars("nps", "NPS by channel", rows, { min: -100, max: 100 })
 */
export function bars(id: string, title: string, rows: readonly Bar[], scale: { min?: number; max?: number } = {}): string {
  const values = rows.map((r) => r.value ?? 0);
  const min = Math.min(scale.min ?? 0, ...values);
  const max = Math.max(scale.max ?? 0, ...values, min + 1);
  const labelW = 110;
  const plotW = 300;
  const valueW = 80;
  const rowH = 24;
  const x = (v: number) => labelW + ((v - min) / (max - min)) * plotW;
  const zero = x(0);
  let body = "";
  rows.forEach((r, i) => {
    const y = 8 + i * rowH;
    const v = r.value ?? 0;
    const left = Math.min(x(v), zero);
    const w = Math.abs(x(v) - zero);
    body += `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="${INK}">${esc(r.label)}</text>`;
    if (r.value !== null)
      body += `<rect x="${n(left)}" y="${y + 3}" width="${n(Math.max(w, 1))}" height="${rowH - 8}" fill="${PALETTE[0]}"/>`;
    body += `<text x="${labelW + plotW + 8}" y="${y + 15}" fill="${INK}">${esc(r.display ?? (r.value === null ? "—" : String(r.value)))}</text>`;
  });
  const height = 16 + rows.length * rowH;
  body += `<line x1="${n(zero)}" y1="4" x2="${n(zero)}" y2="${height - 4}" stroke="${MUTED}"/>`;
  const desc = rows.map((r) => `${r.label}: ${r.display ?? (r.value === null ? "no data" : r.value)}`).join("; ");
  return frame(id, title, desc, labelW + plotW + valueW, height, body);
}

export interface Stack {
  label: string;
  parts: number[];
}

/**
 * Stacked horizontal bars with a legend: each row's parts side by side, scaled to the largest row.
 *
 * @example
 * stacked("starts", "Where journeys start and how they end", ["ordered", "case only", "dropped"], rows)
 */
export function stacked(id: string, title: string, legend: readonly string[], rows: readonly Stack[]): string {
  const labelW = 110;
  const plotW = 300;
  const rowH = 24;
  const legendH = 24;
  const total = Math.max(1, ...rows.map((r) => r.parts.reduce((s, p) => s + p, 0)));
  let body = "";
  let lx = labelW;
  legend.forEach((name, k) => {
    body += `<rect x="${lx}" y="6" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/><text x="${lx + 16}" y="17" fill="${INK}">${esc(name)}</text>`;
    lx += 24 + name.length * 7;
  });
  rows.forEach((r, i) => {
    const y = legendH + 6 + i * rowH;
    body += `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="${INK}">${esc(r.label)}</text>`;
    let x = labelW;
    r.parts.forEach((p, k) => {
      const w = (p / total) * plotW;
      if (w > 0) body += `<rect x="${n(x)}" y="${y + 3}" width="${n(w)}" height="${rowH - 8}" fill="${PALETTE[k % PALETTE.length]}"/>`;
      x += w;
    });
    body += `<text x="${labelW + plotW + 8}" y="${y + 15}" fill="${INK}">${r.parts.reduce((s, p) => s + p, 0)}</text>`;
  });
  const desc = rows.map((r) => `${r.label}: ${r.parts.map((p, k) => `${p} ${legend[k]}`).join(", ")}`).join("; ");
  return frame(id, title, desc, labelW + plotW + 50, legendH + 12 + rows.length * rowH, body);
}

/**
 * A from → to matrix: one square per cell, darker for more, the count written in it.
 *
 * @example
 * matrix("handoffs", "Handoffs between channels", channels, channels, (from, to) => count)
 */
export function matrix(
  id: string,
  title: string,
  rows: readonly string[],
  cols: readonly string[],
  cell: (r: string, c: string) => number,
): string {
  const labelW = 100;
  const headH = 70;
  const size = 40;
  const max = Math.max(1, ...rows.flatMap((r) => cols.map((c) => cell(r, c))));
  let body = "";
  cols.forEach((c, j) => {
    const cx = labelW + j * size + size / 2;
    body += `<text x="${cx}" y="${headH - 6}" transform="rotate(-45 ${cx} ${headH - 6})" fill="${INK}">${esc(c)}</text>`;
  });
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = headH + i * size;
    body += `<text x="${labelW - 8}" y="${y + size / 2 + 4}" text-anchor="end" fill="${INK}">${esc(r)}</text>`;
    cols.forEach((c, j) => {
      const v = cell(r, c);
      const x = labelW + j * size;
      // Lightness from 96% (none) to 30% (the most); the count is white on dark squares, ink on light ones.
      const light = v ? 86 - (v / max) * 56 : 97;
      body += `<rect x="${x}" y="${y}" width="${size - 2}" height="${size - 2}" fill="hsl(222 70% ${n(light)}%)" stroke="${LINE}"/>`;
      if (v) {
        body += `<text x="${x + size / 2 - 1}" y="${y + size / 2 + 4}" text-anchor="middle" fill="${light < 55 ? "#fff" : INK}">${v}</text>`;
        parts.push(`${r} to ${c}: ${v}`);
      }
    });
  });
  const desc = parts.length
    ? `Rows are where the journey was, columns where it moved to. ${parts.join("; ")}.`
    : "No journey moved between channels.";
  return frame(id, title, desc, labelW + cols.length * size + 10, headH + rows.length * size + 6, body);
}
