// The strided spaces ops hand to the kernels (core-rs/src/strided.rs): row-major
// strides, and the collapsing of an N-d space over two strided operands into as few dims
// as possible. The arrays go to the kernel through the parameter block
// (backend/param-block.ts).

import type { Shape } from '../tensor/tensor.js';
import { fmtShape } from './util.js';

/** Most dims a collapsed space may have (`strided::MAX_RANK`). */
export const MAX_RANK = 8;

// Reused scratch: the collapsed space, innermost dim first.
const revDims: number[] = [];
const rev0: number[] = [];
const rev1: number[] = [];

/**
 * Collapses the row-major space `dims` over two operands with element strides `s0` and
 * `s1` (0 where an operand is broadcast): drops dims of size 1 and merges each dim into
 * its inner neighbour when both operands step through the pair as through one dim.
 * Writes [dims; s0; s1] of the result into `out` and returns its rank (>= 1; a single
 * element is rank 1), or 0 when the space is empty. `what` names the op in errors.
 */
export function collapseSpace(
  what: string,
  dims: Shape,
  s0: ArrayLike<number>,
  s1: ArrayLike<number>,
  out: Int32Array,
): number {
  let rank = 0;
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = dims[i];
    if (d === 0) return 0;
    if (d === 1) continue;
    if (rank > 0) {
      const k = rank - 1;
      if (s0[i] === rev0[k] * revDims[k] && s1[i] === rev1[k] * revDims[k]) {
        revDims[k] *= d;
        continue;
      }
    }
    revDims[rank] = d;
    rev0[rank] = s0[i];
    rev1[rank] = s1[i];
    rank++;
  }
  if (rank === 0) {
    revDims[0] = 1;
    rev0[0] = 0;
    rev1[0] = 0;
    rank = 1;
  }
  if (rank > MAX_RANK) {
    throw new Error(
      `ferrite: ${what}: the iteration space ${fmtShape(dims)} needs ${rank} dims after merging contiguous ones; kernels take at most ${MAX_RANK}`,
    );
  }
  for (let k = 0; k < rank; k++) {
    const r = rank - 1 - k;
    out[k] = revDims[r];
    out[rank + k] = rev0[r];
    out[2 * rank + k] = rev1[r];
  }
  return rank;
}

/** Row-major element strides of `shape`, written into `out` (length = rank). */
export function contiguousStrides(shape: Shape, out: number[] = []): number[] {
  out.length = shape.length;
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i];
  }
  return out;
}
