// Counting correct predictions and confusion counts from (yTrue, yPred) on the host.
//
// Metrics are read-outs, not part of any gradient: they read the tensors' memory
// directly, which for a batch of 32 x 10 costs less than launching a single kernel.
// Every metric is a ratio of counts that add up across batches, so an epoch's value is
// computed from summed counts rather than averaged per batch.

import { checkInputs, fmtShape } from '../ops/util.js';
import type { Tensor } from '../tensor/tensor.js';

/** Index of the largest of `n` values at `v[off..]` (the first one on ties). */
export function argMaxAt(v: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  let bestValue = v[off];
  for (let j = 1; j < n; j++) {
    if (v[off + j] > bestValue) {
      bestValue = v[off + j];
      best = j;
    }
  }
  return best;
}

/** Shapes equal, or equal once a trailing axis of size 1 is dropped from either (Keras squeezes it). */
function sameUpToTrailingOne(a: readonly number[], b: readonly number[]): boolean {
  const strip = (s: readonly number[]) => (s.length > 1 && s[s.length - 1] === 1 ? s.slice(0, -1) : s);
  const sa = strip(a);
  const sb = strip(b);
  return sa.length === sb.length && sa.every((d, i) => d === sb[i]);
}

/** Checks the shapes of an element-wise binary metric: yTrue and yPred hold one value per prediction. */
export function checkBinary(op: string, yTrue: Tensor, yPred: Tensor): void {
  checkInputs(op, yTrue, yPred);
  if (!sameUpToTrailingOne(yTrue.shape, yPred.shape)) {
    throw new Error(
      `ferrite: ${op}: yTrue ${fmtShape(yTrue.shape)} and yPred ${fmtShape(yPred.shape)} must have the same shape (a trailing 1 aside)`,
    );
  }
}

/**
 * How labels are given for a multi-class metric.
 *
 * @example
 * ```ts
 * const top2 = new fe.metrics.TopKAccuracy('top2', 'onehot', 2); // labels as one-hot rows
 * top2.update(fe.tensor2d([[0, 0, 1]]), fe.tensor2d([[0.1, 0.5, 0.4]])); // 1
 * ```
 */
export type LabelKind = 'sparse' | 'onehot';

/**
 * Checks a multi-class metric's shapes; yPred is [..., C] scores. yTrue is either one-hot
 * (same shape as yPred) or sparse class indices ([...] or [..., 1]).
 */
export function checkMulticlass(
  op: string,
  yTrue: Tensor,
  yPred: Tensor,
  kind?: LabelKind,
): { kind: LabelKind; numClasses: number; rows: number } {
  checkInputs(op, yTrue, yPred);
  if (yPred.rank < 1) throw new Error(`ferrite: ${op}: yPred must have a class axis, got a scalar`);
  const numClasses = yPred.shape[yPred.rank - 1];
  const rows = numClasses === 0 ? 0 : yPred.size / numClasses;
  const lead = yPred.shape.slice(0, -1);
  const isOneHot = yTrue.rank === yPred.rank && yTrue.shape.every((d, i) => d === yPred.shape[i]);
  const isSparse =
    yTrue.size === rows &&
    (sameUpToTrailingOne(yTrue.shape, lead) || (yTrue.rank === lead.length + 1 && yTrue.shape[yTrue.rank - 1] === 1));
  const resolved = kind ?? (isOneHot && !(isSparse && numClasses === 1) ? 'onehot' : 'sparse');
  if (resolved === 'onehot' && !isOneHot) {
    throw new Error(
      `ferrite: ${op}: one-hot yTrue ${fmtShape(yTrue.shape)} must have the shape of yPred ${fmtShape(yPred.shape)}`,
    );
  }
  if (resolved === 'sparse' && !isSparse) {
    throw new Error(
      `ferrite: ${op}: yTrue ${fmtShape(yTrue.shape)} must hold one class index per row of yPred ${fmtShape(yPred.shape)} ` +
        `(shape ${fmtShape(lead)}), or be one-hot of shape ${fmtShape(yPred.shape)}`,
    );
  }
  return { kind: resolved, numClasses, rows };
}

/** The true class of `row`: its index (sparse) or the argmax of its one-hot row. Validates indices. */
export function trueClass(op: string, t: ArrayLike<number>, row: number, kind: LabelKind, numClasses: number): number {
  if (kind === 'onehot') return argMaxAt(t, row * numClasses, numClasses);
  const c = t[row];
  if (!(c >= 0 && c < numClasses && Number.isInteger(c))) {
    throw new Error(`ferrite: ${op}: label ${c} at index ${row} is not a class index in [0, ${numClasses})`);
  }
  return c;
}

/**
 * Per row, 1 where the predicted class (argmax of yPred) is the true class, else 0.
 * `out` has one slot per row.
 */
export function classMatches(
  op: string,
  yTrue: Tensor,
  yPred: Tensor,
  kind: LabelKind | undefined,
  out?: Float32Array,
): Float32Array {
  const { kind: k, numClasses, rows } = checkMulticlass(op, yTrue, yPred, kind);
  const t = yTrue.view();
  const p = yPred.view();
  const o = out ?? new Float32Array(rows);
  for (let r = 0; r < rows; r++)
    o[r] = trueClass(op, t, r, k, numClasses) === argMaxAt(p, r * numClasses, numClasses) ? 1 : 0;
  return o;
}

/** Per element, 1 where yTrue equals (yPred > threshold), as Keras's binary_accuracy. */
export function binaryMatches(
  op: string,
  yTrue: Tensor,
  yPred: Tensor,
  threshold: number,
  out?: Float32Array,
): Float32Array {
  checkBinary(op, yTrue, yPred);
  const t = yTrue.view();
  const p = yPred.view();
  const o = out ?? new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) o[i] = t[i] === (p[i] > threshold ? 1 : 0) ? 1 : 0;
  return o;
}

/** Confusion counts of one class (or of the positive class of a binary problem). */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Binary confusion counts over all elements: a prediction is positive when
 * yPred > threshold, a label when it is non-zero (as Keras's Precision and Recall).
 */
export function binaryConfusion(op: string, yTrue: Tensor, yPred: Tensor, threshold: number): ConfusionCounts {
  checkBinary(op, yTrue, yPred);
  const t = yTrue.view();
  const p = yPred.view();
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    const predicted = p[i] > threshold;
    const actual = t[i] !== 0;
    if (predicted) {
      if (actual) tp++;
      else fp++;
    } else if (actual) fn++;
  }
  return { tp, fp, fn, tn: p.length - tp - fp - fn };
}

/**
 * Per-class confusion counts of a multi-class problem (predicted class = argmax),
 * as a flat array [tp0, fp0, fn0, tp1, fp1, fn1, ...] of 3 * numClasses counts.
 */
export function multiclassConfusion(op: string, yTrue: Tensor, yPred: Tensor, kind?: LabelKind): Float64Array {
  const { kind: k, numClasses, rows } = checkMulticlass(op, yTrue, yPred, kind);
  const t = yTrue.view();
  const p = yPred.view();
  const counts = new Float64Array(3 * numClasses);
  for (let r = 0; r < rows; r++) {
    const actual = trueClass(op, t, r, k, numClasses);
    const predicted = argMaxAt(p, r * numClasses, numClasses);
    if (actual === predicted) counts[3 * actual]++;
    else {
      counts[3 * predicted + 1]++;
      counts[3 * actual + 2]++;
    }
  }
  return counts;
}

/** a / b, and 0 when b is 0 (Keras's divide_no_nan; sklearn's zero_division = 0). */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

export function precisionOf(c: { tp: number; fp: number }): number {
  return ratio(c.tp, c.tp + c.fp);
}
export function recallOf(c: { tp: number; fn: number }): number {
  return ratio(c.tp, c.tp + c.fn);
}
/** F1 = 2PR / (P + R) = 2tp / (2tp + fp + fn), 0 when there is no positive at all. */
export function f1Of(c: { tp: number; fp: number; fn: number }): number {
  return ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
}

export type ClassScore = 'precision' | 'recall' | 'f1';

/**
 * Macro average of a per-class score over the classes that occur in yTrue or in the
 * predictions (sklearn's default label set); 0 when none does.
 */
export function macroAverage(counts: ArrayLike<number>, score: ClassScore): number {
  let sum = 0;
  let present = 0;
  for (let c = 0; c < counts.length; c += 3) {
    const cc = { tp: counts[c], fp: counts[c + 1], fn: counts[c + 2] };
    if (cc.tp + cc.fp + cc.fn === 0) continue;
    present++;
    sum += score === 'precision' ? precisionOf(cc) : score === 'recall' ? recallOf(cc) : f1Of(cc);
  }
  return ratio(sum, present);
}
