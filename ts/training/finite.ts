// NaN and Infinity checks for training: the data before fit, evaluate, predict and
// trainOnBatch use it, and every training step checks its loss and gradients before the
// optimizer may touch a weight. One sum in wasm per tensor (NaN and ±Infinity
// propagate); only when a sum is not finite, a scan of the values says where (and rules
// out finite values whose float32 sum overflowed).

import type { Tensor } from '../tensor/tensor.js';
import { perEngine } from '../backend/engine.js';
import { ReduceOp } from '../backend/core-abi.js';

/** One float of wasm memory per engine that the sums are written to (no tensor per check). */
const sumSlot = perEngine((eng) => eng.alloc(4));

/** The flat index of the first NaN or ±Infinity in a float tensor, or -1. */
export function firstNonFinite(t: Tensor): number {
  if (t.dtype !== 'float32' || t.size === 0) return -1;
  // The kernel `sum` runs, called directly: a step checks every gradient, and an op's
  // plan, output tensor and scope would cost more than the sum of a bias.
  const eng = t.engine;
  const slot = sumSlot(eng);
  eng.core.fe_reduce(ReduceOp.SUM, t.ptr, slot, 1, t.size, 1, 1);
  const total = eng.f32[slot >> 2];
  if (Number.isFinite(total)) return -1;
  const v = t.view();
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

/** The error for NaN or Infinity at flat index `i` of data of this shape. `where` is 'model: op'. */
export function nonFiniteDataMessage(
  where: string,
  what: string,
  values: ArrayLike<number>,
  i: number,
  shape: readonly number[],
): string {
  const perSample = values.length / Math.max(1, shape[0]);
  return `ferrite: ${where}: ${what} contains ${values[i]} (first at sample ${Math.floor(i / perSample)}, flat index ${i}); clean the data first`;
}

/**
 * A training step refused because its loss, a gradient or an updated weight is not finite.
 * No weight and no optimizer state was changed. `what` says which value: 'loss',
 * 'gradient of <weight>' or 'update of <weight>' (`value` NaN: the update was not stored).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * try {
 *   await m.trainOnBatch(fe.tensor2d([[1e20]]), fe.tensor2d([[0]])); // the squared error overflows
 * } catch (e) {
 *   console.log(e instanceof fe.NonFiniteStepError ? e.what : e); // 'loss'
 * }
 * ```
 */
export class NonFiniteStepError extends Error {
  constructor(
    /** Which value was not finite: 'loss', 'gradient of <weight>' or 'update of <weight>'. */
    readonly what: string,
    /** The value (NaN when an update was not stored). */
    readonly value: number,
    message: string,
  ) {
    super(message);
    this.name = 'NonFiniteStepError';
  }
}
