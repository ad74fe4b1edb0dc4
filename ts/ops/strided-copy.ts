// The strided copy kernel (core-rs/src/strided.rs) as the shape ops use it: transpose,
// slice, concat, stack, unstack, tile, broadcastTo and their backward passes are each
// one or a few calls, with all per-element work in Rust.

import type { Engine } from '../backend/engine.js';
import type { Shape } from '../tensor/tensor.js';
import { writeParams } from '../backend/param-block.js';
import { collapseSpace, contiguousStrides, MAX_RANK } from './strided-space.js';

const space = new Int32Array(3 * MAX_RANK);

/**
 * For every multi-index i of `dims`: dst[i · dstStrides] = src[i · srcStrides], or `+=`
 * with `accumulate` (float32 only). `src` and `dst` are byte pointers to the first
 * element of each view; strides are in elements (0 broadcasts the source, or with
 * `accumulate` sums into the destination). `what` names the op in errors.
 */
export function stridedCopy(
  what: string,
  eng: Engine,
  src: number,
  srcStrides: ArrayLike<number>,
  dst: number,
  dstStrides: ArrayLike<number>,
  dims: Shape,
  accumulate = false,
): void {
  const rank = collapseSpace(what, dims, srcStrides, dstStrides, space);
  if (rank === 0) return;
  const params = writeParams(eng, space, 3 * rank);
  eng.core.fe_strided_copy(src, dst, rank, params, accumulate ? 1 : 0);
}

const srcStridesScratch: number[] = [];
const dstStridesScratch: number[] = [];

/**
 * Copies a contiguous tensor of shape `srcShape` into the contiguous `dstShape`,
 * repeating it along every dim where `srcShape` has 1 (or lacks the dim: shapes align
 * on the right, as in NumPy broadcasting). The caller checks that the shapes broadcast.
 */
export function broadcastCopy(
  what: string,
  eng: Engine,
  src: number,
  srcShape: Shape,
  dst: number,
  dstShape: Shape,
): void {
  const r = dstShape.length;
  const lead = r - srcShape.length;
  const own = contiguousStrides(srcShape, srcStridesScratch);
  const s0: number[] = new Array(r);
  for (let i = 0; i < r; i++) s0[i] = i < lead || srcShape[i - lead] === 1 ? 0 : own[i - lead];
  stridedCopy(what, eng, src, s0, dst, contiguousStrides(dstShape, dstStridesScratch), dstShape);
}
