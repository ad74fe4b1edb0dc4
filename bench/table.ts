// The benchmarks' tables: numbers to about three significant digits, ratios, and
// aligned columns.

export type Row = Record<string, string | number>;

/** A number with about three significant digits: 12,345 / 123 / 12.3 / 1.23. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** A ratio as '3.4x'. */
export function fmtRatio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || !(b > 0) ? '-' : `${fmt(a / b)}x`;
}

/** Prints rows as an aligned table: the first column left-aligned, the others right-aligned. */
export function printTable(rows: readonly Row[], print: (line: string) => void = console.log): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r: Row, c: string) => String(r[c] ?? '-');
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  print(line(cols));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) print(line(cols.map((c) => cell(r, c))));
}

/** Rows as a GitHub Markdown table: the first column left-aligned, the others right-aligned. */
export function markdownTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r: Row, c: string) => String(r[c] ?? '-').replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(cols.map((c) => c.replace(/\|/g, '\\|'))),
    line(cols.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map((r) => line(cols.map((c) => cell(r, c)))),
  ].join('\n');
}
