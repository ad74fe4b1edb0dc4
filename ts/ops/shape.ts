// Shape ops: reshape, expandDims, squeeze, transpose, slice, concat, stack, unstack,
// tile, broadcastTo. They work on float32 and int32 tensors alike. reshape and friends
// return a tensor over the input's data (no copy, as TF.js's; a variable's is a copy:
// see shareData), and so do their backward passes; the others make one strided-copy
// kernel call per input or output (strided-copy.ts), and so do their backward passes
// (float32 only).

import { record, recordMulti } from '../autograd/tape.js';
import type { Engine } from '../backend/engine.js';
import { emptyTensor, shareData, sizeOf, zerosTensor, type Shape, type Tensor } from '../tensor/tensor.js';
import { contiguousStrides } from './strided-space.js';
import { sumToShape } from './reduce.js';
import { broadcastCopy, stridedCopy } from './strided-copy.js';
import { checkInputs, fmtShape, normAxis, sameShape } from './util.js';

function checkDims(op: string, dims: unknown, what: string): number[] {
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d))) {
    throw new Error(`ferrite: ${op}: ${what} must be an array of integers, got ${JSON.stringify(dims)}`);
  }
  return dims as number[];
}

/** Records a reshaping op: the gradient is dy with x's shape (a view of dy's data). */
function recordReshape(kernel: string, x: Tensor, y: Tensor): void {
  if (x.dtype === 'float32') record(kernel, [x], y, (dy) => [shareData(dy, x.shape)]);
}

/**
 * The same data with another shape; one dim may be -1 (inferred). The result shares x's
 * data (no copy; freed with the last tensor over it), except for a variable's, which is copied.
 *
 * @example
 * ```ts
 * fe.reshape(fe.tensor1d([1, 2, 3, 4, 5, 6]), [2, -1]).print(); // [[1, 2, 3], [4, 5, 6]]
 * ```
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkInputs('reshape', x);
  const dims = checkDims('reshape', shape, 'shape');
  let unknown = -1;
  let known = 1;
  dims.forEach((d, i) => {
    if (d === -1) {
      if (unknown >= 0) throw new Error(`ferrite: reshape: only one dim may be -1, got ${fmtShape(dims)}`);
      unknown = i;
    } else if (d < 0) {
      throw new Error(`ferrite: reshape: dims must be >= 0 (or one -1), got ${fmtShape(dims)}`);
    } else known *= d;
  });
  const out = [...dims];
  if (unknown >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new Error(
        `ferrite: reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(dims)}`,
      );
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new Error(
      `ferrite: reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(dims)} (${sizeOf(out)} elements)`,
    );
  }
  const y = shareData(x, out);
  recordReshape('Reshape', x, y);
  return y;
}

/**
 * Inserts a dim of size 1 at `axis` (in [-rank-1, rank]; default 0). Shares x's data, as reshape.
 *
 * @example
 * ```ts
 * fe.expandDims(fe.tensor1d([1, 2])).shape; // [1, 2]
 * fe.expandDims(fe.tensor1d([1, 2]), 1).shape; // [2, 1]
 * ```
 */
export function expandDims(x: Tensor, axis = 0): Tensor {
  checkInputs('expandDims', x);
  const a = normAxis('expandDims', axis, x.rank + 1);
  const out = [...x.shape];
  out.splice(a, 0, 1);
  const y = shareData(x, out);
  recordReshape('ExpandDims', x, y);
  return y;
}

/**
 * Removes dims of size 1: those listed in `axis`, or all of them. Shares x's data, as reshape.
 *
 * @example
 * ```ts
 * fe.squeeze(fe.zeros([1, 3, 1])).shape; // [3]
 * fe.squeeze(fe.zeros([1, 3, 1]), [2]).shape; // [1, 3]
 * ```
 */
export function squeeze(x: Tensor, axis?: number | number[]): Tensor {
  checkInputs('squeeze', x);
  let drop: boolean[];
  if (axis === undefined) drop = x.shape.map((d) => d === 1);
  else {
    drop = x.shape.map(() => false);
    for (const a of typeof axis === 'number' ? [axis] : checkDims('squeeze', axis, 'axis')) {
      const k = normAxis('squeeze', a, x.rank);
      if (x.shape[k] !== 1)
        throw new Error(`ferrite: squeeze: axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[k]}, not 1`);
      drop[k] = true;
    }
  }
  const y = shareData(
    x,
    x.shape.filter((_, i) => !drop[i]),
  );
  recordReshape('Squeeze', x, y);
  return y;
}

function checkPerm(x: Tensor, perm: number[]): void {
  const seen = new Array<boolean>(x.rank).fill(false);
  const bad =
    perm.length !== x.rank ||
    perm.some((p) => !Number.isInteger(p) || p < 0 || p >= x.rank || seen[p] || !(seen[p] = true));
  if (bad)
    throw new Error(
      `ferrite: transpose: perm [${perm.join(', ')}] is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`,
    );
}

/**
 * Permutes the axes: output axis i is input axis perm[i] (default: reversed).
 *
 * @example
 * ```ts
 * fe.transpose(fe.tensor2d([[1, 2, 3], [4, 5, 6]])).print(); // [[1, 4], [2, 5], [3, 6]]
 * fe.transpose(fe.zeros([2, 3, 4]), [0, 2, 1]).shape; // [2, 4, 3]
 * ```
 */
export function transpose(x: Tensor, perm?: number[]): Tensor {
  const eng = checkInputs('transpose', x);
  const p = perm === undefined ? x.shape.map((_, i) => x.rank - 1 - i) : checkDims('transpose', perm, 'perm');
  checkPerm(x, p);
  const outShape = p.map((k) => x.shape[k]);
  const xs = contiguousStrides(x.shape);
  const y = emptyTensor(outShape, x.dtype, eng);
  stridedCopy(
    'transpose',
    eng,
    x.ptr,
    p.map((k) => xs[k]),
    y.ptr,
    contiguousStrides(outShape),
    outShape,
  );
  if (x.dtype === 'float32') {
    const inverse: number[] = new Array(p.length);
    p.forEach((k, i) => (inverse[k] = i));
    record('Transpose', [x], y, (dy) => [transpose(dy, inverse)]);
  }
  return y;
}

/**
 * The block of x starting at `begin` with extent `size`, as TF.js: a number `begin`
 * applies to axis 0; missing entries of `begin` are 0 and of `size` -1; size -1 runs
 * to the end of its axis.
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1, 2, 3], [4, 5, 6]]);
 * fe.slice(x, [0, 1], [2, 2]).print(); // [[2, 3], [5, 6]]
 * fe.slice(x, 1).print(); // [[4, 5, 6]]
 * ```
 */
export function slice(x: Tensor, begin: number | number[], size?: number | number[]): Tensor {
  const eng = checkInputs('slice', x);
  const r = x.rank;
  const b = typeof begin === 'number' ? [begin] : checkDims('slice', begin, 'begin');
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : checkDims('slice', size, 'size');
  if (b.length > r || s.length > r) {
    throw new Error(
      `ferrite: slice: begin [${b.join(', ')}] and size [${s.join(', ')}] must have at most ${r} entries for ${fmtShape(x.shape)}`,
    );
  }
  const start: number[] = [];
  const extent: number[] = [];
  for (let i = 0; i < r; i++) {
    const bi = b[i] ?? 0;
    const si = s[i] === undefined || s[i] === -1 ? x.shape[i] - bi : s[i];
    if (bi < 0 || si < 0 || bi + si > x.shape[i]) {
      throw new Error(
        `ferrite: slice: begin [${b.join(', ')}] with size [${s.join(', ')}] is outside ${fmtShape(x.shape)} (axis ${i}: ${bi} + ${si} > ${x.shape[i]}, or negative)`,
      );
    }
    start.push(bi);
    extent.push(si);
  }
  const xs = contiguousStrides(x.shape);
  const offset = start.reduce((acc, bi, i) => acc + bi * xs[i], 0);
  const y = emptyTensor(extent, x.dtype, eng);
  stridedCopy('slice', eng, x.ptr + 4 * offset, xs, y.ptr, contiguousStrides(extent), extent);
  if (x.dtype === 'float32') {
    record('Slice', [x], y, (dy) => {
      const dx = zerosTensor(x.shape, 'float32', eng);
      stridedCopy('slice', eng, dy.ptr, contiguousStrides(extent), dx.ptr + 4 * offset, xs, extent);
      return [dx];
    });
  }
  return y;
}

/** Checks a list of tensors for concat/stack; returns their engine. */
function checkList(op: string, tensors: Tensor[]): Engine {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new Error(`ferrite: ${op}: needs a non-empty array of tensors`);
  const eng = checkInputs(op, ...tensors);
  const dtype = tensors[0].dtype;
  tensors.forEach((t, i) => {
    if (t.dtype !== dtype) throw new Error(`ferrite: ${op}: tensor ${i} is ${t.dtype} but tensor 0 is ${dtype}`);
  });
  return eng;
}

/** Copies each part ([outer, widths[k]]) into its column block of the whole, or back out of it. */
function copyColumns(
  op: string,
  eng: Engine,
  whole: number,
  parts: number[],
  outer: number,
  widths: number[],
  intoWhole: boolean,
): void {
  const total = widths.reduce((a, w) => a + w, 0);
  let col = 0;
  parts.forEach((ptr, k) => {
    const w = widths[k];
    const at = whole + 4 * col;
    if (intoWhole) stridedCopy(op, eng, ptr, [w, 1], at, [total, 1], [outer, w]);
    else stridedCopy(op, eng, at, [total, 1], ptr, [w, 1], [outer, w]);
    col += w;
  });
}

/**
 * The layout of concat and stack: each tensor, seen as [outer, widths[k]], fills its
 * column block of an [outer, Σ widths] output of shape `outShape`. The backward copies
 * each block of dy back out.
 */
function joinColumns(
  op: string,
  recordName: string,
  eng: Engine,
  tensors: Tensor[],
  outShape: Shape,
  outer: number,
  widths: number[],
): Tensor {
  const y = emptyTensor(outShape, tensors[0].dtype, eng);
  copyColumns(op, eng, y.ptr, ptrsOf(tensors), outer, widths, true);
  if (y.dtype === 'float32') {
    record(recordName, tensors, y, (dy) => {
      const grads = tensors.map((t) => emptyTensor(t.shape, 'float32', eng));
      copyColumns(op, eng, dy.ptr, ptrsOf(grads), outer, widths, false);
      return grads;
    });
  }
  return y;
}

const ptrsOf = (ts: Tensor[]): number[] => ts.map((t) => t.ptr);

/**
 * Joins tensors along `axis`; all other dims must match.
 *
 * @example
 * ```ts
 * fe.concat([fe.tensor2d([[1, 2]]), fe.tensor2d([[3, 4]])], 0).print(); // [[1, 2], [3, 4]]
 * ```
 */
export function concat(tensors: Tensor[], axis = 0): Tensor {
  const eng = checkList('concat', tensors);
  const first = tensors[0];
  if (first.rank === 0) throw new Error('ferrite: concat: cannot concatenate scalars (rank 0); use stack');
  const a = normAxis('concat', axis, first.rank);
  tensors.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new Error(
        `ferrite: concat: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; all dims but axis ${a} must match`,
      );
    }
  });
  const outShape = [...first.shape];
  outShape[a] = tensors.reduce((acc, t) => acc + t.shape[a], 0);
  const outer = sizeOf(first.shape.slice(0, a));
  const widths = tensors.map((t) => sizeOf(t.shape.slice(a)));
  return joinColumns('concat', 'Concat', eng, tensors, outShape, outer, widths);
}

/**
 * Stacks same-shape tensors along a new axis `axis` (in [-rank-1, rank]).
 *
 * @example
 * ```ts
 * fe.stack([fe.tensor1d([1, 2]), fe.tensor1d([3, 4])]).print(); // [[1, 2], [3, 4]]
 * fe.stack([fe.tensor1d([1, 2]), fe.tensor1d([3, 4])], 1).print(); // [[1, 3], [2, 4]]
 * ```
 */
export function stack(tensors: Tensor[], axis = 0): Tensor {
  const eng = checkList('stack', tensors);
  const shape = tensors[0].shape;
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, shape))
      throw new Error(`ferrite: stack: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(shape)}`);
  });
  const a = normAxis('stack', axis, shape.length + 1);
  const outShape = [...shape];
  outShape.splice(a, 0, tensors.length);
  const outer = sizeOf(shape.slice(0, a));
  const widths = tensors.map(() => sizeOf(shape.slice(a)));
  return joinColumns('stack', 'Pack', eng, tensors, outShape, outer, widths);
}

/**
 * Splits x along `axis` into x.shape[axis] tensors without that axis. One record covers
 * all pieces: the gradient is a zero tensor of x's shape with the dy of each piece that
 * was used copied into its place.
 *
 * @example
 * ```ts
 * const [a, b] = fe.unstack(fe.tensor2d([[1, 2], [3, 4]]));
 * b.print(); // [3, 4]
 * ```
 */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  const eng = checkInputs('unstack', x);
  if (x.rank === 0) throw new Error('ferrite: unstack: cannot unstack a scalar');
  const a = normAxis('unstack', axis, x.rank);
  const count = x.shape[a];
  const partShape = x.shape.filter((_, i) => i !== a);
  const outer = sizeOf(x.shape.slice(0, a));
  const width = sizeOf(x.shape.slice(a + 1));
  const rowStride = count * width;
  const out: Tensor[] = [];
  for (let k = 0; k < count; k++) {
    const y = emptyTensor(partShape, x.dtype, eng);
    stridedCopy('unstack', eng, x.ptr + 4 * k * width, [rowStride, 1], y.ptr, [width, 1], [outer, width]);
    out.push(y);
  }
  if (x.dtype === 'float32') {
    recordMulti('Unpack', [x], out, (dys) => {
      const dx = zerosTensor(x.shape, 'float32', eng);
      dys.forEach((dy, k) => {
        if (dy !== null)
          stridedCopy('unstack', eng, dy.ptr, [width, 1], dx.ptr + 4 * k * width, [rowStride, 1], [outer, width]);
      });
      return [dx];
    });
  }
  return out;
}

/**
 * Repeats x reps[i] times along each axis i (reps has one entry per axis). The
 * gradient sums dy's copies back onto x.
 *
 * @example
 * ```ts
 * fe.tile(fe.tensor2d([[1, 2]]), [2, 2]).print(); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export function tile(x: Tensor, reps: number[]): Tensor {
  const eng = checkInputs('tile', x);
  checkDims('tile', reps, 'reps');
  if (reps.length !== x.rank || reps.some((r) => r < 0)) {
    throw new Error(
      `ferrite: tile: reps [${reps.join(', ')}] must hold ${x.rank} non-negative integers for ${fmtShape(x.shape)}`,
    );
  }
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const xs = contiguousStrides(x.shape);
  const ys = contiguousStrides(outShape);
  // The output as [reps0, d0, reps1, d1, ...]: a repeat dim steps over whole copies of
  // the data dim beside it and reads the source with stride 0.
  const dims: number[] = [];
  const fromX: number[] = [];
  const inY: number[] = [];
  x.shape.forEach((d, i) => {
    dims.push(reps[i], d);
    fromX.push(0, xs[i]);
    inY.push(d * ys[i], ys[i]);
  });
  const y = emptyTensor(outShape, x.dtype, eng);
  stridedCopy('tile', eng, x.ptr, fromX, y.ptr, inY, dims);
  if (x.dtype === 'float32') {
    record('Tile', [x], y, (dy) => {
      const dx = zerosTensor(x.shape, 'float32', eng);
      stridedCopy('tile', eng, dy.ptr, inY, dx.ptr, fromX, dims, true);
      return [dx];
    });
  }
  return y;
}

/**
 * x repeated along dims where it has size 1 (or lacks the dim) to reach `shape`.
 *
 * @example
 * ```ts
 * fe.broadcastTo(fe.tensor1d([1, 2]), [2, 2]).print(); // [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const eng = checkInputs('broadcastTo', x);
  const dims = checkDims('broadcastTo', shape, 'shape');
  const lead = dims.length - x.rank;
  if (lead < 0 || dims.some((d) => d < 0) || x.shape.some((d, i) => d !== 1 && d !== dims[i + lead])) {
    throw new Error(`ferrite: broadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(dims)}`);
  }
  const y = emptyTensor(dims, x.dtype, eng);
  broadcastCopy('broadcastTo', eng, x.ptr, x.shape, y.ptr, dims);
  if (x.dtype === 'float32') {
    record('BroadcastTo', [x], y, (dy) => [sumToShape(dy, x.shape)]);
  }
  return y;
}
