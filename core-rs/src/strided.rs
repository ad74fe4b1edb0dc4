//! Strided N-d iteration, and the strided copy kernel built on it.
//!
//! `Space` is an N-d index space walked in row-major order over two strided operands
//! (strides in elements, 0 for a broadcast dim). The TS side collapses every space
//! before calling in: dims of size 1 are dropped and neighbours that are contiguous in
//! both operands are merged, so a [M, N] + [N] bias add arrives as rank 2 and a
//! same-shape op as rank 1 whatever the tensors' rank. The elementwise kernels reuse
//! `Space` and `for_each_run`; the copy kernel here serves reshape-free layout changes:
//! transpose, slice, concat, stack, tile, broadcastTo and their backward passes.
//! `strided_copy_naive` (one element at a time) is its test oracle.

use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{add_into, F32x4, Lanes};

/// Most dims a collapsed space may have. Tile doubles the rank of its input (a repeat
/// dim beside each data dim), so a rank-4 tile needs 8.
pub const MAX_RANK: usize = 8;

/// Elements of one innermost run below which splitting it is not worth it: a long row
/// (a same-shape op is one row) is cut into pieces of this size so threads can share it.
const PIECE: usize = 8192;

/// A row-major N-d space over two strided operands.
#[derive(Clone, Copy)]
pub struct Space {
    pub rank: usize,
    pub dims: [usize; MAX_RANK],
    pub s0: [usize; MAX_RANK],
    pub s1: [usize; MAX_RANK],
}

impl Space {
    /// Reads `params` = [dims[rank], strides0[rank], strides1[rank]] (usize words).
    pub unsafe fn from_params(rank: usize, params: *const usize) -> Space {
        assert!(rank >= 1 && rank <= MAX_RANK);
        let mut sp = Space {
            rank,
            dims: [1; MAX_RANK],
            s0: [0; MAX_RANK],
            s1: [0; MAX_RANK],
        };
        for d in 0..rank {
            sp.dims[d] = *params.add(d);
            sp.s0[d] = *params.add(rank + d);
            sp.s1[d] = *params.add(2 * rank + d);
        }
        sp
    }

    /// Length of the innermost dim: every run of `for_each_run` is (part of) one row.
    #[inline(always)]
    pub fn inner(&self) -> usize {
        self.dims[self.rank - 1]
    }

    /// Number of rows (product of all dims but the innermost).
    pub fn rows(&self) -> usize {
        self.dims[..self.rank - 1].iter().product()
    }

    /// Operand offsets of the first element of row `row`, over the first `outer` dims.
    #[inline]
    fn offsets(&self, outer: usize, mut row: usize) -> (usize, usize) {
        let (mut o0, mut o1) = (0, 0);
        for d in (0..outer).rev() {
            let i = row % self.dims[d];
            row /= self.dims[d];
            o0 += i * self.s0[d];
            o1 += i * self.s1[d];
        }
        (o0, o1)
    }

    /// Calls `f(row, off0, off1)` for rows `start..end` of the space made of the first
    /// `outer` dims, stepping the multi-index like an odometer (no divisions per row).
    #[inline(always)]
    pub fn walk(&self, outer: usize, start: usize, end: usize, mut f: impl FnMut(usize, usize, usize)) {
        if start >= end {
            return;
        }
        let mut idx = [0usize; MAX_RANK];
        let mut rest = start;
        let (mut o0, mut o1) = (0, 0);
        for d in (0..outer).rev() {
            idx[d] = rest % self.dims[d];
            rest /= self.dims[d];
            o0 += idx[d] * self.s0[d];
            o1 += idx[d] * self.s1[d];
        }
        for row in start..end {
            f(row, o0, o1);
            let mut d = outer;
            while d > 0 {
                d -= 1;
                idx[d] += 1;
                o0 += self.s0[d];
                o1 += self.s1[d];
                if idx[d] < self.dims[d] {
                    break;
                }
                o0 -= self.s0[d] * self.dims[d];
                o1 -= self.s1[d] * self.dims[d];
                idx[d] = 0;
            }
        }
    }

    /// Runs `body(off0, off1, flat, len)` over the whole space as runs of innermost
    /// elements: `len` elements starting at operand offsets `off0`, `off1` and at
    /// row-major position `flat` (the offset into a contiguous output). Runs are whole
    /// rows, or pieces of long rows. Work is split over threads unless `serial`, with at
    /// least `min_elems` elements per thread. Each run is computed the same way in any
    /// split, so results never depend on the thread count.
    #[inline(always)]
    pub fn for_each_run<F: Fn(usize, usize, usize, usize) + Sync>(&self, min_elems: usize, serial: bool, body: F) {
        let inner = self.inner();
        let rows = self.rows();
        if inner == 0 || rows == 0 {
            return;
        }
        let outer = self.rank - 1;
        let (st0, st1) = (self.s0[outer], self.s1[outer]);
        let pieces = if inner >= 2 * PIECE { inner.div_ceil(PIECE) } else { 1 };
        let items = rows * pieces;
        let per_item = if pieces > 1 { PIECE } else { inner };
        let min_items = if serial {
            items
        } else {
            min_elems.div_ceil(per_item).max(1)
        };
        if pieces == 1 {
            parallel_for(items, min_items, &|start, end| {
                self.walk(outer, start, end, |row, o0, o1| body(o0, o1, row * inner, inner));
            });
        } else {
            parallel_for(items, min_items, &|start, end| {
                for item in start..end {
                    let (row, p) = (item / pieces, item % pieces);
                    let (o0, o1) = self.offsets(outer, row);
                    let lo = p * PIECE;
                    let len = PIECE.min(inner - lo);
                    body(o0 + lo * st0, o1 + lo * st1, row * inner + lo, len);
                }
            });
        }
    }
}

/// `dst[i · dst_strides] = src[i · src_strides]` (or `+=` with `accumulate`, f32 only)
/// for every multi-index `i` of `dims`. Works on 32-bit words, so it moves f32 and i32
/// data alike, bit for bit.
///
/// Inner loops: contiguous runs are block copies (vector adds when accumulating); a
/// broadcast source (stride 0) is a fill; a 2-D transpose in the two innermost dims
/// (source contiguous along the outer one) goes through 4x4 register transposes so that
/// both sides are read and written in whole vectors; anything else is a scalar gather.
///
/// When accumulating into a destination with a stride-0 dim (the backward of tile,
/// where several source elements add into one destination element) the copy runs on
/// one thread: no two threads may write the same element.
pub unsafe fn strided_copy(src: *const u32, dst: *mut u32, sp: &Space, accumulate: bool) {
    let r = sp.rank;
    let aliased = accumulate && sp.s1[..r].contains(&0);
    let gathers_columns = sp.s0[r - 1] > 1;
    if !accumulate
        && r >= 2
        && gathers_columns
        && sp.s0[r - 2] == 1
        && sp.s1[r - 1] == 1
        && sp.dims[r - 1] >= 4
        && sp.dims[r - 2] >= 4
    {
        return transpose_tiles(src, dst, sp);
    }
    let (src, dst) = (SendPtr::of(src), SendPtr(dst));
    let (ss, ds) = (sp.s0[r - 1], sp.s1[r - 1]);
    sp.for_each_run(MIN_ELEMS_PER_THREAD, aliased, |o0, o1, _, len| {
        let s = src.get().add(o0) as *const u32;
        let d = dst.get().add(o1);
        if accumulate {
            add_run(s as *const f32, ss, d as *mut f32, ds, len);
        } else {
            copy_run(s, ss, d, ds, len);
        }
    });
}

#[inline(always)]
unsafe fn copy_run(s: *const u32, ss: usize, d: *mut u32, ds: usize, len: usize) {
    if ss == 1 && ds == 1 {
        core::ptr::copy_nonoverlapping(s, d, len);
    } else if ss == 0 && ds == 1 {
        core::slice::from_raw_parts_mut(d, len).fill(*s);
    } else {
        for i in 0..len {
            *d.add(i * ds) = *s.add(i * ss);
        }
    }
}

#[inline(always)]
unsafe fn add_run(s: *const f32, ss: usize, d: *mut f32, ds: usize, len: usize) {
    if ds == 1 && ss == 1 {
        add_into(d, s, len);
    } else if ds == 1 && ss == 0 {
        let v = F32x4::splat(*s);
        let mut i = 0;
        while i + 4 <= len {
            F32x4::load(d.add(i)).add(v).store(d.add(i));
            i += 4;
        }
        for i in i..len {
            *d.add(i) += *s;
        }
    } else {
        for i in 0..len {
            *d.add(i * ds) += *s.add(i * ss);
        }
    }
}

/// The two innermost dims are (R, C) with source strides (1, s) and destination
/// strides (d, 1): each destination row gathers a source column. Moves 4x4 blocks
/// through registers; the edges (R or C not a multiple of 4) go element by element.
unsafe fn transpose_tiles(src: *const u32, dst: *mut u32, sp: &Space) {
    let r = sp.rank;
    let (rows, cols) = (sp.dims[r - 2], sp.dims[r - 1]);
    let (s_col, d_row) = (sp.s0[r - 1], sp.s1[r - 2]);
    let outer = r - 2;
    let planes: usize = sp.dims[..outer].iter().product();
    let (src, dst) = (SendPtr::of(src), SendPtr(dst));
    // Items are (plane, block of 4 destination rows), so even one big matrix is shared.
    let row_blocks = rows.div_ceil(4);
    let items = planes * row_blocks;
    let min_items = (MIN_ELEMS_PER_THREAD / (4 * cols)).max(1);
    parallel_for(items, min_items, &|start, end| {
        for item in start..end {
            let (plane, rb) = (item / row_blocks, item % row_blocks);
            let (o0, o1) = sp.offsets(outer, plane);
            let (s, d) = (src.get().add(o0), dst.get().add(o1));
            let i0 = rb * 4;
            // Whole 4x4 blocks go through registers (as f32 lanes: the bits move unchanged).
            let mut j = 0;
            if i0 + 4 <= rows {
                let (sf, df) = (s as *const f32, d as *mut f32);
                while j + 4 <= cols {
                    let c = [0, 1, 2, 3].map(|k| F32x4::load(sf.add(i0 + (j + k) * s_col)));
                    for (k, v) in F32x4::transpose4(c).iter().enumerate() {
                        v.store(df.add((i0 + k) * d_row + j));
                    }
                    j += 4;
                }
            }
            // The ragged right edge, or the bottom rows when fewer than 4 remain.
            for i in i0..(i0 + 4).min(rows) {
                for jj in j..cols {
                    *d.add(i * d_row + jj) = *s.add(i + jj * s_col);
                }
            }
        }
    });
}

/// The naive reference: one element at a time, in row-major order of `dims`.
pub unsafe fn strided_copy_naive(src: *const u32, dst: *mut u32, sp: &Space, accumulate: bool) {
    let inner = sp.inner();
    let (ss, ds) = (sp.s0[sp.rank - 1], sp.s1[sp.rank - 1]);
    sp.walk(sp.rank - 1, 0, sp.rows(), |_, o0, o1| {
        for i in 0..inner {
            let (s, d) = (src.add(o0 + i * ss), dst.add(o1 + i * ds));
            if accumulate {
                *(d as *mut f32) += *(s as *const f32);
            } else {
                *d = *s;
            }
        }
    });
}
