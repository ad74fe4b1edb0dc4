//! The SIMD vocabulary, and the only module that uses `core::arch::wasm32` vector intrinsics.
//!
//! Kernels and the math functions compute with the [`Lanes`] trait: the same source works on
//! one `f32` (tails, naive references, scalar results) and on an [`F32x4`] (four lanes).
//! `F32x4` has one implementation per instruction set, chosen at compile time:
//! - `+simd128` (`ferrite-simd.wasm`, `ferrite-simd-threads.wasm`): a `v128`;
//! - otherwise (`ferrite-scalar.wasm`): four `f32` run through the `f32` implementation
//!   lane by lane, so the scalar build contains no vector instruction at all.
//!
//! The relaxed builds (`+relaxed-simd` on top of either SIMD build:
//! `ferrite-simd-relaxed.wasm`, `ferrite-simd-threads-relaxed.wasm`) differ in one operation
//! only: `mul_add` is `f32x4.relaxed_madd`, which the engine may fuse (one rounding, on CPUs
//! with FMA) or not (two roundings); the `f32` form goes through the same instruction (lane
//! 0 of a splat), so a scalar tail still computes exactly what a vector lane does.
//!
//! Every other operation has the same IEEE semantics in all builds (`max`/`min` are wasm's
//! `pmax`/`pmin`, `nearest` rounds ties to even), and `mul_add` rounds twice outside the
//! relaxed builds: a kernel gives bitwise the same result on the scalar, SIMD and SIMD +
//! threads builds, and the relaxed builds differ from them in the last bits only where a
//! kernel uses `mul_add`. Within any one build, a vector lane computes what the scalar form
//! does, so results do not depend on where a thread's range starts or ends.
//!
//! Beside the per-instruction-set core (`splat`, `load`, `store`, arithmetic, comparisons,
//! `sum`/`hmax` across lanes, a 4x4 transpose), everything here is written once on top of
//! it: partial loads and stores for the ragged end of a row, loops over the vectors of a
//! range ([`for_each_vector`], [`sum_vectors`]) and a few whole-array helpers.
//!
//! (`core::arch::wasm32` appears elsewhere only for what is not SIMD: memory growth in
//! `heap.rs`, atomics in `parallel.rs`, the trap of the panic handler in `lib.rs`.)

pub const LANES: usize = 4;

/// Arithmetic on one float (`f32`) or four (`F32x4`), with identical per-lane semantics.
///
/// Comparisons return masks (all bits set where true, zero elsewhere) for `select` and `and`.
/// On a concrete `f32`, Rust's inherent `max`, `min` and `abs` win over these methods (and
/// `max`/`min` ignore NaN there): generic code gets these, concrete code writes
/// `Lanes::max(a, b)` when it wants wasm's semantics.
pub trait Lanes: Copy {
    /// Integer lanes of the same width, for work on the bits (exponent fields).
    type Int: IntLanes<Float = Self>;
    /// Floats per value: 1 or LANES.
    const WIDTH: usize;
    /// Loads WIDTH floats from p (no alignment needed).
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    fn splat(x: f32) -> Self;
    #[inline(always)]
    fn zero() -> Self {
        Self::splat(0.0)
    }
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    /// self + a * b: rounded twice, except in the relaxed builds, where it is
    /// `f32x4.relaxed_madd` (fused where the CPU has FMA). Use it for the multiply-adds of
    /// hot loops; a kernel whose result must not change between builds uses `add`/`mul`.
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        self.add(a.mul(b))
    }
    /// wasm's pmax, `self < o ? o : self`: a NaN in `self` propagates, one in `o` does not.
    fn max(self, o: Self) -> Self;
    /// wasm's pmin, `o < self ? o : self`.
    fn min(self, o: Self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn neg(self) -> Self;
    /// Round to the nearest integer, ties to even (wasm's `nearest`).
    fn nearest(self) -> Self;
    /// Round toward -Infinity, toward +Infinity (wasm's `floor`, `ceil`).
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn gt(self, o: Self) -> Self;
    fn lt(self, o: Self) -> Self;
    /// self == o (false where either is NaN).
    fn eq(self, o: Self) -> Self;
    /// mask ? a : b, lane-wise, for masks from comparisons.
    fn select(mask: Self, a: Self, b: Self) -> Self;
    /// self where the mask is set, 0 elsewhere.
    fn and(self, mask: Self) -> Self;
    /// self where the mask is clear, 0 where it is set.
    fn andnot(self, mask: Self) -> Self;
    fn to_bits(self) -> Self::Int;
    /// `f` lane by lane, for what SIMD128 has no instruction for (pow).
    fn zip(self, o: Self, f: impl Fn(f32, f32) -> f32) -> Self;
    /// Subnormal lanes (0 < |x| < f32::MIN_POSITIVE) replaced by 0; NaN and the rest kept.
    /// wasm cannot set the CPU's flush-to-zero mode, and x86 computes on subnormals through
    /// microcode assists that cost about a hundred cycles each: state that decays
    /// geometrically toward 0 (an optimizer's moments where a gradient stays 0) spends ~150
    /// steps in the subnormal range unless flushed. Native TensorFlow runs with
    /// flush-to-zero, so this is also what Keras computes there.
    /// Three bit operations: the lanes whose exponent field is 0 (subnormals and zeros).
    #[inline(always)]
    fn flush_subnormal(self) -> Self {
        let exponent = self.to_bits().and(Self::Int::splat(0x7f80_0000));
        self.andnot(exponent.eq(Self::Int::splat(0)).from_bits())
    }
}

/// 32-bit integer lanes (wrapping arithmetic), the bit view of [`Lanes`].
pub trait IntLanes: Copy {
    type Float: Lanes<Int = Self>;
    fn splat(x: i32) -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    /// All bits set where self == o, 0 elsewhere.
    fn eq(self, o: Self) -> Self;
    fn shl<const N: u32>(self) -> Self;
    /// Arithmetic shift right.
    fn shr<const N: u32>(self) -> Self;
    /// The float nearest to each integer.
    fn to_float(self) -> Self::Float;
    /// The float whose bits these are.
    fn from_bits(self) -> Self::Float;
}

extern "C" {
    // compiler-builtins' libm (linked into every wasm build, no imports): each is a
    // single wasm instruction (f32.sqrt, f32.nearest), which core does not expose on stable.
    fn sqrtf(x: f32) -> f32;
    fn rintf(x: f32) -> f32;
    fn floorf(x: f32) -> f32;
    fn ceilf(x: f32) -> f32;
}

/// A mask lane: all bits set.
const TRUE: f32 = f32::from_bits(u32::MAX);

/// True as a bool tensor stores it (int32 1), seen as a float: kernels whose output is a
/// bool tensor store `mask.and(BOOL_TRUE)`, and read a bool input's 0/1 through float
/// lanes (1 is a subnormal, nonzero: wasm never flushes subnormals).
pub const BOOL_TRUE: f32 = f32::from_bits(1);

impl Lanes for f32 {
    type Int = i32;
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn load(p: *const f32) -> f32 {
        *p
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        *p = self
    }
    #[inline(always)]
    fn splat(x: f32) -> f32 {
        x
    }
    #[inline(always)]
    fn add(self, o: f32) -> f32 {
        self + o
    }
    #[inline(always)]
    fn sub(self, o: f32) -> f32 {
        self - o
    }
    #[inline(always)]
    fn mul(self, o: f32) -> f32 {
        self * o
    }
    #[inline(always)]
    fn div(self, o: f32) -> f32 {
        self / o
    }
    #[cfg(target_feature = "relaxed-simd")]
    #[inline(always)]
    fn mul_add(self, a: f32, b: f32) -> f32 {
        // The instruction the vector form uses, so that a tail lane rounds as a vector lane.
        use core::arch::wasm32::*;
        f32x4_extract_lane::<0>(f32x4_relaxed_madd(f32x4_splat(a), f32x4_splat(b), f32x4_splat(self)))
    }
    #[inline(always)]
    fn max(self, o: f32) -> f32 {
        if self < o {
            o
        } else {
            self
        }
    }
    #[inline(always)]
    fn min(self, o: f32) -> f32 {
        if o < self {
            o
        } else {
            self
        }
    }
    #[inline(always)]
    fn sqrt(self) -> f32 {
        unsafe { sqrtf(self) }
    }
    #[inline(always)]
    fn abs(self) -> f32 {
        f32::from_bits(f32::to_bits(self) & 0x7fff_ffff)
    }
    #[inline(always)]
    fn neg(self) -> f32 {
        -self
    }
    #[inline(always)]
    fn nearest(self) -> f32 {
        unsafe { rintf(self) }
    }
    #[inline(always)]
    fn floor(self) -> f32 {
        unsafe { floorf(self) }
    }
    #[inline(always)]
    fn ceil(self) -> f32 {
        unsafe { ceilf(self) }
    }
    #[inline(always)]
    fn eq(self, o: f32) -> f32 {
        if self == o {
            TRUE
        } else {
            0.0
        }
    }
    #[inline(always)]
    fn gt(self, o: f32) -> f32 {
        if self > o {
            TRUE
        } else {
            0.0
        }
    }
    #[inline(always)]
    fn lt(self, o: f32) -> f32 {
        if self < o {
            TRUE
        } else {
            0.0
        }
    }
    #[inline(always)]
    fn select(mask: f32, a: f32, b: f32) -> f32 {
        if f32::to_bits(mask) != 0 {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn and(self, mask: f32) -> f32 {
        f32::from_bits(f32::to_bits(self) & f32::to_bits(mask))
    }
    #[inline(always)]
    fn andnot(self, mask: f32) -> f32 {
        f32::from_bits(f32::to_bits(self) & !f32::to_bits(mask))
    }
    #[inline(always)]
    fn to_bits(self) -> i32 {
        f32::to_bits(self) as i32
    }
    #[inline(always)]
    fn zip(self, o: f32, f: impl Fn(f32, f32) -> f32) -> f32 {
        f(self, o)
    }
}

impl IntLanes for i32 {
    type Float = f32;
    #[inline(always)]
    fn splat(x: i32) -> i32 {
        x
    }
    #[inline(always)]
    fn add(self, o: i32) -> i32 {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn sub(self, o: i32) -> i32 {
        self.wrapping_sub(o)
    }
    #[inline(always)]
    fn and(self, o: i32) -> i32 {
        self & o
    }
    #[inline(always)]
    fn or(self, o: i32) -> i32 {
        self | o
    }
    #[inline(always)]
    fn eq(self, o: i32) -> i32 {
        if self == o {
            -1
        } else {
            0
        }
    }
    #[inline(always)]
    fn shl<const N: u32>(self) -> i32 {
        self.wrapping_shl(N)
    }
    #[inline(always)]
    fn shr<const N: u32>(self) -> i32 {
        self >> N
    }
    #[inline(always)]
    fn to_float(self) -> f32 {
        self as f32
    }
    #[inline(always)]
    fn from_bits(self) -> f32 {
        f32::from_bits(self as u32)
    }
}

#[cfg(target_feature = "simd128")]
mod imp {
    use super::{IntLanes, Lanes};
    use core::arch::wasm32::*;

    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct F32x4(v128);

    /// Four i32 lanes.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct I32x4(v128);

    impl F32x4 {
        /// Sum across lanes: (l0 + l2) + (l1 + l3).
        #[inline(always)]
        pub fn sum(self) -> f32 {
            let s = f32x4_add(self.0, i32x4_shuffle::<2, 3, 0, 1>(self.0, self.0));
            let s = f32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
            f32x4_extract_lane::<0>(s)
        }
        /// Max across lanes, in the order of `sum`.
        #[inline(always)]
        pub fn hmax(self) -> f32 {
            let s = self.max(F32x4(i32x4_shuffle::<2, 3, 0, 1>(self.0, self.0)));
            let s = s.max(F32x4(i32x4_shuffle::<1, 0, 3, 2>(s.0, s.0)));
            f32x4_extract_lane::<0>(s.0)
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

    impl Lanes for F32x4 {
        type Int = I32x4;
        const WIDTH: usize = 4;
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            F32x4(v128_load(p as *const v128))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        fn splat(x: f32) -> Self {
            F32x4(f32x4_splat(x))
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            F32x4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            F32x4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            F32x4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            F32x4(f32x4_div(self.0, o.0))
        }
        #[cfg(target_feature = "relaxed-simd")]
        #[inline(always)]
        fn mul_add(self, a: Self, b: Self) -> Self {
            F32x4(f32x4_relaxed_madd(a.0, b.0, self.0))
        }
        #[cfg(not(target_feature = "relaxed-simd"))]
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            F32x4(f32x4_pmax(self.0, o.0))
        }
        #[cfg(not(target_feature = "relaxed-simd"))]
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            F32x4(f32x4_pmin(self.0, o.0))
        }
        // With +relaxed-simd LLVM turns pmax/pmin (a select of a comparison) into
        // f32x4.relaxed_max/min, whose NaN results V8 leaves to the CPU (x86's maxps returns
        // the second operand): a NaN would silently become the other operand. The same
        // select through v128.bitselect, an intrinsic LLVM keeps, holds pmax/pmin's semantics.
        #[cfg(target_feature = "relaxed-simd")]
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            F32x4(v128_bitselect(o.0, self.0, f32x4_lt(self.0, o.0)))
        }
        #[cfg(target_feature = "relaxed-simd")]
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            F32x4(v128_bitselect(o.0, self.0, f32x4_lt(o.0, self.0)))
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            F32x4(f32x4_sqrt(self.0))
        }
        #[inline(always)]
        fn abs(self) -> Self {
            F32x4(f32x4_abs(self.0))
        }
        #[inline(always)]
        fn neg(self) -> Self {
            F32x4(f32x4_neg(self.0))
        }
        #[inline(always)]
        fn nearest(self) -> Self {
            F32x4(f32x4_nearest(self.0))
        }
        #[inline(always)]
        fn floor(self) -> Self {
            F32x4(f32x4_floor(self.0))
        }
        #[inline(always)]
        fn ceil(self) -> Self {
            F32x4(f32x4_ceil(self.0))
        }
        #[inline(always)]
        fn eq(self, o: Self) -> Self {
            F32x4(f32x4_eq(self.0, o.0))
        }
        #[inline(always)]
        fn gt(self, o: Self) -> Self {
            F32x4(f32x4_gt(self.0, o.0))
        }
        #[inline(always)]
        fn lt(self, o: Self) -> Self {
            F32x4(f32x4_lt(self.0, o.0))
        }
        #[inline(always)]
        fn select(mask: Self, a: Self, b: Self) -> Self {
            F32x4(v128_bitselect(a.0, b.0, mask.0))
        }
        #[inline(always)]
        fn and(self, mask: Self) -> Self {
            F32x4(v128_and(self.0, mask.0))
        }
        #[inline(always)]
        fn andnot(self, mask: Self) -> Self {
            F32x4(v128_andnot(self.0, mask.0))
        }
        #[inline(always)]
        fn to_bits(self) -> I32x4 {
            I32x4(self.0)
        }
        #[inline(always)]
        fn zip(self, o: Self, f: impl Fn(f32, f32) -> f32) -> Self {
            F32x4(f32x4(
                f(f32x4_extract_lane::<0>(self.0), f32x4_extract_lane::<0>(o.0)),
                f(f32x4_extract_lane::<1>(self.0), f32x4_extract_lane::<1>(o.0)),
                f(f32x4_extract_lane::<2>(self.0), f32x4_extract_lane::<2>(o.0)),
                f(f32x4_extract_lane::<3>(self.0), f32x4_extract_lane::<3>(o.0)),
            ))
        }
    }

    impl IntLanes for I32x4 {
        type Float = F32x4;
        #[inline(always)]
        fn splat(x: i32) -> Self {
            I32x4(i32x4_splat(x))
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            I32x4(i32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            I32x4(i32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            I32x4(v128_and(self.0, o.0))
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            I32x4(v128_or(self.0, o.0))
        }
        #[inline(always)]
        fn eq(self, o: Self) -> Self {
            I32x4(i32x4_eq(self.0, o.0))
        }
        #[inline(always)]
        fn shl<const N: u32>(self) -> Self {
            I32x4(i32x4_shl(self.0, N))
        }
        #[inline(always)]
        fn shr<const N: u32>(self) -> Self {
            I32x4(i32x4_shr(self.0, N))
        }
        #[inline(always)]
        fn to_float(self) -> F32x4 {
            F32x4(f32x4_convert_i32x4(self.0))
        }
        #[inline(always)]
        fn from_bits(self) -> F32x4 {
            F32x4(self.0)
        }
    }
}

#[cfg(not(target_feature = "simd128"))]
mod imp {
    use super::{IntLanes, Lanes};

    /// Four f32 lanes, each computed by the `f32` implementation of [`Lanes`].
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    /// Four i32 lanes, each computed by the `i32` implementation of [`IntLanes`].
    #[derive(Clone, Copy)]
    pub struct I32x4([i32; 4]);

    impl F32x4 {
        #[inline(always)]
        fn map(self, f: impl Fn(f32) -> f32) -> Self {
            F32x4(self.0.map(f))
        }
        #[inline(always)]
        fn zip3(a: Self, b: Self, c: Self, f: impl Fn(f32, f32, f32) -> f32) -> Self {
            F32x4(core::array::from_fn(|i| f(a.0[i], b.0[i], c.0[i])))
        }
        #[inline(always)]
        pub fn sum(self) -> f32 {
            (self.0[0] + self.0[2]) + (self.0[1] + self.0[3])
        }
        #[inline(always)]
        pub fn hmax(self) -> f32 {
            let [a, b, c, d] = self.0;
            Lanes::max(Lanes::max(a, c), Lanes::max(b, d))
        }
        #[inline(always)]
        pub fn transpose4(r: [Self; 4]) -> [Self; 4] {
            core::array::from_fn(|i| F32x4([r[0].0[i], r[1].0[i], r[2].0[i], r[3].0[i]]))
        }
    }

    impl Lanes for F32x4 {
        type Int = I32x4;
        const WIDTH: usize = 4;
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            F32x4(core::array::from_fn(|i| *p.add(i)))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            for (i, x) in self.0.iter().enumerate() {
                *p.add(i) = *x;
            }
        }
        #[inline(always)]
        fn splat(x: f32) -> Self {
            F32x4([x; 4])
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            self.zip(o, Lanes::add)
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            self.zip(o, Lanes::sub)
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            self.zip(o, Lanes::mul)
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            self.zip(o, Lanes::div)
        }
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            self.zip(o, Lanes::max)
        }
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            self.zip(o, Lanes::min)
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            self.map(Lanes::sqrt)
        }
        #[inline(always)]
        fn abs(self) -> Self {
            self.map(Lanes::abs)
        }
        #[inline(always)]
        fn neg(self) -> Self {
            self.map(Lanes::neg)
        }
        #[inline(always)]
        fn nearest(self) -> Self {
            self.map(Lanes::nearest)
        }
        #[inline(always)]
        fn floor(self) -> Self {
            self.map(Lanes::floor)
        }
        #[inline(always)]
        fn ceil(self) -> Self {
            self.map(Lanes::ceil)
        }
        #[inline(always)]
        fn eq(self, o: Self) -> Self {
            self.zip(o, Lanes::eq)
        }
        #[inline(always)]
        fn gt(self, o: Self) -> Self {
            self.zip(o, Lanes::gt)
        }
        #[inline(always)]
        fn lt(self, o: Self) -> Self {
            self.zip(o, Lanes::lt)
        }
        #[inline(always)]
        fn select(mask: Self, a: Self, b: Self) -> Self {
            F32x4::zip3(mask, a, b, Lanes::select)
        }
        #[inline(always)]
        fn and(self, mask: Self) -> Self {
            self.zip(mask, Lanes::and)
        }
        #[inline(always)]
        fn andnot(self, mask: Self) -> Self {
            self.zip(mask, Lanes::andnot)
        }
        #[inline(always)]
        fn to_bits(self) -> I32x4 {
            I32x4(self.0.map(Lanes::to_bits))
        }
        #[inline(always)]
        fn zip(self, o: Self, f: impl Fn(f32, f32) -> f32) -> Self {
            F32x4(core::array::from_fn(|i| f(self.0[i], o.0[i])))
        }
    }

    impl I32x4 {
        #[inline(always)]
        fn zip(self, o: Self, f: impl Fn(i32, i32) -> i32) -> Self {
            I32x4(core::array::from_fn(|i| f(self.0[i], o.0[i])))
        }
    }

    impl IntLanes for I32x4 {
        type Float = F32x4;
        #[inline(always)]
        fn splat(x: i32) -> Self {
            I32x4([x; 4])
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            self.zip(o, IntLanes::add)
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            self.zip(o, IntLanes::sub)
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            self.zip(o, IntLanes::and)
        }
        #[inline(always)]
        fn or(self, o: Self) -> Self {
            self.zip(o, IntLanes::or)
        }
        #[inline(always)]
        fn eq(self, o: Self) -> Self {
            self.zip(o, IntLanes::eq)
        }
        #[inline(always)]
        fn shl<const N: u32>(self) -> Self {
            I32x4(self.0.map(IntLanes::shl::<N>))
        }
        #[inline(always)]
        fn shr<const N: u32>(self) -> Self {
            I32x4(self.0.map(IntLanes::shr::<N>))
        }
        #[inline(always)]
        fn to_float(self) -> F32x4 {
            F32x4(self.0.map(IntLanes::to_float))
        }
        #[inline(always)]
        fn from_bits(self) -> F32x4 {
            F32x4(self.0.map(IntLanes::from_bits))
        }
    }
}

pub use imp::F32x4;

// ---------------------------------------------------------------------------------
// Written once over the core above
// ---------------------------------------------------------------------------------

impl F32x4 {
    #[inline(always)]
    pub fn from_array(a: [f32; LANES]) -> Self {
        unsafe { F32x4::load(a.as_ptr()) }
    }
    #[inline(always)]
    pub fn to_array(self) -> [f32; LANES] {
        let mut a = [0.0f32; LANES];
        unsafe { self.store(a.as_mut_ptr()) };
        a
    }
    /// Loads `len` (< 4) floats from p, the other lanes set to `fill`.
    #[inline(always)]
    pub unsafe fn load_partial(p: *const f32, len: usize, fill: f32) -> Self {
        let mut a = [fill; LANES];
        for (k, x) in a.iter_mut().enumerate().take(len) {
            *x = *p.add(k);
        }
        F32x4::from_array(a)
    }
    /// Stores the first `len` (< 4) lanes at p.
    #[inline(always)]
    pub unsafe fn store_partial(self, p: *mut f32, len: usize) {
        for (k, x) in self.to_array().iter().enumerate().take(len) {
            *p.add(k) = *x;
        }
    }
    /// Loads `w` floats (1..=4; a plain load for 4), the other lanes set to `fill`.
    #[inline(always)]
    pub unsafe fn load_n(p: *const f32, w: usize, fill: f32) -> Self {
        if w == LANES {
            F32x4::load(p)
        } else {
            F32x4::load_partial(p, w, fill)
        }
    }
    /// Stores the first `w` lanes (1..=4) at p.
    #[inline(always)]
    pub unsafe fn store_n(self, p: *mut f32, w: usize) {
        if w == LANES {
            self.store(p)
        } else {
            self.store_partial(p, w)
        }
    }
    /// Sum of the first `len` lanes, in lane order from 0.
    #[inline(always)]
    pub fn sum_first(self, len: usize) -> f32 {
        self.to_array().iter().take(len).fold(0.0, |s, x| s + x)
    }
}

/// Calls `f(i, w)` for the vectors covering `start..end` in order: `w` = LANES for all but
/// a ragged last one, which has `w` = 1..LANES-1 (read and write it with `load_n`/`store_n`).
/// Every lane sees the same arithmetic wherever the range starts and ends.
#[inline(always)]
pub fn for_each_vector(start: usize, end: usize, mut f: impl FnMut(usize, usize)) {
    // A counted loop, which LLVM unrolls (a `while i + LANES <= end` loop it leaves alone).
    let full = end.saturating_sub(start) / LANES;
    for v in 0..full {
        f(start + v * LANES, LANES);
    }
    let i = start + full * LANES;
    if i < end {
        f(i, end - i);
    }
}

/// Σ f(i, w) over the vectors of `0..n` (as `for_each_vector`), the lanes of the ragged last
/// one past `w` left out: full vectors add into one vector accumulator, which is summed
/// across lanes (`F32x4::sum`), then the last vector's lanes are added in order.
#[inline(always)]
pub fn sum_vectors(n: usize, mut f: impl FnMut(usize, usize) -> F32x4) -> f32 {
    let full = n / LANES;
    let mut acc = F32x4::zero();
    for v in 0..full {
        acc = acc.add(f(v * LANES, LANES));
    }
    let (s, i) = (acc.sum(), full * LANES);
    if i < n {
        s + f(i, n - i).sum_first(n - i)
    } else {
        s
    }
}

/// dst[k] += src[k] for k < n (exact per element, so the order of the lanes is immaterial).
#[inline(always)]
pub unsafe fn add_into(dst: *mut f32, src: *const f32, n: usize) {
    let mut k = 0;
    while k + LANES <= n {
        F32x4::load(dst.add(k)).add(F32x4::load(src.add(k))).store(dst.add(k));
        k += LANES;
    }
    while k < n {
        *dst.add(k) += *src.add(k);
        k += 1;
    }
}

/// dst[k] = v for k < n.
#[inline(always)]
pub unsafe fn fill(dst: *mut f32, n: usize, v: f32) {
    let vv = F32x4::splat(v);
    let mut k = 0;
    while k + LANES <= n {
        vv.store(dst.add(k));
        k += LANES;
    }
    while k < n {
        *dst.add(k) = v;
        k += 1;
    }
}
