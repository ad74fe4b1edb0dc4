// Losses, exactly as TF.js's `tf.losses`: the core API's losses, called as
// (labels, predictions, weights?, ..., reduction?) and reduced to a scalar by default
// (see ./core.ts). The Layers API's per-sample losses, which `compile` finds by name
// ('meanSquaredError', 'categoricalCrossentropy', ...), live in ./resolve.ts's registry;
// those TF.js exposes as functions are in `metrics` (`metrics.binaryCrossentropy`, ...).

import type { Tensor } from '../tensor/tensor.js';

export {
  Reduction,
  computeWeightedLoss,
  absoluteDifference,
  meanSquaredError,
  huberLoss,
  logLoss,
  hingeLoss,
  cosineDistance,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
} from './core.js';

// Keras's cross-entropy loss objects (fromLogits, labelSmoothing) for compile.
export {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  type CrossentropyOptions,
} from './crossentropy-options.js';

/**
 * A per-sample loss function, what `compile({loss})` accepts: (yTrue, yPred) -> one loss per sample.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const meanFourth: fe.losses.LossFn = (yTrue, yPred) => yPred.sub(yTrue).pow(4).mean(-1);
 * m.compile({ optimizer: 'sgd', loss: meanFourth });
 * ```
 */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;
