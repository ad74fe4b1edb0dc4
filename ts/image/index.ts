// The `image` namespace, as TF.js's `tf.image`: resizing and cropping (differentiable),
// flipping, rotating, colour conversions, thresholding, and Ferrite's grid of images (a
// picture of a batch, labelled).

import { reverse } from '../ops/indexing.js';
import { checkFloat, checkInputs, fmtShape } from '../ops/util.js';
import type { Tensor } from '../tensor/tensor.js';

export { resizeBilinear, resizeNearestNeighbor, cropAndResize } from '../ops/resize.js';

/**
 * Mirrors images `[batch, height, width, channels]` left to right, as TF.js's
 * `tf.image.flipLeftRight`. Differentiable.
 *
 * @example
 * ```ts
 * const img = fe.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
 * fe.image.flipLeftRight(img).reshape([2, 2]).print(); // [[2, 1], [4, 3]]
 * ```
 */
export function flipLeftRight(images: Tensor): Tensor {
  checkInputs('flipLeftRight', images);
  checkFloat('flipLeftRight', images, 'images');
  if (images.rank !== 4) {
    throw new Error(
      `ferrite: flipLeftRight: images must have rank 4 [batch, height, width, channels], got ${fmtShape(images.shape)}`,
    );
  }
  return reverse(images, 2);
}
export { grid, encodePng, writePng, GRID_RIGHT, GRID_WRONG, type GridOptions } from './grid.js';
export { rotateWithOffset } from '../ops/rotate.js';
export { rgbToGrayscale, grayscaleToRGB } from './color.js';
export { threshold } from './threshold.js';
