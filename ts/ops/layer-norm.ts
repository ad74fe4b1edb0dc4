// Layer normalization over the trailing axes, fused (core-rs/src/layernorm.rs): one kernel
// forward (which keeps each row's mean and 1 / std for the backward), one backward that
// gives dx, dgamma and dbeta together. The op behind `layers.layerNormalization`.

import { isRecording, record } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { emptyTensor, sizeOf, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

export interface LayerNormOptions {
  /** How many trailing axes are normalized together (default 1, the last). */
  axes?: number;
  /** Scale, shaped as the normalized axes; absent: 1. */
  gamma?: Tensor;
  /** Offset, shaped as the normalized axes; absent: 0. */
  beta?: Tensor;
  /** Added to the variance (default 1e-3, TF.js's and Keras's). */
  epsilon?: number;
}

/** rows x n, n being the size of the trailing `axes` axes; checks gamma and beta against them. */
function layout(op: string, x: Tensor, o: LayerNormOptions): { rows: number; n: number; eps: number } {
  checkFloat(op, x, 'x');
  const axes = o.axes ?? 1;
  if (!Number.isInteger(axes) || axes < 1 || axes > x.rank) {
    throw new Error(
      `ferrite: ${op}: axes must count 1..${x.rank} trailing axes of x ${fmtShape(x.shape)}, got ${axes}`,
    );
  }
  const paramShape = x.shape.slice(x.rank - axes);
  for (const [name, p] of [
    ['gamma', o.gamma],
    ['beta', o.beta],
  ] as const) {
    if (!p) continue;
    checkFloat(op, p, name);
    if (p.size !== sizeOf(paramShape) || p.shape.some((d, i) => d !== paramShape[i])) {
      throw new Error(
        `ferrite: ${op}: ${name} must have shape ${fmtShape(paramShape)} (the normalized axes of x ${fmtShape(x.shape)}), got ${fmtShape(p.shape)}`,
      );
    }
  }
  const eps = o.epsilon ?? 1e-3;
  if (!(typeof eps === 'number' && eps >= 0 && Number.isFinite(eps))) {
    throw new Error(`ferrite: ${op}: epsilon must be a non-negative number, got ${String(eps)}`);
  }
  const n = sizeOf(paramShape);
  return { rows: n === 0 ? 0 : x.size / n, n, eps };
}

/**
 * (x - mean) / sqrt(var + epsilon) · gamma + beta, the mean and (biased) variance taken
 * over the trailing `axes` axes of each row. Differentiable with respect to x, gamma and beta.
 */
export function layerNorm(x: Tensor, options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  const { gamma, beta } = options;
  const params = [gamma, beta].filter((p): p is Tensor => p !== undefined);
  const eng = checkInputs(op, x, ...params);
  const { rows, n, eps } = layout(op, x, options);
  const y = emptyTensor(x.shape, 'float32', eng);
  const mean = emptyTensor([rows], 'float32', eng);
  const rstd = emptyTensor([rows], 'float32', eng);
  eng.core.fe_layer_norm_forward(0, x.ptr, ptrOf(gamma), ptrOf(beta), eps, y.ptr, mean.ptr, rstd.ptr, rows, n);
  if (!isRecording()) {
    mean.dispose();
    rstd.dispose();
    return y;
  }
  record(
    'LayerNorm',
    [x, ...params],
    y,
    (dy, needed) => backward(eng, x, gamma, beta, mean, rstd, dy, rows, n, needed),
    [mean, rstd],
  );
  return y;
}

const ptrOf = (t: Tensor | null | undefined): number => (t ? t.ptr : 0);

/** [dx, dgamma?, dbeta?] in the order of the recorded inputs, null where not needed. */
function backward(
  eng: Engine,
  x: Tensor,
  gamma: Tensor | undefined,
  beta: Tensor | undefined,
  mean: Tensor,
  rstd: Tensor,
  dy: Tensor,
  rows: number,
  n: number,
  needed: readonly boolean[],
): (Tensor | null)[] {
  const want = [x, gamma, beta].filter((t) => t !== undefined).map((_, i) => needed[i] !== false);
  let k = 0;
  const dx = want[k++] ? emptyTensor(x.shape, 'float32', eng) : null;
  const dgamma = gamma && want[k++] ? emptyTensor(gamma.shape, 'float32', eng) : null;
  const dbeta = beta && want[k++] ? emptyTensor(beta.shape, 'float32', eng) : null;
  eng.core.fe_layer_norm_backward(
    x.ptr,
    dy.ptr,
    mean.ptr,
    rstd.ptr,
    ptrOf(gamma),
    ptrOf(dx),
    ptrOf(dgamma),
    ptrOf(dbeta),
    rows,
    n,
  );
  return [dx, ...(gamma ? [dgamma] : []), ...(beta ? [dbeta] : [])];
}

/** The f64 reference of the forward (tests): same arguments, the kernel's y. */
export function layerNormNaive(x: Tensor, options: LayerNormOptions = {}): Tensor {
  const eng = checkInputs('layerNormNaive', x);
  const { rows, n, eps } = layout('layerNormNaive', x, options);
  const y = emptyTensor(x.shape, 'float32', eng);
  const stats = emptyTensor([2, rows], 'float32', eng);
  const { gamma, beta } = options;
  eng.core.fe_layer_norm_forward(
    1,
    x.ptr,
    ptrOf(gamma),
    ptrOf(beta),
    eps,
    y.ptr,
    stats.ptr,
    stats.ptr + rows * 4,
    rows,
    n,
  );
  stats.dispose();
  return y;
}
