//! Reductions and maps over one contiguous row of n floats, vectorised in a fixed order:
//! the building blocks of softmax and of the per-row losses.
//!
//! A row is read in 4-lane vectors from its start; the ragged end is one vector padded
//! with a neutral value whose lanes are never summed or stored. Sums add whole vectors
//! into one accumulator, reduce it across lanes, then add the ragged lanes in order
//! (`simd::sum_vectors`), so a row's result depends only on the row, never on the
//! thread that computes it.

use crate::math::exp_nonpos;
use crate::simd::{for_each_vector, sum_vectors, F32x4, Lanes, LANES};

/// max of x; NaNs are skipped here (a softmax then gets NaN from x - max).
#[inline(always)]
pub unsafe fn max(x: *const f32, n: usize) -> f32 {
    let mut acc = F32x4::splat(f32::NEG_INFINITY);
    for_each_vector(0, n, |i, w| {
        acc = acc.max(F32x4::load_n(x.add(i), w, f32::NEG_INFINITY))
    });
    acc.hmax()
}

/// Σ x.
#[inline(always)]
pub unsafe fn sum(x: *const f32, n: usize) -> f32 {
    sum_vectors(n, |i, w| F32x4::load_n(x.add(i), w, 0.0))
}

/// Σ f(a, b). The ragged end pads a with 0 and b with `fill_b` (a value that keeps f away
/// from odd arguments, such as 0.5 for a probability).
#[inline(always)]
pub unsafe fn sum2(a: *const f32, b: *const f32, n: usize, fill_b: f32, f: impl Fn(F32x4, F32x4) -> F32x4) -> f32 {
    sum_vectors(n, |i, w| {
        f(F32x4::load_n(a.add(i), w, 0.0), F32x4::load_n(b.add(i), w, fill_b))
    })
}

/// Σ a b: full vectors multiply-add into one accumulator (`mul_add`, fused in the relaxed
/// builds), which is summed across lanes; then the ragged lanes' products, in order.
#[inline(always)]
pub unsafe fn dot(a: *const f32, b: *const f32, n: usize) -> f32 {
    let full = n / LANES;
    let mut acc = F32x4::zero();
    for v in 0..full {
        acc = acc.mul_add(F32x4::load(a.add(v * LANES)), F32x4::load(b.add(v * LANES)));
    }
    let (s, i) = (acc.sum(), full * LANES);
    if i < n {
        let tail = F32x4::load_n(a.add(i), n - i, 0.0).mul(F32x4::load_n(b.add(i), n - i, 0.0));
        s + tail.sum_first(n - i)
    } else {
        s
    }
}

/// Σ e^(x - m) for m >= max(x); when `store` is given, e^(x - m) is also written there.
#[inline(always)]
pub unsafe fn sum_exp(x: *const f32, n: usize, m: f32, store: Option<*mut f32>) -> f32 {
    let mv = F32x4::splat(m);
    sum_vectors(n, |i, w| {
        let e = exp_nonpos(F32x4::load_n(x.add(i), w, 0.0).sub(mv));
        if let Some(y) = store {
            e.store_n(y.add(i), w);
        }
        e
    })
}

/// out = f(a, b), padding as `sum2`. out may be a or b.
#[inline(always)]
pub unsafe fn map2(
    a: *const f32,
    b: *const f32,
    out: *mut f32,
    n: usize,
    fill_b: f32,
    f: impl Fn(F32x4, F32x4) -> F32x4,
) {
    for_each_vector(0, n, |i, w| {
        f(F32x4::load_n(a.add(i), w, 0.0), F32x4::load_n(b.add(i), w, fill_b)).store_n(out.add(i), w)
    });
}

/// y = f(x) (padding x with 0). y may be x.
#[inline(always)]
pub unsafe fn map(x: *const f32, y: *mut f32, n: usize, f: impl Fn(F32x4) -> F32x4) {
    for_each_vector(0, n, |i, w| f(F32x4::load_n(x.add(i), w, 0.0)).store_n(y.add(i), w));
}
