// Rounding and integer division, as TF.js: floor, ceil, round (halves to even), mod (the
// result takes the divisor's sign), floorDiv. Kernels: core-rs/src/unary.rs (floor, ceil,
// round), elementwise.rs (mod, floorDiv).

import { BinaryOp, UnaryOp } from '../backend/core-abi.js';
import { binaryOp } from './arithmetic.js';
import { unaryOp } from './unary.js';

/**
 * The largest integer <= x; the gradient is zero. int32 and bool stay as they are.
 *
 * @example
 * ```ts
 * fe.floor(fe.tensor1d([1.5, -1.5])).print(); // [1, -2]
 * ```
 */
export const floor = unaryOp('floor', 'Floor', UnaryOp.FLOOR);

/**
 * The smallest integer >= x; the gradient is zero.
 *
 * @example
 * ```ts
 * fe.ceil(fe.tensor1d([1.5, -1.5])).print(); // [2, -1]
 * ```
 */
export const ceil = unaryOp('ceil', 'Ceil', UnaryOp.CEIL);

/**
 * x rounded to the nearest integer, halves to the even one (as TF.js: round(2.5) = 2); the gradient is zero.
 *
 * @example
 * ```ts
 * fe.round(fe.tensor1d([0.4, 2.5, 3.5])).print(); // [0, 2, 4]
 * ```
 */
export const round = unaryOp('round', 'Round', UnaryOp.ROUND);

/**
 * The remainder of a / b with the sign of b (TF.js's `mod`, Python's %), with
 * broadcasting: a - b floor(a / b), computed as TF.js does from the truncated remainder.
 * int32 inputs stay int32 (x mod 0 gives 0). Gradients: dy for a, -dy floor(a / b) for b.
 *
 * @example
 * ```ts
 * fe.mod(fe.tensor1d([5, -5]), 3).print(); // [2, 1]
 * ```
 */
export const mod = binaryOp('mod', 'Mod', BinaryOp.MOD);

/**
 * floor(a / b), elementwise, with broadcasting: an int32 tensor for any inputs, as TF.js
 * (x / 0 gives 0). Its values are integers, so it carries no gradient.
 *
 * @example
 * ```ts
 * fe.floorDiv(fe.tensor1d([7, -7]), 2).print(); // int32 [3, -4]
 * ```
 */
export const floorDiv = binaryOp('floorDiv', 'FloorDiv', BinaryOp.FLOOR_DIV, { output: 'int32', rounding: 'floor' });
