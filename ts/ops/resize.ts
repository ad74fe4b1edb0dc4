// TF.js's image resizing ops, tf.image.resizeBilinear / resizeNearestNeighbor /
// cropAndResize, with TF.js's argument order and semantics, differentiable with respect to
// the images. Kernels: core-rs/src/upsample.rs (the resampler UpSampling2D also runs on).

import { record } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { writeParams } from '../backend/param-block.js';
import { tensor } from '../tensor/creation.js';
import { emptyTensor, Tensor } from '../tensor/tensor.js';
import { reshape } from './shape.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/** Float32 bits of v as an unsigned 32-bit word (the parameter block holds words). */
function f32Bits(v: number): number {
  const w = new Float32Array([v]);
  return new Uint32Array(w.buffer)[0];
}

/** Checks `size` is two positive integers (TF.js's [newHeight, newWidth]). */
function checkSize(op: string, size: unknown, what: string): [number, number] {
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new Error(
      `ferrite: ${op}: ${what} must be two positive integers [height, width], got ${JSON.stringify(size)}`,
    );
  }
  return [size[0], size[1]];
}

/**
 * Writes a resize parameter block (n, h, w, c, oh, ow, bilinear, alignCorners,
 * halfPixelCenters) for images of shape [n, h, w, c]; returns its pointer.
 */
export function resizeParams(
  eng: Engine,
  shape: readonly number[],
  size: readonly [number, number],
  bilinear: boolean,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const words = [...shape, ...size, +bilinear, +alignCorners, +halfPixelCenters];
  return writeParams(eng, words, words.length);
}

function resize(
  op: string,
  bilinear: boolean,
  images: Tensor,
  size: [number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Tensor {
  const eng = checkInputs(op, images);
  checkFloat(op, images, 'images');
  if (images.rank !== 3 && images.rank !== 4) {
    throw new Error(
      `ferrite: ${op}: images must have rank 3 [height, width, channels] or 4 [batch, height, width, channels], got ${fmtShape(images.shape)}`,
    );
  }
  const [oh, ow] = checkSize(op, size, 'size');
  if (halfPixelCenters && alignCorners) {
    throw new Error(`ferrite: ${op}: if halfPixelCenters is true, alignCorners must be false`);
  }
  if (images.rank === 3) {
    const batched = reshape(images, [1, ...images.shape]);
    const y = resize(op, bilinear, batched, size, alignCorners, halfPixelCenters);
    batched.dispose();
    const out = reshape(y, [oh, ow, images.shape[2]]);
    y.dispose();
    return out;
  }
  const [n, h, w, c] = images.shape;
  if (h === 0 || w === 0) throw new Error(`ferrite: ${op}: images must not be empty, got ${fmtShape(images.shape)}`);
  const params = () => resizeParams(eng, images.shape, [oh, ow], bilinear, alignCorners, halfPixelCenters);
  const y = emptyTensor([n, oh, ow, c], 'float32', eng);
  if (y.size > 0) eng.core.fe_resize_forward(params(), images.ptr, y.ptr);
  record(bilinear ? 'ResizeBilinear' : 'ResizeNearestNeighbor', [images], y, (dy: Tensor) => {
    const dx = emptyTensor(images.shape, 'float32', eng);
    if (dx.size > 0) eng.core.fe_resize_backward(params(), dy.ptr, dx.ptr);
    return [dx];
  });
  return y;
}

/**
 * Bilinear resizing of images `[batch, height, width, channels]` (or one image
 * `[height, width, channels]`) to `size = [newHeight, newWidth]`, as TF.js's
 * `tf.image.resizeBilinear`: `alignCorners` maps the corner pixels onto each other,
 * `halfPixelCenters` samples at pixel centres (TF 2's `tf.image.resize`). Differentiable
 * with respect to the images.
 *
 * @example
 * ```ts
 * const images = fe.ones([2, 28, 28, 1]);
 * fe.image.resizeBilinear(images, [64, 64]).shape; // [2, 64, 64, 1]
 * fe.image.resizeBilinear(fe.tensor3d([[[0], [1]]]), [1, 3], true).reshape([3]).print(); // [0, 0.5, 1]
 * ```
 */
export function resizeBilinear(
  images: Tensor,
  size: [number, number],
  alignCorners = false,
  halfPixelCenters = false,
): Tensor {
  return resize('resizeBilinear', true, images, size, alignCorners, halfPixelCenters);
}

/**
 * Nearest-neighbour resizing of images `[batch, height, width, channels]` (or one image
 * `[height, width, channels]`) to `size = [newHeight, newWidth]`, as TF.js's
 * `tf.image.resizeNearestNeighbor` (`alignCorners` rounds to the nearest source pixel of
 * the corner-aligned grid, `halfPixelCenters` samples at pixel centres). Differentiable
 * with respect to the images (each output's gradient goes to the pixel it copied).
 *
 * @example
 * ```ts
 * const img = fe.tensor3d([[[1], [2]], [[3], [4]]]); // one 2 x 2 image
 * fe.image.resizeNearestNeighbor(img, [4, 4]).shape; // [4, 4, 1]: each pixel repeated 2 x 2
 * ```
 */
export function resizeNearestNeighbor(
  images: Tensor,
  size: [number, number],
  alignCorners = false,
  halfPixelCenters = false,
): Tensor {
  return resize('resizeNearestNeighbor', false, images, size, alignCorners, halfPixelCenters);
}

/**
 * Crops boxes out of images and resizes each crop to `cropSize`, as TF.js's
 * `tf.image.cropAndResize`. `image` is `[batch, height, width, channels]`; `boxes` is
 * `[numBoxes, 4]` of normalized `[y1, x1, y2, x2]` (0 is the first pixel, 1 the last; y1 > y2
 * flips the crop, values outside [0, 1] extrapolate); `boxInd` is `[numBoxes]` int32, the
 * image of each box. Points outside the image become `extrapolationValue`. Returns
 * `[numBoxes, cropHeight, cropWidth, channels]`, differentiable with respect to `image`
 * (not the boxes, as in TF.js).
 *
 * @example
 * ```ts
 * const images = fe.randomUniform([2, 64, 64, 3]);
 * const crop = fe.image.cropAndResize(images, [[0.25, 0.25, 0.75, 0.75]], [0], [32, 32]); // the central half of image 0
 * crop.shape; // [1, 32, 32, 3]
 * ```
 */
export function cropAndResize(
  image: Tensor,
  boxes: Tensor | number[][] | Float32Array,
  boxInd: Tensor | number[] | Int32Array,
  cropSize: [number, number],
  method: 'bilinear' | 'nearest' = 'bilinear',
  extrapolationValue = 0,
): Tensor {
  const op = 'cropAndResize';
  const ownBoxes = !(boxes instanceof Tensor);
  const ownInd = !(boxInd instanceof Tensor);
  const b = ownBoxes
    ? tensor(boxes as number[][], boxes instanceof Float32Array ? [boxes.length / 4, 4] : undefined)
    : boxes;
  const ind = ownInd ? tensor(boxInd as number[], undefined, 'int32') : boxInd;
  try {
    return cropAndResizeTensors(op, image, b, ind, cropSize, method, extrapolationValue);
  } finally {
    // Tensors made here from arrays: freed now, or when the tape lets go of them.
    if (ownBoxes) b.dispose();
    if (ownInd) ind.dispose();
  }
}

function cropAndResizeTensors(
  op: string,
  image: Tensor,
  boxes: Tensor,
  boxInd: Tensor,
  cropSize: [number, number],
  method: string,
  extrapolationValue: number,
): Tensor {
  const eng = checkInputs(op, image, boxes, boxInd);
  checkFloat(op, image, 'image');
  checkFloat(op, boxes, 'boxes');
  if (image.rank !== 4 || image.shape[1] === 0 || image.shape[2] === 0) {
    throw new Error(
      `ferrite: ${op}: image must have rank 4 [batch, height, width, channels] and no empty side, got ${fmtShape(image.shape)}`,
    );
  }
  if (boxes.rank !== 2 || boxes.shape[1] !== 4) {
    throw new Error(`ferrite: ${op}: boxes must have shape [numBoxes, 4], got ${fmtShape(boxes.shape)}`);
  }
  const numBoxes = boxes.shape[0];
  if (boxInd.dtype !== 'int32' || boxInd.rank !== 1 || boxInd.shape[0] !== numBoxes) {
    throw new Error(
      `ferrite: ${op}: boxInd must be int32 of shape [${numBoxes}] (one image index per box), got ${boxInd.dtype} ${fmtShape(boxInd.shape)}`,
    );
  }
  const [oh, ow] = checkSize(op, cropSize, 'cropSize');
  if (method !== 'bilinear' && method !== 'nearest') {
    throw new Error(`ferrite: ${op}: method must be 'bilinear' or 'nearest', got ${JSON.stringify(method)}`);
  }
  if (typeof extrapolationValue !== 'number') {
    throw new Error(`ferrite: ${op}: extrapolationValue must be a number, got ${JSON.stringify(extrapolationValue)}`);
  }
  const [batch, h, w, c] = image.shape;
  const inds = boxInd.dataSync();
  for (let k = 0; k < numBoxes; k++) {
    if (!(inds[k] >= 0 && inds[k] < batch)) {
      throw new Error(
        `ferrite: ${op}: boxInd[${k}] is ${inds[k]}, outside [0, ${batch}) for image ${fmtShape(image.shape)}`,
      );
    }
  }
  const words = [numBoxes, batch, h, w, c, oh, ow, method === 'bilinear' ? 1 : 0, f32Bits(extrapolationValue)];
  const params = () => writeParams(eng, words, words.length);
  const y = emptyTensor([numBoxes, oh, ow, c], 'float32', eng);
  if (y.size > 0) eng.core.fe_crop_and_resize_forward(params(), image.ptr, boxes.ptr, boxInd.ptr, y.ptr);
  record(
    'CropAndResize',
    [image],
    y,
    (dy: Tensor) => {
      const dx = emptyTensor(image.shape, 'float32', eng);
      if (dx.size > 0) eng.core.fe_crop_and_resize_backward(params(), boxes.ptr, boxInd.ptr, dy.ptr, dx.ptr);
      return [dx];
    },
    [boxes, boxInd],
  );
  return y;
}
