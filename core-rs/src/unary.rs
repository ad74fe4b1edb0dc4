//! Unary elementwise ops (neg, exp, log, sqrt, square, abs, reciprocal, sign, rounding,
//! the trigonometric and hyperbolic families, rsqrt, expm1, log1p, erf, the isNaN tests,
//! logicalNot), clipByValue and cast, with their backward passes.
//!
//! Each op is one formula over [`Lanes`] (`forward`, `backward` below): its `F32x4` form
//! runs in the kernels (through `map.rs`), its `f32` form in the naive reference. The
//! transcendental ones are the math family (`math.rs`); the rest are exact vector
//! instructions. The tests (isNaN, isInf, isFinite) and logicalNot write a bool tensor's
//! int32 0/1 (`BOOL_TRUE`); logicalNot reads one.

use crate::map::{map1, map2, map3, split_vectors};
use crate::math;
use crate::parallel::{SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{F32x4, Lanes, BOOL_TRUE};

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
pub const FLOOR: u32 = 8;
pub const CEIL: u32 = 9;
pub const ROUND: u32 = 10;
pub const SIN: u32 = 11;
pub const COS: u32 = 12;
pub const TAN: u32 = 13;
pub const ASIN: u32 = 14;
pub const ACOS: u32 = 15;
pub const ATAN: u32 = 16;
pub const SINH: u32 = 17;
pub const COSH: u32 = 18;
pub const ASINH: u32 = 19;
pub const ACOSH: u32 = 20;
pub const ATANH: u32 = 21;
pub const RSQRT: u32 = 22;
pub const EXPM1: u32 = 23;
pub const LOG1P: u32 = 24;
pub const ERF: u32 = 25;
pub const IS_NAN: u32 = 26;
pub const IS_INF: u32 = 27;
pub const IS_FINITE: u32 = 28;
pub const LOGICAL_NOT: u32 = 29;

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
        FLOOR => x.floor(),
        CEIL => x.ceil(),
        // ties to even, as TF.js's round
        ROUND => x.nearest(),
        SIN => math::sin(x),
        COS => math::cos(x),
        TAN => math::tan(x),
        ASIN => math::asin(x),
        ACOS => math::acos(x),
        ATAN => math::atan(x),
        SINH => math::sinh(x),
        COSH => math::cosh(x),
        ASINH => math::asinh(x),
        ACOSH => math::acosh(x),
        ATANH => math::atanh(x),
        RSQRT => V::splat(1.0).div(x.sqrt()),
        EXPM1 => math::expm1(x),
        LOG1P => math::log1p(x),
        ERF => math::erf(x),
        IS_NAN => V::select(x.eq(x), V::zero(), V::splat(BOOL_TRUE)),
        IS_INF => x.abs().eq(V::splat(f32::INFINITY)).and(V::splat(BOOL_TRUE)),
        IS_FINITE => x.abs().lt(V::splat(f32::INFINITY)).and(V::splat(BOOL_TRUE)),
        LOGICAL_NOT => V::select(x.eq(V::zero()), V::splat(BOOL_TRUE), V::zero()),
        _ => panic!("unary: unknown op"),
    }
}

/// dx from x, the forward output y and dy. sign and rounding have a zero gradient and
/// no backward; the bool-valued ops have none.
#[inline(always)]
fn backward<V: Lanes>(op: u32, x: V, y: V, dy: V) -> V {
    let one = V::splat(1.0);
    // (1 - x)(1 + x) = 1 - x², without its cancellation near |x| = 1
    let one_minus_x2 = || one.sub(x).mul(one.add(x));
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
        SIN => dy.mul(math::cos(x)),
        COS => dy.mul(math::sin(x)).neg(),
        // d tan x = dy / cos² x = dy (1 + tan² x)
        TAN => dy.mul(one.add(y.mul(y))),
        ASIN => dy.div(one_minus_x2().sqrt()),
        ACOS => dy.div(one_minus_x2().sqrt()).neg(),
        ATAN => dy.div(one.add(x.mul(x))),
        SINH => dy.mul(math::cosh(x)),
        COSH => dy.mul(math::sinh(x)),
        ASINH => dy.div(one.add(x.mul(x)).sqrt()),
        // d acosh x = dy / √((x - 1)(x + 1))
        ACOSH => dy.div(x.sub(one).mul(x.add(one)).sqrt()),
        ATANH => dy.div(one_minus_x2()),
        // d x^(-1/2) = -dy y³ / 2
        RSQRT => dy.mul(y).mul(y).mul(y).mul(V::splat(-0.5)),
        EXPM1 => dy.mul(y.add(one)),
        LOG1P => dy.div(one.add(x)),
        // d erf x = dy 2/√π e^(-x²)
        ERF => dy
            .mul(V::splat(core::f32::consts::FRAC_2_SQRT_PI))
            .mul(math::exp_nonpos(x.mul(x).neg())),
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
        [
            NEG,
            EXP,
            LOG,
            SQRT,
            SQUARE,
            ABS,
            RECIPROCAL,
            SIGN,
            FLOOR,
            CEIL,
            ROUND,
            SIN,
            COS,
            TAN,
            ASIN,
            ACOS,
            ATAN,
            SINH,
            COSH,
            ASINH,
            ACOSH,
            ATANH,
            RSQRT,
            EXPM1,
            LOG1P,
            ERF,
            IS_NAN,
            IS_INF,
            IS_FINITE,
            LOGICAL_NOT
        ]
    )
}

/// dx (written, not accumulated) from x, y = op(x) and dy, all (n).
pub unsafe fn unary_backward(op: u32, x: *const f32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    dispatch!(
        op,
        backward_all(x, y, dy, dx, n),
        [
            NEG, EXP, LOG, SQRT, SQUARE, ABS, RECIPROCAL, SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH,
            ATANH, RSQRT, EXPM1, LOG1P, ERF
        ]
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
