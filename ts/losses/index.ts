// Losses, Keras-style: a loss function takes (yTrue, yPred) and returns one loss per
// sample (the last axis reduced); the model averages them over the batch.
//
// NaN: losses do not scan their inputs for NaN (that would cost a pass over every batch):
// a NaN in yTrue or yPred gives a NaN loss for that sample, and the training loop is
// the place that notices a NaN loss.

import type { Tensor } from '../tensor/tensor.js';

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
