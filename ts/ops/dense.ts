// The Dense layer's fused op: y = act(x W + b) for act 'linear' or 'relu', as two kernel
// calls (the GEMM, then bias and activation in place over its output) recorded as one
// tape entry. Its backward is one pass for the activation's derivative and the bias
// gradient (`fe_conv2d_bias_act_backward`: dz = dy act'(y) and db = the column sums of dz)
// and the two GEMMs of a matMul, the one for dx left out when x needs no gradient (a first
// layer's data). Unfused, the same step is a matMul, a broadcast add and an activation
// forward, and their three backwards plus a broadcast-gradient reduction: this halves the
// kernel calls and the tape entries of a Dense layer, a fixed cost of every training step.

import { record } from '../autograd/tape.js';
import { ConvActivation } from '../backend/core-abi.js';
import { getActivationName } from './activations.js';
import type { ActivationFn } from '../layers/activations.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

const FUSED = new Map<string, ConvActivation>([
  ['linear', ConvActivation.ACT_LINEAR],
  ['relu', ConvActivation.ACT_RELU],
]);

/** The kernel's code for an activation it applies itself (the built-in linear and relu), else undefined. */
export function fusedDenseActivation(fn: ActivationFn): ConvActivation | undefined {
  const name = getActivationName(fn);
  return name === undefined ? undefined : FUSED.get(name);
}

/**
 * act(x · kernel + bias) for x [rows, inputDim], kernel [inputDim, units], bias [units]
 * or null, act a `fusedDenseActivation` code; differentiable in all three. The layer
 * checks shapes before; this repeats the checks that keep the kernels in bounds.
 *
 * ```ts
 * const y = denseForward(x, kernel, bias, ConvActivation.ACT_RELU); // relu(x W + b)
 * ```
 */
export function denseForward(x: Tensor, kernel: Tensor, bias: Tensor | null, act: ConvActivation): Tensor {
  const eng = bias ? checkInputs('dense', x, kernel, bias) : checkInputs('dense', x, kernel);
  checkFloat('dense', x, 'x');
  checkFloat('dense', kernel, 'kernel');
  if (bias) checkFloat('dense', bias, 'bias');
  const [rows, k] = x.shape;
  const units = kernel.shape[1];
  if (
    x.rank !== 2 ||
    kernel.rank !== 2 ||
    kernel.shape[0] !== k ||
    (bias !== null && (bias.rank !== 1 || bias.shape[0] !== units))
  ) {
    throw new Error(
      `ferrite: dense: expected x [rows, k], kernel [k, units] and bias [units], got ${fmtShape(x.shape)}, ${fmtShape(kernel.shape)}` +
        (bias ? ` and ${fmtShape(bias.shape)}` : ''),
    );
  }
  const core = eng.core;
  const y = emptyTensor([rows, units], 'float32', eng);
  if (y.size > 0) {
    // With k = 0 the product is all zeros (beta 0 overwrites y).
    core.fe_gemm(0, 0, rows, units, k, 1, x.ptr, k, kernel.ptr, units, 0, y.ptr, units);
    core.fe_bias_act_forward(y.ptr, rows, units, bias ? bias.ptr : 0, act);
  }
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  record('Dense', inputs, y, (dy, needed) => {
    const [needX, needW, needB] = [0, 1, 2].map((i) => needed?.[i] ?? true);
    // dz: the gradient at x W, before bias and activation (dy itself when linear).
    const dz = act === ConvActivation.ACT_LINEAR ? dy : emptyTensor(dy.shape, 'float32', eng);
    const db = bias && needB ? emptyTensor(bias.shape, 'float32', eng) : null;
    if (dz !== dy || db) {
      if (y.size > 0) core.fe_conv2d_bias_act_backward(act, y.ptr, dy.ptr, dz.ptr, db ? db.ptr : 0, rows, units);
      else db?.view().fill(0);
    }
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    if (needX) {
      // dx (rows, k) = dz (rows, units) · kernelᵀ
      dx = emptyTensor(x.shape, 'float32', eng);
      if (dx.size > 0) core.fe_gemm(0, 1, rows, k, units, 1, dz.ptr, units, kernel.ptr, units, 0, dx.ptr, k);
    }
    if (needW) {
      // dW (k, units) = xᵀ (k, rows) · dz (rows, units)
      dw = emptyTensor(kernel.shape, 'float32', eng);
      if (dw.size > 0) core.fe_gemm(1, 0, k, units, rows, 1, x.ptr, k, dz.ptr, units, 0, dw.ptr, units);
    }
    if (dz !== dy) dz.dispose();
    return bias ? [dx, dw, db] : [dx, dw];
  });
  return y;
}
