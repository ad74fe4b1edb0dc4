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
import { resizeBilinear, resizeNearestNeighbor } from './resize.js';
import { prelu } from './prelu.js';

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
  /** `x.clipByValue(min, max)` is {@link clipByValue}`(x, min, max)`: see there for arguments and defaults. */
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
  /**
   * `x.where(condition, b)` is {@link where}(condition, x, b): x where `condition` is true, else `b` (TF.js's argument order).
   */
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
  /** `x.leakyRelu(alpha)` is {@link leakyRelu}`(x, alpha)`: see there for arguments and defaults. */
  leakyRelu,
  /** `x.elu()` is {@link elu}`(x)`: see there for arguments and defaults. */
  elu,
  selu,
  sigmoid,
  softplus,
  tanh,
  /** `x.softmax(dim)` is {@link softmax}`(x, dim)`: see there for arguments and defaults. */
  softmax,
  /** `x.logSoftmax(axis)` is {@link logSoftmax}`(x, axis)`: see there for arguments and defaults. */
  logSoftmax,
  // reductions
  sum,
  mean,
  max,
  min,
  /** `x.argMax(axis)` is {@link argMax}`(x, axis)`: see there for arguments and defaults. */
  argMax,
  /** `x.argMin(axis)` is {@link argMin}`(x, axis)`: see there for arguments and defaults. */
  argMin,
  /** `x.prod(axis, keepDims)` is {@link prod}`(x, axis, keepDims)`: see there for arguments and defaults. */
  prod,
  /** `x.all(axis, keepDims)` is {@link all}`(x, axis, keepDims)`: see there for arguments and defaults. */
  all,
  /** `x.any(axis, keepDims)` is {@link any}`(x, axis, keepDims)`: see there for arguments and defaults. */
  any,
  /**
   * `x.logSumExp(axis, keepDims)` is {@link logSumExp}`(x, axis, keepDims)`: see there for arguments and defaults.
   */
  logSumExp,
  /**
   * `x.norm(ord, axis, keepDims)` is {@link norm}`(x, ord, axis, keepDims)`: see there for arguments and defaults.
   */
  norm,
  /**
   * `x.cumsum(axis, exclusive, reverse)` is {@link cumsum}`(x, axis, exclusive, reverse)`: see there for arguments and defaults.
   */
  cumsum,
  /**
   * `x.cumprod(axis, exclusive, reverse)` is {@link cumprod}`(x, axis, exclusive, reverse)`: see there for arguments and defaults.
   */
  cumprod,
  /** `x.topk(k, sorted)` is {@link topk}`(x, k, sorted)`: see there for arguments and defaults. */
  topk,
  // shapes and indexing
  /** `x.reshape(shape)` is {@link reshape}`(x, shape)`: see there for arguments and defaults. */
  reshape,
  /** `x.reshapeAs(other)`: `x` reshaped to `other`'s shape (same size). */
  reshapeAs: (x: Tensor, other: Tensor): Tensor => reshape(x, other.shape),
  /** `x.flatten()`: `x` reshaped to one dimension of `x.size` elements. */
  flatten: (x: Tensor): Tensor => reshape(x, [x.size]),
  /** `x.asScalar()`: a one-element tensor reshaped to a scalar (throws for other sizes). */
  asScalar: (x: Tensor): Tensor => ranked(0, 'asScalar')(x),
  /** `x.as1D()`: `x` reshaped to one dimension of `x.size` elements. */
  as1D: (x: Tensor): Tensor => reshape(x, [x.size]),
  /** `x.as2D(rows, columns)`: `x` reshaped to [rows, columns]. */
  as2D: (x: Tensor, rows: number, columns: number): Tensor => ranked(2, 'as2D')(x, rows, columns),
  /** `x.as3D(rows, columns, depth)`: `x` reshaped to [rows, columns, depth]. */
  as3D: (x: Tensor, rows: number, columns: number, depth: number): Tensor => ranked(3, 'as3D')(x, rows, columns, depth),
  /** `x.as4D(rows, columns, depth, depth2)`: `x` reshaped to four dimensions. */
  as4D: (x: Tensor, rows: number, columns: number, depth: number, depth2: number): Tensor =>
    ranked(4, 'as4D')(x, rows, columns, depth, depth2),
  /** `x.as5D(rows, columns, depth, depth2, depth3)`: `x` reshaped to five dimensions. */
  as5D: (x: Tensor, rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor =>
    ranked(5, 'as5D')(x, rows, columns, depth, depth2, depth3),
  /** `x.expandDims(axis)` is {@link expandDims}`(x, axis)`: see there for arguments and defaults. */
  expandDims,
  /** `x.squeeze(axis)` is {@link squeeze}`(x, axis)`: see there for arguments and defaults. */
  squeeze,
  /** `x.transpose(perm)` is {@link transpose}`(x, perm)`: see there for arguments and defaults. */
  transpose,
  /** `x.slice(begin, size)` is {@link slice}`(x, begin, size)`: see there for arguments and defaults. */
  slice,
  /** `x.gather(indices, axis)` is {@link gather}`(x, indices, axis)`: see there for arguments and defaults. */
  gather,
  /**
   * `x.concat(tensors, axis)`: `x` followed by `tensors` (one tensor or a list) along `axis` (default 0), as {@link concat}.
   */
  concat,
  /**
   * `x.stack(tensors, axis)`: `x` stacked with `tensors` (one tensor or a list) along a new `axis` (default 0), as {@link stack}.
   */
  stack,
  /** `x.unstack(axis)` is {@link unstack}`(x, axis)`: see there for arguments and defaults. */
  unstack,
  /** `x.tile(reps)` is {@link tile}`(x, reps)`: see there for arguments and defaults. */
  tile,
  /**
   * `x.pad(paddings, constantValue)` is {@link pad}`(x, paddings, constantValue)`: see there for arguments and defaults.
   */
  pad,
  /** `x.broadcastTo(shape)` is {@link broadcastTo}`(x, shape)`: see there for arguments and defaults. */
  broadcastTo,
  /** `x.oneHot(depth)` is {@link oneHot}`(x, depth)`: see there for arguments and defaults. */
  oneHot,
  /**
   * `x.split(numOrSizeSplits, axis)` is {@link split}`(x, numOrSizeSplits, axis)`: see there for arguments and defaults.
   */
  split,
  /** `x.reverse(axis)` is {@link reverse}`(x, axis)`: see there for arguments and defaults. */
  reverse,
  /** `x.unique(axis)` is {@link unique}`(x, axis)`: see there for arguments and defaults. */
  unique,
  // linear algebra, convolution, normalisation
  /**
   * `x.matMul(b, transposeA, transposeB)` is {@link matMul}`(x, b, transposeA, transposeB)`: see there for arguments and defaults.
   */
  matMul,
  /** `x.dot(b)` is {@link matMul}`(x, b)` (TF.js's `dot` for matrices). */
  dot: (x: Tensor, b: Tensor): Tensor => matMul(x, b),
  /**
   * `x.conv1d(filter, stride, pad)` is {@link conv1d}`(x, filter, stride, pad)`: see there for arguments and defaults.
   */
  conv1d,
  /**
   * `x.conv2d(filter, strides, pad)` is {@link conv2d}`(x, filter, strides, pad)`: see there for arguments and defaults.
   */
  conv2d,
  /**
   * `x.conv2dTranspose(filter, outputShape, strides, pad)` is {@link conv2dTranspose}`(x, filter, outputShape, strides, pad)`: see there for arguments and defaults.
   */
  conv2dTranspose,
  /**
   * `x.depthwiseConv2d(filter, strides, pad)` is {@link depthwiseConv2d}`(x, filter, strides, pad)`: see there for arguments and defaults.
   */
  depthwiseConv2d,
  /**
   * `x.separableConv2d(depthwiseFilter, pointwiseFilter, strides, pad)` is {@link separableConv2d}`(x, depthwiseFilter, pointwiseFilter, strides, pad)`: see there for arguments and defaults.
   */
  separableConv2d,
  /**
   * `x.maxPool(filterSize, strides, pad)` is {@link maxPool}`(x, filterSize, strides, pad)`: see there for arguments and defaults.
   */
  maxPool,
  /**
   * `x.avgPool(filterSize, strides, pad)` is {@link avgPool}`(x, filterSize, strides, pad)`: see there for arguments and defaults.
   */
  avgPool,
  /**
   * `x.batchNorm(mean, variance, offset, scale, varianceEpsilon)` is {@link batchNorm}`(x, mean, variance, offset, scale, varianceEpsilon)`: see there for arguments and defaults.
   */
  batchNorm,
  // dtypes and copies
  /** `x.cast(dtype)` is {@link cast}`(x, dtype)`: see there for arguments and defaults. */
  cast,
  /** `x.asType(dtype)` is {@link cast}`(x, dtype)`. */
  asType,
  /** `x.toFloat()`: `x` cast to float32. */
  toFloat: (x: Tensor): Tensor => cast(x, 'float32'),
  /** `x.toInt()`: `x` cast to int32 (truncating toward zero). */
  toInt: (x: Tensor): Tensor => cast(x, 'int32'),
  /** `x.toBool()`: `x` cast to bool (non-zero is true). */
  toBool: (x: Tensor): Tensor => cast(x, 'bool'),
  /** `x.clone()` is {@link clone}`(x)`: see there for arguments and defaults. */
  clone,
  /** `x.zerosLike()` is {@link zerosLike}`(x)`: see there for arguments and defaults. */
  zerosLike,
  /** `x.onesLike()` is {@link onesLike}`(x)`: see there for arguments and defaults. */
  onesLike,
  /** `x.variable(trainable, name)`: a {@link Variable} holding a copy of `x` (trainable by default). */
  variable: toVariable,
  // reading
  /** `x.bufferSync()`: a {@link TensorBuffer} holding a copy of `x`'s values. */
  bufferSync: (x: Tensor): TensorBuffer => new TensorBuffer(x.shape, x.dtype, x.dataSync()),
  /** `x.buffer()`: a {@link TensorBuffer} holding a copy of `x`'s values, as a promise. */
  buffer: async (x: Tensor): Promise<TensorBuffer> => new TensorBuffer(x.shape, x.dtype, x.dataSync()),
  // images and activations with a tensor operand
  /**
   * `x.resizeBilinear(size, alignCorners, halfPixelCenters)` is `image.resizeBilinear(x, size, alignCorners, halfPixelCenters)`: see there for arguments and defaults.
   */
  resizeBilinear,
  /**
   * `x.resizeNearestNeighbor(size, alignCorners, halfPixelCenters)` is `image.resizeNearestNeighbor(x, size, alignCorners, halfPixelCenters)`: see there for arguments and defaults.
   */
  resizeNearestNeighbor,
  /** `x.prelu(alpha)` is {@link prelu}`(x, alpha)`: see there for arguments. */
  prelu,
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
