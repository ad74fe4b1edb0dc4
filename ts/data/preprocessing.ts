// Preprocessing of inputs and labels before training. These run on the data, outside
// any gradient computation, so they are not recorded for autograd.

import { isRecording } from '../autograd/tape.js';
import { engine } from '../backend/engine.js';
import { emptyTensor, Tensor } from '../tensor/tensor.js';

function notInGradients(op: string): void {
  if (isRecording()) {
    throw new Error(
      `ferrite: ${op} is a preprocessing step and is not differentiable; inside a gradient function use the ops (mul, add, oneHot)`,
    );
  }
}

/**
 * One-hot encodes class labels into float32 [...labels.shape, numClasses], like
 * Keras's `to_categorical`. Labels may be an int32 or float32 tensor of whole numbers,
 * or a plain array; a trailing axis of size 1 ([n, 1]) is dropped first, as Keras does.
 * Without `numClasses` it is the largest label + 1.
 *
 * @example
 * ```ts
 * fe.toCategorical([0, 2, 1]).print(); // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
 * fe.toCategorical(fe.tensor1d([1], 'int32'), 4).print(); // [[0, 1, 0, 0]]
 * ```
 */
export function toCategorical(labels: Tensor | ArrayLike<number>, numClasses?: number): Tensor {
  notInGradients('toCategorical');
  let values: ArrayLike<number>;
  let shape: number[];
  if (labels instanceof Tensor) {
    labels.assertAlive('toCategorical labels');
    values = labels.view();
    shape = [...labels.shape];
    if (shape.length > 1 && shape[shape.length - 1] === 1) shape.pop();
  } else {
    values = labels;
    shape = [labels.length];
  }
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`ferrite: toCategorical: label ${v} at index ${i} is not a non-negative integer`);
    if (v > max) max = v;
  }
  const depth = numClasses ?? max + 1;
  if (!Number.isInteger(depth) || depth < 1)
    throw new Error(`ferrite: toCategorical: numClasses must be a positive integer, got ${numClasses}`);
  if (max >= depth) {
    const at = Array.prototype.findIndex.call(values, (v: number) => v >= depth);
    throw new Error(
      `ferrite: toCategorical: label ${max} at index ${at} does not fit numClasses = ${depth} (labels must be in [0, ${depth}))`,
    );
  }
  const eng = labels instanceof Tensor ? labels.engine : engine();
  const out = emptyTensor([...shape, depth], 'float32', eng);
  const o = out.view();
  if (labels instanceof Tensor) values = labels.view(); // re-read: the allocation may have grown memory
  o.fill(0);
  for (let i = 0; i < values.length; i++) o[i * depth + values[i]] = 1;
  return out;
}

/**
 * `x * scale + offset` as a new float32 tensor, like Keras's `Rescaling` layer:
 * `rescale(x, 1 / 255)` maps pixels to [0, 1], `rescale(x, 1 / 127.5, -1)` to [-1, 1].
 *
 * @example
 * ```ts
 * fe.rescale(fe.tensor1d([0, 255]), 1 / 255).print(); // [0, 1]
 * fe.rescale(fe.tensor1d([0, 255]), 1 / 127.5, -1).print(); // [-1, 1]
 * ```
 */
export function rescale(x: Tensor, scale: number, offset = 0): Tensor {
  notInGradients('rescale');
  x.assertAlive('rescale input');
  if (!Number.isFinite(scale) || !Number.isFinite(offset))
    throw new Error(`ferrite: rescale: scale and offset must be finite numbers, got ${scale} and ${offset}`);
  const out = emptyTensor(x.shape, 'float32', x.engine);
  const src = x.view();
  const dst = out.view();
  for (let i = 0; i < src.length; i++) dst[i] = src[i] * scale + offset;
  return out;
}
