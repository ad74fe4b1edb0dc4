// Bar charts as standalone SVG: one bar per labelled value (per-class counts, a histogram's
// bins), with a frame, grid, y ticks and the labels under the bars.

import { el, num, svgDocument, text } from './svg.js';
import { linear, niceAxis } from './scale.js';
import { PALETTE } from './line-chart.js';

/** One bar of a bar chart. */
export interface Bar {
  /** Text under the bar (a class name, a bin's range). */
  label: string;
  /** The bar's height. */
  value: number;
}

/** Options of `plot.barChart`. */
export interface BarChartOptions {
  /** A title above the chart. */
  title?: string;
  /** The x axis label. */
  xLabel?: string;
  /** The y axis label. */
  yLabel?: string;
  /** px; default 480 x 360. */
  width?: number;
  /** px; default 360. */
  height?: number;
  /** CSS colour of the bars; default matplotlib's blue. */
  color?: string;
  /** Show every bar's label (default: as many as fit without overlapping). */
  allLabels?: boolean;
}

const MARGIN = { top: 44, right: 18, bottom: 62, left: 70 };

/**
 * An SVG document with one bar per entry, from 0 (bars of negative values go down).
 * Each bar carries `data-label` and `data-value` attributes, so tools can read it back.
 *
 * @example
 * ```ts
 * const svg = fe.plot.barChart([{ label: 'cat', value: 3 }, { label: 'dog', value: 5 }], { title: 'Count' });
 * svg.includes('<rect'); // true
 * ```
 */
export function barChart(bars: Bar[], opts: BarChartOptions = {}): string {
  if (!Array.isArray(bars) || bars.length === 0) throw new Error('ferrite: plot.barChart: needs at least one bar');
  bars.forEach((b, i) => {
    if (!b || !Number.isFinite(b.value))
      throw new Error(
        `ferrite: plot.barChart: bar ${i} ('${b?.label}') has value ${b?.value}; expected a finite number`,
      );
  });
  const { width = 480, height = 360, color = PALETTE[0] } = opts;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const values = bars.map((b) => b.value);
  const yAxis = niceAxis(Math.min(0, ...values), Math.max(0, ...values), 5);
  const sy = linear(yAxis.min, yAxis.max, bottom, top);
  const slot = (right - left) / bars.length;
  const body: string[] = [el('rect', { width, height, fill: 'white' })];
  if (opts.title)
    body.push(
      text(opts.title, {
        x: (left + right) / 2,
        y: 24,
        'text-anchor': 'middle',
        'font-size': 15,
        'font-weight': 'bold',
      }),
    );
  const grid: string[] = [];
  for (const t of yAxis.ticks) {
    const y = sy(t);
    grid.push(el('line', { x1: left, x2: right, y1: y, y2: y, stroke: '#e5e5e5' }));
    grid.push(
      text(t.toFixed(yAxis.decimals), { x: left - 8, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#333' }),
    );
  }
  body.push(el('g', { class: 'grid' }, ...grid));
  // Labels are thinned to one per ~40 px unless all are asked for.
  const every = opts.allLabels ? 1 : Math.max(1, Math.ceil(40 / slot));
  const rects: string[] = [];
  const labels: string[] = [];
  bars.forEach((b, i) => {
    const x = left + i * slot + slot * 0.1;
    const y0 = sy(0);
    const y1 = sy(b.value);
    rects.push(
      el('rect', {
        class: 'bar',
        'data-label': b.label,
        'data-value': String(b.value),
        x,
        y: Math.min(y0, y1),
        width: slot * 0.8,
        height: Math.abs(y0 - y1),
        fill: color,
      }),
    );
    if (i % every === 0)
      labels.push(
        text(b.label, {
          x: left + (i + 0.5) * slot,
          y: bottom + 16,
          'text-anchor': 'middle',
          'font-size': 11,
          fill: '#333',
        }),
      );
  });
  body.push(el('g', { class: 'bars' }, ...rects));
  body.push(el('g', { class: 'tick-labels' }, ...labels));
  body.push(el('rect', { x: left, y: top, width: right - left, height: bottom - top, fill: 'none', stroke: '#333' }));
  if (opts.xLabel)
    body.push(text(opts.xLabel, { x: (left + right) / 2, y: height - 14, 'text-anchor': 'middle', 'font-size': 13 }));
  if (opts.yLabel) {
    const cy = (top + bottom) / 2;
    body.push(
      text(opts.yLabel, {
        x: 18,
        y: cy,
        'text-anchor': 'middle',
        'font-size': 13,
        transform: `rotate(-90 18 ${num(cy)})`,
      }),
    );
  }
  return svgDocument(width, height, body);
}
