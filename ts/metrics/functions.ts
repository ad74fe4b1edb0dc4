// Metric functions on one batch, like `tf.metrics`: (yTrue, yPred) -> Tensor.
//
// As in TF.js, the accuracies return one value per example ([batch], their mean is
// the batch accuracy) and precision, recall and F1 return a scalar. None is
// differentiable: they are read-outs. To aggregate over an epoch use the metric
// objects of ./metric.ts, which sum counts across batches.

import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import {
  binaryConfusion,
  binaryMatches,
  checkBinary,
  classMatches,
  f1Of,
  macroAverage,
  multiclassConfusion,
  precisionOf,
  recallOf,
} from './counts.js';

function fromValues(values: ArrayLike<number>, shape: readonly number[], like: Tensor): Tensor {
  const out = emptyTensor(shape, 'float32', like.engine);
  out.view().set(values);
  return out;
}

function scalarLike(value: number, like: Tensor): Tensor {
  const out = emptyTensor([], 'float32', like.engine);
  out.view()[0] = value;
  return out;
}

/** Drops a trailing axis of size 1 (a [n, 1] sigmoid output has one value per example). */
function exampleShape(s: readonly number[]): number[] {
  return s.length > 1 && s[s.length - 1] === 1 ? s.slice(0, -1) : [...s];
}

/**
 * One value per example from one value per element of yPred: their mean over the last
 * axis, unless yPred already holds one value per example ([n], or [n, 1]: a sigmoid output).
 */
function perExampleMean(values: ArrayLike<number>, yPred: Tensor): Tensor {
  const shape = exampleShape(yPred.shape);
  if (shape.length <= 1) return fromValues(values, shape, yPred);
  const width = shape[shape.length - 1];
  const rows = values.length / width;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < width; j++) s += values[r * width + j];
    out[r] = s / width;
  }
  return fromValues(out, shape.slice(0, -1), yPred);
}

/**
 * Per-example binary accuracy: the mean over the last axis of yTrue == (yPred > threshold).
 * yTrue holds 0/1 labels of yPred's shape ([n] and [n, 1] are interchangeable).
 *
 * @example
 * ```ts
 * fe.metrics.binaryAccuracy(fe.tensor1d([1, 0, 1]), fe.tensor1d([0.9, 0.6, 0.3])).print(); // [1, 0, 0]
 * ```
 */
export function binaryAccuracy(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  return perExampleMean(binaryMatches('binaryAccuracy', yTrue, yPred, threshold), yPred);
}

/**
 * Per-example categorical accuracy: 1 where argmax(yTrue) == argmax(yPred). yTrue is one-hot.
 *
 * @example
 * ```ts
 * const yTrue = fe.tensor2d([[0, 1], [1, 0]]);
 * fe.metrics.categoricalAccuracy(yTrue, fe.tensor2d([[0.2, 0.8], [0.3, 0.7]])).print(); // [1, 0]
 * ```
 */
export function categoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  const m = classMatches('categoricalAccuracy', yTrue, yPred, 'onehot');
  return fromValues(m, yPred.shape.slice(0, -1), yPred);
}

/**
 * Per-example sparse categorical accuracy: 1 where yTrue (class indices, [n] or [n, 1]) == argmax(yPred).
 *
 * @example
 * ```ts
 * fe.metrics.sparseCategoricalAccuracy(fe.tensor1d([1, 0]), fe.tensor2d([[0.2, 0.8], [0.3, 0.7]])).print(); // [1, 0]
 * ```
 */
export function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  const m = classMatches('sparseCategoricalAccuracy', yTrue, yPred, 'sparse');
  return fromValues(m, yPred.shape.slice(0, -1), yPred);
}

/**
 * Binary precision tp / (tp + fp) over all elements, positives being yPred > threshold; a scalar (0 when nothing is predicted positive).
 *
 * @example
 * ```ts
 * fe.metrics.precision(fe.tensor1d([1, 0, 1]), fe.tensor1d([0.9, 0.6, 0.3])).print(); // 0.5: 1 of 2 predicted positives
 * ```
 */
export function precision(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  return scalarLike(precisionOf(binaryConfusion('precision', yTrue, yPred, threshold)), yPred);
}

/**
 * Binary recall tp / (tp + fn) over all elements; a scalar (0 when there is no positive label).
 *
 * @example
 * ```ts
 * fe.metrics.recall(fe.tensor1d([1, 0, 1]), fe.tensor1d([0.9, 0.6, 0.3])).print(); // 0.5: 1 of 2 positives found
 * ```
 */
export function recall(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  return scalarLike(recallOf(binaryConfusion('recall', yTrue, yPred, threshold)), yPred);
}

/**
 * Binary F1 = 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall; a scalar.
 *
 * @example
 * ```ts
 * fe.metrics.f1(fe.tensor1d([1, 0, 1]), fe.tensor1d([0.9, 0.6, 0.3])).print(); // 0.5
 * ```
 */
export function f1(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  return scalarLike(f1Of(binaryConfusion('f1', yTrue, yPred, threshold)), yPred);
}

/**
 * Macro-averaged precision of a multi-class output (predicted class = argmax of
 * yPred [..., C]; yTrue one-hot or class indices): the unweighted mean of the
 * per-class precisions over the classes present in yTrue or in the predictions
 * (sklearn's `precision_score(average='macro')`).
 *
 * @example
 * ```ts
 * const yTrue = fe.tensor1d([0, 1, 2, 2], 'int32');
 * const yPred = fe.tensor2d([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]);
 * fe.metrics.macroPrecision(yTrue, yPred).print(); // 0.8333: mean of 1, 0.5, 1
 * ```
 */
export function macroPrecision(yTrue: Tensor, yPred: Tensor): Tensor {
  return scalarLike(macroAverage(multiclassConfusion('macroPrecision', yTrue, yPred), 'precision'), yPred);
}

/**
 * Macro-averaged recall of a multi-class output (see macroPrecision).
 *
 * @example
 * ```ts
 * const yTrue = fe.tensor1d([0, 1, 2, 2], 'int32');
 * const yPred = fe.tensor2d([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]);
 * fe.metrics.macroRecall(yTrue, yPred).print(); // 0.8333: mean of 1, 1, 0.5
 * ```
 */
export function macroRecall(yTrue: Tensor, yPred: Tensor): Tensor {
  return scalarLike(macroAverage(multiclassConfusion('macroRecall', yTrue, yPred), 'recall'), yPred);
}

/**
 * Macro-averaged F1 of a multi-class output: the mean of the per-class F1 scores (see macroPrecision).
 *
 * @example
 * ```ts
 * const yTrue = fe.tensor1d([0, 1, 2, 2], 'int32');
 * const yPred = fe.tensor2d([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]);
 * fe.metrics.macroF1(yTrue, yPred).print(); // 0.7778: mean of 1, 0.6667, 0.6667
 * ```
 */
export function macroF1(yTrue: Tensor, yPred: Tensor): Tensor {
  return scalarLike(macroAverage(multiclassConfusion('macroF1', yTrue, yPred), 'f1'), yPred);
}

/**
 * Per-example mean squared error over the last axis (a metric: not differentiable; use losses to train).
 *
 * @example
 * ```ts
 * fe.metrics.meanSquaredError(fe.tensor2d([[0, 0], [1, 1]]), fe.tensor2d([[1, 1], [1, 3]])).print(); // [1, 2]
 * ```
 */
export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  return perExampleMean(
    elementwiseErrors('meanSquaredError', yTrue, yPred, (d) => d * d),
    yPred,
  );
}

/**
 * Per-example mean absolute error over the last axis.
 *
 * @example
 * ```ts
 * fe.metrics.meanAbsoluteError(fe.tensor2d([[0, 0], [1, 1]]), fe.tensor2d([[1, 1], [1, 3]])).print(); // [1, 1]
 * ```
 */
export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  return perExampleMean(elementwiseErrors('meanAbsoluteError', yTrue, yPred, Math.abs), yPred);
}

/** f(yPred - yTrue) per element, for the regression metrics (targets pair with predictions element by element). */
export function elementwiseErrors(op: string, yTrue: Tensor, yPred: Tensor, f: (d: number) => number): Float64Array {
  checkBinary(op, yTrue, yPred);
  const t = yTrue.view();
  const p = yPred.view();
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = f(p[i] - t[i]);
  return out;
}
