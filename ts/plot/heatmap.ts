// Heatmaps as standalone SVG: a matrix of cells shaded by value, each with its number
// written in it (a confusion matrix: rows are the true classes, columns the predicted).

import { el, svgDocument, text } from './svg.js';

/** Options of `plot.heatmap`. */
export interface HeatmapOptions {
  /** A title above the chart. */
  title?: string;
  /** Labels of the columns (x) and rows (y); default 0, 1, 2, ... */
  xTickLabels?: string[];
  /** Labels of the rows; default 0, 1, 2, ... */
  yTickLabels?: string[];
  /** The x axis label. */
  xLabel?: string;
  /** The y axis label. */
  yLabel?: string;
  /** Cell size, px. Default 40. */
  cellSize?: number;
  /** Write each cell's value in it. Default true. */
  showValues?: boolean;
  /**
   * Shade the diagonal too. Default true; false leaves it white and scales the shades to
   * the largest value off it (a confusion matrix's mistakes stand out).
   */
  shadeDiagonal?: boolean;
}

/** White to matplotlib's blue, by `t` in [0, 1]. */
export function blueShade(t: number): string {
  const c = (from: number, to: number) => Math.round(from + (to - from) * Math.min(1, Math.max(0, t)));
  return `rgb(${c(255, 31)},${c(255, 119)},${c(255, 180)})`;
}

/** Short text of a cell value: integers as they are, others with 3 significant digits. */
export function cellText(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}

/**
 * An SVG document of `values` (rows x columns) as shaded cells, darker for larger values.
 * Each cell carries `data-row`, `data-col` and `data-value` attributes.
 *
 * @example
 * ```ts
 * const svg = fe.plot.heatmap([[5, 1], [0, 4]], { xTickLabels: ['cat', 'dog'], yTickLabels: ['cat', 'dog'] });
 * ```
 */
export function heatmap(values: number[][], opts: HeatmapOptions = {}): string {
  const rows = values.length;
  const cols = rows > 0 ? values[0].length : 0;
  if (rows === 0 || cols === 0) throw new Error('ferrite: plot.heatmap: needs a non-empty matrix');
  values.forEach((r, i) => {
    if (r.length !== cols)
      throw new Error(
        `ferrite: plot.heatmap: row ${i} has ${r.length} values, row 0 has ${cols}; expected a rectangle`,
      );
  });
  const { cellSize = 40, showValues = true, shadeDiagonal = true } = opts;
  const shaded = (i: number, j: number) => shadeDiagonal || i !== j;
  const xTicks = opts.xTickLabels ?? Array.from({ length: cols }, (_, i) => String(i));
  const yTicks = opts.yTickLabels ?? Array.from({ length: rows }, (_, i) => String(i));
  const labelWidth = Math.max(...yTicks.map((t) => t.length)) * 7 + 12;
  const left = 30 + labelWidth;
  const top = opts.title ? 44 : 16;
  const width = left + cols * cellSize + 16;
  const height = top + rows * cellSize + 54;
  const finite = values.flatMap((r, i) => r.filter((v, j) => shaded(i, j) && Number.isFinite(v)));
  // Loops, not Math.min(...finite): spreading a large heatmap's values would overflow the stack.
  const lo = finite.reduce((m, v) => Math.min(m, v), 0);
  const hi = finite.reduce((m, v) => Math.max(m, v), lo + 1e-12);
  const body: string[] = [el('rect', { width, height, fill: 'white' })];
  if (opts.title)
    body.push(
      text(opts.title, {
        x: width / 2,
        y: 24,
        'text-anchor': 'middle',
        'font-size': 15,
        'font-weight': 'bold',
      }),
    );
  const cells: string[] = [];
  values.forEach((r, i) =>
    r.forEach((v, j) => {
      const t = shaded(i, j) ? (v - lo) / (hi - lo) : 0;
      const x = left + j * cellSize;
      const y = top + i * cellSize;
      const parts = [el('rect', { x, y, width: cellSize, height: cellSize, fill: blueShade(t), stroke: '#fff' })];
      if (showValues)
        parts.push(
          text(cellText(v), {
            x: x + cellSize / 2,
            y: y + cellSize / 2 + 4,
            'text-anchor': 'middle',
            'font-size': 11,
            fill: t > 0.5 ? 'white' : '#222',
          }),
        );
      cells.push(el('g', { class: 'cell', 'data-row': i, 'data-col': j, 'data-value': String(v) }, ...parts));
    }),
  );
  body.push(el('g', { class: 'cells' }, ...cells));
  const ticks: string[] = [];
  xTicks.forEach((t, j) =>
    ticks.push(
      text(t, {
        x: left + (j + 0.5) * cellSize,
        y: top + rows * cellSize + 16,
        'text-anchor': 'middle',
        'font-size': 11,
      }),
    ),
  );
  yTicks.forEach((t, i) =>
    ticks.push(text(t, { x: left - 6, y: top + (i + 0.5) * cellSize + 4, 'text-anchor': 'end', 'font-size': 11 })),
  );
  body.push(el('g', { class: 'tick-labels' }, ...ticks));
  if (opts.xLabel)
    body.push(
      text(opts.xLabel, {
        x: left + (cols * cellSize) / 2,
        y: height - 12,
        'text-anchor': 'middle',
        'font-size': 13,
      }),
    );
  if (opts.yLabel) {
    const cy = top + (rows * cellSize) / 2;
    body.push(
      text(opts.yLabel, { x: 16, y: cy, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 16 ${cy})` }),
    );
  }
  return svgDocument(width, height, body);
}
