//! Losses with Keras semantics: a per-sample loss for each row of (rows, cols) (the
//! last axis is the one reduced) and the gradient with respect to the prediction, and
//! optionally the target, in one pass over a row.
//!
//! - Pointwise losses (mean squared/absolute error, Huber, binary cross-entropy) are a
//!   mean over the row of an elementwise term.
//! - Categorical cross-entropy from probabilities normalises the row to sum 1, clips to
//!   [eps, 1 - eps] (Keras, eps = 1e-7), and sums -t ln q. The sparse form takes class
//!   indices and is exactly the categorical loss of the one-hot row.
//! - From logits (the fused softmax + cross-entropy the models use), a row's loss is
//!   Σ t (lse - x) with lse = log Σ e^x, and the gradient (softmax Σt - t) dloss,
//!   recomputed in the backward from the logits in one sweep (the row stays in cache),
//!   so no (rows, cols) softmax has to be kept between forward and backward.
//!
//! Backward kernels write (never accumulate) their outputs; a null `dt` pointer skips
//! the target's gradient. NaN inputs give NaN losses: checking every batch would cost a
//! pass, and the training loop watches the loss instead. Work is split over rows.

use crate::activation::{
    exp_nonpos_v, ln_unit_v, load_partial, log1p_unit_v, sigmoid_fast_v, store_partial, sum_partial,
};
use crate::math::ln;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, LANES};
use crate::softmax::{row_max, row_sum, row_sum_exp};

/// Elements per parallel work item below which splitting is not worth it.
const GRAIN: usize = 1 << 13;

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// Runs `body(r)` for every row, rows split over threads.
#[inline(always)]
fn for_rows(rows: usize, cols: usize, body: impl Fn(usize) + Sync) {
    parallel_for(rows, (GRAIN / cols.max(1)).max(1), &|r0, r1| {
        for r in r0..r1 {
            body(r);
        }
    });
}

/// Σ_j f(a_j, b_j) over one row of n; `fill_b` pads b's last partial vector (its lanes
/// are not summed, it only keeps f away from odd arguments).
#[inline(always)]
unsafe fn row_sum2(a: *const f32, b: *const f32, n: usize, fill_b: f32, f: &impl Fn(F32x4, F32x4) -> F32x4) -> f32 {
    let mut acc = F32x4::zero();
    let mut i = 0;
    while i + LANES <= n {
        acc = acc.add(f(F32x4::load(a.add(i)), F32x4::load(b.add(i))));
        i += LANES;
    }
    let mut s = acc.sum();
    if i < n {
        s += sum_partial(
            f(
                load_partial(a.add(i), n - i, 0.0),
                load_partial(b.add(i), n - i, fill_b),
            ),
            n - i,
        );
    }
    s
}

/// out_j = f(a_j, b_j) over one row of n.
#[inline(always)]
unsafe fn row_map2(
    a: *const f32,
    b: *const f32,
    out: *mut f32,
    n: usize,
    fill_b: f32,
    f: &impl Fn(F32x4, F32x4) -> F32x4,
) {
    let mut i = 0;
    while i + LANES <= n {
        f(F32x4::load(a.add(i)), F32x4::load(b.add(i))).store(out.add(i));
        i += LANES;
    }
    if i < n {
        store_partial(
            f(
                load_partial(a.add(i), n - i, 0.0),
                load_partial(b.add(i), n - i, fill_b),
            ),
            out.add(i),
            n - i,
        );
    }
}

// ---------------------------------------------------------------------------------
// Pointwise losses: loss[r] = mean_j f(t[r, j], p[r, j]).
// t (target) is (rows, cols), p (prediction) is (rows, cols), loss is (rows).
// ---------------------------------------------------------------------------------

unsafe fn pointwise_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    fill_p: f32,
    f: impl Fn(F32x4, F32x4) -> F32x4 + Sync,
) {
    let (ts, ps, ls) = (SendPtr(t as *mut f32), SendPtr(p as *mut f32), SendPtr(loss));
    for_rows(rows, cols, |r| {
        let s = row_sum2(ts.get().add(r * cols), ps.get().add(r * cols), cols, fill_p, &f);
        *ls.get().add(r) = s / cols as f32;
    });
}

/// dp = dloss[r] / cols * ∂f/∂p, and, when dt is not null, dt = dloss[r] / cols * ∂f/∂t.
/// `g(t, p, scale)` returns both, already multiplied by `scale`.
unsafe fn pointwise_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    fill_p: f32,
    g: impl Fn(F32x4, F32x4, F32x4) -> (F32x4, F32x4) + Sync,
) {
    let (ts, ps, dls, dps, dts) = (
        SendPtr(t as *mut f32),
        SendPtr(p as *mut f32),
        SendPtr(dloss as *mut f32),
        SendPtr(dp),
        SendPtr(dt),
    );
    let want_dt = !dt.is_null();
    for_rows(rows, cols, |r| {
        let scale = splat(*dls.get().add(r) / cols as f32);
        let off = r * cols;
        let (t, p) = (ts.get().add(off), ps.get().add(off));
        row_map2(t, p, dps.get().add(off), cols, fill_p, &|tv, pv| g(tv, pv, scale).0);
        if want_dt {
            row_map2(t, p, dts.get().add(off), cols, fill_p, &|tv, pv| g(tv, pv, scale).1);
        }
    });
}

#[inline(always)]
fn sign_v(d: F32x4) -> F32x4 {
    // 0 at 0, as TF's Sign (and so MAE's gradient at a perfect prediction).
    F32x4::select(
        d.gt(F32x4::zero()),
        splat(1.0),
        F32x4::select(d.lt(F32x4::zero()), splat(-1.0), F32x4::zero()),
    )
}

/// Keeps `v` where eps <= p <= 1 - eps (clipping passes no gradient outside, as TF's clip).
#[inline(always)]
fn where_unclipped(p: F32x4, eps: f32, v: F32x4) -> F32x4 {
    let below = p.lt(splat(eps));
    let above = p.gt(splat(1.0 - eps));
    F32x4::select(below, F32x4::zero(), F32x4::select(above, F32x4::zero(), v))
}

#[inline(always)]
fn clip(p: F32x4, eps: f32) -> F32x4 {
    p.max(splat(eps)).min(splat(1.0 - eps))
}

#[no_mangle]
pub unsafe extern "C" fn fe_mse_forward(t: *const f32, p: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    pointwise_forward(t, p, loss, rows, cols, 0.0, |t, p| {
        let d = p.sub(t);
        d.mul(d)
    })
}
#[no_mangle]
pub unsafe extern "C" fn fe_mse_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    pointwise_backward(t, p, dloss, dp, dt, rows, cols, 0.0, |t, p, s| {
        let g = p.sub(t).mul(s.add(s));
        (g, g.neg())
    })
}

#[no_mangle]
pub unsafe extern "C" fn fe_mae_forward(t: *const f32, p: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    pointwise_forward(t, p, loss, rows, cols, 0.0, |t, p| p.sub(t).abs())
}
#[no_mangle]
pub unsafe extern "C" fn fe_mae_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    pointwise_backward(t, p, dloss, dp, dt, rows, cols, 0.0, |t, p, s| {
        let g = sign_v(p.sub(t)).mul(s);
        (g, g.neg())
    })
}

/// Huber: ½ d² for |d| <= delta, delta (|d| - ½ delta) beyond, d = p - t.
#[no_mangle]
pub unsafe extern "C" fn fe_huber_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    delta: f32,
) {
    pointwise_forward(t, p, loss, rows, cols, 0.0, |t, p| {
        let d = p.sub(t);
        let ad = d.abs();
        let quad = splat(0.5).mul(d).mul(d);
        let lin = splat(delta).mul(ad).sub(splat(0.5 * delta * delta));
        F32x4::select(ad.gt(splat(delta)), lin, quad)
    })
}
/// ∂/∂p = clamp(d, -delta, delta).
#[no_mangle]
pub unsafe extern "C" fn fe_huber_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    delta: f32,
) {
    pointwise_backward(t, p, dloss, dp, dt, rows, cols, 0.0, |t, p, s| {
        let g = p.sub(t).max(splat(-delta)).min(splat(delta)).mul(s);
        (g, g.neg())
    })
}

/// Binary cross-entropy of probabilities: -(t ln q + (1 - t) ln(1 - q)), q = clip(p, eps, 1 - eps).
#[no_mangle]
pub unsafe extern "C" fn fe_bce_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    pointwise_forward(t, p, loss, rows, cols, 0.5, |t, p| {
        let q = clip(p, eps);
        let l1 = ln_unit_v(q);
        let l0 = ln_unit_v(splat(1.0).sub(q));
        t.mul(l1).add(splat(1.0).sub(t).mul(l0)).neg()
    })
}
/// ∂/∂p = (q - t) / (q (1 - q)) inside the clip range, 0 outside; ∂/∂t = ln(1 - q) - ln q.
#[no_mangle]
pub unsafe extern "C" fn fe_bce_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    pointwise_backward(t, p, dloss, dp, dt, rows, cols, 0.5, |t, p, s| {
        let q = clip(p, eps);
        let gp = where_unclipped(p, eps, q.sub(t).div(q.mul(splat(1.0).sub(q))).mul(s));
        let gt = ln_unit_v(splat(1.0).sub(q)).sub(ln_unit_v(q)).mul(s);
        (gp, gt)
    })
}

/// Binary cross-entropy from logits x: max(x, 0) - x t + ln(1 + e^-|x|), stable for any x.
#[no_mangle]
pub unsafe extern "C" fn fe_bce_logits_forward(t: *const f32, x: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    pointwise_forward(t, x, loss, rows, cols, 0.0, |t, x| {
        x.max(F32x4::zero())
            .sub(x.mul(t))
            .add(log1p_unit_v(exp_nonpos_v(x.abs().neg())))
    })
}
/// ∂/∂x = sigmoid(x) - t; ∂/∂t = -x.
#[no_mangle]
pub unsafe extern "C" fn fe_bce_logits_backward(
    t: *const f32,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    pointwise_backward(t, x, dloss, dx, dt, rows, cols, 0.0, |t, x, s| {
        (sigmoid_fast_v(x).sub(t).mul(s), x.neg().mul(s))
    })
}

// ---------------------------------------------------------------------------------
// Categorical cross-entropy of probabilities: loss[r] = -Σ_j t_j ln clip(p_j / Σp, eps, 1 - eps).
// t is (rows, cols), p is (rows, cols), loss is (rows).
// ---------------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn fe_cce_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    let (ts, ps, ls) = (SendPtr(t as *mut f32), SendPtr(p as *mut f32), SendPtr(loss));
    for_rows(rows, cols, |r| {
        let (t, p) = (ts.get().add(r * cols), ps.get().add(r * cols));
        let s = splat(row_sum(p, cols));
        let acc = row_sum2(t, p, cols, 0.5, &|tv, pv| tv.mul(ln_unit_v(clip(pv.div(s), eps))));
        *ls.get().add(r) = -acc;
    });
}

/// With q = p / s (s = Σp) and g_j = -t_j / q_j where q_j is inside the clip range (else 0):
/// ∂/∂p_k = (g_k - Σ_j g_j q_j) / s, and Σ_j g_j q_j = -Σ_{j unclipped} t_j.
/// ∂/∂t_j = -ln clip(q_j).
#[no_mangle]
pub unsafe extern "C" fn fe_cce_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    let (ts, ps, dls, dps, dts) = (
        SendPtr(t as *mut f32),
        SendPtr(p as *mut f32),
        SendPtr(dloss as *mut f32),
        SendPtr(dp),
        SendPtr(dt),
    );
    let want_dt = !dt.is_null();
    for_rows(rows, cols, |r| {
        let off = r * cols;
        let (t, p) = (ts.get().add(off), ps.get().add(off));
        let dl = *dls.get().add(r);
        let sum = row_sum(p, cols);
        let s = splat(sum);
        let dot = -row_sum2(t, p, cols, 0.5, &|tv, pv| where_unclipped(pv.div(s), eps, tv));
        let (dot, scale) = (splat(dot), splat(dl / sum));
        row_map2(t, p, dps.get().add(off), cols, 0.5, &|tv, pv| {
            let q = pv.div(s);
            let g = where_unclipped(q, eps, tv.neg().div(q));
            g.sub(dot).mul(scale)
        });
        if want_dt {
            let dlv = splat(dl);
            row_map2(t, p, dts.get().add(off), cols, 0.5, &|_, pv| {
                ln_unit_v(clip(pv.div(s), eps)).neg().mul(dlv)
            });
        }
    });
}

// ---------------------------------------------------------------------------------
// Class-index labels: int32, or float32 holding integers. labels is (rows).
// ---------------------------------------------------------------------------------

/// The class of row `i`, or None when it is not an integer in [0, classes).
#[inline(always)]
unsafe fn label_at(labels: *const i32, i: usize, labels_f32: bool, classes: usize) -> Option<usize> {
    let k = if labels_f32 {
        let v = *(labels as *const f32).add(i);
        let k = v as i32; // saturating; NaN gives 0, caught by the round trip below
        if k as f32 != v {
            return None;
        }
        k
    } else {
        *labels.add(i)
    };
    if k >= 0 && (k as usize) < classes {
        Some(k as usize)
    } else {
        None
    }
}

/// Index of the first invalid label, or -1. Sequential, before any parallel work, so
/// that the answer does not depend on the thread count.
unsafe fn first_bad_label(labels: *const i32, rows: usize, labels_f32: bool, classes: usize) -> i32 {
    for i in 0..rows {
        if label_at(labels, i, labels_f32, classes).is_none() {
            return i as i32;
        }
    }
    -1
}

/// Sparse categorical cross-entropy of probabilities: -ln clip(p_k / Σp). p is (rows,
/// cols), loss is (rows). Returns -1, or the index of the first bad label (nothing written).
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_cce_forward(
    labels: *const i32,
    labels_f32: u32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) -> i32 {
    let bad = first_bad_label(labels, rows, labels_f32 != 0, cols);
    if bad >= 0 {
        return bad;
    }
    let (lab, ps, ls) = (SendPtr(labels as *mut i32), SendPtr(p as *mut f32), SendPtr(loss));
    for_rows(rows, cols, |r| {
        let p = ps.get().add(r * cols);
        let k = label_at(lab.get(), r, labels_f32 != 0, cols).unwrap_or(0);
        let q = *p.add(k) / row_sum(p, cols);
        *ls.get().add(r) = -ln(q.max(eps).min(1.0 - eps));
    });
    -1
}

/// L = -ln(p_k / s): ∂L/∂p_m = 1/s for m != k and 1/s - 1/p_k for m = k, all times
/// dloss, and all 0 when q_k = p_k / s is clipped.
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_cce_backward(
    labels: *const i32,
    labels_f32: u32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) -> i32 {
    let bad = first_bad_label(labels, rows, labels_f32 != 0, cols);
    if bad >= 0 {
        return bad;
    }
    let (lab, ps, dls, dps) = (
        SendPtr(labels as *mut i32),
        SendPtr(p as *mut f32),
        SendPtr(dloss as *mut f32),
        SendPtr(dp),
    );
    for_rows(rows, cols, |r| {
        let (p, dp) = (ps.get().add(r * cols), dps.get().add(r * cols));
        let k = label_at(lab.get(), r, labels_f32 != 0, cols).unwrap_or(0);
        let s = row_sum(p, cols);
        let q = *p.add(k) / s;
        let unclipped = q >= eps && q <= 1.0 - eps;
        let each = if unclipped { *dls.get().add(r) / s } else { 0.0 };
        fill(dp, cols, each);
        if unclipped {
            *dp.add(k) = each * (1.0 - 1.0 / q);
        }
    });
    -1
}

#[inline(always)]
unsafe fn fill(p: *mut f32, n: usize, v: f32) {
    let vv = splat(v);
    let mut i = 0;
    while i + LANES <= n {
        vv.store(p.add(i));
        i += LANES;
    }
    for j in i..n {
        *p.add(j) = v;
    }
}

// ---------------------------------------------------------------------------------
// Softmax cross-entropy from logits (fused). x (logits) is (rows, cols), loss is (rows).
// ---------------------------------------------------------------------------------

/// loss = Σ t (lse - x) = Σ t (m - x) + Σt ln s, with m the row max and s = Σ e^(x - m):
/// every term is computed without the cancellation of lse·Σt - Σ t x for large logits.
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_ce_forward(t: *const f32, x: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    let (ts, xs, ls) = (SendPtr(t as *mut f32), SendPtr(x as *mut f32), SendPtr(loss));
    for_rows(rows, cols, |r| {
        let (t, x) = (ts.get().add(r * cols), xs.get().add(r * cols));
        let m = row_max(x, cols);
        let s = row_sum_exp(x, cols, m, None);
        let mv = splat(m);
        let tdist = row_sum2(t, x, cols, 0.0, &|tv, xv| tv.mul(mv.sub(xv)));
        *ls.get().add(r) = tdist + row_sum(t, cols) * ln(s);
    });
}

/// dx = (softmax(x) Σt - t) dloss (= softmax - t for labels summing to 1);
/// dt = (lse - x) dloss when dt is not null.
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_ce_backward(
    t: *const f32,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    let (ts, xs, dls, dxs, dts) = (
        SendPtr(t as *mut f32),
        SendPtr(x as *mut f32),
        SendPtr(dloss as *mut f32),
        SendPtr(dx),
        SendPtr(dt),
    );
    let want_dt = !dt.is_null();
    for_rows(rows, cols, |r| {
        let off = r * cols;
        let (t, x, dx) = (ts.get().add(off), xs.get().add(off), dxs.get().add(off));
        let dl = *dls.get().add(r);
        let m = row_max(x, cols);
        // e^(x - m) goes to dx, then is scaled in place: one read of x from memory.
        let s = row_sum_exp(x, cols, m, Some(dx));
        let (ev_scale, dlv) = (splat(row_sum(t, cols) * dl / s), splat(dl));
        row_map2(t, dx, dx, cols, 0.0, &|tv, ev| ev.mul(ev_scale).sub(tv.mul(dlv)));
        if want_dt {
            let (mv, lns) = (splat(m), splat(ln(s)));
            row_map2(t, x, dts.get().add(off), cols, 0.0, &|_, xv| {
                mv.sub(xv).add(lns).mul(dlv)
            });
        }
    });
}

/// loss = lse - x_k = (m - x_k) + ln s. labels is (rows). Returns -1 or the first bad label's index.
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_softmax_ce_forward(
    labels: *const i32,
    labels_f32: u32,
    x: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
) -> i32 {
    let bad = first_bad_label(labels, rows, labels_f32 != 0, cols);
    if bad >= 0 {
        return bad;
    }
    let (lab, xs, ls) = (SendPtr(labels as *mut i32), SendPtr(x as *mut f32), SendPtr(loss));
    for_rows(rows, cols, |r| {
        let x = xs.get().add(r * cols);
        let k = label_at(lab.get(), r, labels_f32 != 0, cols).unwrap_or(0);
        let m = row_max(x, cols);
        let s = row_sum_exp(x, cols, m, None);
        *ls.get().add(r) = (m - *x.add(k)) + ln(s);
    });
    -1
}

/// dx = (softmax(x) - onehot(k)) dloss, in one sweep over the row after its max.
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_softmax_ce_backward(
    labels: *const i32,
    labels_f32: u32,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    rows: usize,
    cols: usize,
) -> i32 {
    let bad = first_bad_label(labels, rows, labels_f32 != 0, cols);
    if bad >= 0 {
        return bad;
    }
    let (lab, xs, dls, dxs) = (
        SendPtr(labels as *mut i32),
        SendPtr(x as *mut f32),
        SendPtr(dloss as *mut f32),
        SendPtr(dx),
    );
    for_rows(rows, cols, |r| {
        let (x, dx) = (xs.get().add(r * cols), dxs.get().add(r * cols));
        let k = label_at(lab.get(), r, labels_f32 != 0, cols).unwrap_or(0);
        let dl = *dls.get().add(r);
        let m = row_max(x, cols);
        let s = row_sum_exp(x, cols, m, Some(dx));
        let scale = splat(dl / s);
        let mut i = 0;
        while i + LANES <= cols {
            F32x4::load(dx.add(i)).mul(scale).store(dx.add(i));
            i += LANES;
        }
        if i < cols {
            store_partial(load_partial(dx.add(i), cols - i, 0.0).mul(scale), dx.add(i), cols - i);
        }
        *dx.add(k) -= dl;
    });
    -1
}
