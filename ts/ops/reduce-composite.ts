// Reductions built from the kernel-backed ones: all, any, logSumExp, norm, moments.

import { record, untaped } from '../autograd/tape.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { computeInFloat, floatCopy, fromFloat, isIntegralTensor } from './dtype.js';
import { add, mul, sub } from './arithmetic.js';
import { abs, exp, log, sqrt, square } from './unary.js';
import { axisMask, max, mean, min, reducedShape, sum } from './reduce.js';
import { reshape } from './shape.js';
import { checkFloat, checkInputs, fmtShape, normAxis } from './util.js';

/** The axis or axes to reduce; undefined or null for all. @inline */
type Axis = number | number[] | undefined | null;

/** TF.js passes null for "all axes" as often as undefined. */
const axisOrAll = (axis: Axis): number | number[] | undefined => (axis === null ? undefined : axis);

function logical(op: 'all' | 'any', x: Tensor, axis: Axis, keepDims: boolean): Tensor {
  checkInputs(op, x);
  if (x.dtype !== 'bool') {
    throw new Error(`ferrite: ${op}: x must be a bool tensor (as in TF.js), got ${x.dtype} ${fmtShape(x.shape)}`);
  }
  const f = floatCopy(x);
  try {
    // all: the minimum of 0/1 values (+Infinity, so true, over nothing); any: the sum
    // (0, so false, over nothing), exact for any count of ones below 2^24.
    const r = op === 'all' ? min(f, axisOrAll(axis), keepDims) : sum(f, axisOrAll(axis), keepDims);
    try {
      return fromFloat(r, 'bool');
    } finally {
      r.dispose();
    }
  } finally {
    f.dispose();
  }
}

/**
 * Logical AND of a bool tensor over `axis` (all axes when undefined or null); true over no elements.
 *
 * @example
 * ```ts
 * fe.all(fe.tensor2d([[true, false], [true, true]], undefined, 'bool'), 1).print(); // [false, true]
 * ```
 */
export function all(x: Tensor, axis: Axis = null, keepDims = false): Tensor {
  return logical('all', x, axis, keepDims);
}

/**
 * Logical OR of a bool tensor over `axis` (all axes when undefined or null); false over no elements.
 *
 * @example
 * ```ts
 * fe.any(fe.tensor2d([[true, false], [false, false]], undefined, 'bool'), 1).print(); // [true, false]
 * ```
 */
export function any(x: Tensor, axis: Axis = null, keepDims = false): Tensor {
  return logical('any', x, axis, keepDims);
}

/**
 * log(Σ exp(x)) over `axis` (all axes when undefined or null), computed as
 * m + log(Σ exp(x - m)) with m the maximum, so large values do not overflow. Where every
 * value is -Infinity the result is -Infinity (TF.js gives NaN there: its m is -Infinity).
 * The gradient is softmax(x) along the axes times dy.
 *
 * @example
 * ```ts
 * fe.logSumExp(fe.tensor1d([1000, 1000])).print(); // 1001 (1000 + log 2): no overflow
 * ```
 */
export function logSumExp(x: Tensor, axis: Axis = null, keepDims = false): Tensor {
  if (isIntegralTensor(x)) return computeInFloat([x], 'float32', (f) => logSumExp(f as Tensor, axis, keepDims));
  checkInputs('logSumExp', x);
  checkFloat('logSumExp', x);
  const ax = axisOrAll(axis);
  const mask = axisMask('logSumExp', ax, x.rank);
  const keepShape = reducedShape(x.shape, mask, true);
  // The result with reduced axes kept as size 1 (the backward broadcasts it against x).
  const yKeep = untaped(() =>
    tidy(() => {
      const m = max(x, ax, true);
      // An infinite (or empty-axis) maximum would turn x - m into NaN; shift by 0 there.
      const mv = m.view();
      for (let i = 0; i < mv.length; i++) if (!Number.isFinite(mv[i])) mv[i] = 0;
      return add(log(sum(exp(sub(x, m)), ax, true)), m);
    }),
  );
  const y = reshape(yKeep, reducedShape(x.shape, mask, keepDims));
  record('LogSumExp', [x], y, (dy) => [tidy(() => mul(exp(sub(x, yKeep)), reshape(dy, keepShape)))], [yKeep]);
  // yKeep lives while the tape needs it (disposePending), else goes now.
  yKeep.dispose();
  return y;
}

/**
 * The order of `norm` (TF.js's): 1, 2, Infinity, -Infinity, 'euclidean' (2, or Frobenius over two axes) or 'fro' (Frobenius).
 *
 * @example
 * ```ts
 * fe.norm(fe.tensor1d([3, -4]), Infinity).print(); // 4
 * ```
 */
export type NormOrd = number | 'euclidean' | 'fro';

/** The vector norm of `ord` over one axis (or of all of x flattened when axis is undefined). */
function vectorNorm(x: Tensor, ord: NormOrd, axis: number | undefined): Tensor {
  if (ord === 1) return sum(abs(x), axis);
  if (ord === Infinity) return max(abs(x), axis);
  if (ord === -Infinity) return min(abs(x), axis);
  if (ord === 2 || ord === 'euclidean') return sqrt(sum(square(x), axis));
  throw new Error(
    `ferrite: norm: ord ${JSON.stringify(ord)} is not a vector norm TF.js has (1, 2, Infinity, -Infinity, 'euclidean')`,
  );
}

/** The matrix norm of `ord` over axes (r, c) (normalised, distinct). */
function matrixNorm(x: Tensor, ord: NormOrd, r: number, c: number): Tensor {
  // After summing one axis away, the other one's index drops by 1 when it came after it.
  const after = (kept: number, gone: number) => (kept > gone ? kept - 1 : kept);
  if (ord === 1) return max(sum(abs(x), r), after(c, r));
  if (ord === Infinity) return max(sum(abs(x), c), after(r, c));
  if (ord === -Infinity) return min(sum(abs(x), c), after(r, c));
  if (ord === 'fro' || ord === 'euclidean') return sqrt(sum(square(x), [r, c]));
  throw new Error(
    `ferrite: norm: ord ${JSON.stringify(ord)} is not a matrix norm TF.js has (1, Infinity, -Infinity, 'fro', 'euclidean')`,
  );
}

/**
 * The norm of x as TF.js's `norm`: with `axis` undefined or null, the vector norm of x
 * flattened; with one axis, vector norms along it (`ord` 1, 2, Infinity, -Infinity or
 * 'euclidean'); with two axes [rows, cols], matrix norms (`ord` 1: largest column sum of
 * |x|, Infinity: largest row sum, -Infinity: smallest row sum, 'fro' or 'euclidean').
 * `keepDims` keeps the reduced axes as size 1.
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[3, 4], [0, 0]]);
 * fe.norm(x).print(); // 5
 * fe.norm(x, 1, 1).print(); // [7, 0]
 * ```
 */
export function norm(x: Tensor, ord: NormOrd = 'euclidean', axis: Axis = null, keepDims = false): Tensor {
  checkInputs('norm', x);
  if (isIntegralTensor(x)) return computeInFloat([x], 'float32', (f) => norm(f as Tensor, ord, axis, keepDims));
  const axes = axis === null || axis === undefined ? undefined : typeof axis === 'number' ? [axis] : axis;
  if (axes !== undefined && (!Array.isArray(axes) || axes.length < 1 || axes.length > 2)) {
    throw new Error(`ferrite: norm: axis must be null, one axis or a pair of axes, got ${JSON.stringify(axis)}`);
  }
  const mask = axisMask('norm', axes, x.rank);
  const outShape = reducedShape(x.shape, mask, keepDims);
  return tidy(() => {
    let y: Tensor;
    if (x.rank === 0) y = abs(x);
    else if (axes === undefined) y = vectorNorm(reshape(x, [x.size]), ord, undefined);
    else if (axes.length === 1) y = vectorNorm(x, ord, normAxis('norm', axes[0], x.rank));
    else y = matrixNorm(x, ord, normAxis('norm', axes[0], x.rank), normAxis('norm', axes[1], x.rank));
    return reshape(y, outShape);
  });
}

/**
 * The mean and (population) variance of x over `axis` (all axes when undefined or null),
 * as TF.js's `moments`.
 *
 * @example
 * ```ts
 * const { mean, variance } = fe.moments(fe.tensor1d([1, 2, 3, 4]));
 * mean.print(); // 2.5
 * variance.print(); // 1.25
 * ```
 */
export function moments(
  x: Tensor,
  axis: Axis = null,
  keepDims = false,
): {
  /** The mean over axis. */
  mean: Tensor;
  /** The (biased) variance over axis. */
  variance: Tensor;
} {
  checkInputs('moments', x);
  const ax = axisOrAll(axis);
  return tidy(() => {
    const xf = isIntegralTensor(x) ? floatCopy(x) : x;
    const mu = mean(xf, ax, true);
    const variance = mean(square(sub(xf, mu)), ax, keepDims);
    const m = keepDims ? mu : reshape(mu, reducedShape(x.shape, axisMask('moments', ax, x.rank), false));
    return { mean: m, variance };
  });
}
