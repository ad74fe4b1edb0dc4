//! The transcendental functions every kernel uses: one family, written once over
//! [`Lanes`], so `exp::<F32x4>` (a kernel's vector body) and `exp::<f32>` (its tail, the naive
//! references, per-row scalars) are the same algorithm and give bitwise the same results,
//! on every build. no_std has no float math; only `pow` comes from compiler-builtins' libm.
//!
//! Error bounds, measured against float64 over their domains (every 13th float32 of each
//! range) and checked on every build by `test/kernels/math.test.ts` through the test hook
//! `fe_math_eval`. Relative, where the result is a normal float:
//!
//! | function                  | domain      | bound           | at the edges                                 |
//! |---------------------------|-------------|-----------------|----------------------------------------------|
//! | `exp`                     | all         | 3e-7            | +Inf above ln(MAX), 0 below ln(MIN_POSITIVE) |
//! | `exp_nonpos`              | x <= 0      | = `exp`         | `exp`'s bits to ln(MIN_POSITIVE), then ~1e-38 |
//! | `expm1_nonpos`            | x <= 0      | 4e-7            | -1 at -Inf                                   |
//! | `ln`                      | x > 0       | 3e-7            | -Inf at ±0, NaN below 0, +Inf at +Inf        |
//! | `log1p_unit`              | 0 <= u <= 1 | 3e-7            |                                              |
//! | `sigmoid`                 | all         | 4e-7            | 1 at +Inf; ~1.2e-38 (not 0) below -87.3      |
//! | `tanh`                    | all         | 5e-7            | ±1 at ±Inf; tanh(±0) = ±0                    |
//! | `erf`                     | all         | 7e-7 absolute   | ±1 at ±Inf                                   |
//! | `sincos_turns` (sin, cos) | 0 <= u < 1  | 2.5e-7 absolute |                                              |
//! | `expm1`                   | all         | 8e-7            | +Inf above ln(MAX), -1 far below 0           |
//! | `log1p`                   | x >= -1     | 5e-7            | -Inf at -1, NaN below                        |
//! | `sin`, `cos`              | \|x\| < 25736 | 2e-7 + 1e-7 abs | NaN at ±Inf; beyond, the reduction drifts   |
//! | `tan`                     | \|x\| < 25736 | 4e-7 + 1e-7 abs | (of float64's tan of the float32 input)      |
//! | `atan`                    | all         | 3e-7            | ±π/2 at ±Inf                                 |
//! | `asin`, `acos`            | [-1, 1]     | 4e-7            | NaN beyond                                   |
//! | `sinh`, `cosh`            | all         | 5e-7            | overflow only where the result does          |
//! | `asinh`, `acosh`, `atanh` | their domains | 5e-7          | NaN outside; atanh ±Inf at ±1                |
//!
//! `atan2` is `atan` of a ratio in [0, 1] unfolded to its octant (tested through its op).
//! `modulo` and `floor_div` compute in float64 lane by lane, as TF.js's cpu backend does.
//!
//! Subnormal results may be off by their rounding (2^-149). NaN in gives NaN out. The
//! polynomials are truncated Taylor (or atanh) series on exactly reduced arguments: what is
//! left is their truncation plus a few roundings, which is what the bounds measure. erf is
//! the weakest (Abramowitz and Stegun's 7.1.26 form, as GELU has always used).

use crate::simd::{IntLanes, Lanes};
use core::f32::consts::{LOG2_E, PI};

extern "C" {
    // compiler-builtins' libm: linked, no imports.
    fn powf(x: f32, y: f32) -> f32;
    fn fmod(x: f64, y: f64) -> f64;
    fn floor(x: f64) -> f64;
}

/// libm's e^x, ln x and sqrt in f64: for the naive references only (kernels use the f32
/// family below, whose bounds are tested).
pub mod f64_ref {
    extern "C" {
        #[link_name = "exp"]
        fn libm_exp(x: f64) -> f64;
        #[link_name = "log"]
        fn libm_log(x: f64) -> f64;
        #[link_name = "sqrt"]
        fn libm_sqrt(x: f64) -> f64;
    }
    pub fn exp(x: f64) -> f64 {
        unsafe { libm_exp(x) }
    }
    pub fn ln(x: f64) -> f64 {
        unsafe { libm_log(x) }
    }
    pub fn sqrt(x: f64) -> f64 {
        unsafe { libm_sqrt(x) }
    }
}

/// x^y, libm's powf (SIMD128 has no pow; vector code calls it lane by lane with `zip`).
#[inline(always)]
pub fn pow(x: f32, y: f32) -> f32 {
    unsafe { powf(x, y) }
}

/// a mod b as TF.js's cpu backend computes it, in float64 (JS numbers) from float32
/// values: the truncated remainder r (libm's fmod, exact) where a and b have the same sign
/// (a >= 0 counting as positive), else (r + b) mod b, which gives it the sign of b.
/// Scalar, for `zip` (SIMD128 has no remainder).
#[inline(always)]
pub fn modulo(a: f32, b: f32) -> f32 {
    let (a, b) = (a as f64, b as f64);
    unsafe {
        let r = fmod(a, b);
        let same = (a < 0.0 && b < 0.0) || (a >= 0.0 && b >= 0.0);
        (if same { r } else { fmod(r + b, b) }) as f32
    }
}

/// floor(a / b) as TF.js's cpu backend computes it: the quotient in float64, so that
/// quotients beyond 2^23 floor before they round. Scalar, for `zip`.
#[inline(always)]
pub fn floor_div(a: f32, b: f32) -> f32 {
    unsafe { floor(a as f64 / b as f64) as f32 }
}

#[inline(always)]
fn splat<V: Lanes>(x: f32) -> V {
    V::splat(x)
}

/// Horner's rule: c[0] + x (c[1] + x (c[2] + ...)), coefficients from the constant term up.
#[inline(always)]
fn poly<V: Lanes, const N: usize>(x: V, c: [f32; N]) -> V {
    let mut p = splat(c[N - 1]);
    for k in (0..N - 1).rev() {
        p = splat::<V>(c[k]).mul_add(p, x);
    }
    p
}

/// ln 2 in two parts, the first with few enough bits that n * LN2_HI is exact for the n
/// of any f32 exponent: x - n ln2 then loses nothing to cancellation (Cody and Waite).
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;

/// ln(f32::MAX): e^x overflows above it.
const EXP_MAX: f32 = 88.722_83;
/// ln(f32::MIN_POSITIVE): e^x is subnormal below it.
const EXP_MIN: f32 = -87.336_55;

/// Adding 1.5·2^23 + 127 to |y| < 2^22 rounds y to an integer n (the float addition does it)
/// and leaves n + 127, the biased exponent of 2^n, in the low mantissa bits of the sum.
const SHIFTER: f32 = 12_582_912.0 + 127.0;

/// -1, 0 or 1; 0 for ±0 and NaN (TF's Sign).
#[inline(always)]
pub fn sign<V: Lanes>(x: V) -> V {
    let negative = V::select(x.lt(V::zero()), splat(-1.0), V::zero());
    V::select(x.gt(V::zero()), splat(1.0), negative)
}

/// e^x = 2^n e^r for n = round(x log2 e) given as `t` = x log2 e + SHIFTER: returns e^r,
/// r = x - n ln2 in [-ln2/2, ln2/2], by its Taylor series to r^6 (truncation below 1.7e-7).
#[inline(always)]
fn exp_mantissa<V: Lanes>(x: V, t: V) -> V {
    let n = t.sub(splat(SHIFTER));
    let r = x.sub(n.mul(splat(LN2_HI))).sub(n.mul(splat(LN2_LO)));
    poly(r, [1.0, 1.0, 0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0])
}

/// e^x. Overflows to +Inf above ln(f32::MAX) and flushes to 0 below ln(f32::MIN_POSITIVE)
/// (the subnormal results e^x would have there are not produced).
#[inline(always)]
pub fn exp<V: Lanes>(x: V) -> V {
    let xc = x.max(splat(EXP_MIN)).min(splat(EXP_MAX));
    let t = xc.mul(splat(LOG2_E)).add(splat(SHIFTER));
    let p = exp_mantissa(xc, t);
    // 2^n with n + 127 = b in [1, 255]: b = 255 is not an exponent field, so 2^n is taken
    // as 2^(b1 - 63) 2^(b2 - 64) with b1 = b / 2, b2 = b - b1, both normal floats.
    let b = t.to_bits().and(IntLanes::splat(0x3f_ffff));
    let b1 = b.shr::<1>();
    let b2 = b.sub(b1);
    let scale1 = b1.add(IntLanes::splat(64)).shl::<23>().from_bits();
    let scale2 = b2.add(IntLanes::splat(63)).shl::<23>().from_bits();
    let y = p.mul(scale1).mul(scale2);
    let y = V::select(x.gt(splat(EXP_MAX)), splat(f32::INFINITY), y);
    V::select(x.lt(splat(EXP_MIN)), V::zero(), y)
}

/// e^x for x <= 0 (what softmax, sigmoid and tanh need once written stably): bitwise
/// `exp(x)` on [ln(MIN_POSITIVE), 0], and cheaper, because 2^n is one scaling by the
/// sum's low bits shifted into the exponent field (n + 127 >= 1 here). Below that range it
/// stays at ~1.2e-38 rather than flushing to 0; x > 0 gives 1.
#[inline(always)]
pub fn exp_nonpos<V: Lanes>(x: V) -> V {
    let x = x.max(splat(EXP_MIN)).min(V::zero());
    let t = x.mul(splat(LOG2_E)).add(splat(SHIFTER));
    exp_mantissa(x, t).mul(t.to_bits().shl::<23>().from_bits())
}

/// e^x - 1 for x <= 0 without the cancellation of `e^x - 1` near 0: its Taylor series for
/// x > -0.35 (to x^7: truncation below 2e-8), `exp_nonpos(x) - 1` below.
#[inline(always)]
pub fn expm1_nonpos<V: Lanes>(x: V) -> V {
    let c = [1.0, 0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0];
    let series = poly(x, c).mul(x);
    V::select(x.gt(splat(-0.35)), series, exp_nonpos(x).sub(splat(1.0)))
}

/// 2 atanh(s) = ln((1 + s) / (1 - s)) for |s| < 0.172, by its series to s^9 (truncation
/// below 1e-9): the core of `ln` and `log1p`.
#[inline(always)]
fn two_atanh<V: Lanes>(s: V) -> V {
    poly(s.mul(s), [1.0, 1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0, 1.0 / 9.0]).mul(s.add(s))
}

/// ln(x): x = m 2^e with m in [√½, √2), ln x = e ln2 + 2 atanh(s), s = (m - 1)/(m + 1),
/// |s| < 0.172, atanh by its series to s^9 (truncation below 1e-9). Subnormal x are
/// scaled by 2^23 first. ±0 gives -Inf, x < 0 NaN, +Inf +Inf.
#[inline(always)]
pub fn ln<V: Lanes>(x: V) -> V {
    const SQRT_HALF_BITS: i32 = 0x3f35_04f3;
    let tiny = x.lt(splat(f32::MIN_POSITIVE));
    let xs = V::select(tiny, x.mul(splat(8_388_608.0)), x);
    // Offsetting the bits by those of √½ moves the exponent boundary to m = √½: the
    // exponent field of the offset is e, its mantissa field plus √½'s bits is m's.
    let ix = xs.to_bits().sub(IntLanes::splat(SQRT_HALF_BITS));
    let e = ix.shr::<23>().to_float().sub(V::select(tiny, splat(23.0), V::zero()));
    let m = ix
        .and(IntLanes::splat(0x7f_ffff))
        .add(IntLanes::splat(SQRT_HALF_BITS))
        .from_bits();
    let ln_m = two_atanh(m.sub(splat(1.0)).div(m.add(splat(1.0))));
    let y = e.mul(splat(LN2_HI)).add(e.mul(splat(LN2_LO)).add(ln_m));
    let y = V::select(
        x.gt(V::zero()),
        y,
        V::select(x.lt(V::zero()), splat(f32::NAN), splat(f32::NEG_INFINITY)),
    );
    // +Inf and NaN pass through.
    V::select(x.lt(splat(f32::INFINITY)), y, x)
}

/// ln(1 + u) for u in [0, 1] (softplus: u = e^-|x|): with s = u / (2 + u) in [0, 1/3],
/// ln(1 + u) = 2 atanh(s), the series to s^13 (truncation below 2e-8).
#[inline(always)]
pub fn log1p_unit<V: Lanes>(u: V) -> V {
    let s = u.div(splat::<V>(2.0).add(u));
    let c = [1.0, 1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0, 1.0 / 9.0, 1.0 / 11.0, 1.0 / 13.0];
    poly(s.mul(s), c).mul(s.add(s))
}

/// The logistic function 1 / (1 + e^-x), from e = e^-|x| (never overflows): 1 / (1 + e)
/// for x >= 0, e / (1 + e) below, so both tails keep their relative precision.
#[inline(always)]
pub fn sigmoid<V: Lanes>(x: V) -> V {
    let e = exp_nonpos(x.abs().neg());
    let q = splat::<V>(1.0).div(splat::<V>(1.0).add(e));
    V::select(x.lt(V::zero()), e.mul(q), q)
}

/// tanh(x) = sign(x) (-m) / (2 + m) with m = e^(-2|x|) - 1 from `expm1_nonpos`, which keeps
/// the relative precision for small |x| where (1 - e) / (1 + e) would cancel.
#[inline(always)]
pub fn tanh<V: Lanes>(x: V) -> V {
    let m = expm1_nonpos(x.abs().mul(splat(-2.0)));
    let t = m.neg().div(splat::<V>(2.0).add(m));
    // t >= +0: give it x's sign bit (so that tanh(-0) = -0).
    with_sign_of(t, x)
}

/// erf(x), Abramowitz and Stegun 7.1.26 (absolute error 1.5e-7 in exact arithmetic, 7e-7
/// in float32: 1 - p t e^-x² cancels near 0), odd, saturating to ±1.
#[inline(always)]
pub fn erf<V: Lanes>(x: V) -> V {
    let ax = x.abs();
    let t = splat::<V>(1.0).div(splat::<V>(1.0).add(splat::<V>(0.327_591_1).mul(ax)));
    let p = poly(
        t,
        [
            0.254_829_592,
            -0.284_496_736,
            1.421_413_741,
            -1.453_152_027,
            1.061_405_429,
        ],
    );
    let y = splat::<V>(1.0).sub(p.mul(t).mul(exp_nonpos(ax.mul(ax).neg())));
    V::select(x.lt(V::zero()), y.neg(), y)
}

/// `y` (>= +0 or NaN) with the sign bit of `x`: the odd functions' results (and their ±0).
#[inline(always)]
fn with_sign_of<V: Lanes>(y: V, x: V) -> V {
    y.to_bits().or(x.to_bits().and(IntLanes::splat(i32::MIN))).from_bits()
}

/// e^x - 1 on the whole line: its Taylor series to x^11 where |x| < 0.7 (truncation below
/// 3e-11), `exp(x) - 1` beyond, where the subtraction at most doubles exp's relative error.
#[inline(always)]
pub fn expm1<V: Lanes>(x: V) -> V {
    let c = [
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
    ];
    let series = poly(x, c).mul(x);
    V::select(x.abs().lt(splat(0.7)), series, exp(x).sub(splat(1.0)))
}

/// ln(1 + x) on its whole domain: 2 atanh(x / (2 + x)) where 1 + x is in [√½, √2) (no
/// rounding of 1 + x, so tiny x keep their precision), `ln(1 + x)` outside.
#[inline(always)]
pub fn log1p<V: Lanes>(x: V) -> V {
    let near = x.gt(splat(-0.292_893_2)).and(x.lt(splat(0.414_213_56)));
    let series = two_atanh(x.div(splat::<V>(2.0).add(x)));
    V::select(near, series, ln(splat::<V>(1.0).add(x)))
}

/// π/2 in three parts (Cody and Waite), the first two short enough that n times them is
/// exact for |n| < 2^14: x - n π/2 is then exact up to the third part's rounding.
const PIO2_1: f32 = 1.570_312_5;
const PIO2_2: f32 = 4.839_897_2e-4;
const PIO2_3: f32 = -1.629_206_8e-7;
const FRAC_2_PI: f32 = 0.636_619_75;

/// The quadrant reduction of sin, cos and tan: x = n π/2 + r, |r| <= π/4, and
/// (sin r, cos r, even, low) with `even` the mask of even n and `low` that of n mod 4 < 2.
/// sin and cos of r are Taylor series to r^9 and r^10 (truncation below 2e-9).
#[inline(always)]
fn quadrant<V: Lanes>(x: V) -> (V, V, V, V) {
    let n = x.mul(splat(FRAC_2_PI)).nearest();
    let r = x
        .sub(n.mul(splat(PIO2_1)))
        .sub(n.mul(splat(PIO2_2)))
        .sub(n.mul(splat(PIO2_3)));
    let r2 = r.mul(r);
    let sin = poly(r2, [1.0, -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362_880.0]).mul(r);
    let cos = poly(
        r2,
        [1.0, -0.5, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40_320.0, -1.0 / 3_628_800.0],
    );
    let half = n.mul(splat(0.5));
    let quarter = n.mul(splat(0.25));
    let even = half.floor().eq(half);
    let low = quarter.sub(quarter.floor()).lt(splat(0.5));
    (sin, cos, even, low)
}

/// sin x: by quadrant n mod 4 it is sin r, cos r, -sin r, -cos r. Within its bound for
/// |x| < 2^14 π/2 (25736); beyond, the reduction's error grows with |x|. sin(±0) = ±0.
#[inline(always)]
pub fn sin<V: Lanes>(x: V) -> V {
    let (s, c, even, low) = quadrant(x);
    let y = V::select(even, s, c);
    let y = V::select(low, y, y.neg());
    V::select(x.eq(V::zero()), x, y)
}

/// cos x: by quadrant, cos r, -sin r, -cos r, sin r (domain as `sin`).
#[inline(always)]
pub fn cos<V: Lanes>(x: V) -> V {
    let (s, c, even, low) = quadrant(x);
    let y = V::select(even, c, s.neg());
    V::select(low, y, y.neg())
}

/// tan x: sin r / cos r in even quadrants, -cos r / sin r in odd ones (domain as `sin`).
#[inline(always)]
pub fn tan<V: Lanes>(x: V) -> V {
    let (s, c, even, _) = quadrant(x);
    let y = V::select(even, s.div(c), c.neg().div(s));
    V::select(x.eq(V::zero()), x, y)
}

/// atan x: t = min(|x|, 1/|x|) halved twice by atan t = 2 atan(t / (1 + √(1 + t²))) to
/// |t| <= tan(π/16), then 4 t (1 - t²/3 + ...) to t^9 (truncation below 2e-9); π/2 minus
/// that for |x| > 1. Odd.
#[inline(always)]
pub fn atan<V: Lanes>(x: V) -> V {
    let one = splat::<V>(1.0);
    let a = x.abs();
    let big = a.gt(one);
    let mut t = V::select(big, one.div(a), a);
    for _ in 0..2 {
        t = t.div(one.add(one.add(t.mul(t)).sqrt()));
    }
    let p = poly(t.mul(t), [1.0, -1.0 / 3.0, 1.0 / 5.0, -1.0 / 7.0, 1.0 / 9.0]).mul(t.mul(splat(4.0)));
    let y = V::select(big, splat::<V>(core::f32::consts::FRAC_PI_2).sub(p), p);
    // Below 2^-12, atan x = x to float32 precision (x³/3 is under half an ulp), and the
    // halvings would lose subnormal bits.
    V::select(a.lt(splat(2.441_406_3e-4)), x, with_sign_of(y, x))
}

/// asin x = atan(x / √((1 - x)(1 + x))) (1 - x is exact near 1); NaN beyond [-1, 1].
#[inline(always)]
pub fn asin<V: Lanes>(x: V) -> V {
    let one = splat::<V>(1.0);
    atan(x.div(one.sub(x).mul(one.add(x)).sqrt()))
}

/// acos x = 2 atan(√((1 - x) / (1 + x))); NaN beyond [-1, 1].
#[inline(always)]
pub fn acos<V: Lanes>(x: V) -> V {
    let one = splat::<V>(1.0);
    let t = atan(one.sub(x).div(one.add(x)).sqrt());
    t.add(t)
}

/// atan2(y, x), the angle of the point (x, y), as `Math.atan2`: atan of the smaller of |y|,
/// |x| over the larger (in [0, 1], so no overflow), unfolded to the octant and quadrant;
/// atan2(±0, -0) = ±π, atan2(±Inf, ±Inf) = ±π/4 or ±3π/4, NaN in gives NaN.
#[inline(always)]
pub fn atan2<V: Lanes>(y: V, x: V) -> V {
    let (ay, ax) = (y.abs(), x.abs());
    let steep = ay.gt(ax);
    let (num, den) = (V::select(steep, ax, ay), V::select(steep, ay, ax));
    let r = num.div(den);
    let r = V::select(den.eq(V::zero()), V::zero(), r); // both zero
    let r = V::select(num.eq(splat(f32::INFINITY)), splat(1.0), r); // both infinite
    let a = atan(r);
    let a = V::select(steep, splat::<V>(core::f32::consts::FRAC_PI_2).sub(a), a);
    let x_negative = x.to_bits().shr::<31>().from_bits(); // -0 included
    let a = V::select(x_negative, splat::<V>(PI).sub(a), a);
    let a = V::select(x.eq(x).and(y.eq(y)), a, splat(f32::NAN));
    with_sign_of(a, y)
}

/// sinh x: (m + m / (m + 1)) / 2 with m = e^|x| - 1 below |x| = 1 (no cancellation),
/// (e - 1/e) / 2 up to 88, and e^(|x|/2) (e^(|x|/2) / 2) beyond, which overflows only
/// where sinh does. Odd.
#[inline(always)]
pub fn sinh<V: Lanes>(x: V) -> V {
    let (a, half) = (x.abs(), splat::<V>(0.5));
    let m = expm1(a);
    let small = m.add(m.div(m.add(splat(1.0)))).mul(half);
    let e = exp(a);
    let mid = e.mul(half).sub(half.div(e));
    let h = exp(a.mul(half));
    let y = V::select(a.lt(splat(88.0)), mid, h.mul(h.mul(half)));
    with_sign_of(V::select(a.lt(splat(1.0)), small, y), x)
}

/// cosh x: (e + 1/e) / 2 up to |x| = 88, e^(|x|/2) (e^(|x|/2) / 2) beyond (as `sinh`).
#[inline(always)]
pub fn cosh<V: Lanes>(x: V) -> V {
    let (a, half) = (x.abs(), splat::<V>(0.5));
    let e = exp(a);
    let h = exp(a.mul(half));
    V::select(a.lt(splat(88.0)), e.mul(half).add(half.div(e)), h.mul(h.mul(half)))
}

/// Above this, asinh and acosh are ln(2|x|) to float32 precision (the rest is 1/(4x²)).
const ASINH_LARGE: f32 = 4096.0;

/// asinh x = log1p(|x| + x² / (1 + √(1 + x²))) (no cancellation for small |x|),
/// ln|x| + ln 2 for large |x| (x² would overflow). Odd.
#[inline(always)]
pub fn asinh<V: Lanes>(x: V) -> V {
    let (a, one) = (x.abs(), splat::<V>(1.0));
    let a2 = a.mul(a);
    let near = log1p(a.add(a2.div(one.add(one.add(a2).sqrt()))));
    let far = ln(a).add(splat(core::f32::consts::LN_2));
    with_sign_of(V::select(a.gt(splat(ASINH_LARGE)), far, near), x)
}

/// acosh x = log1p(t + √(t (t + 2))) with t = x - 1 (exact near 1), ln x + ln 2 for large
/// x; NaN below 1.
#[inline(always)]
pub fn acosh<V: Lanes>(x: V) -> V {
    let t = x.sub(splat(1.0));
    let near = log1p(t.add(t.mul(t.add(splat(2.0))).sqrt()));
    let far = ln(x).add(splat(core::f32::consts::LN_2));
    V::select(x.gt(splat(ASINH_LARGE)), far, near)
}

/// atanh x = log1p(2|x| / (1 - |x|)) / 2 (1 - |x| exact near 1); ±Inf at ±1, NaN beyond. Odd.
#[inline(always)]
pub fn atanh<V: Lanes>(x: V) -> V {
    let a = x.abs();
    let y = log1p(a.add(a).div(splat::<V>(1.0).sub(a))).mul(splat(0.5));
    with_sign_of(y, x)
}

/// (sin 2πu, cos 2πu) for u in [0, 1) (the angle of a Box-Muller pair). u is brought to
/// s in [-1/4, 1/4] by periodicity and the reflection s -> ±1/2 - s (exact on multiples of
/// 2^-24), then Taylor series in x = 2πs, |x| <= π/2, to x^11 and x^12 (truncation below 6e-8).
#[inline(always)]
pub fn sincos_turns<V: Lanes>(u: V) -> (V, V) {
    let s = u.sub(u.nearest()); // [-1/2, 1/2]
    let far = s.abs().gt(splat(0.25));
    let half = V::select(s.lt(V::zero()), splat(-0.5), splat(0.5));
    let s = V::select(far, half.sub(s), s); // sin keeps its value, cos changes sign
    let x = s.mul(splat(2.0 * PI));
    let x2 = x.mul(x);
    let sin = poly(
        x2,
        [
            1.0,
            -1.0 / 6.0,
            1.0 / 120.0,
            -1.0 / 5040.0,
            1.0 / 362_880.0,
            -1.0 / 39_916_800.0,
        ],
    )
    .mul(x);
    let c = [
        1.0,
        -0.5,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40_320.0,
        -1.0 / 3_628_800.0,
        1.0 / 479_001_600.0,
    ];
    let cos = poly(x2, c);
    (sin, V::select(far, cos.neg(), cos))
}

// ---------------------------------------------------------------------------------
// Test hook: every function of the family on an array, in either form
// ---------------------------------------------------------------------------------

/// The functions `eval` runs (`fe_math_eval`'s `fn_id`).
/// ABI enum: MathFn
pub const EXP: u32 = 0;
pub const EXP_NONPOS: u32 = 1;
pub const EXPM1_NONPOS: u32 = 2;
pub const LN: u32 = 3;
pub const LOG1P_UNIT: u32 = 4;
pub const SIGMOID: u32 = 5;
pub const TANH: u32 = 6;
pub const ERF: u32 = 7;
pub const SIN_TURNS: u32 = 8;
pub const COS_TURNS: u32 = 9;
pub const EXPM1: u32 = 10;
pub const LOG1P: u32 = 11;
pub const SIN: u32 = 12;
pub const COS: u32 = 13;
pub const TAN: u32 = 14;
pub const ATAN: u32 = 15;
pub const ASIN: u32 = 16;
pub const ACOS: u32 = 17;
pub const SINH: u32 = 18;
pub const COSH: u32 = 19;
pub const ASINH: u32 = 20;
pub const ACOSH: u32 = 21;
pub const ATANH: u32 = 22;

#[inline(always)]
fn apply<V: Lanes>(f: u32, x: V) -> V {
    match f {
        EXP => exp(x),
        EXP_NONPOS => exp_nonpos(x),
        EXPM1_NONPOS => expm1_nonpos(x),
        LN => ln(x),
        LOG1P_UNIT => log1p_unit(x),
        SIGMOID => sigmoid(x),
        TANH => tanh(x),
        ERF => erf(x),
        SIN_TURNS => sincos_turns(x).0,
        COS_TURNS => sincos_turns(x).1,
        EXPM1 => expm1(x),
        LOG1P => log1p(x),
        SIN => sin(x),
        COS => cos(x),
        TAN => tan(x),
        ATAN => atan(x),
        ASIN => asin(x),
        ACOS => acos(x),
        SINH => sinh(x),
        COSH => cosh(x),
        ASINH => asinh(x),
        ACOSH => acosh(x),
        ATANH => atanh(x),
        _ => panic!("math: unknown function"),
    }
}

/// y = f(x) elementwise with the vector form (`F32x4`, the ragged end padded) or the scalar
/// form (`f32`, one element at a time). x is (n), y is (n).
pub unsafe fn eval(f: u32, scalar: bool, x: *const f32, y: *mut f32, n: usize) {
    use crate::simd::{for_each_vector, F32x4};
    if scalar {
        for i in 0..n {
            *y.add(i) = apply(f, *x.add(i));
        }
    } else {
        for_each_vector(0, n, |i, w| {
            apply(f, F32x4::load_n(x.add(i), w, 0.0)).store_n(y.add(i), w)
        });
    }
}
