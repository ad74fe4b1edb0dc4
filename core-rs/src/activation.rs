//! Elementwise activations, forward and backward, written once against `F32x4`.
//!
//! Each kernel maps a buffer through one vector formula. The last partial vector of a
//! range goes through the same formula on a padded copy, so an element's result never
//! depends on where a range boundary falls (the threaded build splits ranges anywhere).
//! Backward kernels write `dx` (they do not accumulate). They read the saved output
//! where that is cheaper (sigmoid, tanh, elu, selu: no transcendental in the backward)
//! and the input otherwise.
//!
//! The formulas are their own naive reference: an elementwise kernel has no blocking or
//! reordering to get wrong. The test oracle is JavaScript's `Math` in `test/activations.test.ts`.
//!
//! Also here: the small vector helpers the other families (softmax, losses, optimizers,
//! random) share: partial loads and stores, `map1`/`map2`, and transcendentals on the
//! bounded domains those kernels need: `exp_nonpos_v` (x <= 0: 1.5x faster than
//! `math::exp_v` with SIMD, 4x without), `expm1_nonpos_v`, `sigmoid_fast_v`,
//! `tanh_accurate_v` (relative error ~5e-7 everywhere; `math::tanh_v` reaches 1.6e-6
//! just above |x| = 0.01), `log1p_unit_v`, `ln_unit_v`, `erf_v`.

use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, LANES};

/// Elements below which an elementwise kernel does not split its work over threads.
pub const ELEMENTWISE_GRAIN: usize = 1 << 15;

// ---------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------

/// Loads `len` (< 4) floats from `p`, padding the other lanes with `fill`.
#[inline(always)]
pub unsafe fn load_partial(p: *const f32, len: usize, fill: f32) -> F32x4 {
    let mut buf = [fill; LANES];
    for (k, b) in buf.iter_mut().enumerate().take(len) {
        *b = *p.add(k);
    }
    F32x4::load(buf.as_ptr())
}

/// Stores the first `len` (< 4) lanes of `v` at `p`.
#[inline(always)]
pub unsafe fn store_partial(v: F32x4, p: *mut f32, len: usize) {
    let mut buf = [0.0f32; LANES];
    v.store(buf.as_mut_ptr());
    for (k, b) in buf.iter().enumerate().take(len) {
        *p.add(k) = *b;
    }
}

/// Sum of the first `len` lanes of `v`, in lane order.
#[inline(always)]
pub fn sum_partial(v: F32x4, len: usize) -> f32 {
    let mut buf = [0.0f32; LANES];
    unsafe { v.store(buf.as_mut_ptr()) };
    let mut s = 0.0;
    for b in buf.iter().take(len) {
        s += *b;
    }
    s
}

/// y = f(x) elementwise. x is (n), y is (n); y may alias x.
#[inline(always)]
pub unsafe fn map1(x: *const f32, y: *mut f32, n: usize, f: impl Fn(F32x4) -> F32x4 + Sync) {
    let (xs, ys) = (SendPtr(x as *mut f32), SendPtr(y));
    parallel_for(n, ELEMENTWISE_GRAIN, &|start, end| {
        let (x, y) = (xs.get(), ys.get());
        let mut i = start;
        while i + LANES <= end {
            f(F32x4::load(x.add(i))).store(y.add(i));
            i += LANES;
        }
        if i < end {
            store_partial(f(load_partial(x.add(i), end - i, 0.0)), y.add(i), end - i);
        }
    });
}

/// out = f(a, b) elementwise. a, b and out are (n); out may alias a or b.
#[inline(always)]
pub unsafe fn map2(a: *const f32, b: *const f32, out: *mut f32, n: usize, f: impl Fn(F32x4, F32x4) -> F32x4 + Sync) {
    let (aa, bb, oo) = (SendPtr(a as *mut f32), SendPtr(b as *mut f32), SendPtr(out));
    parallel_for(n, ELEMENTWISE_GRAIN, &|start, end| {
        let (a, b, out) = (aa.get(), bb.get(), oo.get());
        let mut i = start;
        while i + LANES <= end {
            f(F32x4::load(a.add(i)), F32x4::load(b.add(i))).store(out.add(i));
            i += LANES;
        }
        if i < end {
            let r = end - i;
            store_partial(
                f(load_partial(a.add(i), r, 0.0), load_partial(b.add(i), r, 0.0)),
                out.add(i),
                r,
            );
        }
    });
}

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// mask ? v : 0, for masks from comparisons.
#[inline(always)]
fn keep_if(mask: F32x4, v: F32x4) -> F32x4 {
    v.and(mask)
}

// ---------------------------------------------------------------------------------
// Bounded-domain transcendentals (math.rs has exp/sigmoid/tanh; these cover the rest)
// ---------------------------------------------------------------------------------

/// e^x for x <= 0 (what softmax, sigmoid and tanh need once written stably), relative
/// error below 2e-7; x below -87.3 gives ~1.2e-38 rather than 0, NaN gives NaN.
///
/// Cheaper than `exp_v` on this restricted range: n = round(x log2 e) comes from the
/// float addition of 1.5 2^23 (which leaves n in the low mantissa bits), so 2^n is that
/// sum's bits shifted into the exponent field, with no float-to-int conversion (which
/// SIMD128 lowers to a long sequence on x86) and one scaling instead of two.
#[inline(always)]
pub fn exp_nonpos_v(x: F32x4) -> F32x4 {
    // 1.5 2^23 + 127: adding it rounds x log2 e to an integer n and leaves n + 127 in
    // the low bits; n + 127 is in [1, 127] for x in [-87.3, 0].
    const SHIFTER: f32 = 12_582_912.0 + 127.0;
    let x = x.max(splat(-87.3)).min(F32x4::zero());
    let t = x.mul(splat(core::f32::consts::LOG2_E)).add(splat(SHIFTER));
    let n = t.sub(splat(SHIFTER));
    let r = x.sub(n.mul(splat(0.693_145_75))).sub(n.mul(splat(1.428_606_8e-6)));
    let mut p = splat(1.0 / 720.0);
    p = splat(1.0 / 120.0).mul_add(p, r);
    p = splat(1.0 / 24.0).mul_add(p, r);
    p = splat(1.0 / 6.0).mul_add(p, r);
    p = splat(0.5).mul_add(p, r);
    p = splat(1.0).mul_add(p, r);
    p = splat(1.0).mul_add(p, r);
    p.mul(t.to_bits().shl::<23>().from_bits())
}

/// e^x - 1 for x <= 0 without the cancellation of `e^x - 1` near 0: a Taylor series for
/// x > -0.35 (truncation below 2e-8 relative), `exp_nonpos_v(x) - 1` below (about 5e-7).
#[inline(always)]
pub fn expm1_nonpos_v(x: F32x4) -> F32x4 {
    let mut p = splat(1.0 / 5040.0);
    p = splat(1.0 / 720.0).mul_add(p, x);
    p = splat(1.0 / 120.0).mul_add(p, x);
    p = splat(1.0 / 24.0).mul_add(p, x);
    p = splat(1.0 / 6.0).mul_add(p, x);
    p = splat(0.5).mul_add(p, x);
    p = splat(1.0).mul_add(p, x);
    let taylor = p.mul(x);
    F32x4::select(x.gt(splat(-0.35)), taylor, exp_nonpos_v(x).sub(splat(1.0)))
}

/// Logistic sigmoid from e = e^-|x| (never overflows): 1 / (1 + e) for x >= 0 and
/// e / (1 + e) below, so both tails keep their relative precision (~3e-7).
/// Saturates to exactly 1 for large x and to ~1e-38 for x below -87.
#[inline(always)]
pub fn sigmoid_fast_v(x: F32x4) -> F32x4 {
    let e = exp_nonpos_v(x.abs().neg());
    let q = splat(1.0).div(splat(1.0).add(e));
    F32x4::select(x.lt(F32x4::zero()), e.mul(q), q)
}

/// tanh(x) = sign(x) (-m) / (2 + m) with m = e^{-2|x|} - 1 from `expm1_nonpos_v`: relative
/// error ~1e-6 everywhere, including small |x| where (1 - e) / (1 + e) would cancel.
#[inline(always)]
pub fn tanh_accurate_v(x: F32x4) -> F32x4 {
    let m = expm1_nonpos_v(x.abs().mul(splat(-2.0)));
    let t = m.neg().div(splat(2.0).add(m));
    F32x4::select(x.lt(F32x4::zero()), t.neg(), t)
}

/// ln(1 + u) for u in [0, 1] (what softplus needs: u = e^-|x|), relative error ~1e-7.
/// With s = u / (2 + u) in [0, 1/3], ln(1 + u) = 2 atanh(s) = 2 s (1 + s²/3 + s⁴/5 + ...);
/// seven terms leave a truncation error below 2e-8.
#[inline(always)]
pub fn log1p_unit_v(u: F32x4) -> F32x4 {
    let s = u.div(splat(2.0).add(u));
    let s2 = s.mul(s);
    let mut p = splat(1.0 / 13.0);
    p = splat(1.0 / 11.0).mul_add(p, s2);
    p = splat(1.0 / 9.0).mul_add(p, s2);
    p = splat(1.0 / 7.0).mul_add(p, s2);
    p = splat(1.0 / 5.0).mul_add(p, s2);
    p = splat(1.0 / 3.0).mul_add(p, s2);
    p = splat(1.0).mul_add(p, s2);
    p.mul(s.add(s))
}

/// ln(x) for x in [2^-63, 2], the range of clipped probabilities; relative error ~3e-7.
/// Outside that range the result is wrong (not NaN-safe beyond NaN in, NaN out).
///
/// The simd layer has no integer shift or int-to-float conversion to read the exponent
/// field, so the exponent is found by a ladder of comparisons: scale x up by 2^32, 2^16,
/// ..., 2 while it is small, bringing it to m in [sqrt(1/2), sqrt(2)), x = m 2^e. Then
/// ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| < 0.172, five terms (error ~7e-10).
#[inline(always)]
pub fn ln_unit_v(x: F32x4) -> F32x4 {
    let mut m = x;
    let mut e = F32x4::zero();
    for k in [32, 16, 8, 4, 2, 1] {
        let small = m.lt(splat(1.0 / (1u64 << k) as f32));
        m = F32x4::select(small, m.mul(splat((1u64 << k) as f32)), m);
        e = F32x4::select(small, e.sub(splat(k as f32)), e);
    }
    // m is now in [0.5, 2]: centre it on 1.
    let low = m.lt(splat(core::f32::consts::FRAC_1_SQRT_2));
    m = F32x4::select(low, m.add(m), m);
    e = F32x4::select(low, e.sub(splat(1.0)), e);
    let high = m.gt(splat(core::f32::consts::SQRT_2));
    m = F32x4::select(high, m.mul(splat(0.5)), m);
    e = F32x4::select(high, e.add(splat(1.0)), e);
    let s = m.sub(splat(1.0)).div(m.add(splat(1.0)));
    let s2 = s.mul(s);
    let mut p = splat(1.0 / 9.0);
    p = splat(1.0 / 7.0).mul_add(p, s2);
    p = splat(1.0 / 5.0).mul_add(p, s2);
    p = splat(1.0 / 3.0).mul_add(p, s2);
    p = splat(1.0).mul_add(p, s2);
    // e ln2 with ln2 split so that e * LN2_HI is exact.
    let ln_m = p.mul(s.add(s));
    e.mul(splat(0.693_145_75)).add(e.mul(splat(1.428_606_8e-6)).add(ln_m))
}

/// erf(x), Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, saturating to ±1.
#[inline(always)]
pub fn erf_v(x: F32x4) -> F32x4 {
    let ax = x.abs();
    let t = splat(1.0).div(splat(1.0).add(splat(0.327_591_1).mul(ax)));
    let mut p = splat(1.061_405_429);
    p = splat(-1.453_152_027).mul_add(p, t);
    p = splat(1.421_413_741).mul_add(p, t);
    p = splat(-0.284_496_736).mul_add(p, t);
    p = splat(0.254_829_592).mul_add(p, t);
    let y = splat(1.0).sub(p.mul(t).mul(exp_nonpos_v(ax.mul(ax).neg())));
    F32x4::select(x.lt(F32x4::zero()), y.neg(), y)
}

// ---------------------------------------------------------------------------------
// Activations: the vector formula of each forward and backward
// ---------------------------------------------------------------------------------

/// SELU constants (Klambauer et al. 2017), as Keras and TF.js.
pub const SELU_ALPHA: f32 = 1.673_263_2;
pub const SELU_SCALE: f32 = 1.050_701;

#[inline(always)]
pub fn relu_v(x: F32x4) -> F32x4 {
    x.max(F32x4::zero())
}
#[inline(always)]
pub fn relu_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    keep_if(x.gt(F32x4::zero()), dy)
}

#[inline(always)]
pub fn relu6_v(x: F32x4) -> F32x4 {
    x.max(F32x4::zero()).min(splat(6.0))
}
/// Zero where the output is clamped (x <= 0 or x >= 6), as TF's Relu6Grad.
#[inline(always)]
pub fn relu6_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    keep_if(x.gt(F32x4::zero()).and(x.lt(splat(6.0))), dy)
}

#[inline(always)]
pub fn leaky_relu_v(x: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(x.gt(F32x4::zero()), x, x.mul(splat(alpha)))
}
#[inline(always)]
pub fn leaky_relu_grad_v(x: F32x4, dy: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(x.gt(F32x4::zero()), dy, dy.mul(splat(alpha)))
}

#[inline(always)]
pub fn elu_v(x: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(
        x.gt(F32x4::zero()),
        x,
        splat(alpha).mul(expm1_nonpos_v(x.min(F32x4::zero()))),
    )
}
/// From the output y: for x <= 0, d/dx alpha (e^x - 1) = alpha e^x = y + alpha.
/// (y > 0 exactly when x > 0.)
#[inline(always)]
pub fn elu_grad_v(y: F32x4, dy: F32x4, alpha: f32) -> F32x4 {
    F32x4::select(y.gt(F32x4::zero()), dy, dy.mul(y.add(splat(alpha))))
}

#[inline(always)]
pub fn selu_v(x: F32x4) -> F32x4 {
    elu_v(x, SELU_ALPHA).mul(splat(SELU_SCALE))
}
/// From the output y = scale elu(x): for x <= 0 the derivative is y + scale alpha.
#[inline(always)]
pub fn selu_grad_v(y: F32x4, dy: F32x4) -> F32x4 {
    let neg = dy.mul(y.add(splat(SELU_SCALE * SELU_ALPHA)));
    F32x4::select(y.gt(F32x4::zero()), dy.mul(splat(SELU_SCALE)), neg)
}

/// `sigmoid_fast_v` saturates cleanly: ±100 give ~1e-38 and 1.
#[inline(always)]
pub fn sigmoid_grad_v(y: F32x4, dy: F32x4) -> F32x4 {
    dy.mul(y).mul(splat(1.0).sub(y))
}

/// TF.js's (and Keras 2's) hard sigmoid: clip(0.2 x + 0.5, 0, 1).
#[inline(always)]
pub fn hard_sigmoid_v(x: F32x4) -> F32x4 {
    splat(0.2).mul(x).add(splat(0.5)).max(F32x4::zero()).min(splat(1.0))
}
#[inline(always)]
pub fn hard_sigmoid_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    keep_if(x.gt(splat(-2.5)).and(x.lt(splat(2.5))), dy.mul(splat(0.2)))
}

#[inline(always)]
pub fn tanh_grad_v(y: F32x4, dy: F32x4) -> F32x4 {
    dy.mul(splat(1.0).sub(y.mul(y)))
}

/// softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for large x,
/// no loss of the tiny result for very negative x.
#[inline(always)]
pub fn softplus_v(x: F32x4) -> F32x4 {
    x.max(F32x4::zero()).add(log1p_unit_v(exp_nonpos_v(x.abs().neg())))
}
#[inline(always)]
pub fn softplus_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    dy.mul(sigmoid_fast_v(x))
}

#[inline(always)]
pub fn softsign_v(x: F32x4) -> F32x4 {
    x.div(splat(1.0).add(x.abs()))
}
#[inline(always)]
pub fn softsign_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    let d = splat(1.0).add(x.abs());
    dy.div(d.mul(d))
}

/// Below this, x e^x is under 1e-36: swish and its derivative are taken as 0. (sigmoid_v
/// saturates at ~5e-39 rather than reaching 0, which times a huge |x| would not be small.)
const SWISH_ZERO_BELOW: f32 = -88.0;

/// swish / SiLU: x sigmoid(x).
#[inline(always)]
pub fn swish_v(x: F32x4) -> F32x4 {
    F32x4::select(x.lt(splat(SWISH_ZERO_BELOW)), F32x4::zero(), x.mul(sigmoid_fast_v(x)))
}
/// d/dx x s(x) = s + x s (1 - s) = s (1 + x (1 - s)).
#[inline(always)]
pub fn swish_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    let s = sigmoid_fast_v(x);
    let g = dy.mul(s.mul(splat(1.0).add(x.mul(splat(1.0).sub(s)))));
    F32x4::select(x.lt(splat(SWISH_ZERO_BELOW)), F32x4::zero(), g)
}

/// GELU, the exact form x Φ(x) = x (1 + erf(x / √2)) / 2 (Keras' default, TF.js 'gelu').
#[inline(always)]
pub fn gelu_v(x: F32x4) -> F32x4 {
    let cdf = splat(0.5).mul(splat(1.0).add(erf_v(x.mul(splat(core::f32::consts::FRAC_1_SQRT_2)))));
    x.mul(cdf)
}
/// d/dx x Φ(x) = Φ(x) + x φ(x), φ(x) = e^{-x²/2} / √(2π).
#[inline(always)]
pub fn gelu_grad_v(x: F32x4, dy: F32x4) -> F32x4 {
    let cdf = splat(0.5).mul(splat(1.0).add(erf_v(x.mul(splat(core::f32::consts::FRAC_1_SQRT_2)))));
    // Beyond |x| = 13, x φ(x) < 1e-35; exp_v would saturate at ~1e-38 instead of
    // vanishing, and times a huge x that would not be small.
    let pdf = keep_if(
        x.abs().lt(splat(13.0)),
        exp_nonpos_v(x.mul(x).mul(splat(-0.5))).mul(splat(0.398_942_3)),
    );
    dy.mul(cdf.add(x.mul(pdf)))
}

// ---------------------------------------------------------------------------------
// Exports: x is (n), y is (n), dy is (n), dx is (n). In-place (y == x) is allowed.
// ---------------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn fe_relu_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, relu_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_relu_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, relu_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_relu6_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, relu6_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_relu6_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, relu6_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_leaky_relu_forward(x: *const f32, y: *mut f32, n: usize, alpha: f32) {
    map1(x, y, n, |v| leaky_relu_v(v, alpha))
}
#[no_mangle]
pub unsafe extern "C" fn fe_leaky_relu_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize, alpha: f32) {
    map2(x, dy, dx, n, |v, g| leaky_relu_grad_v(v, g, alpha))
}

#[no_mangle]
pub unsafe extern "C" fn fe_elu_forward(x: *const f32, y: *mut f32, n: usize, alpha: f32) {
    map1(x, y, n, |v| elu_v(v, alpha))
}
/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_elu_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize, alpha: f32) {
    map2(y, dy, dx, n, |v, g| elu_grad_v(v, g, alpha))
}

#[no_mangle]
pub unsafe extern "C" fn fe_selu_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, selu_v)
}
/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_selu_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(y, dy, dx, n, selu_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_sigmoid_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, sigmoid_fast_v)
}
/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_sigmoid_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(y, dy, dx, n, sigmoid_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_hard_sigmoid_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, hard_sigmoid_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_hard_sigmoid_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, hard_sigmoid_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_tanh_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, tanh_accurate_v)
}
/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_tanh_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(y, dy, dx, n, tanh_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_softplus_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, softplus_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_softplus_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, softplus_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_softsign_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, softsign_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_softsign_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, softsign_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_swish_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, swish_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_swish_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, swish_grad_v)
}

#[no_mangle]
pub unsafe extern "C" fn fe_gelu_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, gelu_v)
}
#[no_mangle]
pub unsafe extern "C" fn fe_gelu_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, gelu_grad_v)
}
