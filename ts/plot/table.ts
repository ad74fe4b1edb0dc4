// Tables as standalone SVG: a header row and rows of text in columns sized to their
// longest entry (a model summary, per-class accuracy), for Node where there is no page.

import { el, svgDocument, text } from './svg.js';

/** Options of `plot.table`. */
export interface TableOptions {
  /** A title above the table. */
  title?: string;
}

const CHAR = 7.2;
const ROW = 22;

/**
 * An SVG document of a table. Numbers are right-aligned, text left-aligned; each row is a
 * `<g class="row">` whose cells carry `data-value`, so tools can read the table back.
 *
 * @example
 * ```ts
 * const svg = fe.plot.table(['Class', 'Accuracy'], [['cat', 0.9], ['dog', 0.8]], { title: 'Per class' });
 * ```
 */
export function table(headers: string[], rows: (string | number)[][], opts: TableOptions = {}): string {
  if (!Array.isArray(headers) || headers.length === 0) throw new Error('ferrite: plot.table: needs headers');
  rows.forEach((r, i) => {
    if (r.length !== headers.length)
      throw new Error(`ferrite: plot.table: row ${i} has ${r.length} cells for ${headers.length} headers`);
  });
  const shown = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => shown(r[j]).length)) * CHAR + 20);
  const xs = widths.map((_, j) => 10 + widths.slice(0, j).reduce((a, b) => a + b, 0));
  const width = 20 + widths.reduce((a, b) => a + b, 0);
  const top = opts.title ? 40 : 10;
  const height = top + (rows.length + 1) * ROW + 10;
  const body: string[] = [el('rect', { width, height, fill: 'white' })];
  if (opts.title) body.push(text(opts.title, { x: 10, y: 24, 'font-size': 15, 'font-weight': 'bold' }));
  const cell = (v: string | number, j: number, y: number, bold: boolean) => {
    const numeric = typeof v === 'number';
    return text(shown(v), {
      x: numeric ? xs[j] + widths[j] - 10 : xs[j],
      y,
      'text-anchor': numeric ? 'end' : 'start',
      'font-size': 12,
      'font-weight': bold ? 'bold' : undefined,
      'data-value': String(v),
    });
  };
  body.push(el('g', { class: 'header' }, ...headers.map((h, j) => cell(h, j, top + 15, true))));
  body.push(el('line', { x1: 10, x2: width - 10, y1: top + ROW, y2: top + ROW, stroke: '#333' }));
  rows.forEach((r, i) => {
    const y = top + (i + 1) * ROW + 15;
    body.push(el('g', { class: 'row' }, ...r.map((v, j) => cell(v, j, y, false))));
  });
  return svgDocument(width, height, body);
}
