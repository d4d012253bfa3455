/**
 * Horizontal bar charts as plain SVG text, for docs/benchmarks.md: no charting dependency, and
 * the same numbers as the tables beside them (the bench writes both from one run).
 */

/** One bar: its label (e.g. "connector, 1,000,000 rows") and value. */
export interface BarDatum {
  label: string;
  value: number;
  /** Index into the palette: the same client keeps its colour across sizes. */
  series: number;
}

const PALETTE = ['#7f7f7f', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A bar chart titled `title`, values formatted by `format`, bars scaled to the largest value. */
export function barChart(title: string, data: readonly BarDatum[], format: (v: number) => string): string {
  const labelWidth = 240;
  const barWidth = 380;
  const row = 22;
  const top = 34;
  const height = top + data.length * row + 12;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bars = data.map((d, i) => {
    const y = top + i * row;
    const w = Math.max(1, Math.round((d.value / max) * barWidth));
    return [
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escape(d.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${row - 6}" fill="${PALETTE[d.series % PALETTE.length]}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 14}">${escape(format(d.value))}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 110}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...bars,
    '</svg>',
    '',
  ].join('\n');
}
