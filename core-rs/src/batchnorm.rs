//! Batch normalization over the last (channel) axis, forward and backward, fused.
//!
//! x is viewed as (rows, c): rows = N*H*W for images, N for (N, C) inputs. With
//! xhat = (x - mean) / sqrt(var + eps):
//!   y = gamma * xhat + beta
//! Training normalizes with the batch statistics (mean and biased variance over the rows,
//! `batchnorm_stats`); inference with given (moving) statistics. Gamma and beta may be
//! absent (null: 1 and 0), as in Keras with `scale=False` / `center=False`.
//!
//! Backward, from the two per-channel sums s1 = sum(dy) and s2 = sum(dy * (x - mean)):
//!   dbeta = s1, dgamma = s2 / sigma, with sigma = sqrt(var + eps) and scale = gamma / sigma;
//!   training:  dx = scale * (dy - s1 / M - (x - mean) * s2 / (M * sigma^2))
//!              (the statistics depend on x: the usual three-term formula);
//!   inference: dx = scale * dy, dmean = -scale * s1, dvar = -scale * s2 / (2 sigma^2).
//!
//! Every per-channel sum is cut into row slices fixed by the shape and added in slice
//! order (`slices.rs`), so results are the same bits for any thread count. The
//! statistics take two passes (mean, then the squared deviations from it): one pass of
//! sum and sum of squares loses the variance to cancellation when |mean| >> std.
//!
//! `batchnorm_stats_naive` is the direct per-channel loop in f64 (test oracle); the
//! normalization and its backward are checked against TS references and finite differences.

use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{for_each_vector, F32x4, Lanes};
use crate::slices::{column_sums, reduce_slices, Slices};

/// Rows per slice of a statistics reduction, at least, and the most slices.
const SLICE_ROWS: usize = 256;
const MAX_SLICES: usize = 32;
const MAX_PARTIAL_FLOATS: usize = 1 << 22;
/// Floats per work item of the elementwise passes.
const BLOCK_FLOATS: usize = 1 << 14;

/// The per-channel parameters of a normalization, each (c): mean, var, and gamma (null
/// for 1); eps is added to var.
#[derive(Clone, Copy)]
pub struct Norm {
    pub mean: *const f32,
    pub var: *const f32,
    pub gamma: *const f32,
    pub eps: f32,
}

/// The backward's outputs, each written, each skipped when null: dx (rows, c); dgamma,
/// dbeta, and for inference only dmean, dvar (c).
#[derive(Clone, Copy)]
pub struct Grads {
    pub dx: *mut f32,
    pub dgamma: *mut f32,
    pub dbeta: *mut f32,
    pub dmean: *mut f32,
    pub dvar: *mut f32,
}

/// Runs `body(r0, r1)` over blocks of rows of a (rows, c) array, split over threads.
unsafe fn for_row_blocks(rows: usize, c: usize, body: &(dyn Fn(usize, usize) + Sync)) {
    let block = (BLOCK_FLOATS / c.max(1)).max(1);
    parallel_for(rows.div_ceil(block), 2, &|b0, b1| {
        body(b0 * block, (b1 * block).min(rows))
    });
}

/// The `w` per-channel values at p + k, or `fill` when p is null.
#[inline(always)]
pub unsafe fn load_or(p: *const f32, k: usize, w: usize, fill: f32) -> F32x4 {
    if p.is_null() {
        F32x4::splat(fill)
    } else {
        F32x4::load_n(p.add(k), w, 0.0)
    }
}

#[inline(always)]
unsafe fn get_or(p: *const f32, k: usize, fill: f32) -> f32 {
    if p.is_null() {
        fill
    } else {
        *p.add(k)
    }
}

/// Batch statistics: mean and biased variance of each column. x is (rows, c); mean, var (c).
/// Zero rows give mean 0 and variance 0.
pub unsafe fn batchnorm_stats(x: *const f32, mean: *mut f32, var: *mut f32, rows: usize, c: usize) {
    let (xs, mu) = (SendPtr::of(x), SendPtr(mean));
    let slices = Slices::new(rows, c, SLICE_ROWS, MAX_SLICES, MAX_PARTIAL_FLOATS);
    let m = rows.max(1) as f32;
    reduce_slices(slices, c, mean, &|r0, r1, out| {
        let x = xs.get();
        column_sums(r0, r1, c, out, move |r, k, w| [F32x4::load_n(x.add(r * c + k), w, 0.0)])
    });
    for k in 0..c {
        *mean.add(k) /= m;
    }
    reduce_slices(slices, c, var, &|r0, r1, out| {
        let (x, mu) = (xs.get(), mu.get());
        column_sums(r0, r1, c, out, move |r, k, w| {
            let d = F32x4::load_n(x.add(r * c + k), w, 0.0).sub(F32x4::load_n(mu.add(k), w, 0.0));
            [d.mul(d)]
        })
    });
    for k in 0..c {
        *var.add(k) /= m;
    }
}

/// y = (x - mean) * (gamma / sqrt(var + eps)) + beta. x, y are (rows, c); beta is (c) or
/// null (0).
pub unsafe fn batchnorm_forward(x: *const f32, y: *mut f32, rows: usize, c: usize, norm: Norm, beta: *const f32) {
    let scale = Scratch::new(c);
    for k in 0..c {
        *scale.ptr().add(k) = get_or(norm.gamma, k, 1.0) / (*norm.var.add(k) + norm.eps).sqrt();
    }
    let (xs, ys) = (SendPtr::of(x), SendPtr(y));
    let (mean_s, scale_s, beta_s) = (SendPtr::of(norm.mean), SendPtr(scale.ptr()), SendPtr::of(beta));
    for_row_blocks(rows, c, &|r0, r1| {
        let (x, y, mean, scale, beta) = (xs.get(), ys.get(), mean_s.get(), scale_s.get(), beta_s.get());
        for r in r0..r1 {
            let (x, y) = (x.add(r * c), y.add(r * c));
            for_each_vector(0, c, |k, w| {
                let ld = |p: *const f32| F32x4::load_n(p.add(k), w, 0.0);
                let v = load_or(beta, k, w, 0.0).mul_add(ld(x).sub(ld(mean)), ld(scale));
                v.store_n(y.add(k), w);
            });
        }
    });
}

/// Backward of `batchnorm_forward` (see the module comment for the formulas) from x and
/// dy (rows, c). `training` selects the formula: statistics from the batch or given.
pub unsafe fn batchnorm_backward(
    training: bool,
    x: *const f32,
    dy: *const f32,
    rows: usize,
    c: usize,
    norm: Norm,
    g: Grads,
) {
    // sums = [s1 (c), s2 (c)]
    let sums = Scratch::new(2 * c);
    let (xs, mu_s, dys) = (SendPtr::of(x), SendPtr::of(norm.mean), SendPtr::of(dy));
    let slices = Slices::new(rows, 2 * c, SLICE_ROWS, MAX_SLICES, MAX_PARTIAL_FLOATS);
    reduce_slices(slices, 2 * c, sums.ptr(), &|r0, r1, out| {
        let (x, mu, dy) = (xs.get(), mu_s.get(), dys.get());
        column_sums(r0, r1, c, out, move |r, k, w| {
            let ld = |p: *const f32| F32x4::load_n(p.add(k), w, 0.0);
            let gv = ld(dy.add(r * c));
            [gv, gv.mul(ld(x.add(r * c)).sub(ld(mu)))]
        })
    });
    let (s1, s2) = (sums.ptr(), sums.ptr().add(c));
    // Per channel: scale = gamma / sigma; dx = scale * dy - a - (x - mean) * b.
    let coef = Scratch::new(3 * c);
    let (scale, a, b) = (coef.ptr(), coef.ptr().add(c), coef.ptr().add(2 * c));
    let m = rows.max(1) as f32;
    for k in 0..c {
        let inv_var = 1.0 / (*norm.var.add(k) + norm.eps);
        let inv_sigma = 1.0 / (*norm.var.add(k) + norm.eps).sqrt();
        let sc = get_or(norm.gamma, k, 1.0) * inv_sigma;
        *scale.add(k) = sc;
        if training {
            *a.add(k) = sc * (*s1.add(k) / m);
            *b.add(k) = sc * (*s2.add(k) * inv_var / m);
        } else {
            *a.add(k) = 0.0;
            *b.add(k) = 0.0;
            if !g.dmean.is_null() {
                *g.dmean.add(k) = -sc * *s1.add(k);
            }
            if !g.dvar.is_null() {
                *g.dvar.add(k) = -0.5 * sc * *s2.add(k) * inv_var;
            }
        }
        if !g.dgamma.is_null() {
            *g.dgamma.add(k) = *s2.add(k) * inv_sigma;
        }
        if !g.dbeta.is_null() {
            *g.dbeta.add(k) = *s1.add(k);
        }
    }
    if g.dx.is_null() {
        return;
    }
    let (dxs, coef_s) = (SendPtr(g.dx), SendPtr(coef.ptr()));
    for_row_blocks(rows, c, &|r0, r1| {
        let (x, mu, dy, dx, coef) = (xs.get(), mu_s.get(), dys.get(), dxs.get(), coef_s.get());
        let (scale, a, b) = (coef, coef.add(c), coef.add(2 * c));
        for r in r0..r1 {
            let o = r * c;
            for_each_vector(0, c, |k, w| {
                let ld = |p: *const f32| F32x4::load_n(p.add(k), w, 0.0);
                let centered = ld(x.add(o)).sub(ld(mu));
                let v = ld(dy.add(o)).mul(ld(scale)).sub(ld(a)).sub(centered.mul(ld(b)));
                v.store_n(dx.add(o + k), w);
            });
        }
    });
}

/// The naive reference of `batchnorm_stats`: one channel at a time, summed in f64.
pub unsafe fn batchnorm_stats_naive(x: *const f32, mean: *mut f32, var: *mut f32, rows: usize, c: usize) {
    let m = rows.max(1) as f64;
    for k in 0..c {
        let column = || (0..rows).map(|r| *x.add(r * c + k) as f64);
        let mu = column().sum::<f64>() / m;
        let v = column().map(|v| (v - mu) * (v - mu)).sum::<f64>() / m;
        *mean.add(k) = mu as f32;
        *var.add(k) = v as f32;
    }
}
