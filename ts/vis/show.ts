// tfjs-vis's `show`: training charts (fitCallbacks, history), a model's summary as a
// table, per-class accuracy and a tensor's distribution of values.

import type { SummarizedModel } from '../models/summary.js';
import { paramCounts, summaryRows, withThousands } from '../models/summary.js';
import type { Tensor } from '../tensor/tensor.js';
import { groupMetrics, renderLines, logValue } from './lines.js';
import { histogram, table, type HistogramOptions } from './render.js';
import type { ClassAccuracy } from './metrics.js';
import { resolveTarget, type Drawable } from './surface.js';
import type { ValueStats } from './values.js';

export { fitCallbacks, type FitCallbacksOptions } from './fit-callbacks.js';

/** A History (what fit returns, or a trainer's), or the epoch logs as an array. */
export type HistoryInput =
  | {
      /** Each log's value per epoch. */
      history: Record<string, number[]>;
      /** The epoch numbers (0-based); default 0, 1, ... */
      epoch?: number[];
    }
  | Record<string, number>[];

/** Options of {@link history}. */
export interface HistoryOptions {
  /** Width of each chart in px. */
  width?: number;
  /** Height of each chart in px. */
  height?: number;
  /** A fixed y range for every chart, e.g. [0, 1]. */
  yAxisDomain?: [number, number];
}

/**
 * Draws the values of a finished training per epoch: one chart per metric, with its
 * `val_` curve when named (e.g. ['loss', 'val_loss', 'acc', 'val_acc']).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const h = await m.fit(x, x, { epochs: 5, validationSplit: 0.25, verbose: 0 });
 * await fe.vis.show.history('history.svg', h, ['loss', 'val_loss']); // in a page: { name: 'History' }
 * ```
 */
export async function history(
  container: Drawable,
  history: HistoryInput,
  metrics: string[],
  opts: HistoryOptions = {},
): Promise<void> {
  if (!Array.isArray(metrics) || metrics.length === 0)
    throw new Error(
      "ferrite: vis.show.history: metrics must be a non-empty array of log names, e.g. ['loss', 'val_loss']",
    );
  let logs: Record<string, number>[];
  let x: number[];
  if (Array.isArray(history)) {
    logs = history;
    x = history.map((_, i) => i + 1);
  } else if (history && typeof history.history === 'object' && history.history !== null) {
    const h = history.history;
    const n = Math.max(0, ...Object.values(h).map((v) => v.length));
    logs = Array.from({ length: n }, (_, i) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v[i]])));
    x = history.epoch && history.epoch.length === n ? history.epoch.map((e) => e + 1) : logs.map((_, i) => i + 1);
  } else throw new Error('ferrite: vis.show.history: expects a History (what fit returns) or an array of epoch logs');
  for (const m of metrics)
    if (!logs.some((l) => logValue(l, m) !== null))
      throw new Error(
        `ferrite: vis.show.history: no '${m}' in the history; it holds ${Object.keys(logs[0] ?? {}).join(', ') || 'nothing'}`,
      );
  const values = Object.fromEntries(metrics.map((m) => [m, logs.map((l) => logValue(l, m))]));
  const target = resolveTarget(container, 'show.history');
  await renderLines(
    target,
    [{ name: 'epoch', xLabel: 'epoch', groups: groupMetrics(metrics), x, values }],
    opts,
    'show.history',
  );
}

/**
 * A model's layers as a table (name, type, output shape, parameters, trainable) with the
 * parameter totals, as tfjs-vis's `show.modelSummary` (Keras's `model.summary()` as a table).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 8, inputShape: [4] }), fe.layers.dense({ units: 1 })] });
 * await fe.vis.show.modelSummary('summary.svg', m); // a table of layers, output shapes and parameters
 * ```
 */
export async function modelSummary(container: Drawable, model: SummarizedModel): Promise<void> {
  if (!model || typeof (model as { getClassName?: unknown }).getClassName !== 'function')
    throw new Error('ferrite: vis.show.modelSummary: expects a model (sequential() or model())');
  const rows = summaryRows(model).map((r) => [r.name, r.className, r.outputShape, r.params, String(r.trainable)]);
  const { trainable, nonTrainable } = paramCounts(model);
  const title = `Model "${model.name}": ${withThousands(trainable + nonTrainable)} parameters (${withThousands(trainable)} trainable)`;
  await table(
    container,
    { headers: ['Layer Name', 'Type', 'Output Shape', '# Of Params', 'Trainable'], values: rows },
    { title },
  );
}

/**
 * Per-class accuracy (from `vis.metrics.perClassAccuracy`) as a table of class, accuracy
 * and sample count, as tfjs-vis's `show.perClassAccuracy`.
 *
 * @example
 * ```ts
 * const acc = await fe.vis.metrics.perClassAccuracy([0, 1, 1], [0, 1, 0]);
 * await fe.vis.show.perClassAccuracy('per-class.svg', acc, ['cat', 'dog']);
 * ```
 */
export async function perClassAccuracy(
  container: Drawable,
  classAccuracy: ClassAccuracy[],
  classLabels?: string[],
): Promise<void> {
  if (!Array.isArray(classAccuracy))
    throw new Error(
      'ferrite: vis.show.perClassAccuracy: expects [{accuracy, count}] per class (vis.metrics.perClassAccuracy)',
    );
  if (classLabels !== undefined && classLabels.length !== classAccuracy.length)
    throw new Error(
      `ferrite: vis.show.perClassAccuracy: ${classLabels.length} labels for ${classAccuracy.length} classes`,
    );
  const values = classAccuracy.map((c, i) => [classLabels?.[i] ?? String(i), c.accuracy, c.count]);
  await table(container, { headers: ['Class', 'Accuracy', '# Samples'], values });
}

/**
 * A histogram of a tensor's values with their count, range, zeros and NaNs, as tfjs-vis's
 * `show.valuesDistribution` (a layer's weights: `layer.getWeights()[0]`).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 16, inputShape: [8] })] });
 * await fe.vis.show.valuesDistribution('kernel.svg', m.layers[0].getWeights()[0]); // a histogram of the kernel
 * ```
 */
export function valuesDistribution(
  container: Drawable,
  tensor: Tensor,
  opts: HistogramOptions = {},
): Promise<ValueStats> {
  resolveTarget(container, 'show.valuesDistribution');
  return histogram(container, tensor, opts);
}
