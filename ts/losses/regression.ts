// Regression losses (Keras semantics): the mean over the last axis of an elementwise
// error, one value per sample. Kernels: core-rs/src/loss.rs.

import type { Tensor } from '../tensor/tensor.js';
import { pairLoss } from '../ops/fused-losses.js';

/** mean((yPred - yTrue)², axis = -1). */
export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  return pairLoss('meanSquaredError', 'MeanSquaredError', 'mse', yTrue, yPred);
}

/** mean(|yPred - yTrue|, axis = -1). The gradient at a perfect prediction is 0. */
export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  return pairLoss('meanAbsoluteError', 'MeanAbsoluteError', 'mae', yTrue, yPred);
}

/**
 * Huber loss, mean over the last axis of ½ d² where |d| <= delta and
 * delta (|d| - ½ delta) beyond (d = yPred - yTrue): quadratic near 0, linear for outliers.
 */
export function huber(yTrue: Tensor, yPred: Tensor, delta = 1): Tensor {
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) {
    throw new Error(`ferrite: huber: delta must be a positive number, got ${String(delta)}`);
  }
  return pairLoss('huber', 'Huber', 'huber', yTrue, yPred, [delta]);
}
