// tfjs-vis's `render`: bar charts, histograms, confusion matrices and tables, in a page
// (uPlot and HTML tables) or, in Node, as SVG files (plot.barChart, plot.heatmap, plot.table).

import { barChart, type Bar } from '../plot/bar-chart.js';
import { heatmap } from '../plot/heatmap.js';
import { table as tableSvg } from '../plot/table.js';
import { writeTextFile } from '../plot/history.js';
import { drawBars, drawHeatmap, drawTable } from './dom-charts.js';
import { resolveTarget, type Drawable } from './surface.js';
import { binLabel, histogramBins, numbersOf, type Values, type ValueStats } from './values.js';

/** Size and axis labels of a chart. */
export interface ChartOptions {
  /** Width in px. */
  width?: number;
  /** Height in px. */
  height?: number;
  /** The x axis label. */
  xLabel?: string;
  /** The y axis label. */
  yLabel?: string;
}

/**
 * Bars, one per `{index, value}` (index: a label or number), as tfjs-vis's `render.barchart`.
 *
 * @example
 * ```ts
 * await fe.vis.render.barchart('counts.svg', [{ index: 'cat', value: 3 }, { index: 'dog', value: 5 }]); // or { name: 'Counts' } in a page
 * ```
 */
export async function barchart(
  container: Drawable,
  data: { index: number | string; value: number }[],
  opts: ChartOptions = {},
): Promise<void> {
  if (!Array.isArray(data) || data.length === 0)
    throw new Error('ferrite: vis.render.barchart: data must be a non-empty array of {index, value}');
  const bars: Bar[] = data.map((d, i) => {
    if (!d || !Number.isFinite(d.value))
      throw new Error(`ferrite: vis.render.barchart: data[${i}].value is ${d?.value}; expected a finite number`);
    return { label: String(d.index), value: d.value };
  });
  await drawBarsAt(container, bars, opts, 'render.barchart');
}

async function drawBarsAt(container: Drawable, bars: Bar[], opts: ChartOptions & { title?: string }, who: string) {
  const target = resolveTarget(container, who);
  if (target.kind === 'dom') await drawBars(target.el, bars, opts);
  else writeTextFile(target.path, barChart(bars, opts), `vis.${who}`);
}

/** Options of {@link histogram}. */
export interface HistogramOptions extends ChartOptions {
  /** Number of equal bins between the smallest and largest value. Default 12. */
  maxBins?: number;
  /** Show the count, min, max, zeros and NaNs above the chart. Default true. */
  stats?: boolean;
}

const statsLine = (s: ValueStats) =>
  `${s.numVals} values, min ${Number(s.min.toPrecision(4))}, max ${Number(s.max.toPrecision(4))}, ${s.numZeros} zeros, ${s.numNans} NaN`;

/**
 * A histogram of values (a tensor's: the weights of a layer, activations), as tfjs-vis's
 * `render.histogram`. NaN and infinities are counted, not binned.
 *
 * @example
 * ```ts
 * const stats = await fe.vis.render.histogram('weights.svg', fe.randomNormal([1000]), { maxBins: 20 });
 * stats.numVals; // 1000
 * ```
 */
export async function histogram(container: Drawable, data: Values, opts: HistogramOptions = {}): Promise<ValueStats> {
  const values = numbersOf(data, 'render.histogram');
  const { bins, stats } = histogramBins(values, opts.maxBins ?? 12);
  if (bins.length === 0)
    throw new Error(`ferrite: vis.render.histogram: no finite values to bin (${statsLine(stats)})`);
  const bars = bins.map((b) => ({ label: binLabel(b), value: b.count }));
  const title = opts.stats === false ? undefined : statsLine(stats);
  await drawBarsAt(container, bars, { yLabel: 'count', ...opts, title }, 'render.histogram');
  return stats;
}

/** A confusion matrix to draw: counts per (true, predicted) class, and the class names. */
export interface ConfusionMatrixData {
  /** values[true][predicted]: the counts. */
  values: number[][];
  /** The class names (default 0, 1, ...). */
  tickLabels?: string[];
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Shade the diagonal (right predictions). Default true; false makes the mistakes stand out. */
  shadeDiagonal?: boolean;
  /** Write each count in its cell. Default true. */
  showTextOverlay?: boolean;
  /** A title above the chart. */
  title?: string;
}

/**
 * A confusion matrix as a heatmap (rows: true class, columns: predicted), as tfjs-vis's
 * `render.confusionMatrix`: an HTML table in a page, an SVG file in Node.
 *
 * @example
 * ```ts
 * const values = await fe.vis.metrics.confusionMatrix([0, 1, 1, 0], [0, 1, 0, 0]);
 * await fe.vis.render.confusionMatrix('confusion.svg', { values, tickLabels: ['cat', 'dog'] });
 * ```
 */
export async function confusionMatrix(
  container: Drawable,
  data: ConfusionMatrixData,
  opts: ConfusionMatrixOptions = {},
): Promise<void> {
  const values = data?.values;
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.some((r) => !Array.isArray(r) || r.length !== values.length)
  )
    throw new Error(
      'ferrite: vis.render.confusionMatrix: values must be a square, non-empty number[][] (classes x classes)',
    );
  const labels = data.tickLabels ?? values.map((_, i) => String(i));
  if (labels.length !== values.length)
    throw new Error(`ferrite: vis.render.confusionMatrix: ${labels.length} tickLabels for ${values.length} classes`);
  const target = resolveTarget(container, 'render.confusionMatrix');
  const shadeDiagonal = opts.shadeDiagonal ?? true;
  const showValues = opts.showTextOverlay ?? true;
  if (target.kind === 'dom')
    drawHeatmap(target.el, values, {
      xTickLabels: labels,
      yTickLabels: labels,
      shadeDiagonal,
      showValues,
      title: opts.title,
    });
  else
    writeTextFile(
      target.path,
      heatmap(values, {
        title: opts.title,
        xTickLabels: labels,
        yTickLabels: labels,
        xLabel: 'Predicted',
        yLabel: 'True',
        shadeDiagonal,
        showValues,
      }),
      'vis.render.confusionMatrix',
    );
}

/** A table: column headers and rows of cells. */
export interface TableData {
  /** The column headers. */
  headers: string[];
  /** The rows of cells. */
  values: (string | number)[][];
}

/**
 * A table, as tfjs-vis's `render.table`: an HTML table in a page, an SVG file in Node.
 *
 * @example
 * ```ts
 * await fe.vis.render.table('results.svg', { headers: ['run', 'accuracy'], values: [['a', 0.91], ['b', 0.87]] });
 * ```
 */
export async function table(container: Drawable, data: TableData, opts: { title?: string } = {}): Promise<void> {
  if (!data || !Array.isArray(data.headers) || !Array.isArray(data.values))
    throw new Error('ferrite: vis.render.table: data must be {headers: string[], values: (string | number)[][]}');
  data.values.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== data.headers.length)
      throw new Error(`ferrite: vis.render.table: row ${i} has ${r?.length} cells for ${data.headers.length} headers`);
  });
  const target = resolveTarget(container, 'render.table');
  if (target.kind === 'dom') drawTable(target.el, data.headers, data.values, opts.title);
  else writeTextFile(target.path, tableSvg(data.headers, data.values, opts), 'vis.render.table');
}
