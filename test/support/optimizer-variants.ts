// The optimizer variants the tests of optimizer-wide behaviour run through: every
// optimizer, and the options whose kernels write different sets of slots.

import { train, type Optimizer } from '../../ts/optimizers/index.js';

/** Every optimizer and the variants whose kernels write different sets of slots. */
export const OPTIMIZER_VARIANTS: [string, () => Optimizer][] = [
  ['sgd', () => train.sgd(0.1)],
  ['momentum', () => train.momentum(0.05, 0.9)],
  ['momentum (Nesterov)', () => train.momentum(0.05, 0.8, true)],
  ['adam', () => train.adam(0.01)],
  ['adam (amsgrad)', () => train.adam(0.01, 0.9, 0.999, 1e-7, true)],
  ['adamw', () => train.adamw(0.01, 0.01)],
  ['adamax', () => train.adamax(0.01)],
  ['adagrad', () => train.adagrad(0.05)],
  ['adadelta', () => train.adadelta(1, 0.9)],
  ['rmsprop', () => train.rmsprop(0.01)],
  ['rmsprop (centered, momentum)', () => train.rmsprop(0.005, 0.85, 0.9, 1e-7, true)],
];
