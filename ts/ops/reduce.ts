// Reductions: sum, mean, max, min (over any set of axes, keepDims), argMax, argMin,
// and sumToShape (the broadcast-gradient reduction other ops use). Kernels:
// core-rs/src/reduce.rs.
//
// A kernel call reduces the middle dim of an (outer, n, inner) view. The reduced axes
// are grouped into runs of adjacent dims (size-1 dims fit either way); one run is one
// call, and a set of several runs (say axes [0, 2] of a rank-3 tensor) is reduced run
// by run from the innermost, each call shrinking the data for the next.

import { record } from '../autograd/tape.js';
import { BinaryOp, ReduceOp } from '../backend/core-abi.js';
import type { Engine } from '../backend/engine.js';
import { scalarParam, writeParams } from '../backend/param-block.js';
import { emptyTensor, sizeOf, writable, type Shape, type Tensor } from '../tensor/tensor.js';
import { computeInFloat, isIntegralTensor } from './dtype.js';
import { broadcastCopy } from './strided-copy.js';
import { checkFloat, checkInputs, fmtShape, normAxis, sameShape } from './util.js';

/**
 * sum, mean, max and min: over `axis` (a number, an array, or undefined for all axes),
 * keeping reduced axes as size 1 with `keepDims`.
 *
 * @inline
 */
type Reduction = (x: Tensor, axis?: number | number[], keepDims?: boolean) => Tensor;

/** One kernel call: reduce the middle dim of (outer, n, inner). */
export interface Pass {
  outer: number;
  n: number;
  inner: number;
}

/** Which axes `axis` (a number, an array, or undefined for all) reduces, as a mask over dims. */
export function axisMask(op: string, axis: number | number[] | undefined, rank: number): boolean[] {
  const mask = new Array<boolean>(rank).fill(axis === undefined);
  if (axis === undefined) return mask;
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list))
    throw new Error(`ferrite: ${op}: axis must be a number, an array of numbers or undefined, got ${typeof axis}`);
  for (const a of list) {
    if (typeof a !== 'number') throw new Error(`ferrite: ${op}: axis must hold integers, got ${typeof a}`);
    const k = normAxis(op, a, rank);
    if (rank === 0) continue;
    if (mask[k]) throw new Error(`ferrite: ${op}: axis ${a} is given twice in [${list.join(', ')}]`);
    mask[k] = true;
  }
  return mask;
}

export function reducedShape(shape: Shape, mask: boolean[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!mask[i]) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** The kernel calls that reduce the masked dims of `shape`, innermost run first. */
export function planPasses(shape: Shape, mask: boolean[]): Pass[] {
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = sizes.length - 1;
    if (last >= 0 && reduced[last] === mask[i]) sizes[last] *= d;
    else {
      sizes.push(d);
      reduced.push(mask[i]);
    }
  });
  const passes: Pass[] = [];
  for (let k = reduced.lastIndexOf(true); k >= 0; k = reduced.lastIndexOf(true)) {
    passes.push({ outer: sizeOf(sizes.slice(0, k)), n: sizes[k], inner: sizeOf(sizes.slice(k + 1)) });
    sizes.splice(k, 1);
    reduced.splice(k, 1);
  }
  return passes;
}

/** A copy of x's data with another shape of the same size. */
function copyAs(x: Tensor, shape: Shape): Tensor {
  const y = emptyTensor(shape, x.dtype, x.engine);
  x.engine.u8.copyWithin(y.ptr, x.ptr, x.ptr + x.size * 4);
  return y;
}

/** Multiplies a float32 tensor by `s` in place. */
function scaleInPlace(eng: Engine, t: Tensor, s: number): void {
  if (t.size === 0) return;
  const params = writeParams(eng, [t.size, 1, 0], 3);
  const ptr = writable(t, 'scale').ptr;
  eng.core.fe_binary(BinaryOp.MUL, ptr, scalarParam(eng, s), ptr, 1, params);
}

/** Runs the sum passes over x (not recorded); the last writes a tensor of `outShape`, scaled by `scale`. */
function sumPasses(x: Tensor, passes: Pass[], outShape: Shape, scale: number): Tensor {
  if (passes.length === 0) {
    const y = copyAs(x, outShape);
    if (scale !== 1) scaleInPlace(x.engine, y, scale);
    return y;
  }
  let cur = x;
  passes.forEach((p, i) => {
    const last = i === passes.length - 1;
    const next = emptyTensor(last ? outShape : [p.outer * p.inner], 'float32', x.engine);
    x.engine.core.fe_reduce(ReduceOp.SUM, cur.ptr, next.ptr, p.outer, p.n, p.inner, last ? scale : 1);
    if (cur !== x) cur.dispose();
    cur = next;
  });
  return cur;
}

/**
 * Sums `x` over the dims where `shape` has 1 or lacks a dim (aligned on the right), so
 * that a gradient in a broadcast output's shape becomes one in the input's shape.
 * Returns `x` itself when the shapes are equal. Not recorded: for backward passes.
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const lead = x.rank - shape.length;
  const mask = x.shape.map((d, i) => i < lead || (shape[i - lead] === 1 && d !== 1));
  if (lead < 0 || x.shape.some((d, i) => i >= lead && !mask[i] && shape[i - lead] !== d)) {
    throw new Error(`ferrite: sumToShape: ${fmtShape(shape)} does not broadcast to ${fmtShape(x.shape)}`);
  }
  return sumPasses(x, planPasses(x.shape, mask), shape, 1);
}

/** dy (the reduced shape) broadcast back over x's shape and scaled: the gradient of sum and mean. */
function broadcastGrad(dy: Tensor, xShape: Shape, mask: boolean[], scale: number): Tensor {
  const keepShape = xShape.map((d, i) => (mask[i] ? 1 : d));
  const dx = emptyTensor(xShape, 'float32', dy.engine);
  broadcastCopy('sum', dy.engine, dy.ptr, keepShape, dx.ptr, xShape);
  if (scale !== 1) scaleInPlace(dy.engine, dx, scale);
  return dx;
}

/** Checks a reduction's input; the axes it reduces (a mask over dims), its output shape and kernel calls. */
function planReduction(
  op: string,
  x: Tensor,
  axis: number | number[] | undefined,
  keepDims: boolean,
): { mask: boolean[]; outShape: Shape; passes: Pass[] } {
  checkInputs(op, x);
  checkFloat(op, x);
  const mask = axisMask(op, axis, x.rank);
  return { mask, outShape: reducedShape(x.shape, mask, keepDims), passes: planPasses(x.shape, mask) };
}

function sumLike(op: 'sum' | 'mean', x: Tensor, axis: number | number[] | undefined, keepDims: boolean): Tensor {
  // As TF.js: the sum of int32 or bool is int32, a mean is float32.
  if (isIntegralTensor(x)) {
    const out = op === 'mean' ? 'float32' : 'int32';
    return computeInFloat([x], out, (f) => sumLike(op, f as Tensor, axis, keepDims));
  }
  const { mask, outShape, passes } = planReduction(op, x, axis, keepDims);
  const count = sizeOf(x.shape.filter((_, i) => mask[i]));
  // The mean of nothing is NaN (0 * Infinity), as in TF.js.
  const scale = op === 'mean' ? 1 / count : 1;
  const y = sumPasses(x, passes, outShape, scale);
  record(op === 'sum' ? 'Sum' : 'Mean', [x], y, (dy) => [broadcastGrad(dy, x.shape, mask, scale)]);
  return y;
}

/**
 * The sum over `axis` (a number, an array, or undefined for all axes; negative counts
 * from the end); `keepDims` keeps reduced axes as size 1. Summed pairwise, so long
 * reductions stay accurate.
 *
 * @example
 * ```ts
 * const x = fe.tensor2d([[1, 2], [3, 4]]);
 * fe.sum(x).print(); // 10
 * fe.sum(x, 0).print(); // [4, 6]
 * fe.sum(x, 1, true).print(); // [[3], [7]]
 * ```
 */
export const sum: Reduction = (x, axis, keepDims = false) => sumLike('sum', x, axis, keepDims);

/**
 * The mean over `axis` (as in `sum`). The mean over no elements is NaN.
 *
 * @example
 * ```ts
 * fe.mean(fe.tensor2d([[1, 2], [3, 4]]), -1).print(); // [1.5, 3.5]
 * ```
 */
export const mean: Reduction = (x, axis, keepDims = false) => sumLike('mean', x, axis, keepDims);

/** One max/min kernel call over (outer, n, inner), recorded with its own backward. */
function extremumPass(op: 'max' | 'min', x: Tensor, p: Pass, outShape: Shape): Tensor {
  const eng = x.engine;
  const y = emptyTensor(outShape, 'float32', eng);
  eng.core.fe_reduce(op === 'max' ? ReduceOp.MAX : ReduceOp.MIN, x.ptr, y.ptr, p.outer, p.n, p.inner, 1);
  record(op === 'max' ? 'Max' : 'Min', [x], y, (dy) => {
    const dx = emptyTensor(x.shape, 'float32', eng);
    eng.core.fe_reduce_arg_backward(x.ptr, y.ptr, dy.ptr, dx.ptr, p.outer, p.n, p.inner);
    return [dx];
  });
  return y;
}

function extremum(op: 'max' | 'min', x: Tensor, axis: number | number[] | undefined, keepDims: boolean): Tensor {
  if (isIntegralTensor(x)) {
    return computeInFloat([x], x.dtype, (f) => extremum(op, f as Tensor, axis, keepDims));
  }
  const { outShape, passes } = planReduction(op, x, axis, keepDims);
  if (passes.length === 0) {
    const y = copyAs(x, outShape);
    record(op === 'max' ? 'Max' : 'Min', [x], y, (dy) => [copyAs(dy, x.shape)]);
    return y;
  }
  // Several runs of axes: one recorded call per run, so the backward chains through
  // them; the intermediate results are freed (or, while the tape holds them, later).
  let cur = x;
  passes.forEach((p, i) => {
    const next = extremumPass(op, cur, p, i === passes.length - 1 ? outShape : [p.outer * p.inner]);
    if (cur !== x) cur.dispose();
    cur = next;
  });
  return cur;
}

/**
 * The maximum over `axis` (as in `sum`); -Infinity over no elements; NaN where any
 * element is NaN (as TF.js, whose gradient is then zero too). The gradient goes to one
 * position per output: the first maximum in row-major order, even when several
 * elements tie (TF.js splits it among all of them).
 *
 * @example
 * ```ts
 * fe.max(fe.tensor2d([[1, 5], [3, 2]]), 1).print(); // [5, 3]
 * ```
 */
export const max: Reduction = (x, axis, keepDims = false) => extremum('max', x, axis, keepDims);

/**
 * The minimum over `axis` (as in `sum`); NaN propagates (as in `max`); ties send the gradient to the first minimum.
 *
 * @example
 * ```ts
 * fe.min(fe.tensor2d([[1, 5], [3, 2]]), 1).print(); // [1, 2]
 * ```
 */
export const min: Reduction = (x, axis, keepDims = false) => extremum('min', x, axis, keepDims);

function argExtremum(op: 'argMax' | 'argMin', x: Tensor, axis: number): Tensor {
  if (isIntegralTensor(x)) {
    return computeInFloat([x], 'int32', (f) => argExtremum(op, f as Tensor, axis));
  }
  const eng = checkInputs(op, x);
  checkFloat(op, x);
  if (x.rank === 0) throw new Error(`ferrite: ${op}: needs a tensor of rank >= 1, got a scalar`);
  if (typeof axis !== 'number') throw new Error(`ferrite: ${op}: axis must be one integer, got ${typeof axis}`);
  const a = normAxis(op, axis, x.rank);
  const n = x.shape[a];
  if (n === 0) throw new Error(`ferrite: ${op}: axis ${axis} of ${fmtShape(x.shape)} is empty`);
  const outShape = x.shape.filter((_, i) => i !== a);
  const y = emptyTensor(outShape, 'int32', eng);
  if (y.size > 0) {
    eng.core.fe_arg_reduce(
      op === 'argMax' ? ReduceOp.MAX : ReduceOp.MIN,
      x.ptr,
      y.ptr,
      sizeOf(x.shape.slice(0, a)),
      n,
      sizeOf(x.shape.slice(a + 1)),
    );
  }
  return y;
}

/**
 * Index (int32) of the largest value along `axis` (default 0, as TF.js): the first on
 * ties. As TF.js's cpu backend, the scan starts at the first element and moves only to a
 * strictly larger one, so a NaN is picked only when it comes first.
 *
 * @example
 * ```ts
 * fe.argMax(fe.tensor2d([[1, 5], [3, 2]]), 1).print(); // int32 [1, 0]
 * ```
 */
export function argMax(x: Tensor, axis = 0): Tensor {
  return argExtremum('argMax', x, axis);
}

/**
 * Index (int32) of the smallest value along `axis` (default 0): the first on ties; NaN as in `argMax`.
 *
 * @example
 * ```ts
 * fe.argMin(fe.tensor2d([[1, 5], [3, 2]]), 1).print(); // int32 [0, 1]
 * ```
 */
export function argMin(x: Tensor, axis = 0): Tensor {
  return argExtremum('argMin', x, axis);
}
