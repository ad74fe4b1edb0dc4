// The transcendental elementwise ops beyond exp and log, as TF.js: the trigonometric and
// hyperbolic families with their inverses, atan2, rsqrt, expm1, log1p and erf, each with its
// gradient. The kernels (core-rs/src/unary.rs, elementwise.rs) run the vectorised math
// family of core-rs/src/math.rs, whose error bounds test/kernels/math.test.ts checks.

import { BinaryOp, UnaryOp } from '../backend/core-abi.js';
import { binaryOp } from './arithmetic.js';
import { unaryOp } from './unary.js';

/**
 * sin x (within 2e-7 relative + 1e-7 absolute for |x| < 25736).
 *
 * @example
 * ```ts
 * fe.sin(fe.tensor1d([0, Math.PI / 2])).print(); // [0, 1]
 * ```
 */
export const sin = unaryOp('sin', 'Sin', UnaryOp.SIN);

/**
 * cos x (within 2e-7 relative + 1e-7 absolute for |x| < 25736).
 *
 * @example
 * ```ts
 * fe.cos(fe.tensor1d([0, Math.PI])).print(); // [1, -1]
 * ```
 */
export const cos = unaryOp('cos', 'Cos', UnaryOp.COS);

/**
 * tan x.
 *
 * @example
 * ```ts
 * fe.tan(fe.tensor1d([0, Math.PI / 4])).print(); // [0, 1]
 * ```
 */
export const tan = unaryOp('tan', 'Tan', UnaryOp.TAN);

/**
 * asin x in [-π/2, π/2]; NaN outside [-1, 1].
 *
 * @example
 * ```ts
 * fe.asin(fe.tensor1d([0, 1])).print(); // [0, 1.571]
 * ```
 */
export const asin = unaryOp('asin', 'Asin', UnaryOp.ASIN);

/**
 * acos x in [0, π]; NaN outside [-1, 1].
 *
 * @example
 * ```ts
 * fe.acos(fe.tensor1d([1, 0])).print(); // [0, 1.571]
 * ```
 */
export const acos = unaryOp('acos', 'Acos', UnaryOp.ACOS);

/**
 * atan x in (-π/2, π/2).
 *
 * @example
 * ```ts
 * fe.atan(fe.tensor1d([0, 1])).print(); // [0, 0.7854]
 * ```
 */
export const atan = unaryOp('atan', 'Atan', UnaryOp.ATAN);

/**
 * sinh x.
 *
 * @example
 * ```ts
 * fe.sinh(fe.tensor1d([0, 1])).print(); // [0, 1.175]
 * ```
 */
export const sinh = unaryOp('sinh', 'Sinh', UnaryOp.SINH);

/**
 * cosh x.
 *
 * @example
 * ```ts
 * fe.cosh(fe.tensor1d([0, 1])).print(); // [1, 1.543]
 * ```
 */
export const cosh = unaryOp('cosh', 'Cosh', UnaryOp.COSH);

/**
 * asinh x.
 *
 * @example
 * ```ts
 * fe.asinh(fe.tensor1d([0, 1])).print(); // [0, 0.8814]
 * ```
 */
export const asinh = unaryOp('asinh', 'Asinh', UnaryOp.ASINH);

/**
 * acosh x; NaN below 1.
 *
 * @example
 * ```ts
 * fe.acosh(fe.tensor1d([1, 2])).print(); // [0, 1.317]
 * ```
 */
export const acosh = unaryOp('acosh', 'Acosh', UnaryOp.ACOSH);

/**
 * atanh x; ±Infinity at ±1, NaN beyond.
 *
 * @example
 * ```ts
 * fe.atanh(fe.tensor1d([0, 0.5])).print(); // [0, 0.5493]
 * ```
 */
export const atanh = unaryOp('atanh', 'Atanh', UnaryOp.ATANH);

/**
 * 1 / √x (Infinity at 0, NaN below).
 *
 * @example
 * ```ts
 * fe.rsqrt(fe.tensor1d([4, 16])).print(); // [0.5, 0.25]
 * ```
 */
export const rsqrt = unaryOp('rsqrt', 'Rsqrt', UnaryOp.RSQRT);

/**
 * e^x - 1, precise for small x.
 *
 * @example
 * ```ts
 * fe.expm1(fe.tensor1d([0, 1e-7])).print(); // [0, 1e-7]: exact where exp(x) - 1 would round
 * ```
 */
export const expm1 = unaryOp('expm1', 'Expm1', UnaryOp.EXPM1);

/**
 * ln(1 + x), precise for small x; -Infinity at -1, NaN below.
 *
 * @example
 * ```ts
 * fe.log1p(fe.tensor1d([0, Math.E - 1])).print(); // [0, 1]
 * ```
 */
export const log1p = unaryOp('log1p', 'Log1p', UnaryOp.LOG1P);

/**
 * The error function (Abramowitz and Stegun 7.1.26, as TF.js: within 7e-7 absolute).
 *
 * @example
 * ```ts
 * fe.erf(fe.tensor1d([0, 1])).print(); // [0, 0.8427]
 * ```
 */
export const erf = unaryOp('erf', 'Erf', UnaryOp.ERF);

/**
 * The angle of the point (b, a) in [-π, π], elementwise, with broadcasting (`Math.atan2(a, b)`).
 * Gradients: dy b / (a² + b²) for a, -dy a / (a² + b²) for b.
 *
 * @example
 * ```ts
 * fe.atan2(fe.tensor1d([1, 1]), fe.tensor1d([1, -1])).print(); // [0.7854, 2.356]
 * ```
 */
export const atan2 = binaryOp('atan2', 'Atan2', BinaryOp.ATAN2);
