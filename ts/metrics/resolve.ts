// Turning what users write in `compile({metrics: [...]})` into metric objects, the way
// Keras does: 'accuracy' depends on the loss and the output shape.

import * as fns from './functions.js';
import * as ranking from './ranking.js';
import { AUC, R2Score, TopKAccuracy } from './ranking.js';
import { categoricalHinge, hinge, squaredHinge } from '../losses/hinge.js';
import * as prob from '../losses/probabilistic.js';
import {
  Accuracy,
  ClassificationScore,
  MeanMetricWrapper,
  type AccuracyKind,
  type Metric,
  type MetricFn,
} from './metric.js';

/**
 * What `compile` accepts as a metric: a name, a metric function or a metric object.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
 * m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy', fe.metrics.recall, new fe.metrics.AUC()] });
 * m.metricsNames; // ['loss', 'acc', 'recall', 'auc']
 * ```
 */
export type MetricIdentifier = string | MetricFn | Metric;

/** What the loss says about the labels. */
type LossKind = 'binary' | 'sparse' | 'categorical' | 'other';

/** 'sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy' -> 'sparsecategoricalcrossentropy'. */
function canonical(name: string): string {
  return name.replace(/[_\s-]/g, '').toLowerCase();
}

function lossKind(loss: unknown): LossKind {
  const name =
    typeof loss === 'string'
      ? loss
      : typeof loss === 'function'
        ? loss.name
        : (loss as { name?: string } | undefined)?.name;
  switch (canonical(name ?? '')) {
    case 'binarycrossentropy':
    case 'bce':
      return 'binary';
    case 'sparsecategoricalcrossentropy':
      return 'sparse';
    case 'categoricalcrossentropy':
    case 'cce':
      return 'categorical';
    default:
      return 'other';
  }
}

/**
 * Keras's choice for 'accuracy': binary accuracy for a single-unit output or a binary
 * cross-entropy loss, sparse categorical for a sparse categorical cross-entropy loss,
 * categorical for a categorical one; otherwise decided per batch from the labels' shape.
 */
function accuracyKind(loss: LossKind, lastDim: number | null | undefined): AccuracyKind {
  if (loss === 'binary' || lastDim === 1) return 'binary';
  if (loss === 'sparse') return 'sparseCategorical';
  if (loss === 'categorical') return 'categorical';
  return 'auto';
}

type Factory = (name: string, loss: LossKind, lastDim: number | null | undefined) => Metric;

// Precision, recall and F1: binary for a single-unit output or binary cross-entropy,
// macro-averaged over classes for a multi-class output.
const score =
  (s: 'precision' | 'recall' | 'f1'): Factory =>
  (name, loss, lastDim) => {
    const mode =
      loss === 'binary' || lastDim === 1 ? 'binary' : (lastDim ?? 0) > 1 || loss !== 'other' ? 'macro' : 'auto';
    return new ClassificationScore(name, s, mode);
  };

const BY_NAME: Record<string, Factory> = {
  accuracy: (name, loss, lastDim) => new Accuracy(name, accuracyKind(loss, lastDim)),
  acc: (name, loss, lastDim) => new Accuracy(name, accuracyKind(loss, lastDim)),
  binaryaccuracy: (name) => new Accuracy(name, 'binary'),
  categoricalaccuracy: (name) => new Accuracy(name, 'categorical'),
  sparsecategoricalaccuracy: (name) => new Accuracy(name, 'sparseCategorical'),
  precision: score('precision'),
  recall: score('recall'),
  f1: score('f1'),
  f1score: score('f1'),
  macroprecision: (name) => new ClassificationScore(name, 'precision', 'macro'),
  macrorecall: (name) => new ClassificationScore(name, 'recall', 'macro'),
  macrof1: (name) => new ClassificationScore(name, 'f1', 'macro'),
  mse: (name) => new MeanMetricWrapper(name, fns.meanSquaredError),
  meansquarederror: (name) => new MeanMetricWrapper(name, fns.meanSquaredError),
  mae: (name) => new MeanMetricWrapper(name, fns.meanAbsoluteError),
  meanabsoluteerror: (name) => new MeanMetricWrapper(name, fns.meanAbsoluteError),
  auc: (name) => new AUC(name),
  topkcategoricalaccuracy: (name) => new TopKAccuracy(name, 'onehot'),
  sparsetopkcategoricalaccuracy: (name) => new TopKAccuracy(name, 'sparse'),
  r2score: (name) => new R2Score(name),
  // Losses usable as metrics (Keras accepts them by name), averaged over examples.
  ...lossMetrics({
    meanAbsolutePercentageError: prob.meanAbsolutePercentageError,
    mape: prob.meanAbsolutePercentageError,
    meanSquaredLogarithmicError: prob.meanSquaredLogarithmicError,
    msle: prob.meanSquaredLogarithmicError,
    cosineProximity: prob.cosineProximity,
    kullbackLeiblerDivergence: prob.kullbackLeiblerDivergence,
    kld: prob.kullbackLeiblerDivergence,
    poisson: prob.poisson,
    logcosh: prob.logcosh,
    hinge,
    squaredHinge,
    categoricalHinge,
  }),
};

function lossMetrics(fs: Record<string, MetricFn>): Record<string, Factory> {
  return Object.fromEntries(
    Object.entries(fs).map(([k, f]) => [canonical(k), (name: string) => new MeanMetricWrapper(name, f)]),
  );
}

// The metric functions of this module map to the counting metric of the same name, so
// that passing `metrics.precision` aggregates over an epoch exactly like 'precision'.
const BY_FUNCTION = new Map<MetricFn, string>([
  [fns.binaryAccuracy, 'binaryaccuracy'],
  [fns.categoricalAccuracy, 'categoricalaccuracy'],
  [fns.sparseCategoricalAccuracy, 'sparsecategoricalaccuracy'],
  [fns.precision, 'precision'],
  [fns.recall, 'recall'],
  [fns.f1, 'f1'],
  [fns.macroPrecision, 'macroprecision'],
  [fns.macroRecall, 'macrorecall'],
  [fns.macroF1, 'macrof1'],
  [fns.meanSquaredError, 'mse'],
  [fns.meanAbsoluteError, 'mae'],
  [ranking.auc, 'auc'],
  [ranking.topKCategoricalAccuracy, 'topkcategoricalaccuracy'],
  [ranking.sparseTopKCategoricalAccuracy, 'sparsetopkcategoricalaccuracy'],
  [ranking.r2Score, 'r2score'],
]);

/** The key a metric name gets in logs, as TF.js: 'acc' for 'accuracy' and 'acc', other names as written. */
export function metricLogName(identifier: string): string {
  const key = canonical(identifier);
  return key === 'accuracy' || key === 'acc' ? 'acc' : identifier;
}

function isMetric(x: unknown): x is Metric {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Metric).update === 'function' &&
    typeof (x as Metric).result === 'function'
  );
}

/**
 * A fresh metric object for `identifier` (a name such as 'accuracy', 'acc',
 * 'precision', 'f1', 'sparseCategoricalAccuracy', 'mae'; one of the functions of
 * `metrics`; any (yTrue, yPred) => Tensor function; or a Metric, returned as is).
 * `loss` (the compile loss: a name or a function) and `outputShape` (the model's
 * output shape; only its last dimension is read) resolve 'accuracy' as Keras does.
 * The metric's name, used in logs, is TF.js's: 'acc' for 'accuracy' and 'acc' (so logs
 * hold `acc` and `val_acc`), the identifier as written for other names
 * ('categoricalAccuracy'), the function's name for a function.
 */
export function getMetric(
  identifier: MetricIdentifier,
  loss?: unknown,
  outputShape?: readonly (number | null)[],
): Metric {
  if (isMetric(identifier)) return identifier;
  const kind = lossKind(loss);
  const lastDim = outputShape && outputShape.length > 0 ? outputShape[outputShape.length - 1] : undefined;
  if (typeof identifier === 'function') {
    const known = BY_FUNCTION.get(identifier);
    const name = identifier.name || 'metric';
    return known ? BY_NAME[known](name, kind, lastDim) : new MeanMetricWrapper(name, identifier);
  }
  if (typeof identifier !== 'string') {
    throw new Error(
      `ferrite: getMetric: a metric must be a name, a function or a metric object, got ${typeof identifier}`,
    );
  }
  const factory = BY_NAME[canonical(identifier)];
  if (!factory) {
    throw new Error(
      `ferrite: unknown metric '${identifier}'. Known: accuracy (acc), binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, ` +
        `precision, recall, f1, macroPrecision, macroRecall, macroF1, mse, mae, auc, topKCategoricalAccuracy, ` +
        `sparseTopKCategoricalAccuracy, r2Score, mape, msle, cosineProximity, kld, poisson, logcosh, hinge, ` +
        `squaredHinge, categoricalHinge, or pass a function (yTrue, yPred) => Tensor`,
    );
  }
  return factory(metricLogName(identifier), kind, lastDim);
}
