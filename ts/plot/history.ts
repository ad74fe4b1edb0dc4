// plotHistory: the training curves of a History (what `fit` returns) as an SVG chart,
// one panel per metric with its validation curve, as Keras users draw them with
// matplotlib after `model.fit(..., validation_data=...)`.

import { nodeBuiltin } from '../data/source.js';
import { lineChart, type LinePanel } from './line-chart.js';

/**
 * What plotHistory reads: `History` from `fit`, or any object of the same shape.
 *
 * @example
 * ```ts
 * const svg = fe.plot.plotHistory({ history: { loss: [1, 0.5, 0.3], val_loss: [1.1, 0.7, 0.6] } });
 * svg.startsWith('<?xml'); // true: an SVG document
 * ```
 */
export interface HistoryLike {
  /** Values per epoch, by log name ('loss', 'accuracy', 'val_loss', ...). */
  history: Record<string, number[]>;
  /** The epoch index of each entry (from 0), as History records it. */
  epoch?: number[];
}

/**
 * Options of `plot.plotHistory`.
 *
 * @example
 * ```ts
 * const history = { history: { acc: [0.5, 0.8], loss: [0.9, 0.4] } };
 * fe.plot.plotHistory(history, { metrics: ['acc'], title: 'Accuracy', path: 'acc.svg', panelWidth: 400 }); // writes acc.svg
 * ```
 */
export interface PlotHistoryOptions {
  /**
   * Metrics to draw, one panel each, with its 'val_' curve when logged (e.g.
   * ['accuracy', 'loss']). Default: every logged metric, then the loss.
   */
  metrics?: string[];
  /** Write the SVG to this file (Node; directories are created). */
  path?: string;
  /** A title above the panels. */
  title?: string;
  /** Width of one panel, px. Default 480. */
  panelWidth?: number;
  /** Height of one panel, px. Default 360. */
  panelHeight?: number;
}

/** 'val_accuracy' -> 'Val accuracy'; 'loss' -> 'Loss'. */
function titleCase(name: string): string {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The default panels: logged metrics in their order, the loss last. */
function defaultMetrics(keys: string[]): string[] {
  const base = keys.filter((k) => !k.startsWith('val_'));
  // A validation-only log (val_x without x) still gets a panel.
  for (const k of keys) if (k.startsWith('val_') && !base.includes(k.slice(4))) base.push(k.slice(4));
  return [...base.filter((k) => k !== 'loss'), ...base.filter((k) => k === 'loss')];
}

/**
 * Draws `history`'s curves per epoch (x from 1) and returns the SVG document; with
 * `path`, also writes it there (Node). Training curves are solid, validation curves
 * dashed, in matplotlib's colours.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const history = await m.fit(x, x, { epochs: 10, validationSplit: 0.25, verbose: 0 });
 * fe.plot.plotHistory(history, { path: 'training.svg' }); // the loss and val_loss curves
 * ```
 */
export function plotHistory(history: HistoryLike, opts: PlotHistoryOptions = {}): string {
  if (!history || typeof history.history !== 'object' || history.history === null) {
    throw new Error('ferrite: plotHistory: expects a History (what fit returns) or {history: {loss: [...], ...}}');
  }
  const logs = history.history;
  const keys = Object.keys(logs);
  const metrics = opts.metrics ?? defaultMetrics(keys);
  if (metrics.length === 0)
    throw new Error('ferrite: plotHistory: the history is empty (train for at least one epoch first)');
  const panels: LinePanel[] = metrics.map((m) => {
    const names = [m, `val_${m}`].filter((k) => logs[k] !== undefined);
    if (names.length === 0)
      throw new Error(
        `ferrite: plotHistory: no '${m}' in the history; it holds ${keys.length ? keys.join(', ') : 'nothing'}`,
      );
    return {
      title: titleCase(m),
      xLabel: 'Epoch',
      yLabel: m,
      series: names.map((k) => {
        const y = logs[k];
        // Epochs counted from 1, as fit's progress prints them. A log with fewer entries
        // than epochs (validationFreq > 1) is drawn at its own positions 1..n.
        const x = history.epoch && history.epoch.length === y.length ? history.epoch.map((e) => e + 1) : undefined;
        return { label: k, y, x, dashed: k.startsWith('val_') };
      }),
    };
  });
  const svg = lineChart(panels, { title: opts.title, panelWidth: opts.panelWidth, panelHeight: opts.panelHeight });
  if (opts.path !== undefined) writeTextFile(opts.path, svg, 'plotHistory');
  return svg;
}

/** Writes `contents` to `path`, creating its directory (Node only). */
export function writeTextFile(path: string, contents: string, what: string): void {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  const pathMod = nodeBuiltin<typeof import('node:path')>('node:path');
  if (!fs || !pathMod) {
    throw new Error(
      `ferrite: ${what}: writing a file needs Node (>= 20.16); elsewhere use the returned SVG string (e.g. in a Blob URL)`,
    );
  }
  fs.mkdirSync(pathMod.dirname(path), { recursive: true });
  fs.writeFileSync(path, contents);
}
