//! Layer normalization over the last n features of each row, forward and backward, fused.
//!
//! x is viewed as (rows, n) (a Transformer's (batch x steps, d_model)). Per row, with
//! mean and rstd = 1 / sqrt(var + eps) (biased variance, two passes: one pass of sum and
//! sum of squares loses the variance to cancellation when |mean| >> std):
//!   xhat = (x - mean) rstd,  y = gamma xhat + beta
//! gamma and beta are (n) or null (1 and 0: Keras's `scale=False` / `center=False`).
//! The forward keeps mean and rstd (rows) for the backward, which with g = gamma dy is
//!   dx = rstd (g - mean_j(g) - xhat mean_j(g xhat)),
//!   dgamma = Σ_rows dy xhat,  dbeta = Σ_rows dy.
//!
//! Rows are independent and split over threads whole; the column sums of dgamma and dbeta
//! are cut into row slices fixed by the shape and added in slice order (`slices.rs`). So
//! results are the same bits on any thread count. `layer_norm_naive` is the f64 oracle.

use crate::axis::Axis;
use crate::batchnorm::load_or;
use crate::heap::Scratch;
use crate::math::f64_ref;
use crate::parallel::SendPtr;
use crate::rows;
use crate::simd::{sum_vectors, F32x4, Lanes};
use crate::slices::{column_sums, reduce_slices, Slices};

/// Elements per thread below which rows are not split (2^14: the break-even table does not
/// time layer normalization; this is the grain it had beside the softmax's).
const GRAIN: usize = 1 << 14;
/// Rows per slice of the dgamma / dbeta sums, at least, and the most slices.
const SLICE_ROWS: usize = 256;
const MAX_SLICES: usize = 32;
const MAX_PARTIAL_FLOATS: usize = 1 << 22;

/// gamma and beta (n), each null for none; eps is added to the variance.
#[derive(Clone, Copy)]
pub struct Affine {
    pub gamma: *const f32,
    pub beta: *const f32,
    pub eps: f32,
}

/// y (rows, n) = layer norm of x (rows, n); mean and rstd (rows) are written for the backward.
pub unsafe fn layer_norm_forward(
    x: *const f32,
    y: *mut f32,
    mean: *mut f32,
    rstd: *mut f32,
    rows: usize,
    n: usize,
    p: Affine,
) {
    let (xs, ys, ms, rs) = (SendPtr::of(x), SendPtr(y), SendPtr(mean), SendPtr(rstd));
    let (gs, bs, eps) = (SendPtr::of(p.gamma), SendPtr::of(p.beta), p.eps);
    let ax = Axis {
        outer: rows,
        n,
        inner: 1,
    };
    ax.for_each_row(GRAIN, |r| {
        let (x, y) = (xs.get().add(r * n), ys.get().add(r * n));
        let mu = rows::sum(x, n) / n.max(1) as f32;
        let mv = F32x4::splat(mu);
        let var = sum_vectors(n, |i, w| {
            let d = F32x4::load_n(x.add(i), w, 0.0).sub(mv);
            d.mul(d)
        }) / n.max(1) as f32;
        let inv = 1.0 / (var + eps).sqrt();
        let iv = F32x4::splat(inv);
        crate::simd::for_each_vector(0, n, |k, w| {
            let xhat = F32x4::load_n(x.add(k), w, 0.0).sub(mv).mul(iv);
            xhat.mul(load_or(gs.get(), k, w, 1.0))
                .add(load_or(bs.get(), k, w, 0.0))
                .store_n(y.add(k), w);
        });
        *ms.get().add(r) = mu;
        *rs.get().add(r) = inv;
    });
}

/// dx (rows, n), dgamma and dbeta (n) from x and dy (rows, n) and the forward's mean and
/// rstd (rows). Each output is written, or skipped when null.
pub unsafe fn layer_norm_backward(
    x: *const f32,
    dy: *const f32,
    mean: *const f32,
    rstd: *const f32,
    gamma: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    rows: usize,
    n: usize,
) {
    let (xs, dys, ms, rs, gs) = (
        SendPtr::of(x),
        SendPtr::of(dy),
        SendPtr::of(mean),
        SendPtr::of(rstd),
        SendPtr::of(gamma),
    );
    if !dx.is_null() {
        let dxs = SendPtr(dx);
        let ax = Axis {
            outer: rows,
            n,
            inner: 1,
        };
        ax.for_each_row(GRAIN, |r| {
            let (x, dy, dx, gamma) = (
                xs.get().add(r * n),
                dys.get().add(r * n),
                dxs.get().add(r * n),
                gs.get(),
            );
            let (mv, iv) = (F32x4::splat(*ms.get().add(r)), F32x4::splat(*rs.get().add(r)));
            let term = |k: usize, w: usize| {
                let g = F32x4::load_n(dy.add(k), w, 0.0).mul(load_or(gamma, k, w, 1.0));
                let xhat = F32x4::load_n(x.add(k), w, 0.0).sub(mv).mul(iv);
                (g, xhat)
            };
            let inv_n = 1.0 / n.max(1) as f32;
            let mean_g = F32x4::splat(sum_vectors(n, |k, w| term(k, w).0) * inv_n);
            let mean_gx = F32x4::splat(
                sum_vectors(n, |k, w| {
                    let (g, xhat) = term(k, w);
                    g.mul(xhat)
                }) * inv_n,
            );
            crate::simd::for_each_vector(0, n, |k, w| {
                let (g, xhat) = term(k, w);
                iv.mul(g.sub(mean_g).sub(xhat.mul(mean_gx))).store_n(dx.add(k), w);
            });
        });
    }
    if dgamma.is_null() && dbeta.is_null() {
        return;
    }
    // sums = [Σ dy xhat (n), Σ dy (n)]
    let sums = Scratch::new(2 * n);
    let slices = Slices::new(rows, 2 * n, SLICE_ROWS, MAX_SLICES, MAX_PARTIAL_FLOATS);
    reduce_slices(slices, 2 * n, sums.ptr(), &|r0, r1, out| {
        let (x, dy, mean, rstd) = (xs.get(), dys.get(), ms.get(), rs.get());
        column_sums(r0, r1, n, out, move |r, k, w| {
            let g = F32x4::load_n(dy.add(r * n + k), w, 0.0);
            let xhat = F32x4::load_n(x.add(r * n + k), w, 0.0)
                .sub(F32x4::splat(*mean.add(r)))
                .mul(F32x4::splat(*rstd.add(r)));
            [g.mul(xhat), g]
        })
    });
    for k in 0..n {
        if !dgamma.is_null() {
            *dgamma.add(k) = *sums.ptr().add(k);
        }
        if !dbeta.is_null() {
            *dbeta.add(k) = *sums.ptr().add(n + k);
        }
    }
}

/// The naive reference of `layer_norm_forward`: each row's statistics summed in f64, one
/// element at a time. Same arguments.
pub unsafe fn layer_norm_naive(
    x: *const f32,
    y: *mut f32,
    mean: *mut f32,
    rstd: *mut f32,
    rows: usize,
    n: usize,
    p: Affine,
) {
    let at = |q: *const f32, k: usize, fill: f64| if q.is_null() { fill } else { *q.add(k) as f64 };
    for r in 0..rows {
        let row = |k: usize| *x.add(r * n + k) as f64;
        let m = (0..n).map(row).sum::<f64>() / n.max(1) as f64;
        let var = (0..n).map(|k| (row(k) - m) * (row(k) - m)).sum::<f64>() / n.max(1) as f64;
        let inv = 1.0 / f64_ref::sqrt(var + p.eps as f64);
        for k in 0..n {
            *y.add(r * n + k) = ((row(k) - m) * inv * at(p.gamma, k, 1.0) + at(p.beta, k, 0.0)) as f32;
        }
        *mean.add(r) = m as f32;
        *rstd.add(r) = inv as f32;
    }
}
