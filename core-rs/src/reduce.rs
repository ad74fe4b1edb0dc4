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

use crate::parallel::{parallel_for, SendPtr};
use crate::simd::F32x4;

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
/// Elements per thread below which a reduction is not split.
const MIN_ELEMS_PER_THREAD: usize = 1 << 15;
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
    let (xs, out) = (SendPtr(x as *mut f32), SendPtr(sums.as_mut_ptr()));
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

/// Pairwise column sums of W vectors (4W columns) over n rows `stride` apart.
unsafe fn col_sum<const W: usize>(x: *const f32, n: usize, stride: usize) -> [F32x4; W] {
    if n <= ROW_LEAF {
        let mut acc = [F32x4::zero(); W];
        for k in 0..n {
            let row = x.add(k * stride);
            for (w, a) in acc.iter_mut().enumerate() {
                *a = a.add(F32x4::load(row.add(4 * w)));
            }
        }
        return acc;
    }
    let h = half(n, ROW_LEAF);
    let top = col_sum::<W>(x, h, stride);
    let bottom = col_sum::<W>(x.add(h * stride), n - h, stride);
    core::array::from_fn(|w| top[w].add(bottom[w]))
}

/// The same for one column (the last < 4 columns of a block).
unsafe fn col_sum_one(x: *const f32, n: usize, stride: usize) -> f32 {
    if n <= ROW_LEAF {
        let mut acc = 0.0f32;
        for k in 0..n {
            acc += *x.add(k * stride);
        }
        return acc;
    }
    let h = half(n, ROW_LEAF);
    col_sum_one(x, h, stride) + col_sum_one(x.add(h * stride), n - h, stride)
}

/// Sums of columns [j0, j1) of one (n, inner) slab into y[j0..j1], times `scale`.
unsafe fn sum_columns(x: *const f32, y: *mut f32, n: usize, inner: usize, j0: usize, j1: usize, scale: f32) {
    let s = F32x4::splat(scale);
    let mut j = j0;
    if j1 - j == COL_BLOCK {
        for (w, v) in col_sum::<4>(x.add(j), n, inner).iter().enumerate() {
            v.mul(s).store(y.add(j + 4 * w));
        }
        return;
    }
    while j + 4 <= j1 {
        col_sum::<1>(x.add(j), n, inner)[0].mul(s).store(y.add(j));
        j += 4;
    }
    while j < j1 {
        *y.add(j) = col_sum_one(x.add(j), n, inner) * scale;
        j += 1;
    }
}

/// Max or min: the vector op and its scalar twin (wasm pmax/pmin semantics in both).
trait Extremum {
    const INIT: f32;
    fn s(acc: f32, x: f32) -> f32;
    fn v(acc: F32x4, x: F32x4) -> F32x4;
}
struct Max;
impl Extremum for Max {
    const INIT: f32 = f32::NEG_INFINITY;
    #[inline(always)]
    fn s(acc: f32, x: f32) -> f32 {
        if acc < x {
            x
        } else {
            acc
        }
    }
    #[inline(always)]
    fn v(acc: F32x4, x: F32x4) -> F32x4 {
        acc.max(x)
    }
}
struct Min;
impl Extremum for Min {
    const INIT: f32 = f32::INFINITY;
    #[inline(always)]
    fn s(acc: f32, x: f32) -> f32 {
        if x < acc {
            x
        } else {
            acc
        }
    }
    #[inline(always)]
    fn v(acc: F32x4, x: F32x4) -> F32x4 {
        acc.min(x)
    }
}

#[inline(always)]
unsafe fn extremum_contig<E: Extremum>(x: *const f32, n: usize) -> f32 {
    let mut acc = [F32x4::splat(E::INIT); 2];
    let mut i = 0;
    while i + 8 <= n {
        acc[0] = E::v(acc[0], F32x4::load(x.add(i)));
        acc[1] = E::v(acc[1], F32x4::load(x.add(i + 4)));
        i += 8;
    }
    let mut lanes = [0.0f32; 4];
    E::v(acc[0], acc[1]).store(lanes.as_mut_ptr());
    let mut r = E::s(E::s(lanes[0], lanes[1]), E::s(lanes[2], lanes[3]));
    while i < n {
        r = E::s(r, *x.add(i));
        i += 1;
    }
    r
}

unsafe fn extremum_columns<E: Extremum>(x: *const f32, y: *mut f32, n: usize, inner: usize, j0: usize, j1: usize) {
    let mut j = j0;
    while j + 4 <= j1 {
        let mut acc = F32x4::splat(E::INIT);
        for k in 0..n {
            acc = E::v(acc, F32x4::load(x.add(k * inner + j)));
        }
        acc.store(y.add(j));
        j += 4;
    }
    while j < j1 {
        let mut acc = E::INIT;
        for k in 0..n {
            acc = E::s(acc, *x.add(k * inner + j));
        }
        *y.add(j) = acc;
        j += 1;
    }
}

/// y = reduce(x) over the middle dim. x is (outer, n, inner), y is (outer, inner).
/// Sums are multiplied by `scale` (1/n gives the mean); max and min ignore it. An
/// empty reduction (n = 0) gives 0, -Infinity or +Infinity.
pub unsafe fn reduce_forward(op: u32, x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize, scale: f32) {
    if outer == 0 || inner == 0 {
        return;
    }
    let (xs, ys) = (SendPtr(x as *mut f32), SendPtr(y));
    if inner == 1 {
        if op == SUM && outer == 1 && n >= SPLIT_SUM_MIN {
            *y = sum_split(x, n) * scale;
            return;
        }
        let min_rows = (MIN_ELEMS_PER_THREAD / n.max(1)).max(1);
        parallel_for(outer, min_rows, &|s, e| {
            for o in s..e {
                let row = xs.get().add(o * n);
                *ys.get().add(o) = match op {
                    SUM => sum_contig(row, n) * scale,
                    MAX => extremum_contig::<Max>(row, n),
                    MIN => extremum_contig::<Min>(row, n),
                    _ => panic!("reduce: unknown op"),
                };
            }
        });
        return;
    }
    let blocks = inner.div_ceil(COL_BLOCK);
    let min_items = (MIN_ELEMS_PER_THREAD / (n * COL_BLOCK).max(1)).max(1);
    parallel_for(outer * blocks, min_items, &|s, e| {
        for item in s..e {
            let (o, b) = (item / blocks, item % blocks);
            let (j0, j1) = (b * COL_BLOCK, ((b + 1) * COL_BLOCK).min(inner));
            let (xo, yo) = (xs.get().add(o * n * inner), ys.get().add(o * inner));
            match op {
                SUM => sum_columns(xo, yo, n, inner, j0, j1, scale),
                MAX => extremum_columns::<Max>(xo, yo, n, inner, j0, j1),
                MIN => extremum_columns::<Min>(xo, yo, n, inner, j0, j1),
                _ => panic!("reduce: unknown op"),
            }
        }
    });
}

/// The naive reference: a plain running sum (or max/min) per output, in k order.
pub unsafe fn reduce_naive(op: u32, x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize, scale: f32) {
    for o in 0..outer {
        for j in 0..inner {
            let at = |k: usize| *x.add((o * n + k) * inner + j);
            *y.add(o * inner + j) = match op {
                SUM => (0..n).fold(0.0f32, |acc, k| acc + at(k)) * scale,
                MAX => (0..n).fold(Max::INIT, |acc, k| Max::s(acc, at(k))),
                MIN => (0..n).fold(Min::INIT, |acc, k| Min::s(acc, at(k))),
                _ => panic!("reduce: unknown op"),
            };
        }
    }
}

/// Largest reduction length whose indices are exact in f32 lanes (the vector argMax
/// keeps each lane's best index as a float); longer ones take the scalar loop.
const MAX_VECTOR_ARG_N: usize = 1 << 24;

/// Whether `v` beats `best` for argMax (MAX) or argMin: strictly, so the first wins.
#[inline(always)]
fn beats_v<const MAX: bool>(v: F32x4, best: F32x4) -> F32x4 {
    if MAX {
        v.gt(best)
    } else {
        v.lt(best)
    }
}
#[inline(always)]
fn beats<const MAX: bool>(v: f32, best: f32) -> bool {
    if MAX {
        v > best
    } else {
        v < best
    }
}
#[inline(always)]
fn worst<const MAX: bool>() -> f32 {
    if MAX {
        f32::NEG_INFINITY
    } else {
        f32::INFINITY
    }
}

#[inline(always)]
fn lanes(v: F32x4) -> [f32; 4] {
    let mut out = [0.0f32; 4];
    unsafe { v.store(out.as_mut_ptr()) };
    out
}

/// argMax/argMin of n contiguous floats: the first index of the extreme value, NaNs
/// never chosen, 0 when nothing beats the starting -Infinity (+Infinity for argMin).
/// Eight lanes each track their best (value, index); the lanes are then merged by
/// value, ties going to the smaller index, which is the first occurrence overall.
unsafe fn arg_contig<const MAX: bool>(x: *const f32, n: usize) -> usize {
    let (mut best, mut at) = (worst::<MAX>(), 0usize);
    let mut i = 0;
    if n >= 8 && n <= MAX_VECTOR_ARG_N {
        let mut bv = [F32x4::splat(best); 2];
        let mut bi = [F32x4::zero(); 2];
        let mut idx = [
            F32x4::load([0.0f32, 1.0, 2.0, 3.0].as_ptr()),
            F32x4::load([4.0f32, 5.0, 6.0, 7.0].as_ptr()),
        ];
        let step = F32x4::splat(8.0);
        while i + 8 <= n {
            for k in 0..2 {
                let v = F32x4::load(x.add(i + 4 * k));
                let m = beats_v::<MAX>(v, bv[k]);
                bv[k] = F32x4::select(m, v, bv[k]);
                bi[k] = F32x4::select(m, idx[k], bi[k]);
                idx[k] = idx[k].add(step);
            }
            i += 8;
        }
        for k in 0..2 {
            let (vs, is) = (lanes(bv[k]), lanes(bi[k]));
            for l in 0..4 {
                let j = is[l] as usize;
                if beats::<MAX>(vs[l], best) || (vs[l] == best && j < at) {
                    best = vs[l];
                    at = j;
                }
            }
        }
    }
    while i < n {
        let v = *x.add(i);
        if beats::<MAX>(v, best) {
            best = v;
            at = i;
        }
        i += 1;
    }
    at
}

/// argMax/argMin down columns [j0, j1) of one (n, inner) slab, vectorised across
/// columns; same rule as `arg_contig` (first extreme, NaNs never chosen).
unsafe fn arg_columns<const MAX: bool>(x: *const f32, out: *mut i32, n: usize, inner: usize, j0: usize, j1: usize) {
    let mut j = j0;
    if n <= MAX_VECTOR_ARG_N {
        while j + 4 <= j1 {
            let (mut bv, mut bi) = (F32x4::splat(worst::<MAX>()), F32x4::zero());
            for k in 0..n {
                let v = F32x4::load(x.add(k * inner + j));
                let m = beats_v::<MAX>(v, bv);
                bv = F32x4::select(m, v, bv);
                bi = F32x4::select(m, F32x4::splat(k as f32), bi);
            }
            for (l, k) in lanes(bi).iter().enumerate() {
                *out.add(j + l) = *k as i32;
            }
            j += 4;
        }
    }
    while j < j1 {
        let (mut best, mut at) = (worst::<MAX>(), 0);
        for k in 0..n {
            let v = *x.add(k * inner + j);
            if beats::<MAX>(v, best) {
                best = v;
                at = k;
            }
        }
        *out.add(j) = at as i32;
        j += 1;
    }
}

unsafe fn arg_reduce_dir<const MAX: bool>(x: *const f32, out: *mut i32, outer: usize, n: usize, inner: usize) {
    let (xs, os) = (SendPtr(x as *mut f32), SendPtr(out));
    if inner == 1 {
        let min_rows = (MIN_ELEMS_PER_THREAD / n.max(1)).max(1);
        parallel_for(outer, min_rows, &|s, e| {
            for o in s..e {
                *os.get().add(o) = arg_contig::<MAX>(xs.get().add(o * n), n) as i32;
            }
        });
        return;
    }
    let blocks = inner.div_ceil(COL_BLOCK);
    let min_items = (MIN_ELEMS_PER_THREAD / (n * COL_BLOCK).max(1)).max(1);
    parallel_for(outer * blocks, min_items, &|s, e| {
        for item in s..e {
            let (o, b) = (item / blocks, item % blocks);
            let (j0, j1) = (b * COL_BLOCK, ((b + 1) * COL_BLOCK).min(inner));
            arg_columns::<MAX>(xs.get().add(o * n * inner), os.get().add(o * inner), n, inner, j0, j1);
        }
    });
}

/// Index of the first maximum (op MAX) or minimum (op MIN) along the middle dim.
/// x is (outer, n, inner), out is (outer, inner) int32. NaNs are never chosen; when
/// nothing beats -Infinity (+Infinity for MIN), the index is 0.
pub unsafe fn arg_reduce(op: u32, x: *const f32, out: *mut i32, outer: usize, n: usize, inner: usize) {
    if outer == 0 || inner == 0 {
        return;
    }
    match op {
        MAX => arg_reduce_dir::<true>(x, out, outer, n, inner),
        MIN => arg_reduce_dir::<false>(x, out, outer, n, inner),
        _ => panic!("arg_reduce: unknown op"),
    }
}

/// The naive reference of `arg_reduce`: one scalar scan per output.
pub unsafe fn arg_reduce_naive(op: u32, x: *const f32, out: *mut i32, outer: usize, n: usize, inner: usize) {
    for o in 0..outer {
        for j in 0..inner {
            let (mut best, mut at) = (if op == MAX { f32::NEG_INFINITY } else { f32::INFINITY }, 0);
            for k in 0..n {
                let v = *x.add((o * n + k) * inner + j);
                if (op == MAX && v > best) || (op == MIN && v < best) {
                    best = v;
                    at = k;
                }
            }
            *out.add(o * inner + j) = at as i32;
        }
    }
}

/// Columns per work item of the max/min backward.
const ARG_COL_BLOCK: usize = 64;

/// Backward of max/min over the middle dim: dx is zero except that dy[o, j] goes to
/// the first k where x[o, k, j] == y[o, j] (one position even when several tie; none
/// when y is NaN). x, dx are (outer, n, inner); y, dy are (outer, inner). Writes dx.
pub unsafe fn arg_backward(
    x: *const f32,
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    let p = |q: *const f32| SendPtr(q as *mut f32);
    let (xs, ys, dys, dxs) = (p(x), p(y), p(dy), SendPtr(dx));
    let blocks = inner.div_ceil(ARG_COL_BLOCK);
    let min_items = (MIN_ELEMS_PER_THREAD / (n * ARG_COL_BLOCK.min(inner)).max(1)).max(1);
    parallel_for(outer * blocks, min_items, &|s, e| {
        for item in s..e {
            let (o, b) = (item / blocks, item % blocks);
            let (j0, j1) = (b * ARG_COL_BLOCK, ((b + 1) * ARG_COL_BLOCK).min(inner));
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
        }
    });
}

/// Reduction over the middle dim of x (outer, n, inner) into y (outer, inner): op SUM
/// (times `scale`), MAX or MIN.
#[no_mangle]
pub unsafe extern "C" fn fe_reduce(
    op: u32,
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    scale: f32,
) {
    reduce_forward(op, x, y, outer, n, inner, scale);
}

/// The naive reference of `fe_reduce`: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_reduce_naive(
    op: u32,
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    scale: f32,
) {
    reduce_naive(op, x, y, outer, n, inner, scale);
}

/// argMax (op MAX) / argMin (op MIN) over the middle dim; out is int32 (outer, inner).
#[no_mangle]
pub unsafe extern "C" fn fe_arg_reduce(op: u32, x: *const f32, out: *mut i32, outer: usize, n: usize, inner: usize) {
    arg_reduce(op, x, out, outer, n, inner);
}

/// The naive reference of `fe_arg_reduce`: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_arg_reduce_naive(
    op: u32,
    x: *const f32,
    out: *mut i32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    arg_reduce_naive(op, x, out, outer, n, inner);
}

/// Backward of max/min (see `arg_backward`).
#[no_mangle]
pub unsafe extern "C" fn fe_reduce_arg_backward(
    x: *const f32,
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    arg_backward(x, y, dy, dx, outer, n, inner);
}
