// Probabilistic and regression losses of Keras's catalogue that TF.js's Layers API also
// has, with TF.js's formulas (the clipping constants included), one value per sample.
// Built from differentiable ops, so they train through the tape.

import { add, div, maximum, mul, sub } from '../ops/arithmetic.js';
import { mean, sum } from '../ops/reduce.js';
import { abs, clipByValue, log, neg, sqrt, square } from '../ops/unary.js';
import { softplus } from '../ops/activations.js';
import { EPSILON } from '../ops/fused-losses.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPair } from './check.js';

/** Σ yTrue ln(clip(yTrue) / clip(yPred)) over the last axis, both clipped to [1e-7, 1]. */
export function kullbackLeiblerDivergence(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('kullbackLeiblerDivergence', yTrue, yPred);
  return tidy(() => {
    const t = clipByValue(yTrue, EPSILON, 1);
    const p = clipByValue(yPred, EPSILON, 1);
    return sum(mul(yTrue, log(div(t, p))), -1);
  });
}

/** mean(yPred - yTrue ln(yPred + 1e-7), axis = -1): the Poisson negative log-likelihood up to a constant. */
export function poisson(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('poisson', yTrue, yPred);
  return tidy(() => mean(sub(yPred, mul(yTrue, log(add(yPred, EPSILON)))), -1));
}

/** mean(log(cosh(yPred - yTrue)), axis = -1), as d + softplus(-2d) - ln 2 (no overflow for large |d|). */
export function logcosh(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('logcosh', yTrue, yPred);
  return tidy(() => {
    const d = sub(yPred, yTrue);
    return mean(sub(add(d, softplus(mul(d, -2))), Math.LN2), -1);
  });
}

/** x / sqrt(max(Σ x², 1e-7)) over the last axis. */
function l2Normalize(x: Tensor): Tensor {
  return div(x, sqrt(maximum(sum(square(x), -1, true), EPSILON)));
}

/**
 * -Σ normalize(yTrue) normalize(yPred) over the last axis: -1 for parallel vectors (TF.js's cosineProximity).
 *
 * @example
 * ```ts
 * fe.metrics.cosineProximity(fe.tensor2d([[1, 1]]), fe.tensor2d([[2, 2]])).print(); // [-1]: parallel
 * ```
 */
export function cosineProximity(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('cosineProximity', yTrue, yPred);
  return tidy(() => neg(sum(mul(l2Normalize(yTrue), l2Normalize(yPred)), -1)));
}

/**
 * 100 mean(|yTrue - yPred| / max(|yTrue|, 1e-7), axis = -1).
 *
 * @example
 * ```ts
 * fe.metrics.meanAbsolutePercentageError(fe.tensor2d([[100, 200]]), fe.tensor2d([[110, 180]])).print(); // [10]
 * ```
 */
export function meanAbsolutePercentageError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('meanAbsolutePercentageError', yTrue, yPred);
  return tidy(() => {
    const denom = clipByValue(abs(yTrue), EPSILON, Infinity);
    return mul(mean(abs(div(sub(yTrue, yPred), denom)), -1), 100);
  });
}

/** mean((ln(1 + max(yPred, 1e-7)) - ln(1 + max(yTrue, 1e-7)))², axis = -1). */
export function meanSquaredLogarithmicError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkPair('meanSquaredLogarithmicError', yTrue, yPred);
  return tidy(() => {
    const lp = log(add(clipByValue(yPred, EPSILON, Infinity), 1));
    const lt = log(add(clipByValue(yTrue, EPSILON, Infinity), 1));
    return mean(square(sub(lp, lt)), -1);
  });
}
