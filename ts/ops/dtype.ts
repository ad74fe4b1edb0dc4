// Dtypes as TF.js has them: float32, int32 and bool (stored as int32 0/1 in wasm memory).
//
// The kernels compute in float32. An op given int32 or bool inputs runs on float32
// copies and converts the result back to the dtype TF.js gives: the wider input dtype
// (bool < int32 < float32; a plain number counts as float32, as TF.js infers it), so
// int32 with float32 gives float32, int32 with int32 stays int32 (its division floors,
// x / 0 gives 0 as TF.js's cpu backend). Integer results are exact while they stay
// within ±2^24, the float32 integer range.

import { emptyTensor, Tensor, type DataType } from '../tensor/tensor.js';

/** What a binary op accepts for an operand: a tensor, or a number (float32). */
type Operand = Tensor | number;

const RANK: Record<DataType, number> = { bool: 0, int32: 1, float32: 2 };

/** The wider of two dtypes (TF.js's upcastType): bool < int32 < float32. */
export function upcastType(a: DataType, b: DataType): DataType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function operandDtype(x: Operand): DataType {
  return typeof x === 'number' ? 'float32' : x.dtype;
}

/** True for an int32 or bool tensor (false for anything else, which the op's own checks reject). */
export function isIntegralTensor(x: unknown): boolean {
  return x instanceof Tensor && x.dtype !== 'float32';
}

/** True for dtypes held as int32 in wasm memory. */
export function isIntegral(dtype: DataType): boolean {
  return dtype === 'int32' || dtype === 'bool';
}

/** A float32 copy of an int32 or bool tensor (not recorded: integer values carry no gradient). */
export function floatCopy(x: Tensor): Tensor {
  const y = emptyTensor(x.shape, 'float32', x.engine);
  if (x.size > 0) x.engine.core.fe_cast_i32_f32(x.ptr, y.ptr, x.size);
  return y;
}

/** How a float32 result becomes an integer: rounded (exact results) or floored (integer division). */
export type IntegerRounding = 'round' | 'floor';

/**
 * The float32 tensor `y` as `dtype` (int32: rounded or floored, non-finite values become 0
 * as TF.js's integer division by zero; bool: nonzero and NaN become 1, as TF.js's cast).
 */
export function fromFloat(y: Tensor, dtype: DataType, rounding: IntegerRounding = 'round'): Tensor {
  const out = emptyTensor(y.shape, dtype, y.engine);
  const src = y.view();
  const dst = out.view();
  if (dtype === 'bool') {
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else {
    const f = rounding === 'floor' ? Math.floor : Math.round;
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      dst[i] = Number.isFinite(v) ? f(v) : 0;
    }
  }
  return out;
}

/**
 * Runs `fn` on float32 versions of the operands and gives its result in `outDtype`
 * (converting with `rounding` when that is integral). Temporary copies are freed.
 */
export function computeInFloat(
  operands: Operand[],
  outDtype: DataType,
  fn: (...xs: Operand[]) => Tensor,
  rounding: IntegerRounding = 'round',
): Tensor {
  const temps: Tensor[] = [];
  const floats = operands.map((x) => {
    if (typeof x === 'number' || x.dtype === 'float32') return x;
    x.assertAlive();
    const f = floatCopy(x);
    temps.push(f);
    return f;
  });
  let y: Tensor;
  try {
    y = fn(...floats);
  } finally {
    for (const t of temps) t.dispose();
  }
  if (y.dtype === outDtype) return y;
  try {
    return fromFloat(y, outDtype, rounding);
  } finally {
    y.dispose();
  }
}
