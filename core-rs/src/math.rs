//! Scalar float math (no_std has none) and vectorised approximations for hot loops.

extern "C" {
    // compiler_builtins' libm: linked, no imports; matches JS Math to f32 precision.
    fn expf(x: f32) -> f32;
    fn logf(x: f32) -> f32;
    fn tanhf(x: f32) -> f32;
    fn powf(x: f32, y: f32) -> f32;
    fn cosf(x: f32) -> f32;
    fn sinf(x: f32) -> f32;
}

use crate::simd::{F32x4, I32x4};

#[inline(always)]
pub fn exp(x: f32) -> f32 {
    unsafe { expf(x) }
}
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    unsafe { logf(x) }
}
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    unsafe { tanhf(x) }
}
#[inline(always)]
pub fn pow(x: f32, y: f32) -> f32 {
    unsafe { powf(x, y) }
}
#[inline(always)]
pub fn cos(x: f32) -> f32 {
    unsafe { cosf(x) }
}
#[inline(always)]
pub fn sin(x: f32) -> f32 {
    unsafe { sinf(x) }
}

/// sqrt compiles to the `f32.sqrt` instruction.
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::f32x4_extract_lane::<0>(core::arch::wasm32::f32x4_sqrt(core::arch::wasm32::f32x4_splat(x)))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = x;
        unimplemented!()
    }
}

/// Round half to even (the wasm `nearest` instruction).
#[inline(always)]
pub fn round_ties_even(x: f32) -> f32 {
    // Adding and subtracting 1.5 * 2^23 rounds to an integer in the current (nearest-even)
    // rounding mode for |x| < 2^22; larger magnitudes are already integers.
    if x.abs() >= 4194304.0 {
        return x;
    }
    let magic = 12582912.0f32;
    let y = core::hint::black_box(x + magic);
    y - magic
}

#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    // Written so that neither branch overflows: exp of a non-positive number only.
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}

/// Vectorised e^x. Cody–Waite reduction x = n ln2 + r, |r| <= ln2/2, then a degree-6
/// polynomial for e^r and 2^n built in the exponent bits. Relative error below 2e-7
/// over [-87, 88]; inputs are clamped there (e^x underflows to ~0 and saturates at
/// ~1.6e38), which is what softmax and sigmoid need.
#[inline(always)]
pub fn exp_v(x: F32x4) -> F32x4 {
    let x = x.max(F32x4::splat(-87.3)).min(F32x4::splat(88.3));
    let n = x.mul(F32x4::splat(core::f32::consts::LOG2_E)).nearest();
    // ln2 split in a part exact in f32 and the remainder.
    let r = x
        .sub(n.mul(F32x4::splat(0.693_145_75)))
        .sub(n.mul(F32x4::splat(1.428_606_8e-6)));
    let mut p = F32x4::splat(1.0 / 720.0);
    p = F32x4::splat(1.0 / 120.0).mul_add(p, r);
    p = F32x4::splat(1.0 / 24.0).mul_add(p, r);
    p = F32x4::splat(1.0 / 6.0).mul_add(p, r);
    p = F32x4::splat(0.5).mul_add(p, r);
    p = F32x4::splat(1.0).mul_add(p, r);
    p = F32x4::splat(1.0).mul_add(p, r);
    // 2^n: n in [-126, 128]; split it in two halves so each factor is a normal float.
    let ni = n.round_to_i32();
    let half = F32x4::splat(0.5).mul(n).nearest().round_to_i32();
    let rest = ni.add(I32x4(neg_i(half)));
    let two_half = half.add(I32x4::splat(127)).shl::<23>().from_bits();
    let two_rest = rest.add(I32x4::splat(127)).shl::<23>().from_bits();
    p.mul(two_half).mul(two_rest)
}

#[cfg(target_feature = "simd128")]
#[inline(always)]
fn neg_i(v: I32x4) -> core::arch::wasm32::v128 {
    core::arch::wasm32::i32x4_neg(v.0)
}
#[cfg(not(target_feature = "simd128"))]
#[inline(always)]
fn neg_i(v: I32x4) -> [i32; 4] {
    v.0.map(|x| x.wrapping_neg())
}

/// Vectorised logistic sigmoid 1 / (1 + e^-x), saturating cleanly at both ends.
#[inline(always)]
pub fn sigmoid_v(x: F32x4) -> F32x4 {
    let e = exp_v(x.neg());
    F32x4::splat(1.0).div(F32x4::splat(1.0).add(e))
}

/// Vectorised tanh via 2·sigmoid(2x) − 1, with the odd-symmetric form for small |x|
/// where that difference would lose relative precision.
#[inline(always)]
pub fn tanh_v(x: F32x4) -> F32x4 {
    // tanh(x) = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}); relative error ~3e-7 for |x| >= 0.01,
    // below that a cubic Taylor term is exact to f32.
    let ax = x.abs();
    let e = exp_v(ax.mul(F32x4::splat(-2.0)));
    let t = F32x4::splat(1.0).sub(e).div(F32x4::splat(1.0).add(e));
    let small = ax.lt(F32x4::splat(0.01));
    let x2 = x.mul(x);
    let taylor = x.sub(x.mul(x2).mul(F32x4::splat(1.0 / 3.0)));
    let signed = F32x4::select(x.lt(F32x4::zero()), t.neg(), t);
    F32x4::select(small, taylor, signed)
}
