// Metrics: per-batch functions (like tf.metrics) and epoch-aggregating metric objects.

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
export {
  Accuracy,
  ClassificationScore,
  CountingMetric,
  MeanMetricWrapper,
  Mean,
  type Metric,
  type MetricFn,
  type AccuracyKind,
  type ScoreMode,
} from './metric.js';
export { getMetric, type MetricIdentifier } from './resolve.js';
// Short names as in tf.metrics.
export { meanSquaredError as mse, meanAbsoluteError as mae } from './functions.js';
