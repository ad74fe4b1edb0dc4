// Running sums and products along one axis (cumsum, cumprod) and the product reduction
// (prod). Kernels: core-rs/src/scan.rs, which sees x as (outer, n, inner) around the axis.

import { record } from '../autograd/tape.js';
import { ScanOp } from '../backend/core-abi.js';
import { sizeOf, emptyTensor, type Shape, type Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { computeInFloat, isIntegralTensor } from './dtype.js';
import { mul } from './arithmetic.js';
import { axisMask, planPasses, reducedShape, type Pass } from './reduce.js';
import { reshape } from './shape.js';
import { checkFloat, checkInputs, normAxis } from './util.js';

/** fe_scan's flags: bit 0 exclusive, bit 1 reverse. */
export const scanFlags = (exclusive: boolean, reverse: boolean): number => (exclusive ? 1 : 0) | (reverse ? 2 : 0);

/** The kernel's scan of x (float32) along the middle dim of `p`, not recorded. */
function scanRaw(op: number, x: Tensor, p: Pass, exclusive: boolean, reverse: boolean): Tensor {
  const y = emptyTensor(x.shape, 'float32', x.engine);
  if (y.size > 0) x.engine.core.fe_scan(op, x.ptr, y.ptr, p.outer, p.n, p.inner, scanFlags(exclusive, reverse));
  return y;
}

function scanOp(name: 'cumsum' | 'cumprod', x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Tensor {
  // As TF.js: int32 stays int32 (bool counts as int32).
  if (isIntegralTensor(x)) {
    return computeInFloat([x], 'int32', (f) => scanOp(name, f as Tensor, axis, exclusive, reverse));
  }
  checkInputs(name, x);
  checkFloat(name, x);
  if (typeof axis !== 'number') throw new Error(`ferrite: ${name}: axis must be one integer, got ${typeof axis}`);
  const a = x.rank === 0 ? 0 : normAxis(name, axis, x.rank);
  const p: Pass = {
    outer: sizeOf(x.shape.slice(0, a)),
    n: x.rank === 0 ? 1 : x.shape[a],
    inner: sizeOf(x.shape.slice(a + 1)),
  };
  const y = scanRaw(name === 'cumsum' ? ScanOp.SUM : ScanOp.PROD, x, p, exclusive, reverse);
  if (name === 'cumsum') {
    // Each x[k] reaches the outputs after it (before it with reverse): dx is dy summed the other way.
    record('Cumsum', [x], y, (dy) => [scanRaw(ScanOp.SUM, dy, p, exclusive, !reverse)]);
  } else {
    record('Cumprod', [x], y, () => {
      throw new Error('ferrite: cumprod has no gradient (TF.js defines none); use prod, or exp(cumsum(log(x)))');
    });
  }
  return y;
}

/**
 * The running sum along `axis` (default 0, as TF.js): y[k] = x[0] + ... + x[k].
 * `exclusive` leaves x[k] out of y[k] (y[0] = 0); `reverse` runs from the end of the axis.
 * int32 and bool give int32.
 *
 * @example
 * ```ts
 * fe.cumsum(fe.tensor1d([1, 2, 3])).print(); // [1, 3, 6]
 * fe.cumsum(fe.tensor1d([1, 2, 3]), 0, true).print(); // [0, 1, 3]
 * ```
 */
export function cumsum(x: Tensor, axis = 0, exclusive = false, reverse = false): Tensor {
  return scanOp('cumsum', x, axis, exclusive, reverse);
}

/**
 * The running product along `axis` (default 0), with `exclusive` (y[0] = 1) and `reverse`
 * as in `cumsum`. Not differentiable, as in TF.js.
 *
 * @example
 * ```ts
 * fe.cumprod(fe.tensor1d([1, 2, 3])).print(); // [1, 2, 6]
 * ```
 */
export function cumprod(x: Tensor, axis = 0, exclusive = false, reverse = false): Tensor {
  return scanOp('cumprod', x, axis, exclusive, reverse);
}

/** One product kernel call over (outer, n, inner), recorded with its backward. */
function prodPass(x: Tensor, p: Pass, outShape: Shape): Tensor {
  const eng = x.engine;
  const y = emptyTensor(outShape, 'float32', eng);
  if (y.size > 0) eng.core.fe_prod(x.ptr, y.ptr, p.outer, p.n, p.inner);
  // d prod / d x[k] is the product of the others: the exclusive running products from
  // both ends multiplied, which stays exact where x holds zeros (TF.js's rule).
  record('Prod', [x], y, (dy) =>
    tidy(() => {
      const before = scanRaw(ScanOp.PROD, x, p, true, false);
      const after = scanRaw(ScanOp.PROD, x, p, true, true);
      const others = mul(before, after);
      const g = mul(reshape(others, [p.outer, p.n, p.inner]), reshape(dy, [p.outer, 1, p.inner]));
      return [reshape(g, x.shape)];
    }),
  );
  return y;
}

/**
 * The product over `axis` (a number, an array, or undefined for all axes), keeping
 * reduced axes as size 1 with `keepDims`. The product over no elements is 1. int32 and
 * bool give int32, as TF.js.
 *
 * @example
 * ```ts
 * fe.prod(fe.tensor2d([[1, 2], [3, 4]]), 1).print(); // [2, 12]
 * ```
 */
export function prod(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  if (isIntegralTensor(x)) return computeInFloat([x], 'int32', (f) => prod(f as Tensor, axis, keepDims));
  checkInputs('prod', x);
  checkFloat('prod', x);
  const mask = axisMask('prod', axis, x.rank);
  const outShape = reducedShape(x.shape, mask, keepDims);
  const passes = planPasses(x.shape, mask);
  // Only size-1 dims (or none) reduced: the product is the value itself.
  if (passes.length === 0) return reshape(x, outShape);
  // Several runs of axes: one recorded call per run, so the backward chains through them.
  let cur = x;
  passes.forEach((p, i) => {
    const next = prodPass(cur, p, i === passes.length - 1 ? outShape : [p.outer * p.inner]);
    if (cur !== x) cur.dispose();
    cur = next;
  });
  return cur;
}
