// gather along one axis, and its backward (a deterministic scatter-add, the Embedding
// layer's gradient). Kernels: core-rs/src/gather.rs.

import { record } from '../autograd/tape.js';
import { tensor } from '../tensor/creation.js';
import { emptyTensor, sizeOf, Tensor } from '../tensor/tensor.js';
import { checkInputs, fmtShape, normAxis } from './util.js';

/**
 * Slices of x along `axis` picked by int32 `indices` (any shape): the output has shape
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. Works on float32 and int32 x. An
 * index outside [0, x.shape[axis]) is an error. The gradient adds dy's slices back
 * into a zero tensor of x's shape (indices named twice get both contributions).
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1, 2], [3, 4], [5, 6]]);
 * fe.gather(x, [2, 0]).print(); // [[5, 6], [1, 2]]
 * fe.gather(x, [1], 1).print(); // [[2], [4], [6]]
 * ```
 */
export function gather(x: Tensor, indices: Tensor | number[] | Int32Array, axis = 0, batchDims = 0): Tensor {
  if (batchDims !== 0) throw new Error(`ferrite: gather: batchDims ${batchDims} is not supported (only 0)`);
  const own = !(indices instanceof Tensor);
  const idx = own ? tensor(indices as number[] | Int32Array, undefined, 'int32') : indices;
  try {
    return gatherTensor(x, idx, axis);
  } finally {
    // A tensor made here from an array: freed now, or when the tape lets go of it.
    if (own) idx.dispose();
  }
}

function gatherTensor(x: Tensor, indices: Tensor, axis: number): Tensor {
  const eng = checkInputs('gather', x, indices);
  if (indices.dtype !== 'int32') {
    throw new Error(
      `ferrite: gather: indices must be int32, got ${indices.dtype} ${fmtShape(indices.shape)} (use cast(indices, 'int32'))`,
    );
  }
  if (x.rank === 0) throw new Error('ferrite: gather: x must have rank >= 1, got a scalar');
  const a = normAxis('gather', axis, x.rank);
  const outer = sizeOf(x.shape.slice(0, a));
  const n = x.shape[a];
  const inner = sizeOf(x.shape.slice(a + 1));
  const m = indices.size;
  const outShape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const y = emptyTensor(outShape, x.dtype, eng);
  const bad = eng.core.fe_gather(x.ptr, indices.ptr, y.ptr, outer, n, inner, m);
  if (bad >= 0) {
    y.dispose();
    throw new Error(
      `ferrite: gather: index ${eng.i32[indices.offset + bad]} at position ${bad} of indices ${fmtShape(indices.shape)} ` +
        `is outside [0, ${n}) for axis ${a} of x ${fmtShape(x.shape)}`,
    );
  }
  if (x.dtype === 'float32') {
    record(
      'GatherV2',
      [x],
      y,
      (dy) => {
        const dx = emptyTensor(x.shape, 'float32', eng);
        eng.core.fe_gather_backward(dy.ptr, indices.ptr, dx.ptr, outer, n, inner, m);
        return [dx];
      },
      [indices],
    );
  }
  return y;
}
