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
//! order (`conv::slices`), so results are the same bits for any thread count. The
//! statistics take two passes (mean, then the squared deviations from it): one pass of
//! sum and sum of squares loses the variance to cancellation when |mean| >> std.
//!
//! `batchnorm_naive_*` are the direct per-channel loops (test oracle).

use crate::conv::slices::{reduce_slices, Slices};
use crate::heap::Scratch;
use crate::math::sqrt;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, LANES};

/// Rows per slice of a statistics reduction, at least, and the most slices.
const SLICE_ROWS: usize = 256;
const MAX_SLICES: usize = 32;
const MAX_PARTIAL_FLOATS: usize = 1 << 22;
/// Floats per work item of the elementwise passes.
const BLOCK_FLOATS: usize = 1 << 14;

/// out[k] = sum over rows [r0, r1) of term(r, k), for k < width, vectorised four columns at a
/// time (`term_v` must compute the same value as `term` lane-wise).
#[inline(always)]
unsafe fn sum_rows(
    r0: usize,
    r1: usize,
    width: usize,
    out: *mut f32,
    term_v: impl Fn(usize, usize) -> F32x4,
    term: impl Fn(usize, usize) -> f32,
) {
    for k in 0..width {
        *out.add(k) = 0.0;
    }
    for r in r0..r1 {
        let mut k = 0;
        while k + LANES <= width {
            F32x4::load(out.add(k)).add(term_v(r, k)).store(out.add(k));
            k += LANES;
        }
        while k < width {
            *out.add(k) += term(r, k);
            k += 1;
        }
    }
}

/// Runs `body(r0, r1)` over row blocks of a (rows, c) array, split over threads.
unsafe fn for_row_blocks(rows: usize, c: usize, body: &(dyn Fn(usize, usize) + Sync)) {
    let block = (BLOCK_FLOATS / c.max(1)).max(1);
    parallel_for(rows.div_ceil(block), 2, &|b0, b1| {
        body(b0 * block, (b1 * block).min(rows))
    });
}

/// Loads the four per-channel values at p + k, or `fill` when p is null.
#[inline(always)]
unsafe fn load_or(p: *const f32, k: usize, fill: f32) -> F32x4 {
    if p.is_null() {
        F32x4::splat(fill)
    } else {
        F32x4::load(p.add(k))
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
    let xs = SendPtr(x as *mut f32);
    let slices = Slices::new(rows, c, SLICE_ROWS, MAX_SLICES, MAX_PARTIAL_FLOATS);
    let m = rows.max(1) as f32;
    reduce_slices(slices, c, mean, &|r0, r1, out| {
        let x = xs.get();
        sum_rows(
            r0,
            r1,
            c,
            out,
            |r, k| F32x4::load(x.add(r * c + k)),
            |r, k| *x.add(r * c + k),
        );
    });
    for k in 0..c {
        *mean.add(k) /= m;
    }
    let mu = SendPtr(mean);
    reduce_slices(slices, c, var, &|r0, r1, out| {
        let (x, mu) = (xs.get(), mu.get());
        sum_rows(
            r0,
            r1,
            c,
            out,
            |r, k| {
                let d = F32x4::load(x.add(r * c + k)).sub(F32x4::load(mu.add(k)));
                d.mul(d)
            },
            |r, k| {
                let d = *x.add(r * c + k) - *mu.add(k);
                d * d
            },
        );
    });
    for k in 0..c {
        *var.add(k) /= m;
    }
}

/// y = (x - mean) * (gamma / sqrt(var + eps)) + beta. x, y are (rows, c); mean, var, gamma,
/// beta are (c); gamma and beta may be null (1 and 0).
pub unsafe fn batchnorm_forward(
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    beta: *const f32,
    eps: f32,
    y: *mut f32,
    rows: usize,
    c: usize,
) {
    let scale = Scratch::new(c);
    for k in 0..c {
        *scale.ptr().add(k) = get_or(gamma, k, 1.0) / sqrt(*var.add(k) + eps);
    }
    let (x, mean, beta, y, scale_p) = (
        SendPtr(x as *mut f32),
        SendPtr(mean as *mut f32),
        SendPtr(beta as *mut f32),
        SendPtr(y),
        SendPtr(scale.ptr()),
    );
    for_row_blocks(rows, c, &|r0, r1| {
        let (x, mean, beta, y, scale) = (x.get(), mean.get(), beta.get(), y.get(), scale_p.get());
        for r in r0..r1 {
            let o = r * c;
            let mut k = 0;
            while k + LANES <= c {
                let v = F32x4::load(x.add(o + k))
                    .sub(F32x4::load(mean.add(k)))
                    .mul(F32x4::load(scale.add(k)))
                    .add(load_or(beta, k, 0.0));
                v.store(y.add(o + k));
                k += LANES;
            }
            while k < c {
                *y.add(o + k) = (*x.add(o + k) - *mean.add(k)) * *scale.add(k) + get_or(beta, k, 0.0);
                k += 1;
            }
        }
    });
}

/// Backward of `batchnorm_forward` (see the module comment for the formulas). Inputs: x,
/// dy (rows, c); mean, var, gamma (c, gamma may be null). Outputs, each written, each
/// skipped when null: dx (rows, c); dgamma, dbeta, and for inference only dmean, dvar (c).
/// `training` selects the formula: statistics from the batch (1) or given (0).
pub unsafe fn batchnorm_backward(
    training: bool,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    eps: f32,
    dy: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    dmean: *mut f32,
    dvar: *mut f32,
    rows: usize,
    c: usize,
) {
    // sums = [s1 (c), s2 (c)]
    let sums = Scratch::new(2 * c);
    let (xs, mu, dys) = (
        SendPtr(x as *mut f32),
        SendPtr(mean as *mut f32),
        SendPtr(dy as *mut f32),
    );
    let slices = Slices::new(rows, 2 * c, SLICE_ROWS, MAX_SLICES, MAX_PARTIAL_FLOATS);
    reduce_slices(slices, 2 * c, sums.ptr(), &|r0, r1, out| {
        let (x, mu, dy) = (xs.get(), mu.get(), dys.get());
        let (o1, o2) = (out, out.add(c));
        for k in 0..2 * c {
            *out.add(k) = 0.0;
        }
        for r in r0..r1 {
            let o = r * c;
            let mut k = 0;
            while k + LANES <= c {
                let g = F32x4::load(dy.add(o + k));
                let centered = F32x4::load(x.add(o + k)).sub(F32x4::load(mu.add(k)));
                F32x4::load(o1.add(k)).add(g).store(o1.add(k));
                F32x4::load(o2.add(k)).add(g.mul(centered)).store(o2.add(k));
                k += LANES;
            }
            while k < c {
                let g = *dy.add(o + k);
                *o1.add(k) += g;
                *o2.add(k) += g * (*x.add(o + k) - *mu.add(k));
                k += 1;
            }
        }
    });
    let (s1, s2) = (sums.ptr(), sums.ptr().add(c));
    // Per channel: scale = gamma / sigma; dx = scale * dy - a - (x - mean) * b.
    let coef = Scratch::new(3 * c);
    let (scale, a, b) = (coef.ptr(), coef.ptr().add(c), coef.ptr().add(2 * c));
    let m = rows.max(1) as f32;
    for k in 0..c {
        let inv_var = 1.0 / (*var.add(k) + eps);
        let inv_sigma = 1.0 / sqrt(*var.add(k) + eps);
        let sc = get_or(gamma, k, 1.0) * inv_sigma;
        *scale.add(k) = sc;
        if training {
            *a.add(k) = sc * (*s1.add(k) / m);
            *b.add(k) = sc * (*s2.add(k) * inv_var / m);
        } else {
            *a.add(k) = 0.0;
            *b.add(k) = 0.0;
            if !dmean.is_null() {
                *dmean.add(k) = -sc * *s1.add(k);
            }
            if !dvar.is_null() {
                *dvar.add(k) = -0.5 * sc * *s2.add(k) * inv_var;
            }
        }
        if !dgamma.is_null() {
            *dgamma.add(k) = *s2.add(k) * inv_sigma;
        }
        if !dbeta.is_null() {
            *dbeta.add(k) = *s1.add(k);
        }
    }
    if dx.is_null() {
        return;
    }
    let (dxs, sc, ap, bp) = (SendPtr(dx), SendPtr(scale), SendPtr(a), SendPtr(b));
    for_row_blocks(rows, c, &|r0, r1| {
        let (x, mu, dy, dx, scale, a, b) = (xs.get(), mu.get(), dys.get(), dxs.get(), sc.get(), ap.get(), bp.get());
        for r in r0..r1 {
            let o = r * c;
            let mut k = 0;
            while k + LANES <= c {
                let centered = F32x4::load(x.add(o + k)).sub(F32x4::load(mu.add(k)));
                let v = F32x4::load(dy.add(o + k))
                    .mul(F32x4::load(scale.add(k)))
                    .sub(F32x4::load(a.add(k)))
                    .sub(centered.mul(F32x4::load(b.add(k))));
                v.store(dx.add(o + k));
                k += LANES;
            }
            while k < c {
                let centered = *x.add(o + k) - *mu.add(k);
                *dx.add(o + k) = *dy.add(o + k) * *scale.add(k) - *a.add(k) - centered * *b.add(k);
                k += 1;
            }
        }
    });
}

// ---------------------------------------------------------------------------------
// Naive references: one channel at a time, float64 accumulation
// ---------------------------------------------------------------------------------

/// Reference statistics (same contract as `batchnorm_stats`), summed in f64.
pub unsafe fn batchnorm_stats_naive(x: *const f32, mean: *mut f32, var: *mut f32, rows: usize, c: usize) {
    let m = rows.max(1) as f64;
    for k in 0..c {
        let mut s = 0.0f64;
        for r in 0..rows {
            s += *x.add(r * c + k) as f64;
        }
        let mu = s / m;
        let mut v = 0.0f64;
        for r in 0..rows {
            let d = *x.add(r * c + k) as f64 - mu;
            v += d * d;
        }
        *mean.add(k) = mu as f32;
        *var.add(k) = (v / m) as f32;
    }
}

// ---------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------

/// Training forward: mean, var (c) = batch statistics of x (rows, c); then
/// y (rows, c) = normalized x with gamma, beta (c, or 0 for none).
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_train_forward(
    x: *const f32,
    gamma: *const f32,
    beta: *const f32,
    eps: f32,
    y: *mut f32,
    mean: *mut f32,
    var: *mut f32,
    rows: usize,
    c: usize,
) {
    batchnorm_stats(x, mean, var, rows, c);
    batchnorm_forward(x, mean, var, gamma, beta, eps, y, rows, c);
}

/// Inference forward with given statistics: shapes as in `batchnorm_forward`.
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_forward(
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    beta: *const f32,
    eps: f32,
    y: *mut f32,
    rows: usize,
    c: usize,
) {
    batchnorm_forward(x, mean, var, gamma, beta, eps, y, rows, c);
}

/// Backward (training: 1 or 0); every output may be 0 to skip it. See `batchnorm_backward`.
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_backward(
    training: u32,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    eps: f32,
    dy: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    dmean: *mut f32,
    dvar: *mut f32,
    rows: usize,
    c: usize,
) {
    batchnorm_backward(
        training != 0,
        x,
        mean,
        var,
        gamma,
        eps,
        dy,
        dx,
        dgamma,
        dbeta,
        dmean,
        dvar,
        rows,
        c,
    );
}

/// Reference batch statistics (f64 sums): mean, var (c) of x (rows, c).
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_stats_naive(x: *const f32, mean: *mut f32, var: *mut f32, rows: usize, c: usize) {
    batchnorm_stats_naive(x, mean, var, rows, c);
}
