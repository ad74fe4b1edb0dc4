// Batch normalization over the last (channel) axis: the inference form with given
// statistics (TF.js's `tf.batchNorm`) and the training form that normalizes with the
// batch's own statistics and returns them (for a layer's moving averages). Both fused:
// one kernel forward, one backward. Kernels: core-rs/src/batchnorm.rs.

import type { Engine } from '../backend/engine.js';
import { record } from '../autograd/tape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/** Keras' and TF.js's default epsilon. */
const DEFAULT_EPSILON = 1e-3;

/** Channels of x (its last dimension) and rows (the product of the others). */
function layout(op: string, x: Tensor): { rows: number; c: number } {
  checkFloat(op, x, 'x');
  if (x.rank < 1) throw new Error(`ferrite: ${op}: x must have at least one dimension (the channels), got a scalar`);
  const c = x.shape[x.rank - 1];
  return { rows: c === 0 ? 0 : x.size / c, c };
}

/** A per-channel parameter: shape [c], or x's rank with every dimension but the last 1. */
function checkParam(op: string, name: string, p: Tensor | undefined, x: Tensor, c: number): void {
  if (p === undefined) return;
  checkFloat(op, p, name);
  const ok = p.size === c && p.rank >= 1 && p.shape[p.rank - 1] === c && (p.rank === 1 || p.rank === x.rank);
  if (!ok) {
    throw new Error(
      `ferrite: ${op}: ${name} must have shape [${c}] (the channels, x's last dimension), got ${fmtShape(p.shape)} (x ${fmtShape(x.shape)})`,
    );
  }
}

function checkEpsilon(op: string, eps: number): void {
  if (!(typeof eps === 'number' && eps > 0 && Number.isFinite(eps))) {
    throw new Error(`ferrite: ${op}: varianceEpsilon must be a positive number, got ${String(eps)}`);
  }
}

/**
 * Checks the arguments of either form (`stats`: the given mean and variance, or none);
 * returns the engine, the inputs in the order the tape records them, and x's layout.
 */
function checkArgs(
  op: string,
  x: Tensor,
  stats: { mean?: Tensor; variance?: Tensor },
  offset: Tensor | undefined,
  scale: Tensor | undefined,
  eps: number,
): { eng: Engine; inputs: Tensor[]; rows: number; c: number } {
  const inputs = [x, ...Object.values(stats), ...[offset, scale].filter((p) => p !== undefined)];
  const eng = checkInputs(op, ...inputs);
  const { rows, c } = layout(op, x);
  for (const [name, p] of Object.entries({ ...stats, offset, scale })) checkParam(op, name, p, x, c);
  checkEpsilon(op, eps);
  return { eng, inputs, rows, c };
}

const ptr = (t: Tensor | null | undefined): number => (t ? t.ptr : 0);

/**
 * Normalizes x with given statistics over its last axis, as TF.js's `tf.batchNorm`:
 *   y = (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset
 * mean, variance, offset and scale are [channels] (offset defaults to 0, scale to 1).
 * This is a BatchNormalization layer at inference (with its moving statistics).
 * Differentiable with respect to all five tensors.
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1, 2], [3, 6]]);
 * fe.batchNorm(x, fe.tensor1d([2, 4]), fe.tensor1d([1, 4])).print(); // [[-1, -1], [1, 1]], within epsilon
 * ```
 */
export function batchNorm(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  offset?: Tensor,
  scale?: Tensor,
  varianceEpsilon: number = DEFAULT_EPSILON,
): Tensor {
  const { eng, inputs, rows, c } = checkArgs('batchNorm', x, { mean, variance }, offset, scale, varianceEpsilon);
  const y = emptyTensor(x.shape, 'float32', eng);
  eng.core.fe_batchnorm_forward(
    x.ptr,
    mean.ptr,
    variance.ptr,
    ptr(scale),
    ptr(offset),
    varianceEpsilon,
    y.ptr,
    rows,
    c,
  );
  record('BatchNorm', inputs, y, (dy) =>
    backward(eng, false, x, mean, variance, offset, scale, varianceEpsilon, dy, rows, c),
  );
  return y;
}

export interface BatchNormTrainingResult {
  /** The normalized x, same shape. */
  y: Tensor;
  /** The batch mean of each channel, [channels]. */
  mean: Tensor;
  /** The batch (biased, divided by the count) variance of each channel, [channels]. */
  variance: Tensor;
}

/**
 * Training-mode batch normalization over the last axis: normalizes x with the mean and
 * biased variance of each channel over all other axes (N, H, W for images; N for
 * [batch, features]), then scales and shifts:
 *   y = (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset
 * Returns y and the batch statistics, which a BatchNormalization layer folds into its
 * moving mean and variance. y is differentiable with respect to x (through the statistics
 * too), offset and scale; the returned mean and variance are not (they are data for the
 * moving averages). Arguments as `batchNorm` without the statistics.
 */
export function batchNormTraining(
  x: Tensor,
  offset?: Tensor,
  scale?: Tensor,
  varianceEpsilon: number = DEFAULT_EPSILON,
): BatchNormTrainingResult {
  const { eng, inputs, rows, c } = checkArgs('batchNormTraining', x, {}, offset, scale, varianceEpsilon);
  const y = emptyTensor(x.shape, 'float32', eng);
  const mean = emptyTensor([c], 'float32', eng);
  const variance = emptyTensor([c], 'float32', eng);
  eng.core.fe_batchnorm_train_forward(
    x.ptr,
    ptr(scale),
    ptr(offset),
    varianceEpsilon,
    y.ptr,
    mean.ptr,
    variance.ptr,
    rows,
    c,
  );
  record(
    'BatchNormTraining',
    inputs,
    y,
    (dy) => backward(eng, true, x, mean, variance, offset, scale, varianceEpsilon, dy, rows, c),
    [mean, variance],
  );
  return { y, mean, variance };
}

/**
 * The gradients of both forms, in the order of their inputs: dx; with given statistics
 * (not `training`) dmean and dvar, which in training flow into dx; then doffset and
 * dscale for the offset and scale that were given.
 */
function backward(
  eng: Engine,
  training: boolean,
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  offset: Tensor | undefined,
  scale: Tensor | undefined,
  eps: number,
  dy: Tensor,
  rows: number,
  c: number,
): Tensor[] {
  const dx = emptyTensor(x.shape, 'float32', eng);
  const doffset = offset ? emptyTensor(offset.shape, 'float32', eng) : null;
  const dscale = scale ? emptyTensor(scale.shape, 'float32', eng) : null;
  const dmean = training ? null : emptyTensor(mean.shape, 'float32', eng);
  const dvar = training ? null : emptyTensor(variance.shape, 'float32', eng);
  eng.core.fe_batchnorm_backward(
    training ? 1 : 0,
    x.ptr,
    mean.ptr,
    variance.ptr,
    ptr(scale),
    eps,
    dy.ptr,
    dx.ptr,
    ptr(dscale),
    ptr(doffset),
    ptr(dmean),
    ptr(dvar),
    rows,
    c,
  );
  return [dx, dmean, dvar, doffset, dscale].filter((g) => g !== null);
}
