// Charts in a page: line and bar charts drawn by uPlot, tables and heatmaps as HTML
// tables. Each chart is a div carrying what it shows as data attributes (`data-points`,
// `data-series`), so a page (or a test) can see charts grow without reading canvases.

import { PALETTE } from '../plot/line-chart.js';
import { blueShade, cellText } from '../plot/heatmap.js';
import type { Bar } from '../plot/bar-chart.js';
import { childDiv } from './surface.js';
import { loadUPlot, type UPlotChart } from './uplot.js';

/** Series drawn together on one chart. */
export interface LineGroup {
  title: string;
  series: string[];
}

export interface ChartSize {
  width?: number;
  height?: number;
  /** Fixed y range of every chart. */
  yAxisDomain?: [number, number];
  xLabel?: string;
}

/** The charts of one area: one uPlot per group, made on the first draw and fed new data after. */
class LineCharts {
  private charts = new Map<string, { plot: UPlotChart; box: HTMLElement; series: string[] }>();
  constructor(private readonly el: HTMLElement) {}

  async draw(groups: LineGroup[], x: number[], values: Record<string, (number | null)[]>, opts: ChartSize) {
    const uPlot = await loadUPlot();
    for (const g of groups) {
      const key = `${g.title}\u0000${g.series.join(',')}`;
      let chart = this.charts.get(key);
      if (chart === undefined) {
        const box = document.createElement('div');
        box.className = 'ferrite-vis-chart';
        box.dataset.title = g.title;
        box.dataset.series = g.series.join(',');
        this.el.append(box);
        const width = opts.width ?? Math.max(280, Math.min(520, this.el.clientWidth || 400));
        const plot = new uPlot(
          {
            title: g.title,
            width,
            height: opts.height ?? 220,
            scales: { x: { time: false }, y: opts.yAxisDomain ? { range: opts.yAxisDomain } : {} },
            // Epochs are whole numbers: no 1.25 ticks.
            axes: [
              { label: opts.xLabel ?? '', incrs: opts.xLabel === 'epoch' ? [1, 2, 5, 10, 20, 50, 100] : undefined },
              {},
            ],
            series: [
              { label: opts.xLabel ?? 'x' },
              ...g.series.map((s, i) => ({
                label: s,
                stroke: PALETTE[i % PALETTE.length],
                width: 2,
                spanGaps: true,
                dash: s.startsWith('val_') ? [6, 4] : undefined,
                // Dots while there are few points (and always on validation, once per epoch).
                points: { show: (u: { data: unknown[][] }) => s.startsWith('val_') || u.data[0].length <= 40, size: 6 },
              })),
            ],
          },
          [[]],
          box,
        );
        chart = { plot, box, series: g.series };
        this.charts.set(key, chart);
      }
      const ys = chart.series.map((s) => values[s] ?? x.map(() => null));
      chart.plot.setData([x, ...ys]);
      // Points with a value in any series: what the chart shows so far.
      chart.box.dataset.points = String(x.filter((_, i) => ys.some((y) => y[i] != null)).length);
    }
  }
}

const lineCharts = new WeakMap<HTMLElement, LineCharts>();

/**
 * Draws (or redraws with new data) one line chart per group in `el`. Series values may
 * be null where a series has no value at that x (validation values once per epoch).
 */
export function drawLines(
  el: HTMLElement,
  groups: LineGroup[],
  x: number[],
  values: Record<string, (number | null)[]>,
  opts: ChartSize = {},
): Promise<void> {
  let charts = lineCharts.get(el);
  if (charts === undefined) {
    charts = new LineCharts(el);
    lineCharts.set(el, charts);
  }
  return charts.draw(groups, x, values, opts);
}

/** A bar chart (uPlot's bars) in `el`, replacing what a previous call drew there. */
export async function drawBars(el: HTMLElement, bars: Bar[], opts: ChartSize & { title?: string; yLabel?: string }) {
  const uPlot = await loadUPlot();
  const box = childDiv(el, 'ferrite-vis-chart');
  box.replaceChildren();
  box.dataset.points = String(bars.length);
  box.dataset.values = bars.map((b) => b.value).join(',');
  const labels = bars.map((b) => b.label);
  const bar = uPlot.paths?.bars?.({ size: [0.8, 64] });
  new uPlot(
    {
      title: opts.title ?? '',
      width: opts.width ?? Math.max(280, Math.min(520, el.clientWidth || 400)),
      height: opts.height ?? 220,
      scales: { x: { time: false, range: (_u: unknown, lo: number, hi: number) => [lo - 0.5, hi + 0.5] } },
      axes: [
        {
          label: opts.xLabel ?? '',
          values: (_u: unknown, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? (labels[t] ?? '') : '')),
        },
        { label: opts.yLabel ?? '' },
      ],
      series: [
        { label: opts.xLabel ?? 'bar', value: (_u: unknown, v: number | null) => (v == null ? '' : (labels[v] ?? '')) },
        {
          label: opts.yLabel ?? 'value',
          fill: `${PALETTE[0]}cc`,
          stroke: PALETTE[0],
          paths: bar,
          points: { show: false },
        },
      ],
    },
    [bars.map((_, i) => i), bars.map((b) => b.value)],
    box,
  );
}

/** An HTML table (class ferrite-vis-table) in `el`, replacing a previous one. */
export function drawTable(el: HTMLElement, headers: string[], rows: (string | number)[][], caption?: string) {
  const table = document.createElement('table');
  table.className = 'ferrite-vis-table';
  if (caption !== undefined) table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of r) {
      const td = tr.insertCell();
      td.textContent = typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v);
      if (typeof v === 'number') td.style.textAlign = 'right';
    }
  }
  el.replaceChildren(table);
  return table;
}

/**
 * A heatmap as an HTML table: rows of cells shaded by value with the values written in.
 * Shades scale to the largest value (off the diagonal only, when `shadeDiagonal` is false).
 */
export function drawHeatmap(
  el: HTMLElement,
  values: number[][],
  opts: { xTickLabels: string[]; yTickLabels: string[]; shadeDiagonal: boolean; showValues: boolean; title?: string },
) {
  const table = document.createElement('table');
  table.className = 'ferrite-vis-heatmap';
  if (opts.title) table.createCaption().textContent = opts.title;
  const shaded = (i: number, j: number) => opts.shadeDiagonal || i !== j;
  const hi = Math.max(1e-12, ...values.flatMap((r, i) => r.filter((_, j) => shaded(i, j))));
  const head = table.createTHead().insertRow();
  head.append(document.createElement('th'));
  for (const t of opts.xTickLabels) {
    const th = document.createElement('th');
    th.textContent = t;
    head.append(th);
  }
  const body = table.createTBody();
  values.forEach((r, i) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.textContent = opts.yTickLabels[i];
    tr.append(th);
    r.forEach((v, j) => {
      const td = tr.insertCell();
      const t = shaded(i, j) ? v / hi : 0;
      td.style.background = blueShade(t);
      td.style.color = t > 0.5 ? 'white' : '#222';
      td.style.textAlign = 'center';
      td.style.minWidth = '2.2em';
      td.dataset.value = String(v);
      if (opts.showValues) td.textContent = cellText(v);
    });
  });
  el.replaceChildren(table);
  return table;
}
