//! Unary elementwise ops (neg, exp, log, sqrt, square, abs, reciprocal, sign),
//! clipByValue and cast, with their backward passes.
//!
//! Each op is one formula over [`Lanes`] (`forward`, `backward` below): its `F32x4` form
//! runs in the kernels (through `map.rs`), its `f32` form in the naive reference. exp and
//! log are `math::exp` and `math::ln`; the rest are exact vector instructions.

use crate::map::{map1, map2, map3, split_vectors};
use crate::math;
use crate::parallel::{SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{F32x4, Lanes};

/// The `op` of `fe_unary` and `fe_unary_backward`.
/// ABI enum: UnaryOp
pub const NEG: u32 = 0;
pub const EXP: u32 = 1;
pub const LOG: u32 = 2;
pub const SQRT: u32 = 3;
pub const SQUARE: u32 = 4;
pub const ABS: u32 = 5;
pub const RECIPROCAL: u32 = 6;
pub const SIGN: u32 = 7;

/// y = op(x).
#[inline(always)]
fn forward<V: Lanes>(op: u32, x: V) -> V {
    match op {
        NEG => x.neg(),
        EXP => math::exp(x),
        LOG => math::ln(x),
        SQRT => x.sqrt(),
        SQUARE => x.mul(x),
        ABS => x.abs(),
        RECIPROCAL => V::splat(1.0).div(x),
        SIGN => math::sign(x),
        _ => panic!("unary: unknown op"),
    }
}

/// dx from x, the forward output y and dy. sign has a zero gradient and no backward.
#[inline(always)]
fn backward<V: Lanes>(op: u32, x: V, y: V, dy: V) -> V {
    match op {
        NEG => dy.neg(),
        // d e^x = dy y
        EXP => dy.mul(y),
        // d ln x = dy / x
        LOG => dy.div(x),
        // d √x = dy / (2y)
        SQRT => dy.div(y.add(y)),
        // d x² = 2x dy
        SQUARE => x.add(x).mul(dy),
        // d |x| = sign(x) dy, 0 at x = 0 (a subgradient; TF.js uses -1 there)
        ABS => math::sign(x).mul(dy),
        // d (1/x) = -dy / x² = -dy y²
        RECIPROCAL => dy.mul(y).mul(y).neg(),
        _ => panic!("unary backward: unknown op"),
    }
}

unsafe fn forward_all<const OP: u32>(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, |v: F32x4| forward(OP, v));
}

unsafe fn backward_all<const OP: u32>(x: *const f32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map3([x, y, dy], dx, n, |x: F32x4, y, dy| backward(OP, x, y, dy));
}

/// y = op(x). x is (n), y is (n); y may be x.
pub unsafe fn unary_forward(op: u32, x: *const f32, y: *mut f32, n: usize) {
    dispatch!(
        op,
        forward_all(x, y, n),
        [NEG, EXP, LOG, SQRT, SQUARE, ABS, RECIPROCAL, SIGN]
    )
}

/// dx (written, not accumulated) from x, y = op(x) and dy, all (n).
pub unsafe fn unary_backward(op: u32, x: *const f32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    dispatch!(
        op,
        backward_all(x, y, dy, dx, n),
        [NEG, EXP, LOG, SQRT, SQUARE, ABS, RECIPROCAL]
    )
}

/// The naive reference: the scalar form, one element at a time. x is (n), y is (n).
pub unsafe fn unary_naive(op: u32, x: *const f32, y: *mut f32, n: usize) {
    for i in 0..n {
        *y.add(i) = forward(op, *x.add(i));
    }
}

/// y = min(max(x, lo), hi). x is (n), y is (n).
pub unsafe fn clip_forward(x: *const f32, y: *mut f32, n: usize, lo: f32, hi: f32) {
    let (lo, hi) = (F32x4::splat(lo), F32x4::splat(hi));
    map1(x, y, n, |v| v.max(lo).min(hi));
}

/// dx = dy where lo <= x <= hi, else 0 (the gradient passes at the bounds, as TF.js).
/// x, dy, dx are (n).
pub unsafe fn clip_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize, lo: f32, hi: f32) {
    let (lo, hi) = (F32x4::splat(lo), F32x4::splat(hi));
    map2(x, dy, dx, n, |v, g| {
        let inside = F32x4::select(hi.lt(v), F32x4::zero(), g);
        F32x4::select(v.lt(lo), F32x4::zero(), inside)
    });
}

/// y[i] = f(x[i]) for i < n, split over threads.
unsafe fn convert<A: Copy, B>(x: *const A, y: *mut B, n: usize, f: impl Fn(A) -> B + Sync) {
    let (xs, ys) = (SendPtr::of(x), SendPtr(y));
    split_vectors(n, MIN_ELEMS_PER_THREAD, |start, end| {
        let (x, y) = (xs.get(), ys.get());
        for k in start..end {
            *y.add(k) = f(*x.add(k));
        }
    });
}

/// float32 -> int32, truncating toward zero (as TF.js); out of range saturates and NaN
/// gives 0 (Rust's `as`, wasm's trunc_sat). x is (n), y is (n).
pub unsafe fn cast_f32_i32(x: *const f32, y: *mut i32, n: usize) {
    convert(x, y, n, |v| v as i32);
}

/// int32 -> float32, rounding to nearest beyond 2^24. x is (n), y is (n).
pub unsafe fn cast_i32_f32(x: *const i32, y: *mut f32, n: usize) {
    convert(x, y, n, |v| v as f32);
}
