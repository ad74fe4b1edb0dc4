// Shape and index ops built on slice and gather: split, reverse, gatherND, scatterND,
// and unique, bincount, denseBincount (which count in JS: their outputs' sizes depend
// on the data).

import { record, untaped } from '../autograd/tape.js';
import { tensor } from '../tensor/creation.js';
import { tidy } from '../tensor/scope.js';
import { emptyTensor, sizeOf, zerosTensor, type DataType, type Shape, type Tensor } from '../tensor/tensor.js';
import { computeInFloat, isIntegralTensor } from './dtype.js';
import { gather } from './gather.js';
import { reshape, slice } from './shape.js';
import { checkInputs, fmtShape, normAxis } from './util.js';

/**
 * Splits x along `axis` (default 0) into `numOrSizeSplits` equal parts (the axis must
 * divide evenly), or into parts of the listed sizes (one of which may be -1: the rest).
 *
 * @example
 * ```ts
 * const [a, b] = fe.split(fe.tensor1d([1, 2, 3, 4]), 2);
 * a.print(); // [1, 2]
 * fe.split(fe.tensor1d([1, 2, 3, 4]), [1, -1])[1].print(); // [2, 3, 4]
 * ```
 */
export function split(x: Tensor, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  checkInputs('split', x);
  if (x.rank === 0) throw new Error('ferrite: split: cannot split a scalar');
  const a = normAxis('split', axis, x.rank);
  const n = x.shape[a];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    const k = numOrSizeSplits;
    if (!Number.isInteger(k) || k < 1 || n % k !== 0) {
      throw new Error(
        `ferrite: split: axis ${a} of ${fmtShape(x.shape)} (size ${n}) cannot be split into ${k} equal parts`,
      );
    }
    sizes = new Array<number>(k).fill(n / k);
  } else {
    sizes = [...numOrSizeSplits];
    const free = sizes.indexOf(-1);
    const known = sizes.reduce((acc, s) => (s === -1 ? acc : acc + s), 0);
    if (free >= 0) sizes[free] = n - known;
    const bad = sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.indexOf(-1, free + 1) >= 0;
    if (bad || sizes.reduce((acc, s) => acc + s, 0) !== n) {
      throw new Error(
        `ferrite: split: sizes [${numOrSizeSplits.join(', ')}] do not add up to ${n}, the size of axis ${a} of ${fmtShape(x.shape)}`,
      );
    }
  }
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  return sizes.map((s) => {
    size[a] = s;
    const part = slice(x, begin, size);
    begin[a] += s;
    return part;
  });
}

/**
 * x with the order of elements along `axis` (a number, an array, or all axes when undefined) reversed.
 *
 * @example
 * ```ts
 * fe.reverse(fe.tensor1d([1, 2, 3])).print(); // [3, 2, 1]
 * fe.reverse(fe.tensor2d([[1, 2], [3, 4]]), 1).print(); // [[2, 1], [4, 3]]
 * ```
 */
export function reverse(x: Tensor, axis?: number | number[]): Tensor {
  checkInputs('reverse', x);
  const axes = axis === undefined ? x.shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : axis;
  const norm = axes.map((a) => normAxis('reverse', a, x.rank));
  if (new Set(norm).size !== norm.length)
    throw new Error(`ferrite: reverse: axis [${axes.join(', ')}] repeats an axis`);
  if (x.rank === 0 || norm.length === 0) return reshape(x, x.shape);
  // One gather per axis with the indices n-1, ..., 0: its backward scatters dy back.
  return tidy(() => {
    let y = x;
    for (const a of norm) {
      const n = x.shape[a];
      y = gather(
        y,
        Int32Array.from({ length: n }, (_, i) => n - 1 - i),
        a,
      );
    }
    return y;
  });
}

/** Checks int32 `indices` [..., K] against `shape`; returns each index tuple as a row number of shape[:K]. */
function linearIndices(op: string, indices: Tensor, shape: Shape): { rows: Int32Array; k: number } {
  if (indices.dtype !== 'int32') {
    throw new Error(`ferrite: ${op}: indices must be int32, got ${indices.dtype} ${fmtShape(indices.shape)}`);
  }
  const k = indices.rank === 0 ? 0 : indices.shape[indices.rank - 1];
  if (indices.rank === 0 || k > shape.length) {
    throw new Error(
      `ferrite: ${op}: indices ${fmtShape(indices.shape)} must have rank >= 1 and a last dim <= ${shape.length}, the rank of ${fmtShape(shape)}`,
    );
  }
  const idx = indices.view();
  const rows = new Int32Array(k === 0 ? 0 : idx.length / k);
  for (let r = 0; r < rows.length; r++) {
    let lin = 0;
    for (let j = 0; j < k; j++) {
      const v = idx[r * k + j];
      if (v < 0 || v >= shape[j]) {
        throw new Error(
          `ferrite: ${op}: index [${Array.from(idx.subarray(r * k, r * k + k)).join(', ')}] (entry ${r} of indices ${fmtShape(indices.shape)}) is outside ${fmtShape(shape)}`,
        );
      }
      lin = lin * shape[j] + v;
    }
    rows[r] = lin;
  }
  return { rows, k };
}

/**
 * Slices of x picked by int32 `indices` of shape [..., K]: each index tuple of length K
 * names an element (K = rank) or a slice of x; the output has shape
 * indices.shape[:-1] + x.shape[K:]. Differentiable in x (the gradient scatters back).
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1, 2], [3, 4]]);
 * fe.gatherND(x, fe.tensor2d([[0, 1], [1, 0]], undefined, 'int32')).print(); // [2, 3]
 * fe.gatherND(x, fe.tensor2d([[1]], undefined, 'int32')).print(); // [[3, 4]]
 * ```
 */
export function gatherND(x: Tensor, indices: Tensor): Tensor {
  checkInputs('gatherND', x, indices);
  const { rows, k } = linearIndices('gatherND', indices, x.shape);
  const lead = indices.shape.slice(0, -1);
  const rest = x.shape.slice(k);
  if (k === 0) {
    // Empty index tuples pick the whole of x, once per tuple.
    return tidy(() =>
      reshape(gather(reshape(x, [1, ...x.shape]), new Int32Array(sizeOf(lead)), 0), [...lead, ...rest]),
    );
  }
  return tidy(() => {
    const flat = reshape(x, [sizeOf(x.shape.slice(0, k)), ...rest]);
    return reshape(gather(flat, rows, 0), [...lead, ...rest]);
  });
}

/**
 * A zero tensor of `shape` with `updates` (shape indices.shape[:-1] + shape[K:]) added
 * at the index tuples of int32 `indices` [..., K]; tuples named twice get both updates,
 * as in TF.js. Differentiable in `updates`.
 *
 * @example
 * ```ts
 * const indices = fe.tensor2d([[0], [2]], undefined, 'int32');
 * fe.scatterND(indices, fe.tensor1d([5, 7]), [4]).print(); // [5, 0, 7, 0]
 * ```
 */
export function scatterND(indices: Tensor, updates: Tensor, shape: Shape): Tensor {
  checkInputs('scatterND', indices, updates);
  if (isIntegralTensor(updates)) {
    return computeInFloat([updates], updates.dtype, (u) => scatterND(indices, u as Tensor, shape));
  }
  const { rows, k } = linearIndices('scatterND', indices, shape);
  const want = [...indices.shape.slice(0, -1), ...shape.slice(k)];
  if (updates.rank !== want.length || updates.shape.some((d, i) => d !== want[i])) {
    throw new Error(
      `ferrite: scatterND: updates have shape ${fmtShape(updates.shape)}, expected ${fmtShape(want)} for indices ${fmtShape(indices.shape)} into ${fmtShape(shape)}`,
    );
  }
  const eng = updates.engine;
  const n = sizeOf(shape.slice(0, k));
  const inner = sizeOf(shape.slice(k));
  const y = zerosTensor(shape, 'float32', eng);
  const idx = tensor(rows, [rows.length], 'int32');
  // The scatter-add of gather's backward: rows of updates added into rows of y, in order.
  if (y.size > 0 && rows.length > 0) eng.core.fe_gather_backward(updates.ptr, idx.ptr, y.ptr, 1, n, inner, rows.length);
  record(
    'ScatterNd',
    [updates],
    y,
    (dy) => [tidy(() => reshape(gather(reshape(dy, [n, inner]), idx, 0), updates.shape))],
    [idx],
  );
  idx.dispose();
  return y;
}

/**
 * The distinct slices of x along `axis` (default 0; elements for a 1-D x) in order of
 * first appearance, and for each slice of x the int32 index of its value in them, as
 * TF.js's `unique`. Not differentiable.
 *
 * @example
 * ```ts
 * const { values, indices } = fe.unique(fe.tensor1d([3, 1, 3, 2, 1]));
 * values.print(); // [3, 1, 2]
 * indices.print(); // [0, 1, 0, 2, 1]
 * ```
 */
export function unique(
  x: Tensor,
  axis = 0,
): {
  /** The distinct values (slices along axis), in order of first appearance. */
  values: Tensor;
  /** int32: for each element (slice) of x, its index in values. */
  indices: Tensor;
} {
  checkInputs('unique', x);
  if (x.rank === 0) throw new Error('ferrite: unique: x must have rank >= 1, got a scalar');
  const a = normAxis('unique', axis, x.rank);
  const outer = sizeOf(x.shape.slice(0, a));
  const n = x.shape[a];
  const inner = sizeOf(x.shape.slice(a + 1));
  const data = x.dataSync();
  const firsts: number[] = [];
  const seen = new Map<string, number>();
  const indices = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const parts: number[] = [];
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) parts.push(data[(o * n + k) * inner + j]);
    // String keys, as TF.js: NaN equals NaN, and -0 equals 0.
    const key = parts.join(',');
    let at = seen.get(key);
    if (at === undefined) {
      at = firsts.length;
      seen.set(key, at);
      firsts.push(k);
    }
    indices[k] = at;
  }
  const values = untaped(() => gather(x, Int32Array.from(firsts), a));
  return { values, indices: tensor(indices, [n], 'int32') };
}

/** Counts for bincount/denseBincount: one row of `size` bins per row of x. */
function countInto(
  op: string,
  out: Float32Array | Int32Array,
  x: Int32Array | Float32Array,
  w: ArrayLike<number> | null,
  size: number,
  rowLen: number,
  binary: boolean,
): void {
  const bad = x.findIndex((v) => v < 0);
  if (bad >= 0) throw new Error(`ferrite: ${op}: x must be non-negative, got ${x[bad]} at position ${bad}`);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= size) continue;
    const at = Math.floor(i / rowLen) * size + v;
    out[at] = binary ? 1 : out[at] + (w === null ? 1 : w[i]);
  }
}

/** Runs `fill` on the new tensor y, freeing y when it throws (a negative value in x). */
function countOrFree(y: Tensor, fill: () => void): void {
  try {
    fill();
  } catch (e) {
    y.dispose();
    throw e;
  }
}

function checkCounts(op: string, x: Tensor, weights: Tensor, size: number): DataType {
  checkInputs(op, x, weights);
  if (x.dtype !== 'int32') throw new Error(`ferrite: ${op}: x must be int32, got ${x.dtype} ${fmtShape(x.shape)}`);
  if (!Number.isInteger(size) || size < 0) throw new Error(`ferrite: ${op}: size must be an integer >= 0, got ${size}`);
  if (weights.size !== 0 && (weights.rank !== x.rank || weights.shape.some((d, i) => d !== x.shape[i]))) {
    throw new Error(
      `ferrite: ${op}: weights ${fmtShape(weights.shape)} must have x's shape ${fmtShape(x.shape)} or be empty`,
    );
  }
  return weights.dtype === 'bool' ? 'int32' : weights.dtype;
}

/**
 * How often each value in [0, size) occurs in the int32 1-D x (values >= size are
 * ignored), or the sum of `weights` (x's shape, or empty for counts) at those positions.
 * The output has `weights`' dtype, as in TF.js. Not differentiable.
 *
 * @example
 * ```ts
 * const x = fe.tensor1d([0, 1, 1, 3], 'int32');
 * fe.bincount(x, fe.tensor1d([], 'int32'), 4).print(); // [1, 2, 0, 1]
 * fe.bincount(x, fe.tensor1d([0.5, 1, 1, 2]), 4).print(); // [0.5, 2, 0, 2]
 * ```
 */
export function bincount(x: Tensor, weights: Tensor, size: number): Tensor {
  const dtype = checkCounts('bincount', x, weights, size);
  if (x.rank !== 1) throw new Error(`ferrite: bincount: x must be 1-D, got ${fmtShape(x.shape)}`);
  const y = zerosTensor([size], dtype, x.engine);
  countOrFree(y, () =>
    countInto('bincount', y.view(), x.view(), weights.size ? weights.view() : null, size, Math.max(x.size, 1), false),
  );
  return y;
}

/**
 * bincount of a 1-D x, or of each row of a 2-D x (giving [rows, size]); with
 * `binaryOutput` a bin is 1 when its value occurs at all (weights are then ignored).
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[0, 1, 1], [2, 2, 2]], undefined, 'int32');
 * fe.denseBincount(x, fe.tensor1d([], 'int32'), 3).print(); // [[1, 2, 0], [0, 0, 3]]
 * fe.denseBincount(x, fe.tensor1d([], 'int32'), 3, true).print(); // [[1, 1, 0], [0, 0, 1]]
 * ```
 */
export function denseBincount(x: Tensor, weights: Tensor, size: number, binaryOutput = false): Tensor {
  const dtype = checkCounts('denseBincount', x, weights, size);
  if (x.rank !== 1 && x.rank !== 2) {
    throw new Error(`ferrite: denseBincount: x must be 1-D or 2-D, got ${fmtShape(x.shape)}`);
  }
  const rowLen = x.rank === 2 ? x.shape[1] : x.size;
  const y = emptyTensor(x.rank === 2 ? [x.shape[0], size] : [size], dtype, x.engine);
  y.view().fill(0);
  const w = weights.size && !binaryOutput ? weights.view() : null;
  countOrFree(y, () => countInto('denseBincount', y.view(), x.view(), w, size, Math.max(rowLen, 1), binaryOutput));
  return y;
}
