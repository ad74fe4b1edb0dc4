// Keras's cross-entropy loss objects (TF.js has none): a per-sample loss with
// `fromLogits` and `labelSmoothing`, for `compile({loss: losses.CategoricalCrossentropy({
// labelSmoothing: 0.1})})`. Label smoothing as Keras: one-hot targets become
// t (1 - s) + s / classes (categorical) or t (1 - s) + s / 2 (binary).

import { add, mul } from '../ops/arithmetic.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from './crossentropy.js';
import type { LossFn } from './index.js';

/**
 * Options of the crossentropy losses made with options: Keras's from_logits and label_smoothing.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, inputShape: [4] })] }); // outputs logits
 * m.compile({ optimizer: 'adam', loss: fe.losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) });
 * ```
 */
export interface CrossentropyOptions {
  /** yPred holds logits (the output before its sigmoid / softmax). Default false. */
  fromLogits?: boolean;
  /** Moves the targets toward uniform by this fraction, in [0, 1]. Default 0. */
  labelSmoothing?: number;
}

function check(cls: string, o: CrossentropyOptions, smoothing: boolean): { fromLogits: boolean; s: number } {
  const known = smoothing ? ['fromLogits', 'labelSmoothing'] : ['fromLogits'];
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new Error(`ferrite: ${cls}: unknown option '${k}'; valid: ${known.join(', ')}`);
  }
  const s = o.labelSmoothing ?? 0;
  if (typeof s !== 'number' || !(s >= 0 && s <= 1))
    throw new Error(`ferrite: ${cls}: labelSmoothing must be a number in [0, 1], got ${String(s)}`);
  return { fromLogits: Boolean(o.fromLogits), s };
}

/** A loss function named `name` (the name compile and logs see). */
function named(name: string, f: LossFn): LossFn {
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/**
 * Keras's BinaryCrossentropy: the plain `binaryCrossentropy` without options (so that
 * compile can still fuse it with a sigmoid output), else a loss applying them.
 *
 * @example
 * ```ts
 * const loss = fe.losses.BinaryCrossentropy({ fromLogits: true });
 * loss(fe.tensor2d([[1], [0]]), fe.tensor2d([[2], [-2]])).print(); // [0.1269, 0.1269]: one loss per sample
 * ```
 */
export function BinaryCrossentropy(options: CrossentropyOptions = {}): LossFn {
  const { fromLogits, s } = check('BinaryCrossentropy', options, true);
  if (!fromLogits && s === 0) return binaryCrossentropy;
  return named(fromLogits ? 'binaryCrossentropyFromLogits' : 'binaryCrossentropySmoothed', (yTrue, yPred) =>
    tidy(() => binaryCrossentropy(s === 0 ? yTrue : add(mul(yTrue, 1 - s), s / 2), yPred, fromLogits)),
  );
}

/**
 * Keras's CategoricalCrossentropy (see BinaryCrossentropy); smoothing over the last axis's classes.
 *
 * @example
 * ```ts
 * const loss = fe.losses.CategoricalCrossentropy({ labelSmoothing: 0.1 });
 * loss(fe.tensor2d([[0, 1]]), fe.tensor2d([[0.1, 0.9]])).print(); // [0.2152]: the targets become [0.05, 0.95]
 * ```
 */
export function CategoricalCrossentropy(options: CrossentropyOptions = {}): LossFn {
  const { fromLogits, s } = check('CategoricalCrossentropy', options, true);
  if (!fromLogits && s === 0) return categoricalCrossentropy;
  return named(fromLogits ? 'categoricalCrossentropyFromLogits' : 'categoricalCrossentropySmoothed', (yTrue, yPred) =>
    tidy(() => {
      const classes = yPred.shape[yPred.rank - 1];
      return categoricalCrossentropy(s === 0 ? yTrue : add(mul(yTrue, 1 - s), s / classes), yPred, fromLogits);
    }),
  );
}

/**
 * Keras's SparseCategoricalCrossentropy: `fromLogits` only (Keras has no smoothing for it).
 *
 * @example
 * ```ts
 * const loss = fe.losses.SparseCategoricalCrossentropy({ fromLogits: true });
 * loss(fe.tensor1d([2], 'int32'), fe.tensor2d([[1, 2, 3]])).print(); // [0.4076]
 * ```
 */
export function SparseCategoricalCrossentropy(options: CrossentropyOptions = {}): LossFn {
  const { fromLogits } = check('SparseCategoricalCrossentropy', options, false);
  if (!fromLogits) return sparseCategoricalCrossentropy;
  return named('sparseCategoricalCrossentropyFromLogits', (yTrue, yPred) =>
    sparseCategoricalCrossentropy(yTrue, yPred, true),
  );
}
