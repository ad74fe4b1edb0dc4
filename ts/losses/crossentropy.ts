// Cross-entropy losses (Keras semantics), one value per sample. From probabilities they
// clip to [1e-7, 1 - 1e-7] as Keras does, so a confident wrong prediction costs about
// 16.1 (-ln 1e-7) rather than Infinity. From logits they use the stable fused forms.
// Kernels: core-rs/src/loss.rs.

import type { Tensor } from '../tensor/tensor.js';
import {
  EPSILON,
  labelsLoss,
  pairLoss,
  sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogits,
  sparseSoftmaxCrossEntropyWithLogits,
} from '../ops/fused-losses.js';

/**
 * Binary cross-entropy, mean over the last axis of -(t ln p + (1 - t) ln(1 - p)), with
 * p clipped to [1e-7, 1 - 1e-7]; or, `fromLogits`, of max(x, 0) - x t + ln(1 + e^-|x|).
 *
 * @example
 * ```ts
 * fe.metrics.binaryCrossentropy(fe.tensor2d([[1], [0]]), fe.tensor2d([[0.9], [0.2]])).print(); // [0.1054, 0.2231]
 * ```
 */
export function binaryCrossentropy(yTrue: Tensor, yPred: Tensor, fromLogits = false): Tensor {
  if (fromLogits) return pairLoss('binaryCrossentropy', 'BinaryCrossentropyFromLogits', 'bce_logits', yTrue, yPred);
  return pairLoss('binaryCrossentropy', 'BinaryCrossentropy', 'bce', yTrue, yPred, [EPSILON]);
}

/**
 * Categorical cross-entropy, -Σ t ln p over the last axis, with each row of yPred first
 * normalised to sum 1 and then clipped to [1e-7, 1 - 1e-7] (as Keras); `fromLogits`,
 * the fused softmax cross-entropy of the logits.
 *
 * @example
 * ```ts
 * fe.metrics.categoricalCrossentropy(fe.tensor2d([[0, 1]]), fe.tensor2d([[0.25, 0.75]])).print(); // [0.2877]
 * ```
 */
export function categoricalCrossentropy(yTrue: Tensor, yPred: Tensor, fromLogits = false): Tensor {
  if (fromLogits) return softmaxCrossEntropyWithLogits(yTrue, yPred);
  return pairLoss('categoricalCrossentropy', 'CategoricalCrossentropy', 'cce', yTrue, yPred, [EPSILON]);
}

/**
 * Categorical cross-entropy with class indices for targets: yTrue int32 (or float32
 * holding integers) shaped [...] or [..., 1] against yPred [..., C]. Exactly the
 * categorical loss of the one-hot labels (normalise, clip, -ln p[label]). A label
 * outside [0, C) is an error naming the label and its position.
 *
 * @example
 * ```ts
 * fe.metrics.sparseCategoricalCrossentropy(fe.tensor1d([1]), fe.tensor2d([[0.25, 0.75]])).print(); // [0.2877]
 * ```
 */
export function sparseCategoricalCrossentropy(yTrue: Tensor, yPred: Tensor, fromLogits = false): Tensor {
  if (fromLogits) return sparseSoftmaxCrossEntropyWithLogits(yTrue, yPred);
  return labelsLoss('sparseCategoricalCrossentropy', 'SparseCategoricalCrossentropy', 'sparse_cce', yTrue, yPred, [
    EPSILON,
  ]);
}

export { sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits };
