// TF.js's tf.image.rotateWithOffset: NHWC images rotated counter-clockwise about a centre,
// nearest-neighbour sampling, a fill value for pixels from outside. Kernel:
// core-rs/src/rotate.rs (the angle's cos and sin are computed here, by JS's Math, as TF.js
// does: Rust's core has no trigonometry).

import { record } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { writeParams } from '../backend/param-block.js';
import { tensor } from '../tensor/creation.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

const OP = 'rotateWithOffset';

/** The value TF.js gives channel 3 (alpha) when the fill is an [r, g, b] colour: opaque. */
const FULL_OPACITY = 255;

/** Writes the kernel's parameter block: n, h, w, c, then cos, sin, cx, cy as float64 words. */
export function rotateParams(eng: Engine, shape: readonly number[], radians: number, cx: number, cy: number): number {
  const f64 = new Uint32Array(new Float64Array([Math.cos(radians), Math.sin(radians), cx, cy]).buffer);
  const words = [...shape, ...f64];
  return writeParams(eng, words, words.length);
}

/** The fill value of each of c channels, as TF.js: one number for all, or [r, g, b] and 255 for alpha. */
function fillPerChannel(fillValue: unknown, c: number): Float32Array {
  if (typeof fillValue === 'number') return new Float32Array(c).fill(fillValue);
  if (!Array.isArray(fillValue) || fillValue.length !== 3 || !fillValue.every((v) => typeof v === 'number')) {
    throw new Error(
      `ferrite: ${OP}: fillValue must be a number or three numbers [red, green, blue], got ${JSON.stringify(fillValue)}`,
    );
  }
  if (c > 4) {
    throw new Error(
      `ferrite: ${OP}: an [red, green, blue] fillValue fills images of up to 4 channels (RGBA), got ${c} channels`,
    );
  }
  return Float32Array.from({ length: c }, (_, k) => (k === 3 ? FULL_OPACITY : fillValue[k]));
}

/** The centre in pixels [x, y] from TF.js's fraction of the width and height (one or two numbers). */
function centerInPixels(center: unknown, h: number, w: number): [number, number] {
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (ok(center)) return [w * (center as number), h * (center as number)];
  if (Array.isArray(center) && center.length === 2 && center.every(ok)) return [w * center[0], h * center[1]];
  throw new Error(
    `ferrite: ${OP}: center must be a fraction of the width and height (one number, or [x, y]), got ${JSON.stringify(center)}`,
  );
}

/**
 * Rotates images `[batch, height, width, channels]` counter-clockwise by `radians` about a
 * centre, as TF.js's `tf.image.rotateWithOffset`: each output pixel copies the nearest
 * source pixel (no interpolation), and pixels that come from outside the image get
 * `fillValue` (one number for every channel, or `[red, green, blue]`, which also sets a
 * fourth, alpha, channel to 255). `center` is a fraction of the width and height (0.5, the
 * default, is the middle; `[x, y]` sets each; a centre at pixel (px, py) is
 * `[px / width, py / height]`).
 *
 * Differentiable with respect to the images (TF.js has no gradient for this op): the
 * rotation is linear in the pixels, and each output's gradient goes to the pixel it copied.
 *
 * @example
 * ```ts
 * // A 3 x 3 image with one bright pixel right of the centre, rotated a quarter turn.
 * const img = fe.tensor4d([0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 3, 3, 1]);
 * const turned = fe.image.rotateWithOffset(img, Math.PI / 2, 0, [1.5 / 3, 1.5 / 3]);
 * turned.shape; // [1, 3, 3, 1]
 * ```
 */
export function rotateWithOffset(
  image: Tensor,
  radians: number,
  fillValue: number | [number, number, number] = 0,
  center: number | [number, number] = 0.5,
): Tensor {
  const eng = checkInputs(OP, image);
  checkFloat(OP, image, 'image');
  if (image.rank !== 4) {
    throw new Error(
      `ferrite: ${OP}: image must have rank 4 [batch, height, width, channels], got ${fmtShape(image.shape)}`,
    );
  }
  if (typeof radians !== 'number' || !Number.isFinite(radians)) {
    throw new Error(`ferrite: ${OP}: radians must be a finite number, got ${String(radians)}`);
  }
  const [, h, w, c] = image.shape;
  const fill = fillPerChannel(fillValue, c);
  const [cx, cy] = centerInPixels(center, h, w);
  const y = emptyTensor(image.shape, 'float32', eng);
  if (y.size > 0) {
    const fillT = tensor(fill, [c]);
    eng.core.fe_rotate_forward(rotateParams(eng, image.shape, radians, cx, cy), fillT.ptr, image.ptr, y.ptr);
    fillT.dispose();
  }
  record('RotateWithOffset', [image], y, (dy: Tensor) => {
    const dx = emptyTensor(image.shape, 'float32', eng);
    if (dx.size > 0) eng.core.fe_rotate_backward(rotateParams(eng, image.shape, radians, cx, cy), dy.ptr, dx.ptr);
    return [dx];
  });
  return y;
}
