// Keras's ranking and regression metrics that TF.js lacks or has only as functions:
// top-k accuracy, ROC AUC (Keras's thresholded confusion counts) and R². Like the other
// metrics they read the tensors on the host and reduce to counts that add up across
// batches, so an epoch's value is computed on the whole epoch's data.

import { checkInputs } from '../ops/util.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkBinary, checkMulticlass, ratio, trueClass, type LabelKind } from './counts.js';
import { CountingMetric } from './metric.js';

/**
 * Per row, 1 where the true class is among the k highest scores of yPred (as
 * `tf.math.in_top_k`: a class tied with the k-th score counts as in, a non-finite score
 * of the true class as out).
 */
export function topKMatches(op: string, yTrue: Tensor, yPred: Tensor, k: number, kind: LabelKind): Float32Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`ferrite: ${op}: k must be a positive integer, got ${k}`);
  const { numClasses, rows } = checkMulticlass(op, yTrue, yPred, kind);
  const t = yTrue.view();
  const p = yPred.view();
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * numClasses;
    const target = p[off + trueClass(op, t, r, kind, numClasses)];
    if (!Number.isFinite(target)) continue;
    let above = 0;
    for (let j = 0; j < numClasses; j++) if (p[off + j] > target) above++;
    out[r] = above < k ? 1 : 0;
  }
  return out;
}

function perRow(values: Float32Array, yPred: Tensor): Tensor {
  const out = emptyTensor(yPred.shape.slice(0, -1), 'float32', yPred.engine);
  out.view().set(values);
  return out;
}

/**
 * Per example, 1 where the class of the one-hot yTrue is among yPred's top k (Keras's default k = 5).
 *
 * @example
 * ```ts
 * const yTrue = fe.tensor2d([[0, 0, 1], [1, 0, 0]]);
 * fe.metrics.topKCategoricalAccuracy(yTrue, fe.tensor2d([[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]]), 2).print(); // [1, 0]
 * ```
 */
export function topKCategoricalAccuracy(yTrue: Tensor, yPred: Tensor, k = 5): Tensor {
  return perRow(topKMatches('topKCategoricalAccuracy', yTrue, yPred, k, 'onehot'), yPred);
}

/**
 * Per example, 1 where the class index yTrue is among yPred's top k (Keras's default k = 5).
 *
 * @example
 * ```ts
 * fe.metrics.sparseTopKCategoricalAccuracy(fe.tensor1d([2, 0]), fe.tensor2d([[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]]), 2).print(); // [1, 0]
 * ```
 */
export function sparseTopKCategoricalAccuracy(yTrue: Tensor, yPred: Tensor, k = 5): Tensor {
  return perRow(topKMatches('sparseTopKCategoricalAccuracy', yTrue, yPred, k, 'sparse'), yPred);
}

/**
 * Top-k accuracy over an epoch; counts are [in top k, seen].
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 10, activation: 'softmax', inputShape: [4] })] });
 * m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: [new fe.metrics.TopKAccuracy('top3', 'sparse', 3)] });
 * m.metricsNames; // ['loss', 'top3']
 * ```
 */
export class TopKAccuracy extends CountingMetric {
  constructor(
    name: string,
    /** Whether the labels are class indices ('sparse') or one-hot rows ('onehot'). */
    readonly kind: LabelKind,
    /** A prediction counts when the true class is among the k highest scores (default 5). */
    readonly k = 5,
  ) {
    super(name);
  }
  protected count(yTrue: Tensor, yPred: Tensor): Float64Array {
    const m = topKMatches(`metric '${this.name}'`, yTrue, yPred, this.k, this.kind);
    let hits = 0;
    for (const v of m) hits += v;
    return Float64Array.of(hits, m.length);
  }
  valueOf(c: ArrayLike<number>): number {
    return ratio(c[0], c[1]);
  }
}

/** Keras's AUC thresholds: -1e-7, i / (n - 1) for 0 < i < n - 1, 1 + 1e-7. */
function aucThresholds(n: number): Float64Array {
  const t = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) t[i] = i / (n - 1);
  t[0] = -1e-7;
  t[n - 1] = 1 + 1e-7;
  return t;
}

/**
 * ROC AUC as Keras's `AUC()` (curve 'ROC', summation 'interpolation'): confusion
 * counts at `numThresholds` thresholds over all elements (a prediction is positive
 * above the threshold, a label when nonzero), then the trapezoidal area under
 * (false positive rate, true positive rate). Counts are [tp, fp, tn, fn] per threshold.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] });
 * m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: [new fe.metrics.AUC()] });
 * m.metricsNames; // ['loss', 'auc']
 * ```
 */
export class AUC extends CountingMetric {
  private readonly thresholds: Float64Array;

  constructor(
    name = 'auc',
    /** How many thresholds the ROC curve is sampled at (default 200). */
    readonly numThresholds = 200,
  ) {
    super(name);
    if (!Number.isInteger(numThresholds) || numThresholds < 2)
      throw new Error(`ferrite: AUC: numThresholds must be an integer > 1, got ${numThresholds}`);
    this.thresholds = aucThresholds(numThresholds);
  }

  protected count(yTrue: Tensor, yPred: Tensor): Float64Array {
    checkBinary(`metric '${this.name}'`, yTrue, yPred);
    const n = this.numThresholds;
    const th = this.thresholds;
    const c = new Float64Array(4 * n);
    const t = yTrue.view();
    const p = yPred.view();
    for (let i = 0; i < p.length; i++) {
      const pos = t[i] !== 0;
      // Thresholds are increasing: the prediction is positive at the first `above` of them.
      let above = 0;
      while (above < n && p[i] > th[above]) above++;
      const [hit, miss] = pos ? [0, 3] : [1, 2]; // tp/fn for a positive label, fp/tn for a negative one
      for (let j = 0; j < n; j++) c[(j < above ? hit : miss) * n + j]++;
    }
    return c;
  }

  valueOf(c: ArrayLike<number>): number {
    const n = this.numThresholds;
    if (c.length === 0) return 0;
    let area = 0;
    const rates = (j: number) => [ratio(c[j], c[j] + c[3 * n + j]), ratio(c[n + j], c[n + j] + c[2 * n + j])];
    let [tpr, fpr] = rates(0);
    for (let j = 1; j < n; j++) {
      const [tpr2, fpr2] = rates(j);
      area += (fpr - fpr2) * ((tpr + tpr2) / 2);
      [tpr, fpr] = [tpr2, fpr2];
    }
    return area;
  }
}

/**
 * ROC AUC of one batch (see the AUC metric; 200 thresholds as Keras). A scalar.
 *
 * @example
 * ```ts
 * fe.metrics.auc(fe.tensor1d([0, 0, 1, 1]), fe.tensor1d([0.1, 0.4, 0.35, 0.8])).print(); // 0.75
 * ```
 */
export function auc(yTrue: Tensor, yPred: Tensor): Tensor {
  const m = new AUC('auc');
  const out = emptyTensor([], 'float32', yPred.engine);
  out.view()[0] = m.update(yTrue, yPred);
  return out;
}

/**
 * R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)² over all elements (TF.js's r2Score; Keras's R2Score
 * with one output). Counts are [n, Σy, Σy², Σ(y - ŷ)²], so it aggregates exactly.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [new fe.metrics.R2Score()] });
 * m.metricsNames; // ['loss', 'r2Score']
 * ```
 */
export class R2Score extends CountingMetric {
  constructor(name = 'r2Score') {
    super(name);
  }
  protected count(yTrue: Tensor, yPred: Tensor): Float64Array {
    return r2Counts(`metric '${this.name}'`, yTrue, yPred);
  }
  valueOf(c: ArrayLike<number>): number {
    return r2Of(c);
  }
}

function r2Counts(op: string, yTrue: Tensor, yPred: Tensor): Float64Array {
  checkInputs(op, yTrue, yPred);
  checkBinary(op, yTrue, yPred);
  const t = yTrue.view();
  const p = yPred.view();
  let s = 0;
  let s2 = 0;
  let res = 0;
  for (let i = 0; i < t.length; i++) {
    s += t[i];
    s2 += t[i] * t[i];
    res += (t[i] - p[i]) ** 2;
  }
  return Float64Array.of(t.length, s, s2, res);
}

function r2Of(c: ArrayLike<number>): number {
  if (c.length === 0 || c[0] === 0) return 0;
  const total = c[2] - (c[1] * c[1]) / c[0];
  return 1 - c[3] / total;
}

/**
 * R² of one batch as TF.js's `metrics.r2Score`: a scalar.
 *
 * @example
 * ```ts
 * fe.metrics.r2Score(fe.tensor1d([1, 2, 3]), fe.tensor1d([1, 2, 4])).print(); // 0.5
 * ```
 */
export function r2Score(yTrue: Tensor, yPred: Tensor): Tensor {
  const out = emptyTensor([], 'float32', yPred.engine);
  out.view()[0] = r2Of(r2Counts('r2Score', yTrue, yPred));
  return out;
}
