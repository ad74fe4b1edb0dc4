// What compile accepts as a loss: a function, or a Keras/TF.js name in any spelling.

import { huber, meanAbsoluteError, meanSquaredError } from './regression.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from './crossentropy.js';
import { categoricalHinge, hinge, squaredHinge } from './hinge.js';
import {
  cosineProximity,
  kullbackLeiblerDivergence,
  logcosh,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  poisson,
} from './probabilistic.js';
import type { LossFn } from './index.js';
import { nameKey } from '../serialization/registry.js';

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
  hinge,
  squaredHinge,
  categoricalHinge,
  kullbackLeiblerDivergence,
  kld: kullbackLeiblerDivergence,
  poisson,
  logcosh,
  cosineProximity,
  cosine: cosineProximity,
  meanAbsolutePercentageError,
  mape: meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  msle: meanSquaredLogarithmicError,
};

const BY_KEY = new Map(Object.entries(LOSSES).map(([k, f]) => [nameKey(k), f]));

/**
 * The loss function for a Keras/TF.js identifier ('meanSquaredError', 'mse',
 * 'mean_squared_error', 'meanAbsoluteError', 'mae', 'huber', 'binaryCrossentropy',
 * 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'hinge', 'squaredHinge',
 * 'categoricalHinge', 'kullbackLeiblerDivergence' ('kld'), 'poisson', 'logcosh',
 * 'cosineProximity', 'meanAbsolutePercentageError' ('mape'),
 * 'meanSquaredLogarithmicError' ('msle'), in any case, with or without underscores),
 * or the function itself. Returns the exported function, so
 * `getLoss('mse') === meanSquaredError` (callers may compare). Cross-entropies resolve
 * to their from-probabilities form, as in Keras.
 */
export function getLoss(identifier: string | LossFn): LossFn {
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier === 'string') {
    const f = BY_KEY.get(nameKey(identifier));
    if (f) return f;
  }
  throw new Error(
    `ferrite: getLoss: unknown loss ${JSON.stringify(identifier)}; valid names are ${Object.keys(LOSSES).join(', ')} (snake_case accepted)`,
  );
}
