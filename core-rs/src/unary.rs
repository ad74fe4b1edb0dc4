//! Unary elementwise ops (neg, exp, log, sqrt, square, abs, reciprocal, sign),
//! clipByValue and cast, with their backward passes.
//!
//! exp uses the vectorised `math::exp_v` (relative error < 2e-7) with the overflow and
//! underflow ends fixed up so that it saturates like `Math.exp` (Infinity above ~88.72,
//! 0 below ~-87.3, where exp_v would clamp); log is libm's logf per element (SIMD128 has
//! no log and it is off the hot path); the rest are exact vector instructions.

use crate::elementwise::MIN_ELEMS_PER_THREAD;
use crate::math;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::F32x4;

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

/// Elements per parallel work item.
const CHUNK: usize = 4096;

/// Runs `body(start, end)` over `0..n` in chunks of CHUNK elements, split over threads.
#[inline(always)]
pub fn for_each_chunk<F: Fn(usize, usize) + Sync>(n: usize, body: F) {
    let chunks = n.div_ceil(CHUNK);
    parallel_for(chunks, (MIN_ELEMS_PER_THREAD / CHUNK).max(1), &|s, e| {
        body(s * CHUNK, (e * CHUNK).min(n))
    });
}

/// A map over one array: `s` and `v` agree lane for lane.
trait Map {
    fn s(x: f32) -> f32;
    fn v(x: F32x4) -> F32x4;
}

#[inline(always)]
fn lanes(v: F32x4) -> [f32; 4] {
    let mut out = [0.0f32; 4];
    unsafe { v.store(out.as_mut_ptr()) };
    out
}

/// Largest x with e^x finite in f32; above it e^x is +Infinity.
const EXP_OVERFLOW: f32 = 88.722_83;
/// exp_v clamps its input at -87.3; below that the true value is subnormal or 0: flush.
const EXP_UNDERFLOW: f32 = -87.3;

struct Neg;
impl Map for Neg {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        -x
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        x.neg()
    }
}
struct Exp;
impl Map for Exp {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        lanes(Self::v(F32x4::splat(x)))[0]
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        let y = math::exp_v(x);
        let y = F32x4::select(x.gt(F32x4::splat(EXP_OVERFLOW)), F32x4::splat(f32::INFINITY), y);
        F32x4::select(x.lt(F32x4::splat(EXP_UNDERFLOW)), F32x4::zero(), y)
    }
}
struct Log;
impl Map for Log {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        math::ln(x)
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        let x = lanes(x);
        unsafe { F32x4::load([0, 1, 2, 3].map(|i| math::ln(x[i])).as_ptr()) }
    }
}
struct Sqrt;
impl Map for Sqrt {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        math::sqrt(x)
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        x.sqrt()
    }
}
struct Square;
impl Map for Square {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        x * x
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        x.mul(x)
    }
}
struct Abs;
impl Map for Abs {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        x.abs()
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        x.abs()
    }
}
struct Reciprocal;
impl Map for Reciprocal {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        1.0 / x
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        F32x4::splat(1.0).div(x)
    }
}
/// sign: -1, 0 or 1; 0 for ±0 and NaN.
struct Sign;
impl Map for Sign {
    #[inline(always)]
    fn s(x: f32) -> f32 {
        if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        }
    }
    #[inline(always)]
    fn v(x: F32x4) -> F32x4 {
        sign_v(x)
    }
}

#[inline(always)]
fn sign_v(x: F32x4) -> F32x4 {
    let z = F32x4::zero();
    F32x4::select(
        x.gt(z),
        F32x4::splat(1.0),
        F32x4::select(x.lt(z), F32x4::splat(-1.0), z),
    )
}

#[inline(always)]
unsafe fn map_run<M: Map>(x: *const f32, y: *mut f32, n: usize) {
    let mut i = 0;
    while i + 4 <= n {
        M::v(F32x4::load(x.add(i))).store(y.add(i));
        i += 4;
    }
    while i < n {
        *y.add(i) = M::s(*x.add(i));
        i += 1;
    }
}

unsafe fn map_all<M: Map>(x: *const f32, y: *mut f32, n: usize) {
    let (x, y) = (SendPtr(x as *mut f32), SendPtr(y));
    for_each_chunk(n, |s, e| map_run::<M>(x.get().add(s), y.get().add(s), e - s));
}

/// y = op(x) for n elements (y may be x).
pub unsafe fn unary_forward(op: u32, x: *const f32, y: *mut f32, n: usize) {
    match op {
        NEG => map_all::<Neg>(x, y, n),
        EXP => map_all::<Exp>(x, y, n),
        LOG => map_all::<Log>(x, y, n),
        SQRT => map_all::<Sqrt>(x, y, n),
        SQUARE => map_all::<Square>(x, y, n),
        ABS => map_all::<Abs>(x, y, n),
        RECIPROCAL => map_all::<Reciprocal>(x, y, n),
        SIGN => map_all::<Sign>(x, y, n),
        _ => panic!("unary: unknown op"),
    }
}

/// A unary op's backward: dx from x, y and dy, scalar and vector forms.
trait MapGrad {
    fn s(x: f32, y: f32, dy: f32) -> f32;
    fn v(x: F32x4, y: F32x4, dy: F32x4) -> F32x4;
}

struct NegGrad;
impl MapGrad for NegGrad {
    #[inline(always)]
    fn s(_x: f32, _y: f32, dy: f32) -> f32 {
        -dy
    }
    #[inline(always)]
    fn v(_x: F32x4, _y: F32x4, dy: F32x4) -> F32x4 {
        dy.neg()
    }
}
/// d e^x = dy·y
struct ExpGrad;
impl MapGrad for ExpGrad {
    #[inline(always)]
    fn s(_x: f32, y: f32, dy: f32) -> f32 {
        dy * y
    }
    #[inline(always)]
    fn v(_x: F32x4, y: F32x4, dy: F32x4) -> F32x4 {
        dy.mul(y)
    }
}
/// d ln x = dy/x
struct LogGrad;
impl MapGrad for LogGrad {
    #[inline(always)]
    fn s(x: f32, _y: f32, dy: f32) -> f32 {
        dy / x
    }
    #[inline(always)]
    fn v(x: F32x4, _y: F32x4, dy: F32x4) -> F32x4 {
        dy.div(x)
    }
}
/// d √x = dy/(2y)
struct SqrtGrad;
impl MapGrad for SqrtGrad {
    #[inline(always)]
    fn s(_x: f32, y: f32, dy: f32) -> f32 {
        dy / (2.0 * y)
    }
    #[inline(always)]
    fn v(_x: F32x4, y: F32x4, dy: F32x4) -> F32x4 {
        dy.div(y.add(y))
    }
}
/// d x² = 2x·dy
struct SquareGrad;
impl MapGrad for SquareGrad {
    #[inline(always)]
    fn s(x: f32, _y: f32, dy: f32) -> f32 {
        2.0 * x * dy
    }
    #[inline(always)]
    fn v(x: F32x4, _y: F32x4, dy: F32x4) -> F32x4 {
        x.add(x).mul(dy)
    }
}
/// d |x| = sign(x)·dy, 0 at x = 0 (a subgradient; TF.js uses -1 there).
struct AbsGrad;
impl MapGrad for AbsGrad {
    #[inline(always)]
    fn s(x: f32, _y: f32, dy: f32) -> f32 {
        Sign::s(x) * dy
    }
    #[inline(always)]
    fn v(x: F32x4, _y: F32x4, dy: F32x4) -> F32x4 {
        sign_v(x).mul(dy)
    }
}
/// d (1/x) = -dy/x² = -dy·y²
struct ReciprocalGrad;
impl MapGrad for ReciprocalGrad {
    #[inline(always)]
    fn s(_x: f32, y: f32, dy: f32) -> f32 {
        -(dy * y * y)
    }
    #[inline(always)]
    fn v(_x: F32x4, y: F32x4, dy: F32x4) -> F32x4 {
        dy.mul(y).mul(y).neg()
    }
}

#[inline(always)]
unsafe fn grad_run<G: MapGrad>(x: *const f32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    let mut i = 0;
    while i + 4 <= n {
        G::v(F32x4::load(x.add(i)), F32x4::load(y.add(i)), F32x4::load(dy.add(i))).store(dx.add(i));
        i += 4;
    }
    while i < n {
        *dx.add(i) = G::s(*x.add(i), *y.add(i), *dy.add(i));
        i += 1;
    }
}

unsafe fn grad_all<G: MapGrad>(x: *const f32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    let p = |q: *const f32| SendPtr(q as *mut f32);
    let (x, y, dy, dx) = (p(x), p(y), p(dy), SendPtr(dx));
    for_each_chunk(n, |s, e| {
        grad_run::<G>(x.get().add(s), y.get().add(s), dy.get().add(s), dx.get().add(s), e - s)
    });
}

/// dx (written, not accumulated) from x, the forward output y and dy, n elements each.
/// sign has a zero gradient and needs no kernel.
pub unsafe fn unary_backward(op: u32, x: *const f32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    match op {
        NEG => grad_all::<NegGrad>(x, y, dy, dx, n),
        EXP => grad_all::<ExpGrad>(x, y, dy, dx, n),
        LOG => grad_all::<LogGrad>(x, y, dy, dx, n),
        SQRT => grad_all::<SqrtGrad>(x, y, dy, dx, n),
        SQUARE => grad_all::<SquareGrad>(x, y, dy, dx, n),
        ABS => grad_all::<AbsGrad>(x, y, dy, dx, n),
        RECIPROCAL => grad_all::<ReciprocalGrad>(x, y, dy, dx, n),
        _ => panic!("unary backward: unknown op"),
    }
}

/// y = min(max(x, lo), hi), n elements.
pub unsafe fn clip_forward(x: *const f32, y: *mut f32, n: usize, lo: f32, hi: f32) {
    let (x, y) = (SendPtr(x as *mut f32), SendPtr(y));
    let (vlo, vhi) = (F32x4::splat(lo), F32x4::splat(hi));
    for_each_chunk(n, |s, e| {
        let (x, y) = (x.get().add(s), y.get().add(s));
        let n = e - s;
        let mut i = 0;
        while i + 4 <= n {
            F32x4::load(x.add(i)).max(vlo).min(vhi).store(y.add(i));
            i += 4;
        }
        while i < n {
            let v = *x.add(i);
            let v = if v < lo { lo } else { v };
            *y.add(i) = if hi < v { hi } else { v };
            i += 1;
        }
    });
}

/// dx = dy where lo <= x <= hi, else 0 (the gradient passes at the bounds, as TF.js).
pub unsafe fn clip_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize, lo: f32, hi: f32) {
    let (x, dy, dx) = (SendPtr(x as *mut f32), SendPtr(dy as *mut f32), SendPtr(dx));
    let (vlo, vhi) = (F32x4::splat(lo), F32x4::splat(hi));
    for_each_chunk(n, |s, e| {
        let (x, dy, dx) = (x.get().add(s), dy.get().add(s), dx.get().add(s));
        let n = e - s;
        let mut i = 0;
        while i + 4 <= n {
            let v = F32x4::load(x.add(i));
            let inside = F32x4::select(vhi.lt(v), F32x4::zero(), F32x4::load(dy.add(i)));
            F32x4::select(v.lt(vlo), F32x4::zero(), inside).store(dx.add(i));
            i += 4;
        }
        while i < n {
            let v = *x.add(i);
            *dx.add(i) = if v < lo || hi < v { 0.0 } else { *dy.add(i) };
            i += 1;
        }
    });
}

/// Naive references: the test oracles for the vector paths above.
pub unsafe fn unary_naive(op: u32, x: *const f32, y: *mut f32, n: usize) {
    for i in 0..n {
        let v = *x.add(i);
        *y.add(i) = match op {
            NEG => -v,
            EXP => math::exp(v),
            LOG => math::ln(v),
            SQRT => math::sqrt(v),
            SQUARE => v * v,
            ABS => v.abs(),
            RECIPROCAL => 1.0 / v,
            SIGN => Sign::s(v),
            _ => panic!("unary: unknown op"),
        };
    }
}

/// float32 -> int32, truncating toward zero (as TF.js); out of range saturates and
/// NaN gives 0 (Rust's `as`, wasm's trunc_sat).
pub unsafe fn cast_f32_i32(x: *const f32, y: *mut i32, n: usize) {
    let (x, y) = (SendPtr(x as *mut f32), SendPtr(y));
    for_each_chunk(n, |s, e| {
        for i in s..e {
            *y.get().add(i) = *x.get().add(i) as i32;
        }
    });
}

/// int32 -> float32, rounding to nearest beyond 2^24.
pub unsafe fn cast_i32_f32(x: *const i32, y: *mut f32, n: usize) {
    let (x, y) = (SendPtr(x as *mut i32), SendPtr(y));
    for_each_chunk(n, |s, e| {
        for i in s..e {
            *y.get().add(i) = *x.get().add(i) as f32;
        }
    });
}

/// y = op(x): op is one of NEG..SIGN above.
#[no_mangle]
pub unsafe extern "C" fn fe_unary(op: u32, x: *const f32, y: *mut f32, n: usize) {
    unary_forward(op, x, y, n);
}

#[no_mangle]
pub unsafe extern "C" fn fe_unary_naive(op: u32, x: *const f32, y: *mut f32, n: usize) {
    unary_naive(op, x, y, n);
}

/// dx from x, y = op(x) and dy (all n elements).
#[no_mangle]
pub unsafe extern "C" fn fe_unary_backward(
    op: u32,
    x: *const f32,
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    n: usize,
) {
    unary_backward(op, x, y, dy, dx, n);
}

#[no_mangle]
pub unsafe extern "C" fn fe_clip(x: *const f32, y: *mut f32, n: usize, lo: f32, hi: f32) {
    clip_forward(x, y, n, lo, hi);
}

#[no_mangle]
pub unsafe extern "C" fn fe_clip_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize, lo: f32, hi: f32) {
    clip_backward(x, dy, dx, n, lo, hi);
}

#[no_mangle]
pub unsafe extern "C" fn fe_cast_f32_i32(x: *const f32, y: *mut i32, n: usize) {
    cast_f32_i32(x, y, n);
}

#[no_mangle]
pub unsafe extern "C" fn fe_cast_i32_f32(x: *const i32, y: *mut f32, n: usize) {
    cast_i32_f32(x, y, n);
}
