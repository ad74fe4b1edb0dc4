// 2-D pooling ops over NHWC tensors (TF.js names): maxPool, avgPool, and the global
// poolings of Keras' GlobalMaxPooling2D / GlobalAveragePooling2D, all differentiable.
//
// Kernels: core-rs/src/pool.rs. Windows only cover real pixels: padding never wins a max,
// and an average divides by the number of real cells under its window (TF's behaviour
// with 'same' padding).

import type { Engine } from '../backend/engine.js';
import { isRecording, record } from '../autograd/tape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import {
  geometryParams,
  windowGeometry,
  windowOutputShape,
  type Padding,
  type Size2D,
  type WindowGeometry,
} from './conv.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

function poolGeometry(op: string, x: Tensor, filterSize: Size2D, strides: Size2D, pad: Padding): WindowGeometry {
  checkFloat(op, x, 'x');
  const g = windowGeometry(op, x.shape, filterSize, x.shape[x.rank - 1], strides, pad);
  // Explicit padding as wide as the window would make windows of padding only.
  if (
    g.padTop >= g.filterHeight ||
    g.padBottom >= g.filterHeight ||
    g.padLeft >= g.filterWidth ||
    g.padRight >= g.filterWidth
  ) {
    throw new Error(
      `ferrite: ${op}: padding [${g.padTop}, ${g.padBottom}, ${g.padLeft}, ${g.padRight}] (top, bottom, left, right) must be smaller ` +
        `than the ${g.filterHeight}x${g.filterWidth} pool window, or some windows would hold no input (x ${fmtShape(x.shape)})`,
    );
  }
  return g;
}

/** Max pooling forward; records the backward, which routes dy to each window's first maximum. */
function maxPoolWith(op: string, eng: Engine, g: WindowGeometry, x: Tensor, outShape: number[]): Tensor {
  const y = emptyTensor(outShape, 'float32', eng);
  if (!isRecording()) {
    eng.core.fe_max_pool_forward(geometryParams(eng, g), x.ptr, y.ptr, 0);
    return y;
  }
  // Where each maximum was (its position in the window, as a float32): the backward needs
  // it and would otherwise have to search every window again.
  const argmax = emptyTensor(outShape, 'float32', eng);
  eng.core.fe_max_pool_forward(geometryParams(eng, g), x.ptr, y.ptr, argmax.ptr);
  record(
    op,
    [x],
    y,
    (dy) => {
      const dx = emptyTensor(x.shape, 'float32', eng);
      eng.core.fe_max_pool_backward(geometryParams(eng, g), argmax.ptr, dy.ptr, dx.ptr);
      return [dx];
    },
    [argmax],
  );
  argmax.dispose(); // freed once the tape lets go of it
  return y;
}

function avgPoolWith(op: string, eng: Engine, g: WindowGeometry, x: Tensor, outShape: number[]): Tensor {
  const y = emptyTensor(outShape, 'float32', eng);
  eng.core.fe_avg_pool_forward(geometryParams(eng, g), x.ptr, y.ptr);
  record(op, [x], y, (dy) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    eng.core.fe_avg_pool_backward(geometryParams(eng, g), dy.ptr, dx.ptr);
    return [dx];
  });
  return y;
}

/**
 * Max pooling, as TF.js's `tf.maxPool`: x is [batch, height, width, channels] (or rank 3
 * for one image); `filterSize` and `strides` are one number or [height, width]; `pad` is
 * 'valid', 'same', a number, or [[0, 0], [top, bottom], [left, right], [0, 0]] (each
 * smaller than the window). Padding never wins: a window of negative values gives its
 * maximum. The gradient goes to the first maximum of each window (row-major) on ties.
 *
 * @example
 * ```ts
 * const x = fe.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
 * fe.maxPool(x, 2, 2, 'valid').print(); // [[[[6], [8]], [[14], [16]]]]
 * ```
 */
export function maxPool(x: Tensor, filterSize: Size2D, strides: Size2D, pad: Padding): Tensor {
  const eng = checkInputs('maxPool', x);
  const g = poolGeometry('maxPool', x, filterSize, strides, pad);
  return maxPoolWith('MaxPool', eng, g, x, windowOutputShape(g, x.shape));
}

/**
 * Average pooling, as TF.js's `tf.avgPool` (arguments as `maxPool`). Each output is the
 * mean of the real (non-padding) cells under its window, as TensorFlow computes it.
 *
 * @example
 * ```ts
 * const x = fe.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
 * fe.avgPool(x, 2, 2, 'valid').print(); // [[[[3.5], [5.5]], [[11.5], [13.5]]]]
 * ```
 */
export function avgPool(x: Tensor, filterSize: Size2D, strides: Size2D, pad: Padding): Tensor {
  const eng = checkInputs('avgPool', x);
  const g = poolGeometry('avgPool', x, filterSize, strides, pad);
  return avgPoolWith('AvgPool', eng, g, x, windowOutputShape(g, x.shape));
}

function globalGeometry(op: string, x: Tensor): WindowGeometry {
  checkFloat(op, x, 'x');
  if (x.rank !== 4)
    throw new Error(`ferrite: ${op}: x must have rank 4 [batch, height, width, channels], got ${fmtShape(x.shape)}`);
  const [, h, w] = x.shape;
  if (h === 0 || w === 0) throw new Error(`ferrite: ${op}: x ${fmtShape(x.shape)} has no pixels to pool`);
  return windowGeometry(op, x.shape, [h, w], x.shape[3], [h, w], 'valid');
}

/**
 * The mean over height and width (Keras' GlobalAveragePooling2D): [batch, height, width,
 * channels] to [batch, channels], or [batch, 1, 1, channels] with `keepDims`.
 */
export function globalAvgPool(x: Tensor, keepDims = false): Tensor {
  const eng = checkInputs('globalAvgPool', x);
  const g = globalGeometry('globalAvgPool', x);
  const [n, , , c] = x.shape;
  return avgPoolWith('GlobalAvgPool', eng, g, x, keepDims ? [n, 1, 1, c] : [n, c]);
}

/**
 * The max over height and width (Keras' GlobalMaxPooling2D): [batch, height, width,
 * channels] to [batch, channels], or [batch, 1, 1, channels] with `keepDims`. The gradient
 * goes to the first maximum of each channel.
 */
export function globalMaxPool(x: Tensor, keepDims = false): Tensor {
  const eng = checkInputs('globalMaxPool', x);
  const g = globalGeometry('globalMaxPool', x);
  const [n, , , c] = x.shape;
  return maxPoolWith('GlobalMaxPool', eng, g, x, keepDims ? [n, 1, 1, c] : [n, c]);
}
