// upSampling2d: NHWC images enlarged by integer factors, nearest or bilinear, as Keras's
// UpSampling2D computes them (TF's resize with alignCorners = halfPixelCenters = false).
// Differentiable. Kernels: core-rs/src/upsample.rs.

import { record } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { writeParams } from '../backend/param-block.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * How images are enlarged: copies of the nearest pixel, or bilinear interpolation.
 *
 * @example
 * ```ts
 * fe.layers.upSampling2d({ size: 2, interpolation: 'nearest' });
 * ```
 */
export type Interpolation = 'nearest' | 'bilinear';

/**
 * Writes the upsampling kernels' parameter block (n, h, w, c, sh, sw, bilinear) for x of
 * shape [n, h, w, c]; returns its pointer. Rewritten before every call: the block is shared.
 */
export function upsampleParams(
  eng: Engine,
  shape: readonly number[],
  size: readonly [number, number],
  interpolation: Interpolation,
): number {
  const words = [...shape, ...size, interpolation === 'bilinear' ? 1 : 0];
  return writeParams(eng, words, words.length);
}

/**
 * x [batch, height, width, channels] -> [batch, height * size[0], width * size[1], channels]:
 * every pixel repeated ('nearest') or blended with its lower and right neighbours ('bilinear').
 */
export function upSampling2d(x: Tensor, size: [number, number], interpolation: Interpolation = 'nearest'): Tensor {
  const op = 'upSampling2d';
  const eng = checkInputs(op, x);
  checkFloat(op, x, 'x');
  if (x.rank !== 4) {
    throw new Error(`ferrite: ${op}: x must have rank 4 [batch, height, width, channels], got ${fmtShape(x.shape)}`);
  }
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new Error(`ferrite: ${op}: size must be two positive integers, got ${JSON.stringify(size)}`);
  }
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
    throw new Error(
      `ferrite: ${op}: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(interpolation)}`,
    );
  }
  const [n, h, w, c] = x.shape;
  const [sh, sw] = size;
  const y = emptyTensor([n, h * sh, w * sw, c], 'float32', eng);
  if (y.size > 0) eng.core.fe_upsample2d_forward(upsampleParams(eng, x.shape, size, interpolation), x.ptr, y.ptr);
  record('UpSampling2D', [x], y, (dy: Tensor) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    if (dx.size > 0) eng.core.fe_upsample2d_backward(upsampleParams(eng, x.shape, size, interpolation), dy.ptr, dx.ptr);
    return [dx];
  });
  return y;
}
