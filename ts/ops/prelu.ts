// PReLU as TF.js's `prelu(x, alpha)`: x where x > 0, alpha * x elsewhere, alpha broadcast
// against x by NumPy's rule. One fused kernel each way (core-rs/src/prelu.rs): the forward
// and, in one pass over x, the input's gradient and alpha's (summed over the axes alpha is
// broadcast along, in an order that does not depend on the thread count).

import { record } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { writeParams } from '../backend/param-block.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/** Groups the kernel accepts (`MAX_GROUPS` in prelu.rs). */
const MAX_GROUPS = 10;

/**
 * x's shape cut into groups of consecutive axes alternating shared (alpha is 1 or absent
 * there) and kept (alpha has x's extent), starting with a shared group: the kernel's view
 * of the broadcast. Axes of extent 1 belong to neither and are dropped.
 */
function broadcastGroups(op: string, x: Tensor, alpha: Tensor): number[] {
  const [xs, as] = [x.shape, alpha.shape];
  const bad = () =>
    new Error(
      `ferrite: ${op}: alpha of shape ${fmtShape(as)} does not broadcast to x of shape ${fmtShape(xs)} ` +
        `(NumPy's rule: each of alpha's axes, aligned from the right, must be 1 or x's)`,
    );
  if (as.length > xs.length) throw bad();
  const groups = [1];
  for (let i = 0; i < xs.length; i++) {
    const a = i - (xs.length - as.length) >= 0 ? as[i - (xs.length - as.length)] : 1;
    if (a !== 1 && a !== xs[i]) throw bad();
    if (xs[i] === 1) continue;
    const kept = a !== 1;
    // Even positions are shared groups, odd ones kept: the last group is kept when the count is even.
    if (kept === (groups.length % 2 === 0)) groups[groups.length - 1] *= xs[i];
    else groups.push(xs[i]);
  }
  if (groups.length > MAX_GROUPS) {
    throw new Error(
      `ferrite: ${op}: alpha ${fmtShape(as)} alternates between broadcast and full axes of x ${fmtShape(xs)} ` +
        `more than the kernel supports (${MAX_GROUPS} groups)`,
    );
  }
  return groups;
}

function paramsOf(eng: Engine, groups: number[]): number {
  return writeParams(eng, [groups.length, ...groups], groups.length + 1);
}

/**
 * PReLU: `x` where x > 0, `alpha * x` elsewhere, with `alpha` broadcast to `x` (TF.js's
 * `tf.prelu`). Differentiable with respect to both; alpha's gradient is summed over the
 * axes it is broadcast along.
 *
 * @example
 * ```ts
 * const x = fe.tensor([-2, 3, -1, 4], [2, 2]);
 * fe.prelu(x, fe.tensor([0.1, 0.5], [2])).print(); // [[-0.2, 3], [-0.1, 4]]
 * x.prelu(fe.tensor([0.1, 0.5], [2])).print(); // the same, as a Tensor method
 * ```
 */
export function prelu(x: Tensor, alpha: Tensor): Tensor {
  const op = 'prelu';
  const eng = checkInputs(op, x, alpha);
  checkFloat(op, x);
  checkFloat(op, alpha);
  const groups = broadcastGroups(op, x, alpha);
  const y = emptyTensor(x.shape, 'float32', eng);
  if (x.size > 0) eng.core.fe_prelu_forward(0, x.ptr, alpha.ptr, y.ptr, paramsOf(eng, groups));
  record('Prelu', [x, alpha], y, (dy, needed) => {
    const dx = needed[0] !== false ? emptyTensor(x.shape, 'float32', eng) : null;
    const dalpha = needed[1] !== false ? emptyTensor(alpha.shape, 'float32', eng) : null;
    if (x.size > 0) {
      eng.core.fe_prelu_backward(
        0,
        x.ptr,
        alpha.ptr,
        dy.ptr,
        dx ? dx.ptr : 0,
        dalpha ? dalpha.ptr : 0,
        paramsOf(eng, groups),
      );
    } else if (dalpha) {
      eng.f32.fill(0, dalpha.ptr >> 2, (dalpha.ptr >> 2) + dalpha.size);
    }
    return [dx, dalpha];
  });
  return y;
}

/** The naive reference (tests): [y, dx, dalpha] for x, alpha and dy, dalpha summed in float64. */
export function preluNaive(x: Tensor, alpha: Tensor, dy: Tensor): [Tensor, Tensor, Tensor] {
  const eng = checkInputs('preluNaive', x, alpha, dy);
  const groups = broadcastGroups('preluNaive', x, alpha);
  const [y, dx] = [emptyTensor(x.shape, 'float32', eng), emptyTensor(x.shape, 'float32', eng)];
  const dalpha = emptyTensor(alpha.shape, 'float32', eng);
  eng.core.fe_prelu_forward(1, x.ptr, alpha.ptr, y.ptr, paramsOf(eng, groups));
  eng.core.fe_prelu_backward(1, x.ptr, alpha.ptr, dy.ptr, dx.ptr, dalpha.ptr, paramsOf(eng, groups));
  return [y, dx, dalpha];
}
