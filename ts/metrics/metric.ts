// Stateful metrics that aggregate over an epoch, like Keras's metric objects.
//
// Each metric keeps the counts its value is a ratio of (correct / seen for accuracy,
// tp / fp / fn for precision, recall and F1, per class for the macro averages). The
// counts of successive batches add up, so `result()` over an epoch is the value on the
// whole epoch's data: precision over an epoch is Σtp / (Σtp + Σfp), not the mean of the
// batches' precisions (which would weigh a batch with one positive prediction as much
// as one with thirty).

import type { Tensor } from '../tensor/tensor.js';
import {
  binaryConfusion,
  binaryMatches,
  checkMulticlass,
  classMatches,
  f1Of,
  macroAverage,
  multiclassConfusion,
  precisionOf,
  ratio,
  recallOf,
  type ClassScore,
  type LabelKind,
} from './counts.js';

/**
 * A metric that aggregates over batches.
 *
 * @example
 * ```ts
 * const auc: fe.metrics.Metric = new fe.metrics.AUC();
 * auc.update(fe.tensor1d([0, 1]), fe.tensor1d([0.2, 0.8])); // 1 on this batch
 * auc.update(fe.tensor1d([0, 1]), fe.tensor1d([0.9, 0.1])); // 0 on this batch
 * auc.result(); // 0.25: from the counts of both batches, not the mean of 1 and 0
 * ```
 */
export interface Metric {
  /** The name in logs and in the History ('accuracy', 'precision', ...). */
  readonly name: string;
  /**
   * Adds one batch to the running counts and returns the value on this batch alone.
   *
   * @example
   * ```ts
   * const acc = new fe.metrics.TopKAccuracy('top2', 'sparse', 2);
   * acc.update(fe.tensor1d([2]), fe.tensor2d([[0.1, 0.5, 0.4]])); // 1: class 2 is in the top 2
   * ```
   */
  update(yTrue: Tensor, yPred: Tensor): number;
  /**
   * The value over every batch since the last reset, from the summed counts (0 before any batch).
   *
   * @example
   * ```ts
   * const r2 = new fe.metrics.R2Score();
   * r2.update(fe.tensor1d([1, 2]), fe.tensor1d([1, 2]));
   * r2.update(fe.tensor1d([3, 4]), fe.tensor1d([3, 5]));
   * r2.result(); // 0.8: R² over all four values
   * ```
   */
  result(): number;
  /**
   * Forgets every batch (call at the start of each epoch and of evaluate).
   *
   * @example
   * ```ts
   * const auc = new fe.metrics.AUC();
   * auc.update(fe.tensor1d([0, 1]), fe.tensor1d([0.2, 0.8]));
   * auc.reset();
   * auc.result(); // 0: no batch since the reset
   * ```
   */
  reset(): void;
}

/**
 * A metric whose value is a function of counts that add up across batches. The
 * counts are exposed (`counts()`, `merge`) so that partial results computed elsewhere
 * (another worker, another shard of the data) can be combined exactly.
 */
export abstract class CountingMetric implements Metric {
  private totals: Float64Array | null = null;

  /** @param name The name in logs and in the History. */
  constructor(readonly name: string) {}

  /** The counts of one batch. */
  protected abstract count(yTrue: Tensor, yPred: Tensor): Float64Array;
  /** The metric's value for some counts. */
  abstract valueOf(counts: ArrayLike<number>): number;

  update(yTrue: Tensor, yPred: Tensor): number {
    const c = this.count(yTrue, yPred);
    this.merge(c);
    return this.valueOf(c);
  }

  /** Adds counts (from `counts()` of another instance of the same metric). */
  merge(c: ArrayLike<number>): void {
    if (this.totals === null) this.totals = new Float64Array(c.length);
    if (c.length !== this.totals.length) {
      throw new Error(
        `ferrite: metric '${this.name}': got ${c.length} counts, expected ${this.totals.length} (did the number of classes change between batches?)`,
      );
    }
    for (let i = 0; i < c.length; i++) this.totals[i] += c[i];
  }

  result(): number {
    return this.totals === null ? 0 : this.valueOf(this.totals);
  }

  /** A copy of the summed counts (empty before any batch). */
  counts(): Float64Array {
    return this.totals === null ? new Float64Array(0) : this.totals.slice();
  }

  reset(): void {
    this.totals = null;
  }
}

/** How an accuracy compares labels with predictions. 'auto' decides from each batch's shapes. */
export type AccuracyKind = 'binary' | 'categorical' | 'sparseCategorical' | 'auto';

/**
 * Accuracy; counts are [correct, seen]. 'auto' picks, per batch, binary for a
 * single-unit output, sparse categorical when yTrue holds class indices, categorical
 * when it is one-hot.
 */
export class Accuracy extends CountingMetric {
  constructor(
    name = 'accuracy',
    readonly kind: AccuracyKind = 'auto',
    readonly threshold = 0.5,
  ) {
    super(name);
  }

  protected count(yTrue: Tensor, yPred: Tensor): Float64Array {
    const op = `metric '${this.name}'`;
    let kind = this.kind;
    if (kind === 'auto') {
      const last = yPred.rank === 0 ? 1 : yPred.shape[yPred.rank - 1];
      if (last === 1 || yPred.rank <= 1) kind = 'binary';
      else kind = checkMulticlass(op, yTrue, yPred).kind === 'sparse' ? 'sparseCategorical' : 'categorical';
    }
    const m =
      kind === 'binary'
        ? binaryMatches(op, yTrue, yPred, this.threshold)
        : classMatches(op, yTrue, yPred, kind === 'categorical' ? 'onehot' : 'sparse');
    let correct = 0;
    for (let i = 0; i < m.length; i++) correct += m[i];
    return Float64Array.of(correct, m.length);
  }

  valueOf(c: ArrayLike<number>): number {
    return ratio(c[0], c[1]);
  }
}

/** Binary (thresholded, element-wise) or macro-averaged multi-class (argmax) scoring. */
export type ScoreMode = 'binary' | 'macro' | 'auto';

/**
 * Precision, recall or F1. Binary: counts [tp, fp, fn, tn] over all elements, a
 * prediction being positive when yPred > threshold. Macro: per-class [tp, fp, fn]
 * with the argmax as prediction, the value being the mean over the classes present
 * (sklearn's average='macro'). 'auto' chooses from the first batch: binary for a
 * single-unit output, macro otherwise.
 */
export class ClassificationScore extends CountingMetric {
  private resolved: 'binary' | 'macro' | undefined;

  constructor(
    name: string,
    readonly score: ClassScore,
    readonly mode: ScoreMode = 'auto',
    readonly threshold = 0.5,
    private readonly labels?: LabelKind,
  ) {
    super(name);
    if (mode !== 'auto') this.resolved = mode;
  }

  protected count(yTrue: Tensor, yPred: Tensor): Float64Array {
    const op = `metric '${this.name}'`;
    if (this.resolved === undefined) {
      const last = yPred.rank === 0 ? 1 : yPred.shape[yPred.rank - 1];
      this.resolved = last === 1 || yPred.rank <= 1 ? 'binary' : 'macro';
    }
    if (this.resolved === 'macro') return multiclassConfusion(op, yTrue, yPred, this.labels);
    const c = binaryConfusion(op, yTrue, yPred, this.threshold);
    return Float64Array.of(c.tp, c.fp, c.fn, c.tn);
  }

  valueOf(c: ArrayLike<number>): number {
    if (this.resolved === 'macro') return macroAverage(c, this.score);
    const counts = { tp: c[0], fp: c[1], fn: c[2] };
    return this.score === 'precision' ? precisionOf(counts) : this.score === 'recall' ? recallOf(counts) : f1Of(counts);
  }

  override reset(): void {
    super.reset();
    if (this.mode === 'auto') this.resolved = undefined;
  }
}

/**
 * A metric function returning per-example values (or one value per batch).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const maxError: fe.metrics.MetricFn = (yTrue, yPred) => yPred.sub(yTrue).abs().max(-1);
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [maxError] });
 * ```
 */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * The running mean of a metric function's values, weighted by how many values each
 * batch gives (Keras's MeanMetricWrapper); counts are [sum, n].
 */
export class MeanMetricWrapper extends CountingMetric {
  constructor(
    name: string,
    readonly fn: MetricFn,
  ) {
    super(name);
  }

  protected count(yTrue: Tensor, yPred: Tensor): Float64Array {
    const values = this.fn(yTrue, yPred);
    try {
      const v = values.view();
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i];
      return Float64Array.of(s, v.length);
    } finally {
      values.dispose();
    }
  }

  valueOf(c: ArrayLike<number>): number {
    return ratio(c[0], c[1]);
  }
}

/**
 * A weighted running mean of numbers, for the loss shown beside the metrics: call
 * `update(batchLoss, batchSize)` after each batch (Keras weighs the loss by batch size).
 */
export class Mean {
  private sum = 0;
  private weight = 0;

  constructor(readonly name = 'loss') {}

  update(value: number, weight = 1): number {
    this.sum += value * weight;
    this.weight += weight;
    return value;
  }

  result(): number {
    return ratio(this.sum, this.weight);
  }

  reset(): void {
    this.sum = 0;
    this.weight = 0;
  }
}
