// Margin losses (Keras semantics, as TF.js's Layers API: labels are used as given, -1/1
// for hinge and squared hinge, one-hot for categorical hinge), one value per sample.
// Built from differentiable ops, so they train through the tape.

import { maximum, mul, sub, add } from '../ops/arithmetic.js';
import { max, mean, sum } from '../ops/reduce.js';
import { square } from '../ops/unary.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPair } from './check.js';

/** mean(max(1 - yTrue yPred, 0), axis = -1). */
export function hinge(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('hinge', yTrue, yPred);
  return tidy(() => mean(maximum(sub(1, mul(yTrue, yPred)), 0), -1));
}

/** mean(max(1 - yTrue yPred, 0)², axis = -1). */
export function squaredHinge(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('squaredHinge', yTrue, yPred);
  return tidy(() => mean(square(maximum(sub(1, mul(yTrue, yPred)), 0)), -1));
}

/**
 * max(0, 1 + neg - pos) with pos = Σ yTrue yPred (the true class's score) and
 * neg = max((1 - yTrue) yPred) (the best other class's), over the last axis.
 */
export function categoricalHinge(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('categoricalHinge', yTrue, yPred);
  return tidy(() => {
    const pos = sum(mul(yTrue, yPred), -1);
    const neg = max(mul(sub(1, yTrue), yPred), -1);
    return maximum(add(sub(neg, pos), 1), 0);
  });
}
