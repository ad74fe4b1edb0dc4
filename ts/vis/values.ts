// Reading the numbers vis draws: tensors, typed arrays, arrays, and tfjs-vis's
// `{value}` / `{index, value}` objects, checked so bad input fails with a clear error.

import { Tensor } from '../tensor/tensor.js';

/** Numbers as tfjs-vis takes them: a tensor, an array or typed array, or `{value}` objects. */
export type Values =
  | Tensor
  | ArrayLike<number>
  | {
      /** The number. */
      value: number;
    }[];

/** The numbers of `data`, flattened (a tensor's in row-major order). */
export function numbersOf(data: Values, who: string): number[] {
  if (data instanceof Tensor) {
    if (data.isDisposed) throw new Error(`ferrite: vis.${who}: the tensor is disposed`);
    return Array.from(data.dataSync() as ArrayLike<number>, Number);
  }
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number')
    throw new Error(`ferrite: vis.${who}: expected a tensor, an array of numbers or of {value}; got ${typeof data}`);
  return Array.from(data as ArrayLike<number | { value: number }>, (v, i) => {
    const n = typeof v === 'object' && v !== null ? v.value : v;
    if (typeof n !== 'number')
      throw new Error(`ferrite: vis.${who}: entry ${i} is ${JSON.stringify(v)}; expected a number or {value: number}`);
    return n;
  });
}

/** Class indices (integers >= 0) of a rank-1 tensor or an array. */
export function labelsOf(data: Tensor | ArrayLike<number>, who: string, what: string): number[] {
  if (data instanceof Tensor && data.rank !== 1)
    throw new Error(
      `ferrite: vis.${who}: ${what} must be class indices of shape [n]; got shape [${data.shape.join(', ')}] (take argMax(x, -1) of one-hot or probabilities first)`,
    );
  const out = numbersOf(data, who);
  out.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`ferrite: vis.${who}: ${what}[${i}] is ${v}; expected a class index (an integer >= 0)`);
  });
  return out;
}

/** One bin of a histogram: values in [lo, hi) (the last bin includes hi). */
export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Summary of values drawn as a histogram: what tfjs-vis prints above it.
 *
 * @example
 * ```ts
 * const stats: fe.vis.ValueStats = await fe.vis.render.histogram('h.svg', [0, 1, NaN, 2]);
 * [stats.numVals, stats.numZeros, stats.numNans]; // [4, 1, 1]
 * ```
 */
export interface ValueStats {
  /** How many values. */
  numVals: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
  /** How many are 0. */
  numZeros: number;
  /** How many are NaN. */
  numNans: number;
}

/**
 * Counts of finite `values` in `maxBins` equal bins from the smallest to the largest value
 * (one bin when they are all equal). NaN and infinities are counted in stats, not binned.
 */
export function histogramBins(values: number[], maxBins: number): { bins: Bin[]; stats: ValueStats } {
  if (!Number.isInteger(maxBins) || maxBins < 1)
    throw new Error(`ferrite: vis.histogram: maxBins is ${maxBins}; expected an integer >= 1`);
  const finite = values.filter(Number.isFinite);
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const stats: ValueStats = {
    numVals: values.length,
    min: finite.length ? min : NaN,
    max: finite.length ? max : NaN,
    numZeros: values.filter((v) => v === 0).length,
    numNans: values.filter((v) => Number.isNaN(v)).length,
  };
  if (finite.length === 0) return { bins: [], stats };
  const n = min === max ? 1 : maxBins;
  const width = (max - min) / n;
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({
    lo: min + i * width,
    hi: i === n - 1 ? max : min + (i + 1) * width,
    count: 0,
  }));
  for (const v of finite) bins[n === 1 ? 0 : Math.min(n - 1, Math.floor((v - min) / width))].count++;
  return { bins, stats };
}

/** A bin's label: its lower edge with 3 significant digits. */
export const binLabel = (b: Bin): string => Number(b.lo.toPrecision(3)).toString();
