//! A four-lane f32 vector, the only SIMD vocabulary kernels use.
//!
//! With `+simd128` it is a `v128`; without, four scalars, so that the same kernel
//! source builds both `ferrite-simd.wasm` and a genuinely scalar `ferrite-scalar.wasm`
//! (the scalar build is the reference the SIMD one is tested against, and the
//! fallback for runtimes without SIMD).

pub const LANES: usize = 4;

#[cfg(target_feature = "simd128")]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct F32x4(pub v128);

    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct I32x4(pub v128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F32x4(f32x4_splat(x))
        }
        #[inline(always)]
        pub fn zero() -> Self {
            F32x4(f32x4_splat(0.0))
        }
        /// Unaligned load of 4 floats.
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> Self {
            F32x4(v128_load(p as *const v128))
        }
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F32x4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            F32x4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F32x4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            F32x4(f32x4_div(self.0, o.0))
        }
        /// self + a * b (two roundings: SIMD128 has no fused multiply-add).
        #[inline(always)]
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            F32x4(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        /// Lane-wise max; NaN in either input propagates (IEEE maximum semantics differ
        /// from `f32::max`, which the kernels never rely on).
        #[inline(always)]
        pub fn max(self, o: Self) -> Self {
            F32x4(f32x4_pmax(self.0, o.0))
        }
        #[inline(always)]
        pub fn min(self, o: Self) -> Self {
            F32x4(f32x4_pmin(self.0, o.0))
        }
        #[inline(always)]
        pub fn sqrt(self) -> Self {
            F32x4(f32x4_sqrt(self.0))
        }
        #[inline(always)]
        pub fn abs(self) -> Self {
            F32x4(f32x4_abs(self.0))
        }
        #[inline(always)]
        pub fn neg(self) -> Self {
            F32x4(f32x4_neg(self.0))
        }
        /// Lanes where self > o get all ones.
        #[inline(always)]
        pub fn gt(self, o: Self) -> Self {
            F32x4(f32x4_gt(self.0, o.0))
        }
        #[inline(always)]
        pub fn lt(self, o: Self) -> Self {
            F32x4(f32x4_lt(self.0, o.0))
        }
        /// mask ? a : b, lane-wise, for masks from comparisons.
        #[inline(always)]
        pub fn select(mask: Self, a: Self, b: Self) -> Self {
            F32x4(v128_bitselect(a.0, b.0, mask.0))
        }
        #[inline(always)]
        pub fn and(self, o: Self) -> Self {
            F32x4(v128_and(self.0, o.0))
        }
        #[inline(always)]
        pub fn sum(self) -> f32 {
            let s = f32x4_add(self.0, i32x4_shuffle::<2, 3, 0, 1>(self.0, self.0));
            let s = f32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
            f32x4_extract_lane::<0>(s)
        }
        #[inline(always)]
        pub fn hmax(self) -> f32 {
            let s = f32x4_pmax(self.0, i32x4_shuffle::<2, 3, 0, 1>(self.0, self.0));
            let s = f32x4_pmax(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
            f32x4_extract_lane::<0>(s)
        }
        /// Round to nearest integer, as i32 lanes.
        #[inline(always)]
        pub fn round_to_i32(self) -> I32x4 {
            I32x4(i32x4_trunc_sat_f32x4(f32x4_nearest(self.0)))
        }
        #[inline(always)]
        pub fn nearest(self) -> Self {
            F32x4(f32x4_nearest(self.0))
        }
        #[inline(always)]
        pub fn to_bits(self) -> I32x4 {
            I32x4(self.0)
        }
        /// Transposes the 4x4 block whose rows are `r`: lane j of output i is lane i of r[j].
        #[inline(always)]
        pub fn transpose4(r: [Self; 4]) -> [Self; 4] {
            let t0 = i32x4_shuffle::<0, 4, 1, 5>(r[0].0, r[1].0);
            let t1 = i32x4_shuffle::<2, 6, 3, 7>(r[0].0, r[1].0);
            let t2 = i32x4_shuffle::<0, 4, 1, 5>(r[2].0, r[3].0);
            let t3 = i32x4_shuffle::<2, 6, 3, 7>(r[2].0, r[3].0);
            [
                F32x4(i32x4_shuffle::<0, 1, 4, 5>(t0, t2)),
                F32x4(i32x4_shuffle::<2, 3, 6, 7>(t0, t2)),
                F32x4(i32x4_shuffle::<0, 1, 4, 5>(t1, t3)),
                F32x4(i32x4_shuffle::<2, 3, 6, 7>(t1, t3)),
            ]
        }
    }

    impl I32x4 {
        #[inline(always)]
        pub fn splat(x: i32) -> Self {
            I32x4(i32x4_splat(x))
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            I32x4(i32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn shl<const N: u32>(self) -> Self {
            I32x4(i32x4_shl(self.0, N))
        }
        #[inline(always)]
        pub fn from_bits(self) -> F32x4 {
            F32x4(self.0)
        }
    }
}

#[cfg(not(target_feature = "simd128"))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F32x4(pub [f32; 4]);

    #[derive(Clone, Copy)]
    pub struct I32x4(pub [i32; 4]);

    #[inline(always)]
    fn map(a: F32x4, f: impl Fn(f32) -> f32) -> F32x4 {
        F32x4([f(a.0[0]), f(a.0[1]), f(a.0[2]), f(a.0[3])])
    }
    #[inline(always)]
    fn zip(a: F32x4, b: F32x4, f: impl Fn(f32, f32) -> f32) -> F32x4 {
        F32x4([
            f(a.0[0], b.0[0]),
            f(a.0[1], b.0[1]),
            f(a.0[2], b.0[2]),
            f(a.0[3], b.0[3]),
        ])
    }
    const ONES: f32 = f32::from_bits(u32::MAX);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F32x4([x; 4])
        }
        #[inline(always)]
        pub fn zero() -> Self {
            F32x4([0.0; 4])
        }
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> Self {
            F32x4([*p, *p.add(1), *p.add(2), *p.add(3)])
        }
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            *p = self.0[0];
            *p.add(1) = self.0[1];
            *p.add(2) = self.0[2];
            *p.add(3) = self.0[3];
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            zip(self, o, |a, b| a + b)
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            zip(self, o, |a, b| a - b)
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            zip(self, o, |a, b| a * b)
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            zip(self, o, |a, b| a / b)
        }
        #[inline(always)]
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            self.add(a.mul(b))
        }
        /// Same semantics as wasm's pmax: b < a ? a : b.
        #[inline(always)]
        pub fn max(self, o: Self) -> Self {
            zip(self, o, |a, b| if a < b { b } else { a })
        }
        #[inline(always)]
        pub fn min(self, o: Self) -> Self {
            zip(self, o, |a, b| if b < a { b } else { a })
        }
        #[inline(always)]
        pub fn sqrt(self) -> Self {
            map(self, crate::math::sqrt)
        }
        #[inline(always)]
        pub fn abs(self) -> Self {
            map(self, f32::abs)
        }
        #[inline(always)]
        pub fn neg(self) -> Self {
            map(self, |a| -a)
        }
        #[inline(always)]
        pub fn gt(self, o: Self) -> Self {
            zip(self, o, |a, b| if a > b { ONES } else { 0.0 })
        }
        #[inline(always)]
        pub fn lt(self, o: Self) -> Self {
            zip(self, o, |a, b| if a < b { ONES } else { 0.0 })
        }
        #[inline(always)]
        pub fn select(mask: Self, a: Self, b: Self) -> Self {
            let pick = |m: f32, x: f32, y: f32| if m.to_bits() != 0 { x } else { y };
            F32x4([
                pick(mask.0[0], a.0[0], b.0[0]),
                pick(mask.0[1], a.0[1], b.0[1]),
                pick(mask.0[2], a.0[2], b.0[2]),
                pick(mask.0[3], a.0[3], b.0[3]),
            ])
        }
        #[inline(always)]
        pub fn and(self, o: Self) -> Self {
            zip(self, o, |a, b| f32::from_bits(a.to_bits() & b.to_bits()))
        }
        #[inline(always)]
        pub fn sum(self) -> f32 {
            (self.0[0] + self.0[2]) + (self.0[1] + self.0[3])
        }
        #[inline(always)]
        pub fn hmax(self) -> f32 {
            let m = |a: f32, b: f32| if a < b { b } else { a };
            m(m(self.0[0], self.0[2]), m(self.0[1], self.0[3]))
        }
        #[inline(always)]
        pub fn nearest(self) -> Self {
            map(self, crate::math::round_ties_even)
        }
        #[inline(always)]
        pub fn round_to_i32(self) -> I32x4 {
            let r = self.nearest();
            I32x4([r.0[0] as i32, r.0[1] as i32, r.0[2] as i32, r.0[3] as i32])
        }
        #[inline(always)]
        pub fn to_bits(self) -> I32x4 {
            I32x4(self.0.map(|x| x.to_bits() as i32))
        }
        /// Transposes the 4x4 block whose rows are `r`: lane j of output i is lane i of r[j].
        #[inline(always)]
        pub fn transpose4(r: [Self; 4]) -> [Self; 4] {
            core::array::from_fn(|i| F32x4([r[0].0[i], r[1].0[i], r[2].0[i], r[3].0[i]]))
        }
    }

    impl I32x4 {
        #[inline(always)]
        pub fn splat(x: i32) -> Self {
            I32x4([x; 4])
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            I32x4([
                self.0[0].wrapping_add(o.0[0]),
                self.0[1].wrapping_add(o.0[1]),
                self.0[2].wrapping_add(o.0[2]),
                self.0[3].wrapping_add(o.0[3]),
            ])
        }
        #[inline(always)]
        pub fn shl<const N: u32>(self) -> Self {
            I32x4(self.0.map(|x| x << N))
        }
        #[inline(always)]
        pub fn from_bits(self) -> F32x4 {
            F32x4(self.0.map(|x| f32::from_bits(x as u32)))
        }
    }
}

pub use imp::{F32x4, I32x4};
