// Colour conversions of TF.js's tf.image: rgbToGrayscale (the luma of CCIR 601, TF.js's
// weights) and grayscaleToRGB, on images whose last axis is the channels, any rank >= 2.
// Built from differentiable ops (a matrix product and a tile), so both have gradients.

import { fmtShape, checkInputs } from '../ops/util.js';
import { matMul } from '../ops/matmul.js';
import { reshape, tile } from '../ops/shape.js';
import { cast } from '../ops/unary.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** TF.js's weights of red, green and blue in a grey level. */
const LUMA = [0.2989, 0.587, 0.114];

function checkChannels(op: string, image: Tensor, channels: number, what: string): void {
  checkInputs(op, image);
  if (image.rank < 2 || image.shape[image.rank - 1] !== channels) {
    throw new Error(
      `ferrite: ${op}: image must have rank 2 or more with a last axis of ${channels} (${what}), got ${fmtShape(image.shape)}`,
    );
  }
  if (image.dtype === 'bool') throw new Error(`ferrite: ${op}: image must be float32 or int32, got bool`);
}

/**
 * Converts RGB images (last axis 3) to grayscale (last axis 1), as TF.js's
 * `tf.image.rgbToGrayscale`: `0.2989 r + 0.5870 g + 0.1140 b`. An int32 image gives int32
 * (the grey level cast back, truncated as TF.js does). Differentiable for float32 images.
 *
 * @example
 * ```ts
 * const rgb = fe.tensor3d([255, 0, 0, 0, 255, 0], [1, 2, 3]); // a red and a green pixel
 * fe.image.rgbToGrayscale(rgb).print(); // [[[76.22], [149.7]]]
 * ```
 */
export function rgbToGrayscale(image: Tensor): Tensor {
  const op = 'rgbToGrayscale';
  checkChannels(op, image, 3, 'red, green, blue');
  const float = image.dtype === 'float32' ? image : cast(image, 'float32');
  const weights = tensor(LUMA, [3, 1]);
  const pixels = reshape(float, [image.size / 3, 3]);
  const gray = matMul(pixels, weights);
  const shaped = reshape(gray, [...image.shape.slice(0, -1), 1]);
  const out = image.dtype === 'float32' ? shaped : cast(shaped, image.dtype);
  for (const t of [weights, pixels, gray]) t.dispose();
  if (float !== image) float.dispose();
  if (out !== shaped) shaped.dispose();
  return out;
}

/**
 * Converts grayscale images (last axis 1) to RGB (last axis 3) by repeating the grey level,
 * as TF.js's `tf.image.grayscaleToRGB`. Keeps the dtype; differentiable for float32 images.
 *
 * @example
 * ```ts
 * const gray = fe.tensor3d([0.25, 0.75], [1, 2, 1]);
 * fe.image.grayscaleToRGB(gray).print(); // [[[0.25, 0.25, 0.25], [0.75, 0.75, 0.75]]]
 * ```
 */
export function grayscaleToRGB(image: Tensor): Tensor {
  const op = 'grayscaleToRGB';
  checkChannels(op, image, 1, 'one grey level');
  return tile(image, [...image.shape.slice(0, -1).map(() => 1), 3]);
}
