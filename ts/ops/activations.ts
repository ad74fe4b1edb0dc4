// Activation functions as ops (TF.js names) and the Keras/TF.js identifier lookup.
//
// Every op is one forward kernel and one backward kernel from core-rs/src/activation.rs.
// The backward reads the saved output where that avoids a transcendental (sigmoid,
// tanh, elu, selu) and the input otherwise. All saturate cleanly: sigmoid(±100),
// tanh(±100), softplus(±100) are finite, never NaN. NaN inputs give NaN outputs.

import { record } from '../autograd/tape.js';
import { perEngine } from '../backend/engine.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, named } from './util.js';
import { logSoftmax, softmax } from './softmax.js';

/** forward(x, y, n[, param]) and backward(x or y, dy, dx, n[, param]); x, y, dy, dx are (n). */
interface ActivationKernels {
  forward: (x: number, y: number, n: number, ...param: number[]) => void;
  backward: (xOrY: number, dy: number, dx: number, n: number, ...param: number[]) => void;
}

/** The kernels of each elementwise activation, by op name. */
const kernelsOf = perEngine(
  ({ core }) =>
    ({
      relu: { forward: core.fe_relu_forward, backward: core.fe_relu_backward },
      relu6: { forward: core.fe_relu6_forward, backward: core.fe_relu6_backward },
      leakyRelu: { forward: core.fe_leaky_relu_forward, backward: core.fe_leaky_relu_backward },
      elu: { forward: core.fe_elu_forward, backward: core.fe_elu_backward },
      selu: { forward: core.fe_selu_forward, backward: core.fe_selu_backward },
      sigmoid: { forward: core.fe_sigmoid_forward, backward: core.fe_sigmoid_backward },
      hardSigmoid: { forward: core.fe_hard_sigmoid_forward, backward: core.fe_hard_sigmoid_backward },
      tanh: { forward: core.fe_tanh_forward, backward: core.fe_tanh_backward },
      softplus: { forward: core.fe_softplus_forward, backward: core.fe_softplus_backward },
      softsign: { forward: core.fe_softsign_forward, backward: core.fe_softsign_backward },
      swish: { forward: core.fe_swish_forward, backward: core.fe_swish_backward },
      gelu: { forward: core.fe_gelu_forward, backward: core.fe_gelu_backward },
      thresholdedRelu: { forward: core.fe_thresholded_relu_forward, backward: core.fe_thresholded_relu_backward },
    }) satisfies Record<string, ActivationKernels>,
);

type ElementwiseActivation = keyof ReturnType<typeof kernelsOf>;

/** Which tensor the backward kernel reads besides dy. */
type GradFrom = 'input' | 'output';

/** Runs one elementwise activation and records its backward. */
function elementwise(
  op: ElementwiseActivation,
  recordName: string,
  gradFrom: GradFrom,
  x: Tensor,
  ...param: number[]
): Tensor {
  const eng = checkInputs(op, x);
  checkFloat(op, x);
  const { forward, backward }: ActivationKernels = kernelsOf(eng)[op];
  const y = emptyTensor(x.shape, 'float32', eng);
  forward(x.ptr, y.ptr, x.size, ...param);
  record(recordName, [x], y, (dy) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    backward((gradFrom === 'input' ? x : y).ptr, dy.ptr, dx.ptr, x.size, ...param);
    return [dx];
  });
  return y;
}

/** The exported function of an activation without parameters. */
function activation(op: ElementwiseActivation, recordName: string, gradFrom: GradFrom): (x: Tensor) => Tensor {
  return named(op, (x: Tensor) => elementwise(op, recordName, gradFrom, x));
}

function checkParam(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`ferrite: ${op}: ${name} must be a finite number, got ${String(v)}`);
}

/**
 * max(x, 0). The gradient at 0 is 0, as TF.
 *
 * @example
 * ```ts
 * fe.relu(fe.tensor1d([-1, 0, 2])).print(); // [0, 0, 2]
 * ```
 */
export const relu = activation('relu', 'Relu', 'input');

/**
 * min(max(x, 0), 6).
 *
 * @example
 * ```ts
 * fe.relu6(fe.tensor1d([-1, 3, 8])).print(); // [0, 3, 6]
 * ```
 */
export const relu6 = activation('relu6', 'Relu6', 'input');

/**
 * x for x > 0, alpha x otherwise (TF.js default alpha 0.2).
 *
 * @example
 * ```ts
 * fe.leakyRelu(fe.tensor1d([-2, 3]), 0.1).print(); // [-0.2, 3]
 * ```
 */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  checkParam('leakyRelu', 'alpha', alpha);
  return elementwise('leakyRelu', 'LeakyRelu', 'input', x, alpha);
}

/**
 * x for x > 0, alpha (e^x - 1) otherwise (alpha 1 as TF.js; Keras' ELU layer lets you choose).
 *
 * @example
 * ```ts
 * fe.elu(fe.tensor1d([-1, 2])).print(); // [-0.6321, 2]
 * ```
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkParam('elu', 'alpha', alpha);
  return elementwise('elu', 'Elu', 'output', x, alpha);
}

/**
 * Scaled ELU: 1.0507 (x for x > 0, 1.6733 (e^x - 1) otherwise).
 *
 * @example
 * ```ts
 * fe.selu(fe.tensor1d([-1, 1])).print(); // [-1.111, 1.051]
 * ```
 */
export const selu = activation('selu', 'Selu', 'output');

/**
 * 1 / (1 + e^-x).
 *
 * @example
 * ```ts
 * fe.sigmoid(fe.tensor1d([0, 2])).print(); // [0.5, 0.8808]
 * ```
 */
export const sigmoid = activation('sigmoid', 'Sigmoid', 'output');

/** clip(0.2 x + 0.5, 0, 1), as TF.js and Keras 2 (Keras 3 uses x / 6 + 0.5). */
export const hardSigmoid = activation('hardSigmoid', 'HardSigmoid', 'input');

/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * fe.tanh(fe.tensor1d([0, 1])).print(); // [0, 0.7616]
 * ```
 */
export const tanh = activation('tanh', 'Tanh', 'output');

/**
 * ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|).
 *
 * @example
 * ```ts
 * fe.softplus(fe.tensor1d([0, 2])).print(); // [0.6931, 2.127]
 * ```
 */
export const softplus = activation('softplus', 'Softplus', 'input');

/** x / (1 + |x|). */
export const softsign = activation('softsign', 'Softsign', 'input');

/** x sigmoid(x) (swish with beta 1, also called SiLU). */
export const swish = activation('swish', 'Swish', 'input');

/** The same op as `swish`. */
export const silu = swish;

/** GELU, exact form x Φ(x) = x (1 + erf(x / √2)) / 2 (erf to 1.5e-7). */
export const gelu = activation('gelu', 'Gelu', 'input');

/**
 * Keras's ThresholdedReLU: `x` where x > theta, 0 elsewhere (the gradient is 0 at theta).
 * TF.js has it as a layer only (here too: `fe.layers.thresholdedReLU`); the op is internal,
 * `thresholdedRelu([0.5, 1, 2], 1)` gives [0, 0, 2].
 */
export function thresholdedRelu(x: Tensor, theta = 1): Tensor {
  checkParam('thresholdedRelu', 'theta', theta);
  return elementwise('thresholdedRelu', 'ThresholdedRelu', 'input', x, theta);
}

/** The identity: returns `x` itself (no copy), like TF.js's linear activation. */
export function linear(x: Tensor): Tensor {
  checkInputs('linear', x);
  return x;
}

// ---------------------------------------------------------------------------------
// Identifier lookup
// ---------------------------------------------------------------------------------

/**
 * An activation as a function of a tensor (for `fusedConv2d`'s activation).
 *
 * @example
 * ```ts
 * const swishish: fe.ActivationFn = (x) => x.mul(fe.sigmoid(x));
 * const x = fe.ones([1, 4, 4, 1]);
 * fe.fusedConv2d({ x, filter: fe.ones([3, 3, 1, 2]), strides: 1, pad: 'same', activation: swishish }).shape; // [1, 4, 4, 2]
 * ```
 */
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
