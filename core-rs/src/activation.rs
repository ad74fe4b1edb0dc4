//! Activations, forward and backward: one vector formula each, which `map.rs` runs over
//! a whole buffer (`map1` for a forward, `map2` for a backward) and the exports name.
//!
//! Backward formulas give `dx` (written, not accumulated). They read the saved output where
//! that is cheaper (sigmoid, tanh, elu, selu: no transcendental in the backward) and the
//! input otherwise. Transcendentals are `math.rs`'s, with its error bounds.
//!
//! The formulas are their own naive reference: an elementwise map has no blocking or
//! reordering to get wrong. The test oracle is JavaScript's `Math` in
//! `test/kernels/activations.test.ts`.

use crate::math::{erf, exp_nonpos, expm1_nonpos, log1p_unit, sigmoid};
use crate::simd::{F32x4, Lanes};

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// mask ? v : 0, for masks from comparisons.
#[inline(always)]
fn keep_if(mask: F32x4, v: F32x4) -> F32x4 {
    v.and(mask)
}

/// SELU constants (Klambauer et al. 2017), as Keras and TF.js.
pub const SELU_ALPHA: f32 = 1.673_263_2;
pub const SELU_SCALE: f32 = 1.050_701;

#[inline(always)]
pub fn relu(x: F32x4) -> F32x4 {
    x.max(F32x4::zero())
}
#[inline(always)]
pub fn relu_grad(x: F32x4, dy: F32x4) -> F32x4 {
    keep_if(x.gt(F32x4::zero()), dy)
}

#[inline(always)]
pub fn relu6(x: F32x4) -> F32x4 {
    x.max(F32x4::zero()).min(splat(6.0))
}
/// Zero where the output is clamped (x <= 0 or x >= 6), as TF's Relu6Grad.
#[inline(always)]
pub fn relu6_grad(x: F32x4, dy: F32x4) -> F32x4 {
    keep_if(x.gt(F32x4::zero()).and(x.lt(splat(6.0))), dy)
}

#[inline(always)]
pub fn leaky_relu(x: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(x.gt(F32x4::zero()), x, x.mul(splat(alpha)))
}
#[inline(always)]
pub fn leaky_relu_grad(x: F32x4, dy: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(x.gt(F32x4::zero()), dy, dy.mul(splat(alpha)))
}

/// Keras's ThresholdedReLU: x where x > theta, 0 elsewhere (0 at x = theta, as TF's `greater`).
#[inline(always)]
pub fn thresholded_relu(x: F32x4, theta: f32) -> F32x4 {
    keep_if(x.gt(splat(theta)), x)
}
#[inline(always)]
pub fn thresholded_relu_grad(x: F32x4, dy: F32x4, theta: f32) -> F32x4 {
    keep_if(x.gt(splat(theta)), dy)
}

#[inline(always)]
pub fn elu(x: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(
        x.gt(F32x4::zero()),
        x,
        splat(alpha).mul(expm1_nonpos(x.min(F32x4::zero()))),
    )
}
/// From the output y: for x <= 0, d/dx alpha (e^x - 1) = alpha e^x = y + alpha.
/// (y > 0 exactly when x > 0.)
#[inline(always)]
pub fn elu_grad(y: F32x4, dy: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(y.gt(F32x4::zero()), dy, dy.mul(y.add(splat(alpha))))
}

#[inline(always)]
pub fn selu(x: F32x4) -> F32x4 {
    elu(x, SELU_ALPHA).mul(splat(SELU_SCALE))
}
/// From the output y = scale elu(x): for x <= 0 the derivative is y + scale alpha.
#[inline(always)]
pub fn selu_grad(y: F32x4, dy: F32x4) -> F32x4 {
    let neg = dy.mul(y.add(splat(SELU_SCALE * SELU_ALPHA)));
    F32x4::select(y.gt(F32x4::zero()), dy.mul(splat(SELU_SCALE)), neg)
}

/// From the output y: d/dx s(x) = s (1 - s). (`math::sigmoid` saturates cleanly: ±100 give
/// ~1e-38 and 1.)
#[inline(always)]
pub fn sigmoid_grad(y: F32x4, dy: F32x4) -> F32x4 {
    dy.mul(y).mul(splat(1.0).sub(y))
}

/// TF.js's (and Keras 2's) hard sigmoid: clip(0.2 x + 0.5, 0, 1).
#[inline(always)]
pub fn hard_sigmoid(x: F32x4) -> F32x4 {
    splat(0.2).mul(x).add(splat(0.5)).max(F32x4::zero()).min(splat(1.0))
}
#[inline(always)]
pub fn hard_sigmoid_grad(x: F32x4, dy: F32x4) -> F32x4 {
    keep_if(x.gt(splat(-2.5)).and(x.lt(splat(2.5))), dy.mul(splat(0.2)))
}

#[inline(always)]
pub fn tanh_grad(y: F32x4, dy: F32x4) -> F32x4 {
    dy.mul(splat(1.0).sub(y.mul(y)))
}

/// softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for large x,
/// no loss of the tiny result for very negative x.
#[inline(always)]
pub fn softplus(x: F32x4) -> F32x4 {
    x.max(F32x4::zero()).add(log1p_unit(exp_nonpos(x.abs().neg())))
}
#[inline(always)]
pub fn softplus_grad(x: F32x4, dy: F32x4) -> F32x4 {
    dy.mul(sigmoid(x))
}

#[inline(always)]
pub fn softsign(x: F32x4) -> F32x4 {
    x.div(splat(1.0).add(x.abs()))
}
#[inline(always)]
pub fn softsign_grad(x: F32x4, dy: F32x4) -> F32x4 {
    let d = splat(1.0).add(x.abs());
    dy.div(d.mul(d))
}

/// Below this, x e^x is under 1e-36: swish and its derivative are taken as 0. (`math::sigmoid`
/// saturates at ~5e-39 rather than reaching 0, which times a huge |x| would not be small.)
const SWISH_ZERO_BELOW: f32 = -88.0;

/// swish / SiLU: x sigmoid(x).
#[inline(always)]
pub fn swish(x: F32x4) -> F32x4 {
    F32x4::select(x.lt(splat(SWISH_ZERO_BELOW)), F32x4::zero(), x.mul(sigmoid(x)))
}
/// d/dx x s(x) = s + x s (1 - s) = s (1 + x (1 - s)).
#[inline(always)]
pub fn swish_grad(x: F32x4, dy: F32x4) -> F32x4 {
    let s = sigmoid(x);
    let g = dy.mul(s.mul(splat(1.0).add(x.mul(splat(1.0).sub(s)))));
    F32x4::select(x.lt(splat(SWISH_ZERO_BELOW)), F32x4::zero(), g)
}

/// Φ(x) = (1 + erf(x / √2)) / 2, the standard normal distribution function.
#[inline(always)]
fn normal_cdf(x: F32x4) -> F32x4 {
    splat(0.5).mul(splat(1.0).add(erf(x.mul(splat(core::f32::consts::FRAC_1_SQRT_2)))))
}

/// GELU, the exact form x Φ(x) (Keras' default, TF.js 'gelu').
#[inline(always)]
pub fn gelu(x: F32x4) -> F32x4 {
    x.mul(normal_cdf(x))
}
/// d/dx x Φ(x) = Φ(x) + x φ(x), φ(x) = e^{-x²/2} / √(2π).
#[inline(always)]
pub fn gelu_grad(x: F32x4, dy: F32x4) -> F32x4 {
    let cdf = normal_cdf(x);
    // Beyond |x| = 13, x φ(x) < 1e-35; exp_nonpos saturates at ~1e-38 instead of
    // vanishing, and times a huge x that would not be small.
    let pdf = keep_if(
        x.abs().lt(splat(13.0)),
        exp_nonpos(x.mul(x).mul(splat(-0.5))).mul(splat(0.398_942_3)),
    );
    dy.mul(cdf.add(x.mul(pdf)))
}
