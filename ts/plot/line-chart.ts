// Line charts as standalone SVG: one or more panels side by side, each with a frame,
// grid, ticks, axis labels, a legend and one path per series. Enough for training curves
// (History) without a browser, a canvas or a charting dependency.

import { el, num, svgDocument, text } from './svg.js';
import { linear, niceAxis } from './scale.js';

/**
 * One curve of a line chart.
 *
 * @example
 * ```ts
 * const svg = fe.plot.lineChart([{ series: [{ label: 'train', y: [3, 2, 1] }, { label: 'val', y: [3, 2.5, 2], dashed: true }] }]);
 * ```
 */
export interface LineSeries {
  /** Legend text. */
  label: string;
  /** The values; non-finite ones (NaN, missing) leave a gap. */
  y: ArrayLike<number>;
  /** x of each value; default 1, 2, 3, ... (epochs counted from 1). */
  x?: ArrayLike<number>;
  /** CSS colour; default from the palette, in series order. */
  color?: string;
  /** Draw dashed (validation curves, by convention here). */
  dashed?: boolean;
}

/**
 * One chart of `plot.lineChart`: its curves, title and axis labels.
 *
 * @example
 * ```ts
 * const loss = { title: 'Loss', xLabel: 'epoch', series: [{ label: 'loss', y: [1, 0.5] }] };
 * const lr = { title: 'Learning rate', yDomain: [0, 0.1] as [number, number], series: [{ label: 'lr', y: [0.1, 0.05] }] };
 * fe.plot.lineChart([loss, lr]); // two panels side by side
 * ```
 */
export interface LinePanel {
  /** The panel's title. */
  title?: string;
  /** The x axis label. */
  xLabel?: string;
  /** The y axis label. */
  yLabel?: string;
  /** The curves. */
  series: LineSeries[];
  /** Fixed y range; default from the data, widened to nice ticks. */
  yDomain?: [number, number];
  /** Only whole-number ticks on x (epochs). Default true. */
  integerX?: boolean;
}

/**
 * Options of `plot.lineChart`.
 *
 * @example
 * ```ts
 * const panel = { series: [{ label: 'sin', y: Array.from({ length: 50 }, (_, i) => Math.sin(i / 5)), x: Array.from({ length: 50 }, (_, i) => i / 5) }], integerX: false };
 * fe.plot.lineChart([panel], { title: 'sin', panelWidth: 600, markersUpTo: 0 });
 * ```
 */
export interface LineChartOptions {
  /** Width of one panel, px. Default 480. */
  panelWidth?: number;
  /** Height of one panel, px. Default 360. */
  panelHeight?: number;
  /** Panels per row. Default: all in one row. */
  columns?: number;
  /** A title above all panels. */
  title?: string;
  /** Draw a dot on every value when a series has at most this many. Default 40. */
  markersUpTo?: number;
}

/** Matplotlib's default colours (tab10), which users of Keras plots know. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const MARGIN = { top: 58, right: 18, bottom: 50, left: 70 };
const TITLE_HEIGHT = 30;
const INSET = 6;
const FONT = { title: 15, label: 13, tick: 11, legend: 12 };

/** x values of a series: given, or 1..n. */
function xsOf(s: LineSeries): number[] {
  return Array.from({ length: s.y.length }, (_, i) => (s.x ? s.x[i] : i + 1));
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Path data for a series: 'M' starts each run of finite values, 'L' continues it. */
function pathData(
  xs: number[],
  ys: ArrayLike<number>,
  sx: (v: number) => number,
  sy: (v: number) => number,
): { d: string; points: [number, number][] } {
  const commands: string[] = [];
  const points: [number, number][] = [];
  let pen = false;
  for (let i = 0; i < ys.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      pen = false;
      continue;
    }
    const px = sx(xs[i]);
    const py = sy(ys[i]);
    commands.push(`${pen ? 'L' : 'M'}${num(px)},${num(py)}`);
    points.push([px, py]);
    pen = true;
  }
  return { d: commands.join(' '), points };
}

function panelSvg(
  panel: LinePanel,
  index: number,
  ox: number,
  oy: number,
  width: number,
  height: number,
  markersUpTo: number,
): string[] {
  const out: string[] = [];
  const left = ox + MARGIN.left;
  const right = ox + width - MARGIN.right;
  const top = oy + MARGIN.top;
  const bottom = oy + height - MARGIN.bottom;

  const allX = panel.series.flatMap(xsOf);
  const allY = panel.series.flatMap((s) => Array.from(s.y));
  const [x0, x1] = extent(allX);
  const [y0, y1] = panel.yDomain ?? extent(allY);
  const integerX = panel.integerX ?? true;
  const xAxis = niceAxis(x0, x1, Math.min(10, Math.max(1, x1 - x0)), integerX);
  const yAxis = niceAxis(y0, y1, 5);
  // Epoch axes span the data exactly (no empty epoch 0 column); one epoch sits centred.
  const [xMin, xMax] = !integerX ? [xAxis.min, xAxis.max] : x0 === x1 ? [x0 - 1, x1 + 1] : [x0, x1];
  const xTicks = !integerX ? xAxis.ticks : x0 === x1 ? [x0] : xAxis.ticks.filter((t) => t >= x0 && t <= x1);
  // Values are drawn a few pixels inside the frame, so points at the extremes stay whole.
  const sx = linear(xMin, xMax, left + INSET, right - INSET);
  const sy = linear(yAxis.min, yAxis.max, bottom - INSET, top + INSET);

  out.push('<g class="panel">');
  if (panel.title)
    out.push(
      text(panel.title, {
        x: (left + right) / 2,
        y: oy + 22,
        'text-anchor': 'middle',
        'font-size': FONT.title,
        'font-weight': 'bold',
      }),
    );

  // Grid and ticks.
  const grid: string[] = [];
  const labels: string[] = [];
  for (const t of yAxis.ticks) {
    const y = sy(t);
    grid.push(el('line', { x1: left, x2: right, y1: y, y2: y, stroke: '#e5e5e5' }));
    grid.push(el('line', { x1: left - 5, x2: left, y1: y, y2: y, stroke: '#333' }));
    labels.push(
      text(t.toFixed(yAxis.decimals), {
        x: left - 8,
        y: y + 4,
        'text-anchor': 'end',
        'font-size': FONT.tick,
        fill: '#333',
      }),
    );
  }
  for (const t of xTicks) {
    const x = sx(t);
    grid.push(el('line', { x1: x, x2: x, y1: top, y2: bottom, stroke: '#f0f0f0' }));
    grid.push(el('line', { x1: x, x2: x, y1: bottom, y2: bottom + 5, stroke: '#333' }));
    labels.push(
      text(t.toFixed(xAxis.decimals), {
        x,
        y: bottom + 18,
        'text-anchor': 'middle',
        'font-size': FONT.tick,
        fill: '#333',
      }),
    );
  }
  out.push(el('g', { class: 'grid' }, ...grid));
  out.push(el('rect', { x: left, y: top, width: right - left, height: bottom - top, fill: 'none', stroke: '#333' }));
  out.push(el('g', { class: 'tick-labels' }, ...labels));
  if (panel.xLabel)
    out.push(
      text(panel.xLabel, {
        class: 'axis-label',
        x: (left + right) / 2,
        y: oy + height - 12,
        'text-anchor': 'middle',
        'font-size': FONT.label,
      }),
    );
  if (panel.yLabel) {
    const cx = ox + 18;
    const cy = (top + bottom) / 2;
    out.push(
      text(panel.yLabel, {
        class: 'axis-label',
        x: cx,
        y: cy,
        'text-anchor': 'middle',
        'font-size': FONT.label,
        transform: `rotate(-90 ${num(cx)} ${num(cy)})`,
      }),
    );
  }

  // Series, clipped to the frame (a fixed yDomain may cut values off).
  const clipId = `frame-${index}`;
  out.push(el('clipPath', { id: clipId }, el('rect', { x: left, y: top, width: right - left, height: bottom - top })));
  const legend: string[] = [];
  let lx = left;
  panel.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const dash = s.dashed ? '6 4' : undefined;
    const { d, points } = pathData(xsOf(s), s.y, sx, sy);
    const body = [
      el('path', {
        class: 'series',
        'data-series': s.label,
        d,
        fill: 'none',
        stroke: color,
        'stroke-width': 2,
        'stroke-dasharray': dash,
        'stroke-linejoin': 'round',
      }),
    ];
    if (points.length <= markersUpTo) {
      for (const [px, py] of points) body.push(el('circle', { cx: px, cy: py, r: 3, fill: color }));
    }
    out.push(el('g', { 'data-series': s.label, 'clip-path': `url(#${clipId})` }, ...body));
    // Legend: a row under the title, entries side by side (never over the data).
    const ly = oy + 42;
    legend.push(
      el('line', {
        x1: lx,
        x2: lx + 24,
        y1: ly - 4,
        y2: ly - 4,
        stroke: color,
        'stroke-width': 2,
        'stroke-dasharray': dash,
      }),
    );
    legend.push(text(s.label, { x: lx + 30, y: ly, 'font-size': FONT.legend, fill: '#222' }));
    lx += 30 + s.label.length * 7 + 22;
  });
  out.push(el('g', { class: 'legend' }, ...legend));
  out.push('</g>');
  return out;
}

/**
 * An SVG document with `panels` laid out in a grid.
 *
 * @example
 * ```ts
 * const svg = fe.plot.lineChart([{ title: 'Loss', series: [{ label: 'train', y: [0.9, 0.5, 0.4] }] }]);
 * svg.includes('<path'); // true
 * ```
 */
export function lineChart(panels: LinePanel[], opts: LineChartOptions = {}): string {
  if (!Array.isArray(panels) || panels.length === 0)
    throw new Error('ferrite: plot.lineChart: needs at least one panel');
  panels.forEach((p, i) => {
    if (!p || !Array.isArray(p.series) || p.series.length === 0)
      throw new Error(`ferrite: plot.lineChart: panel ${i} has no series`);
    p.series.forEach((s) => {
      if (s.x && s.x.length !== s.y.length)
        throw new Error(
          `ferrite: plot.lineChart: series '${s.label}' has ${s.x.length} x values for ${s.y.length} y values`,
        );
    });
  });
  const { panelWidth = 480, panelHeight = 360, markersUpTo = 40 } = opts;
  const columns = Math.max(1, Math.min(opts.columns ?? panels.length, panels.length));
  const rows = Math.ceil(panels.length / columns);
  const titleH = opts.title ? TITLE_HEIGHT : 0;
  const width = columns * panelWidth;
  const height = titleH + rows * panelHeight;
  const body: string[] = [el('rect', { width, height, fill: 'white' })];
  if (opts.title)
    body.push(
      text(opts.title, {
        x: width / 2,
        y: 22,
        'text-anchor': 'middle',
        'font-size': FONT.title + 1,
        'font-weight': 'bold',
      }),
    );
  panels.forEach((p, i) => {
    const ox = (i % columns) * panelWidth;
    const oy = titleH + Math.floor(i / columns) * panelHeight;
    // Each panel restarts the palette, so training is blue and validation orange in every one.
    body.push(...panelSvg(p, i, ox, oy, panelWidth, panelHeight, markersUpTo));
  });
  return svgDocument(width, height, body);
}
