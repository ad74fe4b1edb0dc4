// pad: surrounds a tensor with a constant (TF.js's `tf.pad`), as Keras's ZeroPadding2D
// uses it. One strided-copy kernel call places x inside the filled output; the backward
// is one strided copy of dy's interior, the slice that x occupied.

import { record } from '../autograd/tape.js';
import { emptyTensor, zerosTensor, type Tensor } from '../tensor/tensor.js';
import { contiguousStrides } from './strided-space.js';
import { stridedCopy } from './strided-copy.js';
import { checkInputs, fmtShape } from './util.js';

/**
 * x padded with `constantValue` (default 0): `paddings[i] = [before, after]` adds that
 * many elements before and after x along axis i, one pair per axis of x. Works on float32
 * and int32 tensors; differentiable with respect to x (float32).
 *
 * @example
 * ```ts
 * fe.pad(fe.tensor1d([1, 2]), [[1, 2]]).print(); // [0, 1, 2, 0, 0]
 * fe.pad(fe.tensor2d([[1]]), [[1, 0], [0, 1]], 9).print(); // [[9, 9], [1, 9]]
 * ```
 */
export function pad(x: Tensor, paddings: [number, number][], constantValue = 0): Tensor {
  const eng = checkInputs('pad', x);
  const ok =
    Array.isArray(paddings) &&
    paddings.length === x.rank &&
    paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0));
  if (!ok) {
    throw new Error(
      `ferrite: pad: paddings must hold one [before, after] pair of non-negative integers per axis of x ${fmtShape(x.shape)} ` +
        `(${x.rank} pairs), got ${JSON.stringify(paddings)}`,
    );
  }
  if (typeof constantValue !== 'number' || Number.isNaN(constantValue)) {
    throw new Error(`ferrite: pad: constantValue must be a number, got ${String(constantValue)}`);
  }
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const outStrides = contiguousStrides(outShape);
  // Where x's element 0 lands in the output, in elements.
  const offset = paddings.reduce((acc, [before], i) => acc + before * outStrides[i], 0);
  const xStrides = contiguousStrides(x.shape);

  let y: Tensor;
  if (constantValue === 0) {
    y = zerosTensor(outShape, x.dtype, eng);
  } else {
    y = emptyTensor(outShape, x.dtype, eng);
    y.view().fill(constantValue);
  }
  stridedCopy('pad', eng, x.ptr, xStrides, y.ptr + 4 * offset, outStrides, x.shape);
  if (x.dtype === 'float32') {
    record('Pad', [x], y, (dy) => {
      const dx = emptyTensor(x.shape, 'float32', eng);
      stridedCopy('pad', eng, dy.ptr + 4 * offset, outStrides, dx.ptr, xStrides, x.shape);
      return [dx];
    });
  }
  return y;
}
