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
    let s = m.sub(splat(1.0)).div(m.add(splat(1.0)));
    let ln_m = poly(s.mul(s), [1.0, 1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0, 1.0 / 9.0]).mul(s.add(s));
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
    t.to_bits().or(x.to_bits().and(IntLanes::splat(i32::MIN))).from_bits()
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
