// Metrics, like `tf.metrics`: functions of one batch, (yTrue, yPred) -> Tensor. What
// compile makes of metric names (objects that aggregate over an epoch) stays internal.

export {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  precision,
  recall,
  f1,
  macroPrecision,
  macroRecall,
  macroF1,
  meanSquaredError,
  meanAbsoluteError,
} from './functions.js';

// Ranking and regression metrics (Keras's; TF.js has r2Score). AUC is also a metric object.
export {
  auc,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  r2Score,
  AUC,
  TopKAccuracy,
  R2Score,
} from './ranking.js';

// Per-sample losses TF.js also exposes in tf.metrics.
export {
  cosineProximity,
  meanAbsolutePercentageError,
  meanAbsolutePercentageError as MAPE,
  meanAbsolutePercentageError as mape,
} from '../losses/probabilistic.js';

// The Layers API's per-sample cross-entropies, where TF.js exposes them (`tf.metrics`).
export { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from '../losses/crossentropy.js';

// What compile accepts besides names and functions: an object that aggregates over an epoch.
export type { Metric, MetricFn } from './metric.js';
export type { MetricIdentifier } from './resolve.js';

// Short names as in tf.metrics.
export { meanSquaredError as mse, meanSquaredError as MSE, meanAbsoluteError as mae } from './functions.js';
export type { LabelKind } from './counts.js';
