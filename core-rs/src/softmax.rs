//! Softmax and log-softmax along one axis, forward and backward.
//!
//! A tensor is seen as (outer, n, inner) with the softmax taken over n. The last axis
//! (inner = 1) is the case that matters (classifier heads, attention): each row is
//! reduced with 4-lane vectors (`rows.rs`). Another axis (inner > 1) vectorises across
//! inner instead, 4 independent columns at a time. Both are numerically stable: the row
//! maximum is subtracted before exponentiating, so no finite input overflows.
//!
//! Work is split over rows (or over (outer, 4-column block) pairs), never inside a
//! reduction, so results do not depend on the thread count. Backward kernels read the
//! forward output y and write dx (they do not accumulate). `softmax_naive` is the
//! test oracle.

use crate::axis::Axis;
use crate::math::{exp, exp_nonpos, ln};
use crate::parallel::SendPtr;
use crate::rows;
use crate::simd::{F32x4, Lanes, LANES};

/// Elements per thread below which a softmax is not split: each element costs an
/// exponential, several times an elementwise op's work. The break-even table
/// (`bench/threads.ts`) measured 2 threads paying from 2^12 elements: the split starts at
/// 2^13, one doubling above.
const GRAIN: usize = 1 << 12;

#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Softmax,
    LogSoftmax,
}

// ---------------------------------------------------------------------------------
// Rows (inner = 1): x, y, dy, dx point at one row of n floats.
// ---------------------------------------------------------------------------------

unsafe fn forward_row(kind: Kind, x: *const f32, y: *mut f32, n: usize) {
    let m = rows::max(x, n);
    match kind {
        Kind::Softmax => {
            let inv = F32x4::splat(1.0 / rows::sum_exp(x, n, m, Some(y)));
            rows::map(y, y, n, |e| e.mul(inv));
        }
        Kind::LogSoftmax => {
            let (mv, lse) = (F32x4::splat(m), F32x4::splat(ln(rows::sum_exp(x, n, m, None))));
            rows::map(x, y, n, |v| v.sub(mv).sub(lse));
        }
    }
}

/// Softmax: dx = y (dy - Σ dy y). Log-softmax: dx = dy - e^y Σ dy (e^y is the softmax).
unsafe fn backward_row(kind: Kind, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    match kind {
        Kind::Softmax => {
            let dot = F32x4::splat(rows::dot(dy, y, n));
            rows::map2(y, dy, dx, n, 0.0, |yv, g| yv.mul(g.sub(dot)));
        }
        Kind::LogSoftmax => {
            let sdy = F32x4::splat(rows::sum(dy, n));
            rows::map2(y, dy, dx, n, 0.0, |yv, g| g.sub(exp_nonpos(yv).mul(sdy)));
        }
    }
}

// ---------------------------------------------------------------------------------
// Columns (inner > 1): p points at element (o, 0, j) and the n elements of a column
// are `inner` apart; `w` (1..=4) columns are processed side by side.
// ---------------------------------------------------------------------------------

#[inline(always)]
unsafe fn forward_cols(kind: Kind, x: *const f32, y: *mut f32, n: usize, inner: usize, w: usize) {
    let at = |p: *const f32, k: usize, fill: f32| F32x4::load_n(p.add(k * inner), w, fill);
    let mut m = F32x4::splat(f32::NEG_INFINITY);
    for k in 0..n {
        m = m.max(at(x, k, f32::NEG_INFINITY));
    }
    let mut s = F32x4::zero();
    for k in 0..n {
        let e = exp_nonpos(at(x, k, 0.0).sub(m));
        if kind == Kind::Softmax {
            e.store_n(y.add(k * inner), w);
        }
        s = s.add(e);
    }
    if kind == Kind::LogSoftmax {
        let lse = ln(s);
        for k in 0..n {
            at(x, k, 0.0).sub(m).sub(lse).store_n(y.add(k * inner), w);
        }
    } else {
        let inv = F32x4::splat(1.0).div(s);
        for k in 0..n {
            at(y, k, 0.0).mul(inv).store_n(y.add(k * inner), w);
        }
    }
}

#[inline(always)]
unsafe fn backward_cols(kind: Kind, y: *const f32, dy: *const f32, dx: *mut f32, n: usize, inner: usize, w: usize) {
    let at = |p: *const f32, k: usize| F32x4::load_n(p.add(k * inner), w, 0.0);
    let mut acc = F32x4::zero();
    for k in 0..n {
        acc = match kind {
            Kind::Softmax => acc.mul_add(at(dy, k), at(y, k)),
            Kind::LogSoftmax => acc.add(at(dy, k)),
        };
    }
    for k in 0..n {
        let (yv, g) = (at(y, k), at(dy, k));
        let r = match kind {
            Kind::Softmax => yv.mul(g.sub(acc)),
            Kind::LogSoftmax => g.sub(exp_nonpos(yv).mul(acc)),
        };
        r.store_n(dx.add(k * inner), w);
    }
}

// ---------------------------------------------------------------------------------
// Kernels: split rows, or (outer, column block) pairs, over threads.
// ---------------------------------------------------------------------------------

/// y = softmax or log-softmax of x over n. x is (outer, n, inner), y is (outer, n, inner).
pub unsafe fn softmax_forward(kind: Kind, x: *const f32, y: *mut f32, ax: Axis) {
    let (n, inner) = (ax.n, ax.inner);
    let (xs, ys) = (SendPtr::of(x), SendPtr(y));
    if inner == 1 {
        ax.for_each_row(GRAIN, |r| {
            forward_row(kind, xs.get().add(r * n), ys.get().add(r * n), n)
        });
    } else {
        ax.for_each_column_block(LANES, GRAIN, |o, j0, j1| {
            let off = o * n * inner + j0;
            let (x, y) = (xs.get().add(off), ys.get().add(off));
            // Whole blocks get plain vector loads and stores; only a ragged last one pads.
            match j1 - j0 {
                LANES => forward_cols(kind, x, y, n, inner, LANES),
                w => forward_cols(kind, x, y, n, inner, w),
            }
        });
    }
}

/// dx from the forward output y and dy. y, dy, dx are (outer, n, inner).
pub unsafe fn softmax_backward(kind: Kind, y: *const f32, dy: *const f32, dx: *mut f32, ax: Axis) {
    let (n, inner) = (ax.n, ax.inner);
    let (ys, dys, dxs) = (SendPtr::of(y), SendPtr::of(dy), SendPtr(dx));
    if inner == 1 {
        ax.for_each_row(GRAIN, |r| {
            let off = r * n;
            backward_row(kind, ys.get().add(off), dys.get().add(off), dxs.get().add(off), n)
        });
    } else {
        ax.for_each_column_block(LANES, GRAIN, |o, j0, j1| {
            let off = o * n * inner + j0;
            let (y, dy, dx) = (ys.get().add(off), dys.get().add(off), dxs.get().add(off));
            match j1 - j0 {
                LANES => backward_cols(kind, y, dy, dx, n, inner, LANES),
                w => backward_cols(kind, y, dy, dx, n, inner, w),
            }
        });
    }
}

/// The naive reference: three scalar passes per softmax. x is (outer, n, inner), y is
/// (outer, n, inner).
pub unsafe fn softmax_naive(kind: Kind, x: *const f32, y: *mut f32, ax: Axis) {
    let n = ax.n;
    for o in 0..ax.outer {
        for j in 0..ax.inner {
            let at = |k: usize| (o * n + k) * ax.inner + j;
            let m = (0..n).fold(
                f32::NEG_INFINITY,
                |m, k| if *x.add(at(k)) > m { *x.add(at(k)) } else { m },
            );
            let s = (0..n).fold(0.0f32, |s, k| s + exp(*x.add(at(k)) - m));
            for k in 0..n {
                let v = *x.add(at(k)) - m;
                *y.add(at(k)) = match kind {
                    Kind::Softmax => exp(v) / s,
                    Kind::LogSoftmax => v - ln(s),
                };
            }
        }
    }
}
