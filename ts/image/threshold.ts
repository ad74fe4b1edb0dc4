// TF.js's tf.image.threshold: binarizes an image [height, width, 1 or 3] (values 0-255) to
// 0 / 255 int32, above a fixed threshold or Otsu's. Not differentiable (its output is a
// comparison), so it is computed on the values in JS, with float32 rounding where TF.js's
// tensor ops round, so that the thresholds (Otsu's argmax over 255 candidates in
// particular) agree with TF.js's.

import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkInputs, fmtShape } from '../ops/util.js';

const OP = 'threshold';
const f32 = Math.fround;
/** TF.js's (CCIR 601) weights of red, green and blue, as float32 scalars. */
const [RED, GREEN, BLUE] = [0.2989, 0.587, 0.114].map(f32);

/** JS's round half to even (TF.js's round). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Otsu's threshold of grey levels: the level t (0..254) maximising the between-class variance
 * w0 w1 (m0 - m1)^2 of the histogram of round(gray) split after t; ties keep the lowest t.
 */
function otsu(gray: ArrayLike<number>): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < gray.length; i++) {
    const level = roundHalfEven(gray[i]);
    if (!(level >= 0)) throw new Error(`ferrite: ${OP}: otsu needs grey levels >= 0, got ${gray[i]}`);
    if (level < 256) hist[level]++;
  }
  const total = gray.length;
  // A float32 sum as TF.js's cpu sum: accumulated in a JS number, stored as float32.
  const sum = (from: number, to: number, weight: (j: number) => number) => {
    let s = 0;
    for (let j = from; j < to; j++) s += f32(hist[j] * weight(j));
    return f32(s);
  };
  let best = -1;
  let bestVariance = 0;
  for (let t = 0; t < 255; t++) {
    const [n0, n1] = [sum(0, t + 1, () => 1), sum(t + 1, 256, () => 1)];
    const [w0, w1] = [f32(n0 / total), f32(n1 / total)];
    const m0 = f32(sum(0, t + 1, (j) => j) / n0);
    const m1 = f32(sum(t + 1, 256, (j) => j) / n1);
    const d = f32(m0 - m1);
    const variance = f32(f32(f32(w0 * w1) * d) * d);
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

/**
 * Binarizes an image `[height, width, channels]` (channels 3, RGB, or 1, grey; values 0 to
 * 255) as TF.js's `tf.image.threshold`: grey levels (`0.2989 r + 0.5870 g + 0.1140 b`) above
 * the threshold become 255 and the others 0 (`inverted` swaps them). `method` 'binary' uses
 * `threshValue * 255`; 'otsu' picks the level that best separates the image's histogram
 * into two classes (Otsu's method). Returns int32 `[height, width, 1]`; not differentiable.
 *
 * @example
 * ```ts
 * const gray = fe.tensor3d([10, 200, 120, 240], [2, 2, 1]);
 * fe.image.threshold(gray).print(); // [[[0], [255]], [[0], [255]]]: above 127.5
 * fe.image.threshold(gray, 'otsu').print(); // the same here: Otsu's level falls between the two groups
 * ```
 */
export function threshold(
  image: Tensor,
  method: 'binary' | 'otsu' = 'binary',
  inverted = false,
  threshValue = 0.5,
): Tensor {
  checkInputs(OP, image);
  if (image.rank !== 3 || (image.shape[2] !== 3 && image.shape[2] !== 1)) {
    throw new Error(
      `ferrite: ${OP}: image must have rank 3 [height, width, channels] with 3 (RGB) or 1 (grey) channels, got ${fmtShape(image.shape)}`,
    );
  }
  if (image.dtype !== 'float32' && image.dtype !== 'int32') {
    throw new Error(`ferrite: ${OP}: image must be float32 or int32, got ${image.dtype}`);
  }
  if (method !== 'binary' && method !== 'otsu') {
    throw new Error(`ferrite: ${OP}: method must be 'binary' or 'otsu', got ${JSON.stringify(method)}`);
  }
  if (typeof threshValue !== 'number' || !Number.isFinite(threshValue)) {
    throw new Error(`ferrite: ${OP}: threshValue must be a finite number, got ${String(threshValue)}`);
  }
  const [h, w, c] = image.shape;
  const values = image.dataSync();
  const gray =
    c === 1
      ? values
      : Float32Array.from({ length: h * w }, (_, p) =>
          f32(f32(f32(values[3 * p] * RED) + f32(values[3 * p + 1] * GREEN)) + f32(values[3 * p + 2] * BLUE)),
        );
  const level = method === 'otsu' ? otsu(gray) : f32(f32(threshValue) * 255);
  const out = Int32Array.from(gray, (v) => ((inverted ? v <= level : v > level) ? 255 : 0));
  return tensor(out, [h, w, 1], 'int32');
}
