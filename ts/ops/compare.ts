// Comparisons, logic and `where`, as TF.js: comparisons take any dtypes (compared as
// numbers; NaN compares unequal to everything) and give bool; the logic ops take bool;
// none has a gradient. `where` selects between a and b (differentiable in both).
// Kernels: core-rs/src/elementwise.rs (comparisons, logic), unary.rs (logicalNot and
// the isNaN family), select.rs (where).

import { record } from '../autograd/tape.js';
import { BinaryOp, UnaryOp } from '../backend/core-abi.js';
import { emptyTensor, Tensor } from '../tensor/tensor.js';
import { binaryOp } from './arithmetic.js';
import { broadcastTo } from './shape.js';
import { cast, unaryOp } from './unary.js';
import { upcastType } from './dtype.js';
import { broadcastShapes, checkInputs, fmtShape, sameShape } from './util.js';

const compare = (op: string, kernel: string, code: BinaryOp) => binaryOp(op, kernel, code, { output: 'bool' });
const logic = (op: string, kernel: string, code: BinaryOp) =>
  binaryOp(op, kernel, code, { output: 'bool', operands: 'bool' });

/**
 * a == b, elementwise, with broadcasting: a bool tensor (false where either is NaN).
 *
 * @example
 * ```ts
 * fe.equal(fe.tensor1d([1, 2, 3]), 2).print(); // [false, true, false]
 * ```
 */
export const equal = compare('equal', 'Equal', BinaryOp.EQUAL);

/**
 * a != b, elementwise, with broadcasting: a bool tensor (true where either is NaN).
 *
 * @example
 * ```ts
 * fe.notEqual(fe.tensor1d([1, 2, 3]), 2).print(); // [true, false, true]
 * ```
 */
export const notEqual = compare('notEqual', 'NotEqual', BinaryOp.NOT_EQUAL);

/**
 * a > b, elementwise, with broadcasting: a bool tensor.
 *
 * @example
 * ```ts
 * fe.greater(fe.tensor1d([1, 2, 3]), 2).print(); // [false, false, true]
 * ```
 */
export const greater = compare('greater', 'Greater', BinaryOp.GREATER);

/**
 * a >= b, elementwise, with broadcasting: a bool tensor.
 *
 * @example
 * ```ts
 * fe.greaterEqual(fe.tensor1d([1, 2, 3]), 2).print(); // [false, true, true]
 * ```
 */
export const greaterEqual = compare('greaterEqual', 'GreaterEqual', BinaryOp.GREATER_EQUAL);

/**
 * a < b, elementwise, with broadcasting: a bool tensor.
 *
 * @example
 * ```ts
 * fe.less(fe.tensor1d([1, 2, 3]), 2).print(); // [true, false, false]
 * ```
 */
export const less = compare('less', 'Less', BinaryOp.LESS);

/**
 * a <= b, elementwise, with broadcasting: a bool tensor.
 *
 * @example
 * ```ts
 * fe.lessEqual(fe.tensor1d([1, 2, 3]), 2).print(); // [true, true, false]
 * ```
 */
export const lessEqual = compare('lessEqual', 'LessEqual', BinaryOp.LESS_EQUAL);

/**
 * a AND b for bool tensors, with broadcasting.
 *
 * @example
 * ```ts
 * const a = fe.tensor1d([true, true, false], 'bool');
 * fe.logicalAnd(a, fe.tensor1d([true, false, false], 'bool')).print(); // [true, false, false]
 * ```
 */
export const logicalAnd = logic('logicalAnd', 'LogicalAnd', BinaryOp.LOGICAL_AND);

/**
 * a OR b for bool tensors, with broadcasting.
 *
 * @example
 * ```ts
 * const a = fe.tensor1d([true, false, false], 'bool');
 * fe.logicalOr(a, fe.tensor1d([false, false, true], 'bool')).print(); // [true, false, true]
 * ```
 */
export const logicalOr = logic('logicalOr', 'LogicalOr', BinaryOp.LOGICAL_OR);

/**
 * a XOR b for bool tensors, with broadcasting.
 *
 * @example
 * ```ts
 * const a = fe.tensor1d([true, true, false], 'bool');
 * fe.logicalXor(a, fe.tensor1d([true, false, false], 'bool')).print(); // [false, true, false]
 * ```
 */
export const logicalXor = logic('logicalXor', 'LogicalXor', BinaryOp.LOGICAL_XOR);

/**
 * NOT x for a bool tensor.
 *
 * @example
 * ```ts
 * fe.logicalNot(fe.tensor1d([true, false], 'bool')).print(); // [false, true]
 * ```
 */
export const logicalNot = unaryOp('logicalNot', 'LogicalNot', UnaryOp.LOGICAL_NOT);

/**
 * True where x is NaN (a bool tensor; int32 and bool inputs give all false).
 *
 * @example
 * ```ts
 * fe.isNaN(fe.tensor1d([1, NaN, Infinity])).print(); // [false, true, false]
 * ```
 */
export const isNaN = unaryOp('isNaN', 'IsNan', UnaryOp.IS_NAN);

/**
 * True where x is +Infinity or -Infinity.
 *
 * @example
 * ```ts
 * fe.isInf(fe.tensor1d([1, NaN, -Infinity])).print(); // [false, false, true]
 * ```
 */
export const isInf = unaryOp('isInf', 'IsInf', UnaryOp.IS_INF);

/**
 * True where x is neither NaN nor ±Infinity.
 *
 * @example
 * ```ts
 * fe.isFinite(fe.tensor1d([1, NaN, Infinity])).print(); // [true, false, false]
 * ```
 */
export const isFinite = unaryOp('isFinite', 'IsFinite', UnaryOp.IS_FINITE);

/**
 * a where `condition` is true, b elsewhere (TF.js's `where`): condition is a bool tensor,
 * and the three broadcast together. a and b of different dtypes give the wider one. The
 * gradient of the result goes to a where the condition holds, to b elsewhere.
 *
 * @example
 * ```ts
 * const x = fe.tensor1d([-1, 2, -3]);
 * fe.where(fe.greater(x, 0), x, fe.zerosLike(x)).print(); // [0, 2, 0]
 * ```
 */
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  const eng = checkInputs('where', condition, a, b);
  if (condition.dtype !== 'bool') {
    throw new Error(
      `ferrite: where: the condition must be a bool tensor, got ${condition.dtype} ${fmtShape(condition.shape)}`,
    );
  }
  const dtype = upcastType(a.dtype, b.dtype);
  const shape = broadcastShapes('where', broadcastShapes('where', condition.shape, a.shape), b.shape);
  // The operands in the output's shape and dtype (copies only where they differ).
  const temps: Tensor[] = [];
  const prepare = (x: Tensor): Tensor => {
    let t = x;
    if (t.dtype !== dtype) temps.push((t = cast(t, dtype)));
    if (!sameShape(t.shape, shape)) temps.push((t = broadcastTo(t, shape)));
    return t;
  };
  try {
    const [c, ta, tb] = [prepare(condition), prepare(a), prepare(b)];
    const y = emptyTensor(shape, dtype, eng);
    if (y.size > 0) eng.core.fe_select(c.ptr, ta.ptr, tb.ptr, y.ptr, y.size);
    if (dtype === 'float32') {
      record(
        'Select',
        [ta, tb],
        y,
        (dy) => {
          const da = emptyTensor(shape, 'float32', eng);
          const db = emptyTensor(shape, 'float32', eng);
          if (y.size > 0) eng.core.fe_select_backward(c.ptr, dy.ptr, da.ptr, db.ptr, y.size);
          return [da, db];
        },
        [c],
      );
    }
    return y;
  } finally {
    // Copies the tape holds (the condition the backward reads) are freed after the sweep.
    for (const t of temps) t.dispose();
  }
}
