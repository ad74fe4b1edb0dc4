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
//!
//! The losses' references are in TypeScript (`test/kernels/softmax-losses.test.ts`).

use crate::axis::Axis;
use crate::math::{exp_nonpos, ln, log1p_unit, sigmoid, sign};
use crate::parallel::SendPtr;
use crate::rows;
use crate::simd::{fill, F32x4, Lanes};

/// Elements per thread below which rows are not split (logarithms and exponentials per
/// element, as for softmax). The break-even table (`bench/threads.ts`) measured softmax
/// cross-entropy paying on 2 threads from 2^10 elements; the pointwise losses do less per
/// element, so the split starts at 2^13, a margin above.
const GRAIN: usize = 1 << 12;

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// The shape of a loss call: `rows` samples of `cols` values; t (target) and p
/// (prediction, probabilities or logits) are (rows, cols), the loss and dloss (rows).
#[derive(Clone, Copy)]
pub struct Batch {
    pub rows: usize,
    pub cols: usize,
}

impl Batch {
    /// Runs `body(r, offset of row r)` for every row, rows split over threads.
    #[inline(always)]
    fn for_each_row(self, body: impl Fn(usize, usize) + Sync) {
        let ax = Axis {
            outer: self.rows,
            n: self.cols,
            inner: 1,
        };
        ax.for_each_row(GRAIN, |r| body(r, r * self.cols));
    }

    /// loss[r] = f(row r of t, row r of p) for every row.
    #[inline(always)]
    unsafe fn losses(
        self,
        t: *const f32,
        p: *const f32,
        loss: *mut f32,
        f: impl Fn(*const f32, *const f32) -> f32 + Sync,
    ) {
        let (t, p, loss) = (SendPtr::of(t), SendPtr::of(p), SendPtr(loss));
        self.for_each_row(|r, off| *loss.get().add(r) = f(t.get().add(off), p.get().add(off)));
    }
}

/// A backward's gradients: dloss (rows) in; dp (rows, cols) out, and dt (rows, cols) out
/// unless it is null (the target's gradient is rarely wanted).
#[derive(Clone, Copy)]
pub struct Grads {
    pub dloss: *const f32,
    pub dp: *mut f32,
    pub dt: *mut f32,
}

/// One row of a backward: the rows of t and p, the row's dloss, and the rows of dp and dt
/// (dt null when not wanted).
#[derive(Clone, Copy)]
struct GradRow {
    t: *const f32,
    p: *const f32,
    dloss: f32,
    dp: *mut f32,
    dt: *mut f32,
}

impl Grads {
    /// Runs `body` on every row of t and p (rows, cols), rows split over threads.
    #[inline(always)]
    unsafe fn for_each_row(self, t: *const f32, p: *const f32, b: Batch, body: impl Fn(GradRow) + Sync) {
        let (t, p, dloss) = (SendPtr::of(t), SendPtr::of(p), SendPtr::of(self.dloss));
        let (dp, dt) = (SendPtr(self.dp), SendPtr(self.dt));
        b.for_each_row(|r, off| {
            body(GradRow {
                t: t.get().add(off),
                p: p.get().add(off),
                dloss: *dloss.get().add(r),
                dp: dp.get().add(off),
                dt: if dt.get().is_null() {
                    dt.get()
                } else {
                    dt.get().add(off)
                },
            })
        });
    }
}

// ---------------------------------------------------------------------------------
// Pointwise losses: loss[r] = mean_j f(t[r, j], p[r, j]).
// ---------------------------------------------------------------------------------

/// `fill_p` pads the ragged end of a row of p (its lanes are never kept).
unsafe fn pointwise_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    b: Batch,
    fill_p: f32,
    f: impl Fn(F32x4, F32x4) -> F32x4 + Sync,
) {
    b.losses(t, p, loss, |t, p| rows::sum2(t, p, b.cols, fill_p, &f) / b.cols as f32);
}

/// dp = dloss[r] / cols * ∂f/∂p, and dt = dloss[r] / cols * ∂f/∂t unless dt is null.
/// `grad(t, p, scale)` returns both, already multiplied by `scale`.
unsafe fn pointwise_backward(
    t: *const f32,
    p: *const f32,
    g: Grads,
    b: Batch,
    fill_p: f32,
    grad: impl Fn(F32x4, F32x4, F32x4) -> (F32x4, F32x4) + Sync,
) {
    g.for_each_row(t, p, b, |row| {
        let scale = splat(row.dloss / b.cols as f32);
        rows::map2(row.t, row.p, row.dp, b.cols, fill_p, |tv, pv| grad(tv, pv, scale).0);
        if !row.dt.is_null() {
            rows::map2(row.t, row.p, row.dt, b.cols, fill_p, |tv, pv| grad(tv, pv, scale).1);
        }
    });
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

/// Mean squared error: (p - t)².
pub unsafe fn mse_forward(t: *const f32, p: *const f32, loss: *mut f32, b: Batch) {
    pointwise_forward(t, p, loss, b, 0.0, |t, p| {
        let d = p.sub(t);
        d.mul(d)
    })
}
pub unsafe fn mse_backward(t: *const f32, p: *const f32, g: Grads, b: Batch) {
    pointwise_backward(t, p, g, b, 0.0, |t, p, s| {
        let g = p.sub(t).mul(s.add(s));
        (g, g.neg())
    })
}

/// Mean absolute error: |p - t|, whose gradient is 0 at a perfect prediction (TF's Sign).
pub unsafe fn mae_forward(t: *const f32, p: *const f32, loss: *mut f32, b: Batch) {
    pointwise_forward(t, p, loss, b, 0.0, |t, p| p.sub(t).abs())
}
pub unsafe fn mae_backward(t: *const f32, p: *const f32, g: Grads, b: Batch) {
    pointwise_backward(t, p, g, b, 0.0, |t, p, s| {
        let g = sign(p.sub(t)).mul(s);
        (g, g.neg())
    })
}

/// Huber: ½ d² for |d| <= delta, delta (|d| - ½ delta) beyond, d = p - t.
pub unsafe fn huber_forward(t: *const f32, p: *const f32, loss: *mut f32, b: Batch, delta: f32) {
    pointwise_forward(t, p, loss, b, 0.0, |t, p| {
        let d = p.sub(t);
        let ad = d.abs();
        let quad = splat(0.5).mul(d).mul(d);
        let lin = splat(delta).mul(ad).sub(splat(0.5 * delta * delta));
        F32x4::select(ad.gt(splat(delta)), lin, quad)
    })
}
/// ∂/∂p = clamp(d, -delta, delta).
pub unsafe fn huber_backward(t: *const f32, p: *const f32, g: Grads, b: Batch, delta: f32) {
    pointwise_backward(t, p, g, b, 0.0, |t, p, s| {
        let g = p.sub(t).max(splat(-delta)).min(splat(delta)).mul(s);
        (g, g.neg())
    })
}

/// Binary cross-entropy of probabilities: -(t ln q + (1 - t) ln(1 - q)), q = clip(p, eps, 1 - eps).
pub unsafe fn bce_forward(t: *const f32, p: *const f32, loss: *mut f32, b: Batch, eps: f32) {
    pointwise_forward(t, p, loss, b, 0.5, |t, p| {
        let q = clip(p, eps);
        let (l1, l0) = (ln(q), ln(splat(1.0).sub(q)));
        t.mul(l1).add(splat(1.0).sub(t).mul(l0)).neg()
    })
}
/// ∂/∂p = (q - t) / (q (1 - q)) inside the clip range, 0 outside; ∂/∂t = ln(1 - q) - ln q.
pub unsafe fn bce_backward(t: *const f32, p: *const f32, g: Grads, b: Batch, eps: f32) {
    pointwise_backward(t, p, g, b, 0.5, |t, p, s| {
        let q = clip(p, eps);
        let gp = where_unclipped(p, eps, q.sub(t).div(q.mul(splat(1.0).sub(q))).mul(s));
        let gt = ln(splat(1.0).sub(q)).sub(ln(q)).mul(s);
        (gp, gt)
    })
}

/// Binary cross-entropy from logits x: max(x, 0) - x t + ln(1 + e^-|x|), stable for any x.
pub unsafe fn bce_logits_forward(t: *const f32, x: *const f32, loss: *mut f32, b: Batch) {
    pointwise_forward(t, x, loss, b, 0.0, |t, x| {
        x.max(F32x4::zero())
            .sub(x.mul(t))
            .add(log1p_unit(exp_nonpos(x.abs().neg())))
    })
}
/// ∂/∂x = sigmoid(x) - t; ∂/∂t = -x.
pub unsafe fn bce_logits_backward(t: *const f32, x: *const f32, g: Grads, b: Batch) {
    pointwise_backward(t, x, g, b, 0.0, |t, x, s| (sigmoid(x).sub(t).mul(s), x.neg().mul(s)))
}

// ---------------------------------------------------------------------------------
// Categorical cross-entropy of probabilities: loss[r] = -Σ_j t_j ln clip(p_j / Σp, eps, 1 - eps).
// ---------------------------------------------------------------------------------

pub unsafe fn cce_forward(t: *const f32, p: *const f32, loss: *mut f32, b: Batch, eps: f32) {
    b.losses(t, p, loss, |t, p| {
        let s = splat(rows::sum(p, b.cols));
        -rows::sum2(t, p, b.cols, 0.5, |tv, pv| tv.mul(ln(clip(pv.div(s), eps))))
    });
}

/// With q = p / s (s = Σp) and g_j = -t_j / q_j where q_j is inside the clip range (else 0):
/// ∂/∂p_k = (g_k - Σ_j g_j q_j) / s, and Σ_j g_j q_j = -Σ_{j unclipped} t_j.
/// ∂/∂t_j = -ln clip(q_j).
pub unsafe fn cce_backward(t: *const f32, p: *const f32, g: Grads, b: Batch, eps: f32) {
    g.for_each_row(t, p, b, |row| {
        let sum = rows::sum(row.p, b.cols);
        let s = splat(sum);
        let dot = -rows::sum2(row.t, row.p, b.cols, 0.5, |tv, pv| where_unclipped(pv.div(s), eps, tv));
        let (dot, scale) = (splat(dot), splat(row.dloss / sum));
        rows::map2(row.t, row.p, row.dp, b.cols, 0.5, |tv, pv| {
            let q = pv.div(s);
            let g = where_unclipped(q, eps, tv.neg().div(q));
            g.sub(dot).mul(scale)
        });
        if !row.dt.is_null() {
            let dl = splat(row.dloss);
            rows::map2(row.t, row.p, row.dt, b.cols, 0.5, |_, pv| {
                ln(clip(pv.div(s), eps)).neg().mul(dl)
            });
        }
    });
}

// ---------------------------------------------------------------------------------
// Class-index labels
// ---------------------------------------------------------------------------------

/// Class indices, one per row: int32, or float32 holding integers.
#[derive(Clone, Copy)]
pub struct Labels {
    ptr: SendPtr<i32>,
    is_f32: bool,
}

impl Labels {
    /// labels is (rows) int32, or float32 when `is_f32`.
    pub fn new(labels: *const i32, is_f32: bool) -> Labels {
        Labels {
            ptr: SendPtr::of(labels),
            is_f32,
        }
    }

    /// The class of row `i`, or None when it is not an integer in [0, classes).
    #[inline(always)]
    unsafe fn at(self, i: usize, classes: usize) -> Option<usize> {
        let k = if self.is_f32 {
            let v = *(self.ptr.get() as *const f32).add(i);
            let k = v as i32; // saturating; NaN gives 0, caught by the round trip below
            if k as f32 != v {
                return None;
            }
            k
        } else {
            *self.ptr.get().add(i)
        };
        if k >= 0 && (k as usize) < classes {
            Some(k as usize)
        } else {
            None
        }
    }

    /// Checks every label first, sequentially (so that the answer does not depend on the
    /// thread count): returns the index of the first one that is not a class, and runs
    /// nothing. Otherwise runs `body(r, offset of row r, class of row r)` for every row,
    /// split over threads, and returns -1.
    unsafe fn for_each_row(self, b: Batch, body: impl Fn(usize, usize, usize) + Sync) -> i32 {
        if let Some(bad) = (0..b.rows).find(|&i| self.at(i, b.cols).is_none()) {
            return bad as i32;
        }
        b.for_each_row(|r, off| body(r, off, self.at(r, b.cols).unwrap_or(0)));
        -1
    }
}

/// Sparse categorical cross-entropy of probabilities: -ln clip(p_k / Σp). p is (rows,
/// cols), loss is (rows). Returns -1, or the index of the first bad label (nothing written).
pub unsafe fn sparse_cce_forward(labels: Labels, p: *const f32, loss: *mut f32, b: Batch, eps: f32) -> i32 {
    let (p, loss) = (SendPtr::of(p), SendPtr(loss));
    labels.for_each_row(b, |r, off, k| {
        let p = p.get().add(off);
        let q = *p.add(k) / rows::sum(p, b.cols);
        *loss.get().add(r) = -ln(q.max(eps).min(1.0 - eps));
    })
}

/// L = -ln(p_k / s): ∂L/∂p_m = 1/s for m != k and 1/s - 1/p_k for m = k, all times
/// dloss, and all 0 when q_k = p_k / s is clipped. dp is (rows, cols).
pub unsafe fn sparse_cce_backward(
    labels: Labels,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    b: Batch,
    eps: f32,
) -> i32 {
    let (p, dloss, dp) = (SendPtr::of(p), SendPtr::of(dloss), SendPtr(dp));
    labels.for_each_row(b, |r, off, k| {
        let (p, dp) = (p.get().add(off), dp.get().add(off));
        let s = rows::sum(p, b.cols);
        let q = *p.add(k) / s;
        let unclipped = q >= eps && q <= 1.0 - eps;
        let each = if unclipped { *dloss.get().add(r) / s } else { 0.0 };
        fill(dp, b.cols, each);
        if unclipped {
            *dp.add(k) = each * (1.0 - 1.0 / q);
        }
    })
}

// ---------------------------------------------------------------------------------
// Softmax cross-entropy from logits (fused). x (logits) is (rows, cols), loss is (rows).
// ---------------------------------------------------------------------------------

/// loss = Σ t (lse - x) = Σ t (m - x) + Σt ln s, with m the row max and s = Σ e^(x - m):
/// every term is computed without the cancellation of lse·Σt - Σ t x for large logits.
pub unsafe fn softmax_ce_forward(t: *const f32, x: *const f32, loss: *mut f32, b: Batch) {
    b.losses(t, x, loss, |t, x| {
        let m = rows::max(x, b.cols);
        let s = rows::sum_exp(x, b.cols, m, None);
        let mv = splat(m);
        let tdist = rows::sum2(t, x, b.cols, 0.0, |tv, xv| tv.mul(mv.sub(xv)));
        tdist + rows::sum(t, b.cols) * ln(s)
    });
}

/// dx = (softmax(x) Σt - t) dloss (= softmax - t for labels summing to 1);
/// dt = (lse - x) dloss when dt is not null. (dp of `g` is dx.)
pub unsafe fn softmax_ce_backward(t: *const f32, x: *const f32, g: Grads, b: Batch) {
    g.for_each_row(t, x, b, |row| {
        let (t, x, dx) = (row.t, row.p, row.dp);
        let m = rows::max(x, b.cols);
        // e^(x - m) goes to dx, then is scaled in place: one read of x from memory.
        let s = rows::sum_exp(x, b.cols, m, Some(dx));
        let (ev_scale, dl) = (splat(rows::sum(t, b.cols) * row.dloss / s), splat(row.dloss));
        rows::map2(t, dx, dx, b.cols, 0.0, |tv, ev| ev.mul(ev_scale).sub(tv.mul(dl)));
        if !row.dt.is_null() {
            let (mv, lns) = (splat(m), splat(ln(s)));
            rows::map2(t, x, row.dt, b.cols, 0.0, |_, xv| mv.sub(xv).add(lns).mul(dl));
        }
    });
}

/// loss = lse - x_k = (m - x_k) + ln s. Returns -1 or the first bad label's index.
pub unsafe fn sparse_softmax_ce_forward(labels: Labels, x: *const f32, loss: *mut f32, b: Batch) -> i32 {
    let (x, loss) = (SendPtr::of(x), SendPtr(loss));
    labels.for_each_row(b, |r, off, k| {
        let x = x.get().add(off);
        let m = rows::max(x, b.cols);
        let s = rows::sum_exp(x, b.cols, m, None);
        *loss.get().add(r) = (m - *x.add(k)) + ln(s);
    })
}

/// dx = (softmax(x) - onehot(k)) dloss, in one sweep over the row after its max. dx is
/// (rows, cols). Returns -1 or the first bad label's index.
pub unsafe fn sparse_softmax_ce_backward(
    labels: Labels,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    b: Batch,
) -> i32 {
    let (x, dloss, dx) = (SendPtr::of(x), SendPtr::of(dloss), SendPtr(dx));
    labels.for_each_row(b, |r, off, k| {
        let (x, dx) = (x.get().add(off), dx.get().add(off));
        let dl = *dloss.get().add(r);
        let m = rows::max(x, b.cols);
        let scale = splat(dl / rows::sum_exp(x, b.cols, m, Some(dx)));
        rows::map(dx, dx, b.cols, |e| e.mul(scale));
        *dx.add(k) -= dl;
    })
}
