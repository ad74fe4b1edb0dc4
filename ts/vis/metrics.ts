// tfjs-vis's `metrics`: a confusion matrix and per-class accuracy from class indices
// (labels and predictions, e.g. `argMax(probs, -1)`), computed on this thread.

import type { Tensor } from '../tensor/tensor.js';
import { labelsOf, numbersOf } from './values.js';

/** Accuracy of one class: correct predictions over the class's samples (0 when it has none). */
export interface ClassAccuracy {
  /** Correct predictions over the class's samples (0 when it has none). */
  accuracy: number;
  /** The class's samples. */
  count: number;
}

/** Class ids: a tensor or an array of numbers. @inline */
type Labels = Tensor | ArrayLike<number>;

function pair(labels: Labels, predictions: Labels, who: string, numClasses?: number) {
  const y = labelsOf(labels, who, 'labels');
  const p = labelsOf(predictions, who, 'predictions');
  if (y.length !== p.length)
    throw new Error(`ferrite: vis.metrics.${who}: ${y.length} labels but ${p.length} predictions; expected as many`);
  const n = numClasses ?? Math.max(-1, ...y, ...p) + 1;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`ferrite: vis.metrics.${who}: numClasses is ${numClasses}; expected an integer >= 1`);
  const over = [...y, ...p].find((v) => v >= n);
  if (over !== undefined)
    throw new Error(`ferrite: vis.metrics.${who}: class index ${over} is not below numClasses ${n}`);
  return { y, p, n };
}

/**
 * The confusion matrix: entry [i][j] counts samples of true class i predicted as j (each
 * counting its weight, when weights are given). Classes 0..numClasses-1 (default: up to
 * the largest index seen).
 *
 * @example
 * ```ts
 * const labels = fe.tensor1d([0, 1, 1], 'int32');
 * await fe.vis.metrics.confusionMatrix(labels, fe.tensor1d([0, 1, 0], 'int32')); // [[1, 0], [1, 1]]
 * ```
 */
export async function confusionMatrix(
  labels: Labels,
  predictions: Labels,
  numClasses?: number,
  weights?: Tensor | ArrayLike<number>,
): Promise<number[][]> {
  const { y, p, n } = pair(labels, predictions, 'confusionMatrix', numClasses);
  const w = weights === undefined ? null : numbersOf(weights, 'metrics.confusionMatrix');
  if (w !== null && w.length !== y.length)
    throw new Error(
      `ferrite: vis.metrics.confusionMatrix: ${w.length} weights for ${y.length} labels; expected one per label`,
    );
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  y.forEach((t, i) => (m[t][p[i]] += w === null ? 1 : w[i]));
  return m;
}

/**
 * Accuracy per class: for each true class, the share of its samples predicted right, and
 * how many samples it has.
 *
 * @example
 * ```ts
 * await fe.vis.metrics.perClassAccuracy([0, 1, 1], [0, 1, 0]); // [{ accuracy: 1, count: 1 }, { accuracy: 0.5, count: 2 }]
 * ```
 */
export async function perClassAccuracy(
  labels: Labels,
  predictions: Labels,
  numClasses?: number,
): Promise<ClassAccuracy[]> {
  const { y, p, n } = pair(labels, predictions, 'perClassAccuracy', numClasses);
  const right = new Array<number>(n).fill(0);
  const count = new Array<number>(n).fill(0);
  y.forEach((t, i) => {
    count[t]++;
    if (p[i] === t) right[t]++;
  });
  return count.map((c, k) => ({ accuracy: c === 0 ? 0 : right[k] / c, count: c }));
}

/**
 * Share of predictions equal to their label.
 *
 * @example
 * ```ts
 * await fe.vis.metrics.accuracy([0, 1, 1], [0, 1, 0]); // 0.6667
 * ```
 */
export async function accuracy(labels: Labels, predictions: Labels): Promise<number> {
  const { y, p } = pair(labels, predictions, 'accuracy');
  if (y.length === 0) throw new Error('ferrite: vis.metrics.accuracy: no labels');
  return y.filter((t, i) => p[i] === t).length / y.length;
}
