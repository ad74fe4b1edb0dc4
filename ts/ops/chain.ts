// Tensor methods, TF.js's chained ops: `x.add(y).mean(0)` is `mean(add(x, y), 0)`.
//
// The ops import Tensor, so Tensor cannot import the ops; instead this module (imported
// by ts/ops/index.ts) installs each method on Tensor.prototype, and the interface below
// merges the methods' types into the Tensor class. Each method is the op itself with the
// tensor as first argument: adding an op's method is one entry in CHAINED_OPS (its type
// follows from the op's signature).

import { Tensor, Variable, type DataType } from '../tensor/tensor.js';
import { clone, oneHot, onesLike, zerosLike } from '../tensor/creation.js';
import { TensorBuffer } from '../tensor/buffer.js';
import { add, div, maximum, minimum, mul, pow, squaredDifference, sub } from './arithmetic.js';
import { abs, cast, clipByValue, exp, log, neg, reciprocal, sign, sqrt, square } from './unary.js';
import { argMax, argMin, max, mean, min, sum } from './reduce.js';
import { broadcastTo, expandDims, reshape, slice, squeeze, tile, transpose, unstack } from './shape.js';
import { concat as concatOp, stack as stackOp } from './shape.js';
import { gather } from './gather.js';
import { pad } from './pad.js';
import { matMul } from './matmul.js';
import { conv2d } from './conv.js';
import { conv1d } from './conv1d.js';
import { topk } from './sampling.js';
import { conv2dTranspose } from './conv-transpose.js';
import { depthwiseConv2d, separableConv2d } from './depthwise.js';
import { avgPool, maxPool } from './pool.js';
import { elu, leakyRelu, relu, relu6, selu, sigmoid, softplus, tanh } from './activations.js';
import { logSoftmax, softmax } from './softmax.js';
import { batchNorm } from './batchnorm.js';
import { cumprod, cumsum, prod } from './cumulative.js';
import { all, any, logSumExp, norm } from './reduce-composite.js';
import { reverse, split, unique } from './indexing.js';
import { equal, greater, greaterEqual, isFinite, isInf, isNaN, less, lessEqual, notEqual, where } from './compare.js';
import { logicalAnd, logicalNot, logicalOr, logicalXor } from './compare.js';
import { ceil, floor, floorDiv, mod, round } from './rounding.js';
import { acos, acosh, asin, asinh, atan, atan2, atanh, cos, cosh, erf, expm1, log1p } from './trig.js';
import { rsqrt, sin, sinh, tan } from './trig.js';

// Named functions rather than arrows in the table below: the bundled declarations
// (dist/index.d.ts) then say `typeof asType`, and the type names inside stay resolved.

/** TF.js's `t.asType(dtype)`: `cast`. */
function asType(x: Tensor, dtype: DataType): Tensor {
  return cast(x, dtype);
}

/** TF.js's `t.variable(trainable, name)`: a Variable holding a copy of this tensor. */
function toVariable(x: Tensor, trainable = true, name?: string): Variable {
  return new Variable(x, trainable, name);
}

/** TF.js's `t.concat(x, axis)`: this tensor followed by `x` (one tensor or a list). */
function concat(x: Tensor, tensors: Tensor | Tensor[], axis = 0): Tensor {
  return concatOp([x, ...(Array.isArray(tensors) ? tensors : [tensors])], axis);
}

/** TF.js's `t.stack(x, axis)`: this tensor stacked with `x` (one tensor or a list). */
function stack(x: Tensor, tensors: Tensor | Tensor[], axis = 0): Tensor {
  return stackOp([x, ...(Array.isArray(tensors) ? tensors : [tensors])], axis);
}

function ranked(rank: number, what: string) {
  return (x: Tensor, ...shape: number[]): Tensor => {
    if (shape.length !== rank || shape.some((d) => d === undefined))
      throw new Error(
        `ferrite: ${what}: needs ${rank} dims, got [${shape.filter((d) => d !== undefined).join(', ')}] for [${x.shape.join(', ')}]`,
      );
    return reshape(x, shape);
  };
}

/** The methods that are an op with the tensor first: `x.name(...args)` is `name(x, ...args)`. */
const CHAINED_OPS = {
  // arithmetic
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  squaredDifference,
  // elementwise
  neg,
  abs,
  sign,
  exp,
  log,
  sqrt,
  square,
  reciprocal,
  clipByValue,
  // comparison and logic (TF.js's x.where(cond, b) is where(cond, x, b))
  equal,
  notEqual,
  greater,
  greaterEqual,
  less,
  lessEqual,
  logicalAnd,
  logicalOr,
  logicalNot,
  logicalXor,
  where: (x: Tensor, condition: Tensor, b: Tensor): Tensor => where(condition, x, b),
  isNaN,
  isInf,
  isFinite,
  // rounding and transcendental functions
  floor,
  ceil,
  round,
  mod,
  floorDiv,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  atan2,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  rsqrt,
  expm1,
  log1p,
  erf,
  // activations
  relu,
  relu6,
  leakyRelu,
  elu,
  selu,
  sigmoid,
  softplus,
  tanh,
  softmax,
  logSoftmax,
  // reductions
  sum,
  mean,
  max,
  min,
  argMax,
  argMin,
  prod,
  all,
  any,
  logSumExp,
  norm,
  cumsum,
  cumprod,
  topk,
  // shapes and indexing
  reshape,
  reshapeAs: (x: Tensor, other: Tensor): Tensor => reshape(x, other.shape),
  flatten: (x: Tensor): Tensor => reshape(x, [x.size]),
  asScalar: (x: Tensor): Tensor => ranked(0, 'asScalar')(x),
  as1D: (x: Tensor): Tensor => reshape(x, [x.size]),
  as2D: (x: Tensor, rows: number, columns: number): Tensor => ranked(2, 'as2D')(x, rows, columns),
  as3D: (x: Tensor, rows: number, columns: number, depth: number): Tensor => ranked(3, 'as3D')(x, rows, columns, depth),
  as4D: (x: Tensor, rows: number, columns: number, depth: number, depth2: number): Tensor =>
    ranked(4, 'as4D')(x, rows, columns, depth, depth2),
  as5D: (x: Tensor, rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor =>
    ranked(5, 'as5D')(x, rows, columns, depth, depth2, depth3),
  expandDims,
  squeeze,
  transpose,
  slice,
  gather,
  concat,
  stack,
  unstack,
  tile,
  pad,
  broadcastTo,
  oneHot,
  split,
  reverse,
  unique,
  // linear algebra, convolution, normalisation
  matMul,
  dot: (x: Tensor, b: Tensor): Tensor => matMul(x, b),
  conv1d,
  conv2d,
  conv2dTranspose,
  depthwiseConv2d,
  separableConv2d,
  maxPool,
  avgPool,
  batchNorm,
  // dtypes and copies
  cast,
  asType,
  toFloat: (x: Tensor): Tensor => cast(x, 'float32'),
  toInt: (x: Tensor): Tensor => cast(x, 'int32'),
  toBool: (x: Tensor): Tensor => cast(x, 'bool'),
  clone,
  zerosLike,
  onesLike,
  variable: toVariable,
  // reading
  bufferSync: (x: Tensor): TensorBuffer => new TensorBuffer(x.shape, x.dtype, x.dataSync()),
  buffer: async (x: Tensor): Promise<TensorBuffer> => new TensorBuffer(x.shape, x.dtype, x.dataSync()),
};

/** A function of a tensor and more arguments, as a method of that tensor. */
type Method<F> = F extends (x: Tensor, ...args: infer A) => infer R ? (...args: A) => R : never;

export type ChainedOps = { [K in keyof typeof CHAINED_OPS]: Method<(typeof CHAINED_OPS)[K]> };

declare module '../tensor/tensor.js' {
  // Merged into the Tensor class: the methods installed below.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends ChainedOps {}
}

/** Installs `x.name(...args)` as `fn(x, ...args)` for each op (later entries replace earlier ones). */
export function installChainedOps(ops: Record<string, (x: Tensor, ...args: never[]) => unknown>): void {
  for (const [name, fn] of Object.entries(ops)) {
    Object.defineProperty(Tensor.prototype, name, {
      value: function (this: Tensor, ...args: never[]) {
        return fn(this, ...args);
      },
      writable: true,
      configurable: true,
    });
  }
}

installChainedOps(CHAINED_OPS);
