// Unary elementwise ops (neg, exp, log, sqrt, square, abs, reciprocal, sign),
// clipByValue and cast. Kernels: core-rs/src/unary.rs.

import { record } from '../autograd/tape.js';
import { UnaryOp } from '../backend/core-abi.js';
import { emptyTensor, zerosTensor, type DataType, type Tensor } from '../tensor/tensor.js';
import { computeInFloat, floatCopy, fromFloat, isIntegralTensor } from './dtype.js';
import { checkFloat, checkInputs, fmtShape, named } from './util.js';

// On int32 and bool these keep the dtype (as TF.js); the others give float32.
const INTEGER_PRESERVING = new Set<UnaryOp>([
  UnaryOp.NEG,
  UnaryOp.ABS,
  UnaryOp.SQUARE,
  UnaryOp.SIGN,
  UnaryOp.FLOOR,
  UnaryOp.CEIL,
  UnaryOp.ROUND,
]);

// Piecewise constant: their gradient is zero (as TF.js).
const ZERO_GRADIENT = new Set<UnaryOp>([UnaryOp.SIGN, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND]);

// Tests whose kernel writes a bool tensor (no gradient).
const BOOL_OUTPUT = new Set<UnaryOp>([UnaryOp.IS_NAN, UnaryOp.IS_INF, UnaryOp.IS_FINITE, UnaryOp.LOGICAL_NOT]);

function unary(op: string, kernel: string, code: UnaryOp, x: Tensor): Tensor {
  const eng = checkInputs(op, x);
  if (code === UnaryOp.LOGICAL_NOT) {
    // On the bool storage as it is (0/1), as TF.js requires bool.
    if (x.dtype !== 'bool') throw new Error(`ferrite: ${op}: needs a bool tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  } else if (isIntegralTensor(x)) {
    const out = BOOL_OUTPUT.has(code)
      ? 'bool'
      : INTEGER_PRESERVING.has(code)
        ? x.dtype === 'bool' && code === UnaryOp.NEG
          ? 'int32'
          : x.dtype
        : 'float32';
    return computeInFloat([x], out, (f) => unary(op, kernel, code, f as Tensor));
  } else {
    checkFloat(op, x);
  }
  const y = emptyTensor(x.shape, BOOL_OUTPUT.has(code) ? 'bool' : 'float32', eng);
  if (x.size > 0) eng.core.fe_unary(code, x.ptr, y.ptr, x.size);
  if (y.dtype === 'bool') return y;
  record(kernel, [x], y, (dy) => {
    if (ZERO_GRADIENT.has(code)) return [zerosTensor(x.shape, 'float32', eng)];
    const dx = emptyTensor(x.shape, 'float32', eng);
    eng.core.fe_unary_backward(code, x.ptr, y.ptr, dy.ptr, dx.ptr, x.size);
    return [dx];
  });
  return y;
}

/** The exported function of one unary op: its name in errors, its tape record's name and its kernel op code. */
export function unaryOp(op: string, kernel: string, code: UnaryOp): (x: Tensor) => Tensor {
  return named(op, (x: Tensor) => unary(op, kernel, code, x));
}

/**
 * -x
 *
 * @example
 * ```ts
 * fe.neg(fe.tensor1d([1, -2])).print(); // [-1, 2]
 * ```
 */
export const neg = unaryOp('neg', 'Neg', UnaryOp.NEG);

/**
 * e^x (vectorised; relative error below 1e-6; Infinity above ~88.72, 0 below ~-87.3).
 *
 * @example
 * ```ts
 * fe.exp(fe.tensor1d([0, 1])).print(); // [1, 2.718]
 * ```
 */
export const exp = unaryOp('exp', 'Exp', UnaryOp.EXP);

/**
 * Natural logarithm (libm logf): -Infinity at 0, NaN below.
 *
 * @example
 * ```ts
 * fe.log(fe.tensor1d([1, Math.E])).print(); // [0, 1]
 * ```
 */
export const log = unaryOp('log', 'Log', UnaryOp.LOG);

/**
 * √x (NaN below 0; the gradient at 0 is Infinity).
 *
 * @example
 * ```ts
 * fe.sqrt(fe.tensor1d([4, 9])).print(); // [2, 3]
 * ```
 */
export const sqrt = unaryOp('sqrt', 'Sqrt', UnaryOp.SQRT);

/**
 * x²
 *
 * @example
 * ```ts
 * fe.square(fe.tensor1d([-2, 3])).print(); // [4, 9]
 * ```
 */
export const square = unaryOp('square', 'Square', UnaryOp.SQUARE);

/**
 * |x|; the gradient at 0 is taken as 0.
 *
 * @example
 * ```ts
 * fe.abs(fe.tensor1d([-2, 3])).print(); // [2, 3]
 * ```
 */
export const abs = unaryOp('abs', 'Abs', UnaryOp.ABS);

/**
 * 1 / x
 *
 * @example
 * ```ts
 * fe.reciprocal(fe.tensor1d([2, 4])).print(); // [0.5, 0.25]
 * ```
 */
export const reciprocal = unaryOp('reciprocal', 'Reciprocal', UnaryOp.RECIPROCAL);

/**
 * -1, 0 or 1 by the sign of x (0 for ±0 and NaN); its gradient is zero.
 *
 * @example
 * ```ts
 * fe.sign(fe.tensor1d([-3, 0, 2])).print(); // [-1, 0, 1]
 * ```
 */
export const sign = unaryOp('sign', 'Sign', UnaryOp.SIGN);

/**
 * x clamped to [clipValueMin, clipValueMax]. The gradient passes where
 * clipValueMin <= x <= clipValueMax (bounds included, as TF.js) and is 0 elsewhere.
 *
 * @example
 * ```ts
 * fe.clipByValue(fe.tensor1d([-2, 0.5, 3]), 0, 1).print(); // [0, 0.5, 1]
 * ```
 */
export function clipByValue(x: Tensor, clipValueMin: number, clipValueMax: number): Tensor {
  const eng = checkInputs('clipByValue', x);
  checkFloat('clipByValue', x);
  if (typeof clipValueMin !== 'number' || typeof clipValueMax !== 'number' || !(clipValueMin <= clipValueMax)) {
    throw new Error(
      `ferrite: clipByValue: needs numbers clipValueMin <= clipValueMax, got ${clipValueMin} and ${clipValueMax}`,
    );
  }
  const y = emptyTensor(x.shape, 'float32', eng);
  eng.core.fe_clip(x.ptr, y.ptr, x.size, clipValueMin, clipValueMax);
  record('ClipByValue', [x], y, (dy) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    eng.core.fe_clip_backward(x.ptr, dy.ptr, dx.ptr, x.size, clipValueMin, clipValueMax);
    return [dx];
  });
  return y;
}

/**
 * Converts to `dtype`. float32 -> int32 truncates toward zero (as TF.js); values
 * beyond the int32 range saturate and NaN becomes 0. int32 -> float32 rounds to the
 * nearest float beyond 2^24. To bool: nonzero and NaN are true; bool reads as 0/1. The same dtype gives a copy. The gradient flows through
 * a float32 -> float32 cast only (int32 values carry none).
 *
 * @example
 * ```ts
 * fe.cast(fe.tensor1d([1.7, -1.7]), 'int32').print(); // int32 [1, -1]
 * ```
 */
export function cast(x: Tensor, dtype: DataType): Tensor {
  const eng = checkInputs('cast', x);
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new Error(
      `ferrite: cast: unsupported dtype '${String(dtype)}' for ${fmtShape(x.shape)} (float32, int32 or bool)`,
    );
  }
  // To bool: nonzero (and NaN) is true, as TF.js; from bool: its 0/1 storage is already int32.
  if (dtype === 'bool' && x.dtype !== 'bool') {
    if (x.dtype === 'float32') return fromFloat(x, 'bool');
    const f = floatCopy(x);
    try {
      return fromFloat(f, 'bool');
    } finally {
      f.dispose();
    }
  }
  const from = x.dtype === 'bool' ? 'int32' : x.dtype;
  const y = emptyTensor(x.shape, dtype, eng);
  if (dtype === from || dtype === x.dtype) {
    eng.u8.copyWithin(y.ptr, x.ptr, x.ptr + x.size * 4);
    if (dtype === 'float32') record('Cast', [x], y, (dy) => [dy]);
  } else if (dtype === 'int32') {
    if (y.size > 0) eng.core.fe_cast_f32_i32(x.ptr, y.ptr, x.size);
  } else if (y.size > 0) {
    eng.core.fe_cast_i32_f32(x.ptr, y.ptr, x.size);
  }
  return y;
}
