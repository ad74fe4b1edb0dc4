// show.fitCallbacks: callbacks that chart loss and metrics while a model trains, per batch
// and per epoch, as tfjs-vis's. The same object works with `model.fit` and with a
// background trainer's `fit` (worker.create): both call plain hooks with plain-number logs.
// In a page the charts redraw at most once a frame; in Node the SVG file is rewritten
// at the end of every epoch and of training.

import type { CustomCallbackArgs, Logs } from '../training/callbacks.js';
import type { ChartSize } from './dom-charts.js';
import { groupMetrics, logValue, renderLines, type LineSection } from './lines.js';
import { resolveTarget, type Drawable } from './surface.js';
import { loadUPlot } from './uplot.js';

/** Options of {@link fitCallbacks}. */
export interface FitCallbacksOptions {
  /** Which hooks draw: 'onBatchEnd' (values per batch) and/or 'onEpochEnd' (per epoch, with validation). Default both. */
  callbacks?: ('onBatchEnd' | 'onEpochEnd')[];
  /** Chart size in px (SVG panels default to 480 x 360, page charts to the container's width x 220). */
  width?: number;
  /** Chart height in px. */
  height?: number;
  /** A fixed y range for every chart, e.g. [0, 1]. */
  yAxisDomain?: [number, number];
}

/**
 * Callbacks that draw `metrics` (e.g. ['loss', 'acc']) while fit runs: per batch (x: batches
 * since the start) and per epoch (x: epoch from 1, with the `val_` curves when validating).
 * One chart per metric. Pass the result as fit's `callbacks`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const callbacks = fe.vis.show.fitCallbacks('training.svg', ['loss']); // in a page: a div or { name, tab }
 * await m.fit(x, x, { epochs: 3, validationSplit: 0.25, verbose: 0, callbacks }); // training.svg redrawn each epoch
 * ```
 */
export function fitCallbacks(
  container: Drawable,
  metrics: string[],
  opts: FitCallbacksOptions = {},
): CustomCallbackArgs {
  if (!Array.isArray(metrics) || metrics.length === 0 || metrics.some((m) => typeof m !== 'string'))
    throw new Error(
      "ferrite: vis.show.fitCallbacks: metrics must be a non-empty array of log names, e.g. ['loss', 'acc']",
    );
  const hooks = opts.callbacks ?? ['onEpochEnd', 'onBatchEnd'];
  for (const h of hooks)
    if (h !== 'onBatchEnd' && h !== 'onEpochEnd')
      throw new Error(`ferrite: vis.show.fitCallbacks: callbacks may name 'onBatchEnd' and 'onEpochEnd'; got '${h}'`);
  const target = resolveTarget(container, 'show.fitCallbacks');
  const size: ChartSize = { width: opts.width, height: opts.height, yAxisDomain: opts.yAxisDomain };

  const base = metrics.filter((m) => !m.startsWith('val_'));
  const batch: LineSection = {
    name: 'batch',
    xLabel: 'batch',
    groups: groupMetrics(base),
    x: [],
    values: Object.fromEntries(base.map((m) => [m, []])),
  };
  // Per epoch: each metric with its validation curve (drawn when logged).
  const epochNames = [...new Set(metrics.flatMap((m) => (m.startsWith('val_') ? [m] : [m, `val_${m}`])))];
  const epoch: LineSection = {
    name: 'epoch',
    xLabel: 'epoch',
    groups: groupMetrics(epochNames),
    x: [],
    values: Object.fromEntries(epochNames.map((m) => [m, []])),
  };
  const sections = [...(hooks.includes('onBatchEnd') ? [batch] : []), ...(hooks.includes('onEpochEnd') ? [epoch] : [])];
  const record = (s: LineSection, x: number, logs: Logs | undefined) => {
    s.x.push(x);
    for (const name of Object.keys(s.values)) s.values[name].push(logValue(logs, name));
  };

  // Page: redraw at most once per frame; an error drawing (uPlot missing) fails the next hook.
  let scheduled = false;
  let failure: unknown = null;
  let uPlotLoaded = false;
  const draw = () =>
    renderLines(target, sections, size, 'show.fitCallbacks').catch((e) => {
      failure ??= e;
    });
  const schedule = (): void | Promise<void> => {
    if (failure !== null) throw failure;
    if (target.kind === 'svg') return;
    // The first hook waits for uPlot, so a page without it fails fit with how to add it.
    if (!uPlotLoaded)
      return loadUPlot().then(() => {
        uPlotLoaded = true;
        return draw();
      });
    if (scheduled) return;
    scheduled = true;
    const frame =
      typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: () => void) => setTimeout(f, 16);
    frame(() => {
      scheduled = false;
      void draw();
    });
  };

  const callbacks: CustomCallbackArgs = {
    onTrainEnd: () => (target.kind === 'svg' ? draw() : schedule()),
  };
  if (hooks.includes('onBatchEnd'))
    callbacks.onBatchEnd = (_b, logs) => {
      record(batch, batch.x.length + 1, logs);
      return schedule();
    };
  if (hooks.includes('onEpochEnd'))
    callbacks.onEpochEnd = (e, logs) => {
      record(epoch, e + 1, logs);
      return target.kind === 'svg' ? draw() : schedule();
    };
  return callbacks;
}
