// 1-D convolution and pooling over [batch, steps, channels] sequences, as TF.js's
// `tf.conv1d`: each runs the 2-D NHWC kernels (forward and backward, SIMD, threads) on
// the sequence seen as an image of height 1. The reshapes to and from that image share
// the data: they cost no copy.

import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { fusedConv2d, type ExplicitPadding } from './conv.js';
import type { ActivationFn } from './activations.js';
import { avgPool, maxPool } from './pool.js';
import { reshape } from './shape.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/**
 * 'valid', 'same', 'causal' (Keras: zeros on the left only, so step t sees no later step), or zeros on each side.
 *
 * @example
 * ```ts
 * const x = fe.ones([1, 4, 1]);
 * fe.conv1d(x, fe.ones([2, 1, 1]), 1, 'causal').print(); // [[[1], [2], [2], [2]]]
 * ```
 */
export type Padding1D = 'valid' | 'same' | 'causal' | number;

/** The 2-D padding that pads the width (steps) axis as `pad` asks; height 1 gets none. */
function widthPadding(
  op: string,
  pad: Padding1D,
  window: number,
  dilation: number,
): 'valid' | 'same' | ExplicitPadding {
  if (pad === 'valid' || pad === 'same') return pad;
  if (pad === 'causal')
    return [
      [0, 0],
      [0, 0],
      [dilation * (window - 1), 0],
      [0, 0],
    ];
  if (Number.isInteger(pad) && pad >= 0)
    return [
      [0, 0],
      [0, 0],
      [pad, pad],
      [0, 0],
    ];
  throw new Error(
    `ferrite: ${op}: pad must be 'valid', 'same', 'causal' or a non-negative integer, got ${JSON.stringify(pad)}`,
  );
}

function checkPositive(op: string, what: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1)
    throw new Error(`ferrite: ${op}: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

/** x [batch, steps, channels] (or [steps, channels]) as [batch, 1, steps, channels]. */
function asImage(op: string, x: Tensor): Tensor {
  checkFloat(op, x, 'x');
  if (x.rank === 2) return reshape(x, [1, 1, x.shape[0], x.shape[1]]);
  if (x.rank !== 3)
    throw new Error(`ferrite: ${op}: x must have rank 3 [batch, steps, channels] (or 2), got ${fmtShape(x.shape)}`);
  return reshape(x, [x.shape[0], 1, x.shape[1], x.shape[2]]);
}

/** The [batch, 1, outSteps, channels] result back to x's rank. */
function asSequence(x: Tensor, y: Tensor): Tensor {
  const [n, , w, c] = y.shape;
  return reshape(y, x.rank === 2 ? [w, c] : [n, w, c]);
}

export interface FusedConv1DArgs {
  x: Tensor;
  /** [filterWidth, inChannels, outChannels]. */
  filter: Tensor;
  stride?: number;
  pad?: Padding1D;
  dilation?: number;
  /** [outChannels]. */
  bias?: Tensor;
  /** 'linear' and 'relu' run inside the kernel; other identifiers or functions after it. */
  activation?: string | ActivationFn;
}

/** act(conv1d(x, filter) + bias) in one kernel pass where the activation allows. Differentiable in x, filter, bias. */
export function fusedConv1d({
  x,
  filter,
  stride = 1,
  pad = 'valid',
  dilation = 1,
  bias,
  activation,
}: FusedConv1DArgs): Tensor {
  const op = 'conv1d';
  checkInputs(op, x, filter);
  checkPositive(op, 'stride', stride);
  checkPositive(op, 'dilation', dilation);
  if (filter.rank !== 3)
    throw new Error(
      `ferrite: ${op}: filter must have rank 3 [filterWidth, inChannels, outChannels], got ${fmtShape(filter.shape)}`,
    );
  const xChannels = x.shape[x.rank - 1];
  if (filter.shape[1] !== xChannels)
    throw new Error(
      `ferrite: ${op}: x ${fmtShape(x.shape)} has ${xChannels} channels but filter ${fmtShape(filter.shape)} expects ${filter.shape[1]}`,
    );
  const pad2d = widthPadding(op, pad, filter.shape[0], dilation);
  return tidy(() => {
    const y = fusedConv2d({
      x: asImage(op, x),
      filter: reshape(filter, [1, ...filter.shape]),
      strides: [1, stride],
      pad: pad2d,
      dilations: [1, dilation],
      bias,
      activation,
    });
    return asSequence(x, y);
  });
}

/**
 * 1-D convolution, as TF.js's `tf.conv1d`: x is [batch, steps, inChannels] (or [steps,
 * inChannels]), filter is [filterWidth, inChannels, outChannels]; the result is [batch,
 * outSteps, outChannels]. `pad` is 'valid', 'same' (TF's: ceil(steps / stride)), 'causal'
 * (Keras's; a Ferrite addition to the op) or a number of zeros on each side.
 *
 * @example
 * ```ts
 * const x = fe.randomNormal([2, 10, 3]); // [batch, steps, inChannels]
 * const filter = fe.randomNormal([3, 3, 4]); // [width, inChannels, outChannels]
 * fe.conv1d(x, filter, 1, 'same').shape; // [2, 10, 4]
 * fe.conv1d(x, filter, 2, 'valid').shape; // [2, 4, 4]
 * ```
 */
export function conv1d(
  x: Tensor,
  filter: Tensor,
  stride: number,
  pad: Padding1D,
  dataFormat: 'NWC' = 'NWC',
  dilation = 1,
): Tensor {
  if (dataFormat !== 'NWC')
    throw new Error(`ferrite: conv1d: dataFormat must be 'NWC' (channels last), got ${JSON.stringify(dataFormat)}`);
  return fusedConv1d({ x, filter, stride, pad, dilation });
}

/** Windowed pooling along the steps of [batch, steps, channels] (TF.js's layers' pool1d). */
export function pool1d(
  x: Tensor,
  poolSize: number,
  stride: number,
  pad: 'valid' | 'same',
  mode: 'max' | 'avg',
): Tensor {
  const op = mode === 'max' ? 'maxPool1d' : 'avgPool1d';
  checkInputs(op, x);
  checkPositive(op, 'poolSize', poolSize);
  checkPositive(op, 'stride', stride);
  return tidy(() => {
    const img = asImage(op, x);
    const y = (mode === 'max' ? maxPool : avgPool)(img, [1, poolSize], [1, stride], pad);
    return asSequence(x, y);
  });
}
