// The core API's losses, exactly as TF.js's `tf.losses`: called as
// (labels, predictions, weights?, ..., reduction?), each computes an elementwise (or
// per-row) loss, multiplies it by `weights` (broadcast) and reduces it with `reduction`
// (default SUM_BY_NONZERO_WEIGHTS: the weighted sum over the number of nonzero weights).
// Built from differentiable ops, so they work inside `grad`/`minimize` training loops.
// The Layers API's per-sample losses (what `compile({loss: 'meanSquaredError'})` uses)
// are a different family: see ./resolve.ts.

import { add, div, minimum, mul, squaredDifference, sub } from '../ops/arithmetic.js';
import { abs, log, neg, square } from '../ops/unary.js';
import { relu } from '../ops/activations.js';
import { mean, sum } from '../ops/reduce.js';
import { broadcastTo } from '../ops/shape.js';
import { sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits } from '../ops/fused-losses.js';
import { broadcastShapes, checkInputs, fmtShape, sameShape } from '../ops/util.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * How a weighted loss is reduced (TF.js's `Reduction`, with its numeric values).
 *
 * @example
 * ```ts
 * const labels = fe.tensor1d([0, 1]);
 * const preds = fe.tensor1d([1, 3]);
 * fe.losses.meanSquaredError(labels, preds).print(); // 2.5: the mean (SUM_BY_NONZERO_WEIGHTS)
 * fe.losses.meanSquaredError(labels, preds, null, fe.Reduction.SUM).print(); // 5
 * fe.losses.meanSquaredError(labels, preds, null, fe.losses.Reduction.NONE).print(); // [1, 4]
 * ```
 */
export enum Reduction {
  /** No reduction: the weighted loss of every element. */
  NONE = 0,
  /** The sum of the weighted losses over the sum of the weights, as TF.js (without weights: the mean). */
  MEAN = 1,
  /** The sum of the weighted losses. */
  SUM = 2,
  /** The sum of the weighted losses over the number of non-zero weights (all losses without weights); the default. */
  SUM_BY_NONZERO_WEIGHTS = 3,
}

/** What the losses accept as weights: a tensor broadcast against the losses, or a number. @inline */
type Weights = Tensor | number;

/** The number of nonzero entries of `weights` broadcast with `shape` (a constant: no gradient). */
function countNonzero(weights: Weights, shape: readonly number[]): number {
  if (typeof weights === 'number') return weights === 0 ? 0 : shape.reduce((n, d) => n * d, 1);
  return tidy(() => {
    const target = broadcastShapes('computeWeightedLoss', weights.shape, shape);
    const w = sameShape(weights.shape, target) ? weights : broadcastTo(weights, target);
    let n = 0;
    for (const v of w.dataSync()) if (v !== 0) n++;
    return n;
  });
}

/**
 * Multiplies `losses` by `weights` (broadcast; none: 1) and reduces: NONE returns the
 * weighted losses, SUM their sum, MEAN their sum over the sum of the weights divided by
 * the number of losses per weight (TF.js's rule; the plain mean without weights), SUM_BY_NONZERO_WEIGHTS their sum over the count of
 * nonzero broadcast weights (over the number of losses without weights).
 *
 * @example
 * ```ts
 * const losses = fe.tensor1d([1, 2, 3]);
 * fe.losses.computeWeightedLoss(losses, fe.tensor1d([1, 0, 1])).print(); // 2: (1 + 3) / 2 nonzero weights
 * ```
 */
export function computeWeightedLoss(
  losses: Tensor,
  weights?: Weights | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkInputs('computeWeightedLoss', losses);
  if (!(reduction in Reduction)) {
    throw new Error(`ferrite: computeWeightedLoss: unknown reduction ${String(reduction)} (use losses.Reduction)`);
  }
  return tidy(() => {
    const weighted = weights == null ? losses : mul(losses, weights);
    if (reduction === Reduction.NONE) return weighted;
    if (reduction === Reduction.SUM) return sum(weighted);
    if (reduction === Reduction.MEAN) {
      if (weights == null) return mean(weighted);
      // As TF.js: over the sum of the weights, then over how many losses each weight covers.
      const weightsSize = typeof weights === 'number' ? 1 : weights.size;
      const result = div(sum(weighted), typeof weights === 'number' ? weights : sum(weights));
      const broadcastFactor = losses.size / weightsSize;
      return broadcastFactor > 1 ? div(result, broadcastFactor) : result;
    }
    const count = weights == null ? losses.size : countNonzero(weights, losses.shape);
    return div(sum(weighted), count);
  });
}

/** Checks that labels and predictions have one shape (TF.js's assertShapesMatch). */
function checkPair(op: string, labels: Tensor, predictions: Tensor): void {
  checkInputs(op, labels, predictions);
  if (!sameShape(labels.shape, predictions.shape)) {
    throw new Error(
      `ferrite: losses.${op}: labels ${fmtShape(labels.shape)} and predictions ${fmtShape(predictions.shape)} must have the same shape`,
    );
  }
}

/**
 * |labels - predictions|, weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.absoluteDifference(fe.tensor1d([0, 2]), fe.tensor1d([1, 5])).print(); // 2
 * ```
 */
export function absoluteDifference(
  labels: Tensor,
  predictions: Tensor,
  weights?: Weights | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('absoluteDifference', labels, predictions);
  return tidy(() => computeWeightedLoss(abs(sub(labels, predictions)), weights, reduction));
}

/**
 * (labels - predictions)², weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.meanSquaredError(fe.tensor1d([0, 2]), fe.tensor1d([1, 5])).print(); // 5
 * ```
 */
export function meanSquaredError(
  labels: Tensor,
  predictions: Tensor,
  weights?: Weights | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('meanSquaredError', labels, predictions);
  return tidy(() => computeWeightedLoss(squaredDifference(labels, predictions), weights, reduction));
}

/**
 * Huber loss of e = |labels - predictions|: ½e² up to `delta`, delta (e - ½delta) beyond; weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.huberLoss(fe.tensor1d([0, 0]), fe.tensor1d([0.5, 3])).print(); // 1.3125: (0.125 + 2.5) / 2
 * ```
 */
export function huberLoss(
  labels: Tensor,
  predictions: Tensor,
  weights?: Weights | null,
  delta = 1,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('huberLoss', labels, predictions);
  return tidy(() => {
    const error = abs(sub(predictions, labels));
    const quadratic = minimum(error, delta);
    const linear = sub(error, quadratic);
    return computeWeightedLoss(add(mul(0.5, square(quadratic)), mul(delta, linear)), weights, reduction);
  });
}

/**
 * -labels ln(predictions + ε) - (1 - labels) ln(1 - predictions + ε), weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.logLoss(fe.tensor1d([1, 0]), fe.tensor1d([0.9, 0.2])).print(); // 0.1643
 * ```
 */
export function logLoss(
  labels: Tensor,
  predictions: Tensor,
  weights?: Weights | null,
  epsilon = 1e-7,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('logLoss', labels, predictions);
  return tidy(() => {
    const positive = mul(neg(labels), log(add(predictions, epsilon)));
    const negative = mul(sub(1, labels), log(add(sub(1, predictions), epsilon)));
    return computeWeightedLoss(sub(positive, negative), weights, reduction);
  });
}

/**
 * max(0, 1 - (2 labels - 1) predictions) for labels in {0, 1}, weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.hingeLoss(fe.tensor1d([1, 0]), fe.tensor1d([0.5, -2])).print(); // 0.25: (0.5 + 0) / 2
 * ```
 */
export function hingeLoss(
  labels: Tensor,
  predictions: Tensor,
  weights?: Weights | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('hingeLoss', labels, predictions);
  return tidy(() => {
    const signed = sub(mul(2, labels), 1);
    return computeWeightedLoss(relu(sub(1, mul(signed, predictions))), weights, reduction);
  });
}

/**
 * 1 - Σ labels · predictions over `axis` (kept as size 1), for unit-normalised inputs;
 * weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.cosineDistance(fe.tensor2d([[1, 0]]), fe.tensor2d([[0, 1]]), 1).print(); // 1: orthogonal
 * ```
 */
export function cosineDistance(
  labels: Tensor,
  predictions: Tensor,
  axis: number,
  weights?: Weights | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('cosineDistance', labels, predictions);
  return tidy(() => computeWeightedLoss(sub(1, sum(mul(labels, predictions), axis, true)), weights, reduction));
}

/**
 * Elementwise logistic cross-entropy of `logits` against `multiClassLabels` in [0, 1],
 * labels first smoothed towards ½ by `labelSmoothing`; weighted and reduced.
 *
 * @example
 * ```ts
 * fe.losses.sigmoidCrossEntropy(fe.tensor1d([1, 0]), fe.tensor1d([2, -2])).print(); // 0.1269
 * ```
 */
export function sigmoidCrossEntropy(
  multiClassLabels: Tensor,
  logits: Tensor,
  weights?: Weights | null,
  labelSmoothing = 0,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('sigmoidCrossEntropy', multiClassLabels, logits);
  return tidy(() => {
    const labels =
      labelSmoothing > 0 ? add(mul(multiClassLabels, 1 - labelSmoothing), 0.5 * labelSmoothing) : multiClassLabels;
    return computeWeightedLoss(sigmoidCrossEntropyWithLogits(labels, logits), weights, reduction);
  });
}

/**
 * Softmax cross-entropy of `logits` [..., C] against `onehotLabels` [..., C] over the
 * last axis ([...] losses), labels first smoothed towards 1/C by `labelSmoothing`;
 * weighted and reduced.
 *
 * @example
 * ```ts
 * const labels = fe.tensor2d([[0, 1, 0]]);
 * fe.losses.softmaxCrossEntropy(labels, fe.tensor2d([[1, 2, 3]])).print(); // 1.408
 * ```
 */
export function softmaxCrossEntropy(
  onehotLabels: Tensor,
  logits: Tensor,
  weights?: Weights | null,
  labelSmoothing = 0,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
): Tensor {
  checkPair('softmaxCrossEntropy', onehotLabels, logits);
  return tidy(() => {
    const classes = logits.shape[logits.rank - 1];
    const labels =
      labelSmoothing > 0 ? add(mul(onehotLabels, 1 - labelSmoothing), labelSmoothing / classes) : onehotLabels;
    return computeWeightedLoss(softmaxCrossEntropyWithLogits(labels, logits), weights, reduction);
  });
}
