// softmax and logSoftmax along one axis (the last by default), forward and backward
// in core-rs/src/softmax.rs. Both subtract the maximum before exponentiating, so any
// finite input gives finite probabilities; a NaN in a row makes that row NaN.

import { record } from '../autograd/tape.js';
import { perEngine } from '../backend/engine.js';
import { emptyTensor, sizeOf, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape, normAxis } from './util.js';

/** The tensor seen as (outer, n, inner) with the softmax taken over n. */
function splitAtAxis(op: string, x: Tensor, axis: number): [number, number, number] {
  if (x.rank === 0) throw new Error(`ferrite: ${op}: needs a tensor of rank >= 1, got a scalar`);
  const a = normAxis(op, axis, x.rank);
  return [sizeOf(x.shape.slice(0, a)), x.shape[a], sizeOf(x.shape.slice(a + 1))];
}

/** Each op's kernels: forward(x, y, outer, n, inner) and backward(y, dy, dx, outer, n, inner). */
const kernelsOf = perEngine(({ core }) => ({
  softmax: { forward: core.fe_softmax_forward, backward: core.fe_softmax_backward },
  logSoftmax: { forward: core.fe_log_softmax_forward, backward: core.fe_log_softmax_backward },
}));

function softmaxLike(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  const eng = checkInputs(op, x);
  checkFloat(op, x, 'logits');
  if (!Number.isInteger(axis))
    throw new Error(`ferrite: ${op}: axis must be an integer, got ${axis} for logits ${fmtShape(x.shape)}`);
  const [outer, n, inner] = splitAtAxis(op, x, axis);
  const { forward, backward } = kernelsOf(eng)[op];
  const y = emptyTensor(x.shape, 'float32', eng);
  forward(x.ptr, y.ptr, outer, n, inner);
  record(op === 'softmax' ? 'Softmax' : 'LogSoftmax', [x], y, (dy) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    backward(y.ptr, dy.ptr, dx.ptr, outer, n, inner);
    return [dx];
  });
  return y;
}

/**
 * Softmax along `dim` (default the last axis): e^x / Σ e^x, computed as
 * e^(x - max) / Σ e^(x - max). Any rank >= 1; any axis.
 *
 * @example
 * ```ts
 * fe.softmax(fe.tensor1d([1, 2, 3])).print(); // [0.09003, 0.2447, 0.6652]
 * ```
 */
export function softmax(logits: Tensor, dim = -1): Tensor {
  return softmaxLike('softmax', logits, dim);
}

/**
 * log(softmax(x)) along `axis`, computed directly as (x - max) - log Σ e^(x - max).
 *
 * @example
 * ```ts
 * fe.logSoftmax(fe.tensor1d([1, 2, 3])).print(); // [-2.408, -1.408, -0.4076]
 * ```
 */
export function logSoftmax(logits: Tensor, axis = -1): Tensor {
  return softmaxLike('logSoftmax', logits, axis);
}
