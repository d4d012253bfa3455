/** Tables for the terminal and for docs/benchmarks.md. */

export type Cell = string | number;

export function mdTable(header: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function textTable(header: string[], rows: Cell[][]): string {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
export const secs = (ms: number) => (ms / 1000).toFixed(2);
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ratio = (x: number) => `${x.toFixed(2)}x`;
