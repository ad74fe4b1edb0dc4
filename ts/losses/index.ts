// Losses, Keras-style: a loss function takes (yTrue, yPred) and returns one loss per
// sample (the last axis reduced); the model averages them over the batch.
//
// NaN: losses do not scan their inputs for NaN (that would cost a pass over every batch):
// a NaN in yTrue or yPred gives a NaN loss for that sample, and the training loop is
// the place that notices a NaN loss.

import type { Tensor } from '../tensor/tensor.js';
import { huber, meanAbsoluteError, meanSquaredError } from './regression.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from './crossentropy.js';

export { huber, meanAbsoluteError, meanSquaredError } from './regression.js';
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogits,
  sparseCategoricalCrossentropy,
  sparseSoftmaxCrossEntropyWithLogits,
} from './crossentropy.js';

export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Canonical names (TF.js spelling) and their Keras aliases. */
const LOSSES: Record<string, LossFn> = {
  meanSquaredError,
  mse: meanSquaredError,
  meanAbsoluteError,
  mae: meanAbsoluteError,
  huber,
  huberLoss: huber,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
};

/** Case and underscores do not matter: 'mean_squared_error', 'meanSquaredError', 'MSE'. */
const key = (s: string): string => s.replace(/_/g, '').toLowerCase();
const BY_KEY = new Map(Object.entries(LOSSES).map(([k, f]) => [key(k), f]));

/**
 * The loss function for a Keras/TF.js identifier ('meanSquaredError', 'mse',
 * 'mean_squared_error', 'meanAbsoluteError', 'mae', 'huber', 'binaryCrossentropy',
 * 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', in any case, with or
 * without underscores), or the function itself. Returns the exported function, so
 * `getLoss('mse') === meanSquaredError` (callers may compare). Cross-entropies resolve
 * to their from-probabilities form, as in Keras.
 */
export function getLoss(identifier: string | LossFn): LossFn {
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier === 'string') {
    const f = BY_KEY.get(key(identifier));
    if (f) return f;
  }
  throw new Error(
    `ferrite: getLoss: unknown loss ${JSON.stringify(identifier)}; valid names are ${Object.keys(LOSSES).join(', ')} (snake_case accepted)`,
  );
}
