// Activation functions as ops (TF.js names) and the Keras/TF.js identifier lookup.
//
// Every op is one forward kernel and one backward kernel from core-rs/src/activation.rs.
// The backward reads the saved output where that avoids a transcendental (sigmoid,
// tanh, elu, selu) and the input otherwise. All saturate cleanly: sigmoid(±100),
// tanh(±100), softplus(±100) are finite, never NaN. NaN inputs give NaN outputs.

import { record } from '../autograd/tape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs } from './util.js';
import { logSoftmax, softmax } from './softmax.js';

/** Which tensor the backward kernel reads besides dy. */
type GradFrom = 'input' | 'output';

/** One elementwise activation: `fe_<kernel>_forward(x, y, n[, param])`, `fe_<kernel>_backward(x|y, dy, dx, n[, param])`. */
function elementwise(
  op: string,
  recordName: string,
  kernel: string,
  gradFrom: GradFrom,
  x: Tensor,
  param?: number,
): Tensor {
  const eng = checkInputs(op, x);
  checkFloat(op, x);
  const extra = param === undefined ? [] : [param];
  const y = emptyTensor(x.shape, 'float32', eng);
  eng.core[`fe_${kernel}_forward`](x.ptr, y.ptr, x.size, ...extra);
  record(recordName, [x], y, (dy) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    eng.core[`fe_${kernel}_backward`]((gradFrom === 'input' ? x : y).ptr, dy.ptr, dx.ptr, x.size, ...extra);
    return [dx];
  });
  return y;
}

function checkParam(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`ferrite: ${op}: ${name} must be a finite number, got ${String(v)}`);
}

/** max(x, 0). The gradient at 0 is 0, as TF. */
export function relu(x: Tensor): Tensor {
  return elementwise('relu', 'Relu', 'relu', 'input', x);
}

/** min(max(x, 0), 6). */
export function relu6(x: Tensor): Tensor {
  return elementwise('relu6', 'Relu6', 'relu6', 'input', x);
}

/** x for x > 0, alpha x otherwise (TF.js default alpha 0.2). */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  checkParam('leakyRelu', 'alpha', alpha);
  return elementwise('leakyRelu', 'LeakyRelu', 'leaky_relu', 'input', x, alpha);
}

/** x for x > 0, alpha (e^x - 1) otherwise (alpha 1 as TF.js; Keras' ELU layer lets you choose). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkParam('elu', 'alpha', alpha);
  return elementwise('elu', 'Elu', 'elu', 'output', x, alpha);
}

/** Scaled ELU: 1.0507 (x for x > 0, 1.6733 (e^x - 1) otherwise). */
export function selu(x: Tensor): Tensor {
  return elementwise('selu', 'Selu', 'selu', 'output', x);
}

/** 1 / (1 + e^-x). */
export function sigmoid(x: Tensor): Tensor {
  return elementwise('sigmoid', 'Sigmoid', 'sigmoid', 'output', x);
}

/** clip(0.2 x + 0.5, 0, 1), as TF.js and Keras 2 (Keras 3 uses x / 6 + 0.5). */
export function hardSigmoid(x: Tensor): Tensor {
  return elementwise('hardSigmoid', 'HardSigmoid', 'hard_sigmoid', 'input', x);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return elementwise('tanh', 'Tanh', 'tanh', 'output', x);
}

/** ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|). */
export function softplus(x: Tensor): Tensor {
  return elementwise('softplus', 'Softplus', 'softplus', 'input', x);
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return elementwise('softsign', 'Softsign', 'softsign', 'input', x);
}

/** x sigmoid(x) (swish with beta 1, also called SiLU). */
export function swish(x: Tensor): Tensor {
  return elementwise('swish', 'Swish', 'swish', 'input', x);
}

/** The same op as `swish`. */
export const silu = swish;

/** GELU, exact form x Φ(x) = x (1 + erf(x / √2)) / 2 (erf to 1.5e-7). */
export function gelu(x: Tensor): Tensor {
  return elementwise('gelu', 'Gelu', 'gelu', 'input', x);
}

/** The identity: returns `x` itself (no copy), like TF.js's linear activation. */
export function linear(x: Tensor): Tensor {
  checkInputs('linear', x);
  return x;
}

// ---------------------------------------------------------------------------------
// Identifier lookup
// ---------------------------------------------------------------------------------

export type ActivationFn = (x: Tensor) => Tensor;

/**
 * Canonical (TF.js-style) identifiers. `getActivation` also accepts Keras' snake_case
 * spellings ('leaky_relu', 'hard_sigmoid', 'log_softmax') and any capitalisation.
 */
const ACTIVATIONS: Record<string, ActivationFn> = {
  linear,
  relu,
  relu6,
  leakyRelu: (x) => leakyRelu(x),
  elu: (x) => elu(x),
  selu,
  sigmoid,
  hardSigmoid,
  tanh,
  softplus,
  softsign,
  swish,
  silu: swish,
  gelu,
  softmax: (x) => softmax(x),
  logSoftmax: (x) => logSoftmax(x),
};

const normalise = (s: string): string => s.replace(/_/g, '').toLowerCase();
const BY_NORMALISED = new Map(Object.entries(ACTIVATIONS).map(([k, f]) => [normalise(k), f]));
const NAME_OF = new Map<ActivationFn, string>([
  [leakyRelu, 'leakyRelu'],
  [elu, 'elu'],
  [softmax, 'softmax'],
  [logSoftmax, 'logSoftmax'],
]);
for (const [k, f] of Object.entries(ACTIVATIONS)) if (!NAME_OF.has(f)) NAME_OF.set(f, k);

/**
 * The activation function for a Keras/TF.js identifier ('relu', 'sigmoid', 'tanh',
 * 'softmax', 'linear', 'elu', 'selu', 'relu6', 'softplus', 'softsign', 'leakyRelu',
 * 'hardSigmoid', 'swish'/'silu', 'gelu', 'logSoftmax'; snake_case and any case accepted).
 * A function is passed through; null/undefined give `linear`, as in Keras.
 */
export function getActivation(identifier: string | ActivationFn | null | undefined): ActivationFn {
  if (identifier === null || identifier === undefined) return linear;
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier === 'string') {
    const f = BY_NORMALISED.get(normalise(identifier));
    if (f) return f;
  }
  throw new Error(
    `ferrite: getActivation: unknown activation ${JSON.stringify(identifier)}; valid names are ${Object.keys(ACTIVATIONS).join(', ')}`,
  );
}

/** The canonical identifier of a function `getActivation` returns (for getConfig), or undefined for a custom one. */
export function getActivationName(fn: ActivationFn): string | undefined {
  return NAME_OF.get(fn);
}
