//! Softmax and log-softmax along one axis, forward and backward.
//!
//! A tensor is seen as (outer, n, inner) with the softmax taken over n. The last axis
//! (inner = 1) is the case that matters (classifier heads, attention): each row is
//! reduced with 4-lane vectors. Another axis (inner > 1) vectorises across inner
//! instead, 4 independent columns at a time. Both are numerically stable: the row
//! maximum is subtracted before exponentiating, so no finite input overflows.
//!
//! Work is split over rows (or over (outer, 4-column block) pairs), never inside a
//! reduction, so results do not depend on the thread count.

use crate::activation::exp_nonpos_v;
use crate::activation::{load_partial, store_partial, sum_partial};
use crate::math::{exp, ln};
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, LANES};

/// Elements per parallel work item below which splitting is not worth it.
const GRAIN: usize = 1 << 13;

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

// ---------------------------------------------------------------------------------
// Rows (inner = 1): x, y, dy, dx point at one row of n floats.
// ---------------------------------------------------------------------------------

/// max of a row; NaNs are skipped here (and then poison the row through x - max).
#[inline(always)]
pub unsafe fn row_max(x: *const f32, n: usize) -> f32 {
    let mut acc = splat(f32::NEG_INFINITY);
    let mut i = 0;
    while i + LANES <= n {
        acc = acc.max(F32x4::load(x.add(i)));
        i += LANES;
    }
    if i < n {
        acc = acc.max(load_partial(x.add(i), n - i, f32::NEG_INFINITY));
    }
    acc.hmax()
}

/// Σ e^(x - m) over a row; when `store` is given, e^(x - m) is also written there.
#[inline(always)]
pub unsafe fn row_sum_exp(x: *const f32, n: usize, m: f32, store: Option<*mut f32>) -> f32 {
    let mv = splat(m);
    let mut acc = F32x4::zero();
    let mut i = 0;
    while i + LANES <= n {
        let e = exp_nonpos_v(F32x4::load(x.add(i)).sub(mv));
        if let Some(y) = store {
            e.store(y.add(i));
        }
        acc = acc.add(e);
        i += LANES;
    }
    let mut s = acc.sum();
    if i < n {
        let r = n - i;
        let e = exp_nonpos_v(load_partial(x.add(i), r, 0.0).sub(mv));
        if let Some(y) = store {
            store_partial(e, y.add(i), r);
        }
        s += sum_partial(e, r);
    }
    s
}

/// y = v * y over a row, in place.
#[inline(always)]
unsafe fn row_scale(y: *mut f32, n: usize, v: f32) {
    let vv = splat(v);
    let mut i = 0;
    while i + LANES <= n {
        F32x4::load(y.add(i)).mul(vv).store(y.add(i));
        i += LANES;
    }
    if i < n {
        store_partial(load_partial(y.add(i), n - i, 0.0).mul(vv), y.add(i), n - i);
    }
}

/// Σ a * b over a row.
#[inline(always)]
pub unsafe fn row_dot(a: *const f32, b: *const f32, n: usize) -> f32 {
    let mut acc = F32x4::zero();
    let mut i = 0;
    while i + LANES <= n {
        acc = acc.mul_add(F32x4::load(a.add(i)), F32x4::load(b.add(i)));
        i += LANES;
    }
    let mut s = acc.sum();
    if i < n {
        s += sum_partial(
            load_partial(a.add(i), n - i, 0.0).mul(load_partial(b.add(i), n - i, 0.0)),
            n - i,
        );
    }
    s
}

/// Σ a over a row.
#[inline(always)]
pub unsafe fn row_sum(a: *const f32, n: usize) -> f32 {
    let mut acc = F32x4::zero();
    let mut i = 0;
    while i + LANES <= n {
        acc = acc.add(F32x4::load(a.add(i)));
        i += LANES;
    }
    let mut s = acc.sum();
    if i < n {
        s += sum_partial(load_partial(a.add(i), n - i, 0.0), n - i);
    }
    s
}

unsafe fn softmax_row(x: *const f32, y: *mut f32, n: usize) {
    let m = row_max(x, n);
    let s = row_sum_exp(x, n, m, Some(y));
    row_scale(y, n, 1.0 / s);
}

unsafe fn log_softmax_row(x: *const f32, y: *mut f32, n: usize) {
    let m = row_max(x, n);
    let lse = splat(ln(row_sum_exp(x, n, m, None)));
    let mv = splat(m);
    let f = |v: F32x4| v.sub(mv).sub(lse);
    let mut i = 0;
    while i + LANES <= n {
        f(F32x4::load(x.add(i))).store(y.add(i));
        i += LANES;
    }
    if i < n {
        store_partial(f(load_partial(x.add(i), n - i, 0.0)), y.add(i), n - i);
    }
}

/// dx = y (dy - Σ dy y).
unsafe fn softmax_backward_row(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    let dot = splat(row_dot(dy, y, n));
    let f = |yv: F32x4, g: F32x4| yv.mul(g.sub(dot));
    let mut i = 0;
    while i + LANES <= n {
        f(F32x4::load(y.add(i)), F32x4::load(dy.add(i))).store(dx.add(i));
        i += LANES;
    }
    if i < n {
        let r = n - i;
        store_partial(
            f(load_partial(y.add(i), r, 0.0), load_partial(dy.add(i), r, 0.0)),
            dx.add(i),
            r,
        );
    }
}

/// dx = dy - e^y Σ dy (y is the log-softmax output, so e^y is the softmax).
unsafe fn log_softmax_backward_row(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    let sdy = splat(row_sum(dy, n));
    let f = |yv: F32x4, g: F32x4| g.sub(exp_nonpos_v(yv).mul(sdy));
    let mut i = 0;
    while i + LANES <= n {
        f(F32x4::load(y.add(i)), F32x4::load(dy.add(i))).store(dx.add(i));
        i += LANES;
    }
    if i < n {
        let r = n - i;
        store_partial(
            f(load_partial(y.add(i), r, 0.0), load_partial(dy.add(i), r, 0.0)),
            dx.add(i),
            r,
        );
    }
}

// ---------------------------------------------------------------------------------
// Columns (inner > 1): p points at element (o, 0, j) and the n elements of a column
// are `inner` apart; `w` (1..=4) columns are processed side by side.
// ---------------------------------------------------------------------------------

#[inline(always)]
unsafe fn ld(p: *const f32, w: usize, fill: f32) -> F32x4 {
    if w == LANES {
        F32x4::load(p)
    } else {
        load_partial(p, w, fill)
    }
}
#[inline(always)]
unsafe fn st(v: F32x4, p: *mut f32, w: usize) {
    if w == LANES {
        v.store(p)
    } else {
        store_partial(v, p, w)
    }
}

unsafe fn softmax_cols(x: *const f32, y: *mut f32, n: usize, inner: usize, w: usize, log: bool) {
    let mut m = splat(f32::NEG_INFINITY);
    for k in 0..n {
        m = m.max(ld(x.add(k * inner), w, f32::NEG_INFINITY));
    }
    let mut s = F32x4::zero();
    for k in 0..n {
        let e = exp_nonpos_v(ld(x.add(k * inner), w, 0.0).sub(m));
        if !log {
            st(e, y.add(k * inner), w);
        }
        s = s.add(e);
    }
    if log {
        let mut sb = [0.0f32; LANES];
        s.store(sb.as_mut_ptr());
        let lse = F32x4::load([ln(sb[0]), ln(sb[1]), ln(sb[2]), ln(sb[3])].as_ptr());
        for k in 0..n {
            st(ld(x.add(k * inner), w, 0.0).sub(m).sub(lse), y.add(k * inner), w);
        }
    } else {
        let inv = splat(1.0).div(s);
        for k in 0..n {
            st(ld(y.add(k * inner), w, 0.0).mul(inv), y.add(k * inner), w);
        }
    }
}

unsafe fn softmax_backward_cols(
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    n: usize,
    inner: usize,
    w: usize,
    log: bool,
) {
    let mut acc = F32x4::zero();
    for k in 0..n {
        let g = ld(dy.add(k * inner), w, 0.0);
        acc = if log {
            acc.add(g)
        } else {
            acc.mul_add(g, ld(y.add(k * inner), w, 0.0))
        };
    }
    for k in 0..n {
        let (yv, g) = (ld(y.add(k * inner), w, 0.0), ld(dy.add(k * inner), w, 0.0));
        let r = if log {
            g.sub(exp_nonpos_v(yv).mul(acc))
        } else {
            yv.mul(g.sub(acc))
        };
        st(r, dx.add(k * inner), w);
    }
}

// ---------------------------------------------------------------------------------
// Drivers: split rows, or (outer, column block) pairs, over threads.
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Softmax,
    LogSoftmax,
}

unsafe fn forward(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize, kind: Kind) {
    let (xs, ys) = (SendPtr(x as *mut f32), SendPtr(y));
    if inner == 1 {
        parallel_for(outer, (GRAIN / n.max(1)).max(1), &|r0, r1| {
            for r in r0..r1 {
                let (x, y) = (xs.get().add(r * n), ys.get().add(r * n));
                match kind {
                    Kind::Softmax => softmax_row(x, y, n),
                    Kind::LogSoftmax => log_softmax_row(x, y, n),
                }
            }
        });
    } else {
        let blocks = inner.div_ceil(LANES);
        parallel_for(outer * blocks, (GRAIN / (n * LANES).max(1)).max(1), &|i0, i1| {
            for item in i0..i1 {
                let (o, j) = (item / blocks, (item % blocks) * LANES);
                let off = o * n * inner + j;
                softmax_cols(
                    xs.get().add(off),
                    ys.get().add(off),
                    n,
                    inner,
                    (inner - j).min(LANES),
                    kind == Kind::LogSoftmax,
                );
            }
        });
    }
}

unsafe fn backward(y: *const f32, dy: *const f32, dx: *mut f32, outer: usize, n: usize, inner: usize, kind: Kind) {
    let (ys, dys, dxs) = (SendPtr(y as *mut f32), SendPtr(dy as *mut f32), SendPtr(dx));
    if inner == 1 {
        parallel_for(outer, (GRAIN / n.max(1)).max(1), &|r0, r1| {
            for r in r0..r1 {
                let (y, dy, dx) = (ys.get().add(r * n), dys.get().add(r * n), dxs.get().add(r * n));
                match kind {
                    Kind::Softmax => softmax_backward_row(y, dy, dx, n),
                    Kind::LogSoftmax => log_softmax_backward_row(y, dy, dx, n),
                }
            }
        });
    } else {
        let blocks = inner.div_ceil(LANES);
        parallel_for(outer * blocks, (GRAIN / (n * LANES).max(1)).max(1), &|i0, i1| {
            for item in i0..i1 {
                let (o, j) = (item / blocks, (item % blocks) * LANES);
                let off = o * n * inner + j;
                let w = (inner - j).min(LANES);
                softmax_backward_cols(
                    ys.get().add(off),
                    dys.get().add(off),
                    dxs.get().add(off),
                    n,
                    inner,
                    w,
                    kind == Kind::LogSoftmax,
                );
            }
        });
    }
}

/// The naive reference: three scalar passes per softmax, libm exp and ln.
/// x is (outer, n, inner), y is (outer, n, inner).
pub unsafe fn softmax_forward_naive(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize, log: bool) {
    for o in 0..outer {
        for j in 0..inner {
            let at = |k: usize| o * n * inner + k * inner + j;
            let mut m = f32::NEG_INFINITY;
            for k in 0..n {
                if *x.add(at(k)) > m {
                    m = *x.add(at(k));
                }
            }
            let mut s = 0.0f32;
            for k in 0..n {
                s += exp(*x.add(at(k)) - m);
            }
            for k in 0..n {
                let v = *x.add(at(k)) - m;
                *y.add(at(k)) = if log { v - ln(s) } else { exp(v) / s };
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Exports. x, y, dy, dx are all (outer, n, inner); the softmax runs over n.
// Backward kernels read the forward output y and write dx (no accumulation).
// ---------------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn fe_softmax_forward(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize) {
    forward(x, y, outer, n, inner, Kind::Softmax)
}
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_backward(
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    backward(y, dy, dx, outer, n, inner, Kind::Softmax)
}
#[no_mangle]
pub unsafe extern "C" fn fe_log_softmax_forward(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize) {
    forward(x, y, outer, n, inner, Kind::LogSoftmax)
}
#[no_mangle]
pub unsafe extern "C" fn fe_log_softmax_backward(
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    backward(y, dy, dx, outer, n, inner, Kind::LogSoftmax)
}
/// Reference for tests: `log` = 0 softmax, 1 log-softmax.
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_forward_naive(
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    log: u32,
) {
    softmax_forward_naive(x, y, outer, n, inner, log != 0)
}
