//! Reductions over one axis group: sum (and mean through `scale`), max, min, argMax,
//! argMin, and the backward of max/min.
//!
//! Every kernel sees x as (outer, n, inner) and reduces the middle dim: y is
//! (outer, inner). inner = 1 is a reduction along the last axis (each output reads a
//! contiguous run), outer = 1 a column reduction (the bias gradient: outputs are
//! contiguous, vectorised across columns), and anything else lies between. Reductions
//! over several axes are done by the TS side as successive calls.
//!
//! Sums are pairwise: runs of at most LEAF elements (ROW_LEAF rows for columns) are
//! summed with vector accumulators, and those partial sums are added as a balanced
//! binary tree whose shape depends only on n. The error then grows like log(n) rather
//! than n, and the result is the same bits whatever the thread count: threads take
//! whole outputs, or (for one long sum) whole subtrees of the same tree.
//!
//! `reduce_naive` and `arg_reduce_naive` (one plain scan per output) are the test oracles.

use crate::axis::Axis;
use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{F32x4, Lanes};

/// The `op` of `fe_reduce` (SUM, MAX, MIN) and `fe_arg_reduce` (MAX, MIN).
/// ABI enum: ReduceOp
pub const SUM: u32 = 0;
pub const MAX: u32 = 1;
pub const MIN: u32 = 2;

/// Contiguous elements summed by one leaf (4 accumulators of 4 lanes, so each lane
/// adds at most LEAF/16 values in sequence).
const LEAF: usize = 256;
/// Rows summed in sequence by one leaf of a column sum (as for LEAF: each lane adds at
/// most 16 values in sequence before the tree takes over).
const ROW_LEAF: usize = 16;
/// Columns per work item of a column reduction (4 vector accumulators).
const COL_BLOCK: usize = 16;
/// Elements per thread below which a column reduction (a bias gradient: the sum over a
/// batch's rows) is not split. The break-even table (`bench/threads.ts`) measured no size up
/// to 2^20 where 2 threads paid (each thread's columns are strided across every row), so
/// these (and the column maxima, minima and arg-reductions, strided alike) split only
/// from 2^21.
const COLUMN_GRAIN: usize = 1 << 20;
/// A single sum at least this long is split into subtrees that threads share.
const SPLIT_SUM_MIN: usize = 1 << 16;
/// Levels of the pairwise tree taken apart for a split sum (2^3 = 8 subtrees).
const SPLIT_DEPTH: u32 = 3;

/// Where the pairwise tree cuts n elements (leaf size `leaf`): the left half gets the
/// first ceil(blocks / 2) whole leaves.
#[inline(always)]
fn half(n: usize, leaf: usize) -> usize {
    n.div_ceil(leaf).div_ceil(2) * leaf
}

#[inline(always)]
unsafe fn leaf_sum(x: *const f32, n: usize) -> f32 {
    let mut acc = [F32x4::zero(); 4];
    let mut i = 0;
    while i + 16 <= n {
        for (k, a) in acc.iter_mut().enumerate() {
            *a = a.add(F32x4::load(x.add(i + 4 * k)));
        }
        i += 16;
    }
    while i + 4 <= n {
        acc[0] = acc[0].add(F32x4::load(x.add(i)));
        i += 4;
    }
    let mut tail = 0.0f32;
    while i < n {
        tail += *x.add(i);
        i += 1;
    }
    acc[0].add(acc[1]).add(acc[2].add(acc[3])).sum() + tail
}

/// Pairwise sum of n contiguous floats.
unsafe fn sum_contig(x: *const f32, n: usize) -> f32 {
    if n <= LEAF {
        return leaf_sum(x, n);
    }
    let h = half(n, LEAF);
    sum_contig(x, h) + sum_contig(x.add(h), n - h)
}

/// The subtrees of `sum_contig`'s tree at depth `depth` (or leaves above it), in order.
fn subtrees(start: usize, n: usize, depth: u32, out: &mut [(usize, usize); 1 << SPLIT_DEPTH], count: &mut usize) {
    if depth == 0 || n <= LEAF {
        out[*count] = (start, n);
        *count += 1;
        return;
    }
    let h = half(n, LEAF);
    subtrees(start, h, depth - 1, out, count);
    subtrees(start + h, n - h, depth - 1, out, count);
}

/// Adds subtree sums back up along the same tree: the result equals `sum_contig`'s.
fn combine(sums: &[f32], n: usize, depth: u32, next: &mut usize) -> f32 {
    if depth == 0 || n <= LEAF {
        *next += 1;
        return sums[*next - 1];
    }
    let h = half(n, LEAF);
    let left = combine(sums, h, depth - 1, next);
    left + combine(sums, n - h, depth - 1, next)
}

/// One long sum shared by threads: each subtree is one work item.
unsafe fn sum_split(x: *const f32, n: usize) -> f32 {
    let mut parts = [(0usize, 0usize); 1 << SPLIT_DEPTH];
    let mut count = 0;
    subtrees(0, n, SPLIT_DEPTH, &mut parts, &mut count);
    let mut sums = [0.0f32; 1 << SPLIT_DEPTH];
    let (xs, out) = (SendPtr::of(x), SendPtr(sums.as_mut_ptr()));
    let parts_ref = &parts;
    parallel_for(count, 1, &|s, e| {
        for p in s..e {
            let (start, len) = parts_ref[p];
            *out.get().add(p) = sum_contig(xs.get().add(start), len);
        }
    });
    let mut next = 0;
    combine(&sums[..count], n, SPLIT_DEPTH, &mut next)
}

/// Pairwise sums of W values of V (W * V::WIDTH columns) down n rows `stride` apart.
unsafe fn col_sum<V: Lanes, const W: usize>(x: *const f32, n: usize, stride: usize) -> [V; W] {
    if n <= ROW_LEAF {
        let mut acc = [V::zero(); W];
        for k in 0..n {
            let row = x.add(k * stride);
            for (w, a) in acc.iter_mut().enumerate() {
                *a = a.add(V::load(row.add(V::WIDTH * w)));
            }
        }
        return acc;
    }
    let h = half(n, ROW_LEAF);
    let top = col_sum::<V, W>(x, h, stride);
    let bottom = col_sum::<V, W>(x.add(h * stride), n - h, stride);
    core::array::from_fn(|w| top[w].add(bottom[w]))
}

/// Sums of columns [j0, j1) of one (n, inner) slab into y[j0..j1], times `scale`.
unsafe fn sum_columns(x: *const f32, y: *mut f32, n: usize, inner: usize, (j0, j1): (usize, usize), scale: f32) {
    let mut j = j0;
    if j1 - j == COL_BLOCK {
        for (w, v) in col_sum::<F32x4, 4>(x.add(j), n, inner).iter().enumerate() {
            v.mul(F32x4::splat(scale)).store(y.add(j + 4 * w));
        }
        return;
    }
    while j + 4 <= j1 {
        col_sum::<F32x4, 1>(x.add(j), n, inner)[0]
            .mul(F32x4::splat(scale))
            .store(y.add(j));
        j += 4;
    }
    while j < j1 {
        *y.add(j) = col_sum::<f32, 1>(x.add(j), n, inner)[0] * scale;
        j += 1;
    }
}

/// The larger (MAX) or smaller of acc and x, NaN when either is (as TF.js's max and min:
/// pmax / pmin keep a NaN accumulator, the select takes a NaN x).
#[inline(always)]
fn extreme<V: Lanes, const MAX: bool>(acc: V, x: V) -> V {
    let e = if MAX { acc.max(x) } else { acc.min(x) };
    V::select(x.eq(x), e, x)
}

/// What any value beats: -Infinity for a max, +Infinity for a min.
#[inline(always)]
fn worst<const MAX: bool>() -> f32 {
    if MAX {
        f32::NEG_INFINITY
    } else {
        f32::INFINITY
    }
}

#[inline(always)]
unsafe fn extremum_contig<const MAX: bool>(x: *const f32, n: usize) -> f32 {
    let mut acc = [F32x4::splat(worst::<MAX>()); 2];
    let mut i = 0;
    while i + 8 <= n {
        acc[0] = extreme::<_, MAX>(acc[0], F32x4::load(x.add(i)));
        acc[1] = extreme::<_, MAX>(acc[1], F32x4::load(x.add(i + 4)));
        i += 8;
    }
    let [a, b, c, d] = extreme::<_, MAX>(acc[0], acc[1]).to_array();
    let mut r = extreme::<_, MAX>(extreme::<_, MAX>(a, b), extreme::<_, MAX>(c, d));
    while i < n {
        r = extreme::<_, MAX>(r, *x.add(i));
        i += 1;
    }
    r
}

/// max or min down one V of columns at x, n rows `stride` apart, into y.
#[inline(always)]
unsafe fn extremum_column<V: Lanes, const MAX: bool>(x: *const f32, y: *mut f32, n: usize, stride: usize) {
    let mut acc = V::splat(worst::<MAX>());
    for k in 0..n {
        acc = extreme::<V, MAX>(acc, V::load(x.add(k * stride)));
    }
    acc.store(y)
}

unsafe fn extremum_columns<const MAX: bool>(
    x: *const f32,
    y: *mut f32,
    n: usize,
    inner: usize,
    (j0, j1): (usize, usize),
) {
    let mut j = j0;
    while j + 4 <= j1 {
        extremum_column::<F32x4, MAX>(x.add(j), y.add(j), n, inner);
        j += 4;
    }
    while j < j1 {
        extremum_column::<f32, MAX>(x.add(j), y.add(j), n, inner);
        j += 1;
    }
}

/// y = reduce(x) over the middle dim. x is (outer, n, inner), y is (outer, inner).
/// Sums are multiplied by `scale` (1/n gives the mean); max and min ignore it. An
/// empty reduction (n = 0) gives 0, -Infinity or +Infinity.
pub unsafe fn reduce_forward(op: u32, x: *const f32, y: *mut f32, ax: Axis, scale: f32) {
    if ax.no_outputs() {
        return;
    }
    let (n, inner) = (ax.n, ax.inner);
    let (xs, ys) = (SendPtr::of(x), SendPtr(y));
    if inner == 1 {
        if op == SUM && ax.outer == 1 && n >= SPLIT_SUM_MIN {
            *y = sum_split(x, n) * scale;
            return;
        }
        ax.for_each_row(MIN_ELEMS_PER_THREAD, |o| {
            let row = xs.get().add(o * n);
            *ys.get().add(o) = match op {
                SUM => sum_contig(row, n) * scale,
                MAX => extremum_contig::<true>(row, n),
                MIN => extremum_contig::<false>(row, n),
                _ => panic!("reduce: unknown op"),
            };
        });
        return;
    }
    ax.for_each_column_block(COL_BLOCK, COLUMN_GRAIN, |o, j0, j1| {
        let (xo, yo) = (xs.get().add(o * n * inner), ys.get().add(o * inner));
        match op {
            SUM => sum_columns(xo, yo, n, inner, (j0, j1), scale),
            MAX => extremum_columns::<true>(xo, yo, n, inner, (j0, j1)),
            MIN => extremum_columns::<false>(xo, yo, n, inner, (j0, j1)),
            _ => panic!("reduce: unknown op"),
        }
    });
}

/// The naive reference: a plain running sum (or max/min) per output, in k order.
pub unsafe fn reduce_naive(op: u32, x: *const f32, y: *mut f32, ax: Axis, scale: f32) {
    for o in 0..ax.outer {
        for j in 0..ax.inner {
            let column = (0..ax.n).map(|k| *x.add((o * ax.n + k) * ax.inner + j));
            *y.add(o * ax.inner + j) = match op {
                SUM => column.fold(0.0, |acc, v| acc + v) * scale,
                MAX => column.fold(worst::<true>(), extreme::<f32, true>),
                MIN => column.fold(worst::<false>(), extreme::<f32, false>),
                _ => panic!("reduce: unknown op"),
            };
        }
    }
}

/// Largest reduction length whose indices are exact in f32 lanes (the vector argMax
/// keeps each lane's best index as a float); longer ones take the scalar loop.
const MAX_VECTOR_ARG_N: usize = 1 << 24;

/// Lanes where `v` beats `best` for argMax (MAX) or argMin: strictly, so the first wins.
#[inline(always)]
fn beats<V: Lanes, const MAX: bool>(v: V, best: V) -> V {
    if MAX {
        v.gt(best)
    } else {
        v.lt(best)
    }
}

#[inline(always)]
fn beats_scalar<const MAX: bool>(v: f32, best: f32) -> bool {
    if MAX {
        v > best
    } else {
        v < best
    }
}

/// argMax/argMin of n contiguous floats by TF.js cpu's rule: the best starts at element
/// 0 and moves only to a strictly larger (smaller) value, so the first extreme wins and a
/// NaN is chosen only at index 0 (which nothing then beats).
/// Eight lanes each track their best (value, index); the lanes are then merged by
/// value, ties going to the smaller index, which is the first occurrence overall.
unsafe fn arg_contig<const MAX: bool>(x: *const f32, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let (mut best, mut at) = (*x, 0usize);
    let mut i = 0;
    if n >= 8 && n <= MAX_VECTOR_ARG_N {
        let mut bv = [F32x4::splat(best); 2];
        let mut bi = [F32x4::zero(); 2];
        let mut idx = [
            F32x4::from_array([0.0, 1.0, 2.0, 3.0]),
            F32x4::from_array([4.0, 5.0, 6.0, 7.0]),
        ];
        let step = F32x4::splat(8.0);
        while i + 8 <= n {
            for k in 0..2 {
                let v = F32x4::load(x.add(i + 4 * k));
                let m = beats::<_, MAX>(v, bv[k]);
                bv[k] = F32x4::select(m, v, bv[k]);
                bi[k] = F32x4::select(m, idx[k], bi[k]);
                idx[k] = idx[k].add(step);
            }
            i += 8;
        }
        for k in 0..2 {
            let (vs, is) = (bv[k].to_array(), bi[k].to_array());
            for l in 0..4 {
                let j = is[l] as usize;
                if beats_scalar::<MAX>(vs[l], best) || (vs[l] == best && j < at) {
                    best = vs[l];
                    at = j;
                }
            }
        }
    }
    while i < n {
        let v = *x.add(i);
        if beats_scalar::<MAX>(v, best) {
            best = v;
            at = i;
        }
        i += 1;
    }
    at
}

/// argMax/argMin down columns [j0, j1) of one (n, inner) slab (n >= 1), vectorised across
/// columns; same rule as `arg_contig` (the best starts at row 0).
unsafe fn arg_columns<const MAX: bool>(x: *const f32, out: *mut i32, n: usize, inner: usize, (j0, j1): (usize, usize)) {
    let mut j = j0;
    if n <= MAX_VECTOR_ARG_N {
        while j + 4 <= j1 {
            let (mut bv, mut bi) = (F32x4::load(x.add(j)), F32x4::zero());
            for k in 0..n {
                let v = F32x4::load(x.add(k * inner + j));
                let m = beats::<_, MAX>(v, bv);
                bv = F32x4::select(m, v, bv);
                bi = F32x4::select(m, F32x4::splat(k as f32), bi);
            }
            for (l, k) in bi.to_array().iter().enumerate() {
                *out.add(j + l) = *k as i32;
            }
            j += 4;
        }
    }
    while j < j1 {
        let (mut best, mut at) = (*x.add(j), 0);
        for k in 0..n {
            let v = *x.add(k * inner + j);
            if beats_scalar::<MAX>(v, best) {
                best = v;
                at = k;
            }
        }
        *out.add(j) = at as i32;
        j += 1;
    }
}

unsafe fn arg_reduce_dir<const MAX: bool>(x: *const f32, out: *mut i32, ax: Axis) {
    let (n, inner) = (ax.n, ax.inner);
    let (xs, os) = (SendPtr::of(x), SendPtr(out));
    if inner == 1 {
        ax.for_each_row(MIN_ELEMS_PER_THREAD, |o| {
            *os.get().add(o) = arg_contig::<MAX>(xs.get().add(o * n), n) as i32;
        });
        return;
    }
    if n == 0 {
        core::ptr::write_bytes(out, 0, ax.outer * inner);
        return;
    }
    ax.for_each_column_block(COL_BLOCK, COLUMN_GRAIN, |o, j0, j1| {
        arg_columns::<MAX>(xs.get().add(o * n * inner), os.get().add(o * inner), n, inner, (j0, j1));
    });
}

/// Index of the first maximum (op MAX) or minimum (op MIN) along the middle dim, by TF.js
/// cpu's rule (see `arg_contig`): a NaN is chosen only when it comes first.
/// x is (outer, n, inner), out is (outer, inner) int32; 0 where n = 0.
pub unsafe fn arg_reduce(op: u32, x: *const f32, out: *mut i32, ax: Axis) {
    if ax.no_outputs() {
        return;
    }
    match op {
        MAX => arg_reduce_dir::<true>(x, out, ax),
        MIN => arg_reduce_dir::<false>(x, out, ax),
        _ => panic!("arg_reduce: unknown op"),
    }
}

/// The naive reference of `arg_reduce`: one scalar scan per output.
pub unsafe fn arg_reduce_naive(op: u32, x: *const f32, out: *mut i32, ax: Axis) {
    for o in 0..ax.outer {
        for j in 0..ax.inner {
            let first = o * ax.n * ax.inner + j;
            let (mut best, mut at) = (if ax.n > 0 { *x.add(first) } else { 0.0 }, 0);
            for k in 0..ax.n {
                let v = *x.add((o * ax.n + k) * ax.inner + j);
                if (op == MAX && v > best) || (op == MIN && v < best) {
                    best = v;
                    at = k;
                }
            }
            *out.add(o * ax.inner + j) = at as i32;
        }
    }
}

/// Columns per work item of the max/min backward.
const ARG_COL_BLOCK: usize = 64;

/// Backward of max/min over the middle dim: dx is zero except that dy[o, j] goes to
/// the first k where x[o, k, j] == y[o, j] (one position even when several tie; none
/// when y is NaN). x, dx are (outer, n, inner); y, dy are (outer, inner). Writes dx.
pub unsafe fn arg_backward(x: *const f32, [y, dy]: [*const f32; 2], dx: *mut f32, ax: Axis) {
    let (n, inner) = (ax.n, ax.inner);
    let (xs, ys, dys, dxs) = (SendPtr::of(x), SendPtr::of(y), SendPtr::of(dy), SendPtr(dx));
    ax.for_each_column_block(ARG_COL_BLOCK, COLUMN_GRAIN, |o, j0, j1| {
        let (xo, dxo) = (xs.get().add(o * n * inner), dxs.get().add(o * n * inner));
        for k in 0..n {
            core::ptr::write_bytes(dxo.add(k * inner + j0), 0, j1 - j0);
        }
        for j in j0..j1 {
            let target = *ys.get().add(o * inner + j);
            if let Some(k) = (0..n).find(|&k| *xo.add(k * inner + j) == target) {
                *dxo.add(k * inner + j) = *dys.get().add(o * inner + j);
            }
        }
    });
}
