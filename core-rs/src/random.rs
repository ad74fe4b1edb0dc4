//! Random numbers from a counter-based generator, and the dropout mask.
//!
//! Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11)
//! maps a 128-bit counter and a 64-bit key to four 32-bit words. Element i of a draw
//! uses counter (i / 4, stream, tag) and keeps word i % 4, so its value depends only on
//! (key, stream, tag, i): never on how the work is split over threads, nor on which
//! elements are drawn first. The TS side picks the key (the seed) and the stream (the
//! draw's position in the global sequence) so that every draw gets fresh counters.
//!
//! Counter layout: [block lo, block hi, stream, tag]. Tag bit 0 tells explicit-seed draws
//! (0) from the global stream (1); bits 1.. count the truncated-normal redraws of one
//! element (0 for every first draw), whose counter carries the element index instead
//! of the block index.
//!
//! Floats: uniform u = (w >> 8) 2^-24 in [0, 1) (24 bits, every value exact). Normals
//! come in pairs by Box-Muller from two words: r = sqrt(-2 ln v), v = (w + ½) 2^-32 in
//! (0, 1] (the 32-bit word gives the tails to 6.7 sigma), θ = 2π u, vectorised four
//! pairs at a time (ln, sin and cos by the bounded-domain polynomials, ~3e-7).

use crate::activation::{ln_unit_v, map2};
use crate::math::{cos, ln, sin, sqrt};
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::F32x4;

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9; // golden ratio
const W1: u32 = 0xBB67_AE85; // sqrt(3) - 1

/// Blocks (of 4 values) per parallel work item below which splitting is not worth it.
const GRAIN_BLOCKS: usize = 1 << 11;

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = a as u64 * b as u64;
    ((p >> 32) as u32, p as u32)
}

/// One Philox round on a counter block.
#[inline(always)]
fn philox_round(c: [u32; 4], k: [u32; 2]) -> [u32; 4] {
    let (hi0, lo0) = mulhilo(M0, c[0]);
    let (hi1, lo1) = mulhilo(M1, c[2]);
    [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0]
}

/// Philox-4x32 with 10 rounds (the Random123 reference parameters).
#[inline(always)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [out] = philox4x32_10_xn([counter], key);
    out
}

/// Philox-4x32-10 of N counters with one key, rounds interleaved across the blocks: a
/// block's rounds form one dependency chain of multiplies, and N independent chains
/// keep the multiplier busy (about 2x faster than one block at a time for N = 4).
#[inline(always)]
pub fn philox4x32_10_xn<const N: usize>(counters: [[u32; 4]; N], key: [u32; 2]) -> [[u32; 4]; N] {
    let mut c = counters;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        for block in c.iter_mut() {
            *block = philox_round(*block, k);
        }
    }
    c
}

/// Blocks generated together; a group of GROUP blocks holds elements
/// 4 GROUP g .. 4 GROUP (g + 1), in element order.
const GROUP: usize = 4;
const GROUP_LEN: usize = 4 * GROUP;

/// One draw's place in the counter space.
#[derive(Clone, Copy)]
pub struct Stream {
    pub key: [u32; 2],
    pub stream: u32,
    pub tag: u32,
}

impl Stream {
    /// The stream of an export's (k0, k1, stream, tag) arguments.
    #[inline(always)]
    pub fn from_words(k0: u32, k1: u32, stream: u32, tag: u32) -> Stream {
        let key = [k0, k1];
        Stream { key, stream, tag }
    }

    #[inline(always)]
    fn counter(&self, b: u64) -> [u32; 4] {
        [b as u32, (b >> 32) as u32, self.stream, self.tag]
    }

    /// The words of elements GROUP_LEN g .. GROUP_LEN (g + 1): blocks GROUP g, GROUP g + 1, ...
    #[inline(always)]
    pub fn group(&self, g: u64) -> [u32; GROUP_LEN] {
        let first = g * GROUP as u64;
        let blocks = philox4x32_10_xn(
            core::array::from_fn::<_, GROUP, _>(|j| self.counter(first + j as u64)),
            self.key,
        );
        core::array::from_fn(|i| blocks[i / 4][i % 4])
    }

    /// Four more words for element `i`'s `attempt`-th redraw (attempt >= 1).
    #[inline(always)]
    fn redraw(&self, i: u64, attempt: u32) -> [u32; 4] {
        philox4x32_10(
            [i as u32, (i >> 32) as u32, self.stream, self.tag | (attempt << 1)],
            self.key,
        )
    }
}

/// Uniform in [0, 1) with 24 random bits.
#[inline(always)]
pub fn unit_uniform(w: u32) -> f32 {
    (w >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Two standard normals from two words (Box-Muller), scalar form (libm): kept as the
/// naive reference for `normals`, which vectorises the same formula.
#[inline(always)]
pub fn normal_pair_naive(w0: u32, w1: u32) -> (f32, f32) {
    let v = w0 as f32 * (1.0 / 4_294_967_296.0) + (1.0 / 8_589_934_592.0); // (0, 1]
    let r = sqrt(-2.0 * ln(v));
    let theta = (2.0 * core::f32::consts::PI) * unit_uniform(w1);
    (r * cos(theta), r * sin(theta))
}

/// (sin 2πu, cos 2πu) for u in [0, 1), relative error ~1e-7: u is brought to
/// s in [-1/4, 1/4] by periodicity and the reflection x -> ½ - x (exact on multiples
/// of 2^-24), then Taylor polynomials in 2πs, |2πs| <= π/2, to the x^11 / x^12 terms
/// (truncation below 6e-8).
#[inline(always)]
fn sincos_turns_v(u: F32x4) -> (F32x4, F32x4) {
    let splat = F32x4::splat;
    let s = u.sub(u.nearest()); // [-1/2, 1/2]
    let far = s.abs().gt(splat(0.25));
    let half = F32x4::select(s.lt(F32x4::zero()), splat(-0.5), splat(0.5));
    let s = F32x4::select(far, half.sub(s), s); // sin keeps its value, cos changes sign
    let x = s.mul(splat(2.0 * core::f32::consts::PI));
    let x2 = x.mul(x);
    let mut ps = splat(-1.0 / 39_916_800.0);
    ps = splat(1.0 / 362_880.0).mul_add(ps, x2);
    ps = splat(-1.0 / 5040.0).mul_add(ps, x2);
    ps = splat(1.0 / 120.0).mul_add(ps, x2);
    ps = splat(-1.0 / 6.0).mul_add(ps, x2);
    ps = splat(1.0).mul_add(ps, x2);
    let mut pc = splat(1.0 / 479_001_600.0);
    pc = splat(-1.0 / 3_628_800.0).mul_add(pc, x2);
    pc = splat(1.0 / 40_320.0).mul_add(pc, x2);
    pc = splat(-1.0 / 720.0).mul_add(pc, x2);
    pc = splat(1.0 / 24.0).mul_add(pc, x2);
    pc = splat(-0.5).mul_add(pc, x2);
    pc = splat(1.0).mul_add(pc, x2);
    (ps.mul(x), F32x4::select(far, pc.neg(), pc))
}

/// Normals from consecutive word pairs (w[2p], w[2p + 1]), four pairs per vector:
/// r = sqrt(-2 ln v), v = (w[2p] + ½) 2^-32 in (0, 1]; θ = 2π u(w[2p + 1]);
/// out[2p] = r cos θ, out[2p + 1] = r sin θ.
#[inline(always)]
fn normals<const L: usize>(w: [u32; L]) -> [f32; L] {
    let mut out = [0.0f32; L];
    let pairs = L / 2;
    let mut p0 = 0;
    while p0 < pairs {
        let mut v = [1.0f32; 4];
        let mut u = [0.0f32; 4];
        for q in 0..4.min(pairs - p0) {
            v[q] = w[2 * (p0 + q)] as f32 * (1.0 / 4_294_967_296.0) + (1.0 / 8_589_934_592.0);
            u[q] = unit_uniform(w[2 * (p0 + q) + 1]);
        }
        let (vv, uv) = unsafe { (F32x4::load(v.as_ptr()), F32x4::load(u.as_ptr())) };
        let r = ln_unit_v(vv).mul(F32x4::splat(-2.0)).max(F32x4::zero()).sqrt();
        let (sn, cs) = sincos_turns_v(uv);
        let (mut a, mut b) = ([0.0f32; 4], [0.0f32; 4]);
        unsafe {
            r.mul(cs).store(a.as_mut_ptr());
            r.mul(sn).store(b.as_mut_ptr());
        }
        for q in 0..4.min(pairs - p0) {
            out[2 * (p0 + q)] = a[q];
            out[2 * (p0 + q) + 1] = b[q];
        }
        p0 += 4;
    }
    out
}

/// Calls `body(i0, values)` for each group of GROUP_LEN elements starting at i0, where
/// `values = gen(group)`; work split over groups, so an element's value never depends
/// on the split. `body` must ignore values at or beyond n.
#[inline(always)]
fn for_each_group<T>(n: usize, gen: impl Fn(u64) -> T + Sync, body: impl Fn(usize, T) + Sync) {
    parallel_for(n.div_ceil(GROUP_LEN), GRAIN_BLOCKS / GROUP, &|g0, g1| {
        for g in g0..g1 {
            body(g * GROUP_LEN, gen(g as u64));
        }
    });
}

/// out[i] = gen(i / GROUP_LEN)[i % GROUP_LEN] for i < n.
#[inline(always)]
unsafe fn fill_groups<T: Copy>(out: *mut T, n: usize, gen: impl Fn(u64) -> [T; GROUP_LEN] + Sync) {
    let o = SendPtr(out);
    for_each_group(n, gen, |i0, v: [T; GROUP_LEN]| {
        let len = (n - i0).min(GROUP_LEN);
        for (k, value) in v.iter().enumerate().take(len) {
            *o.get().add(i0 + k) = *value;
        }
    });
}

/// The largest float below x (x finite).
#[inline(always)]
fn next_down(x: f32) -> f32 {
    if x > 0.0 {
        f32::from_bits(x.to_bits() - 1)
    } else if x == 0.0 {
        -f32::from_bits(1)
    } else {
        f32::from_bits(x.to_bits() + 1)
    }
}

// ---------------------------------------------------------------------------------
// Exports. `out` is (n). (k0, k1) is the key (seed), then the stream and the tag.
// ---------------------------------------------------------------------------------

/// Raw 32-bit words (tests check them against the Random123 known-answer vectors).
#[no_mangle]
pub unsafe extern "C" fn fe_random_bits(out: *mut u32, n: usize, k0: u32, k1: u32, stream: u32, tag: u32) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    fill_groups(out, n, |g| s.group(g))
}

/// Uniform floats in [lo, hi) (hi > lo), or all lo when hi == lo.
#[no_mangle]
pub unsafe extern "C" fn fe_random_uniform(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    lo: f32,
    hi: f32,
) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    let (range, top) = (hi - lo, if hi > lo { next_down(hi) } else { lo });
    fill_groups(out, n, |g| {
        // lo + range u can round up to hi: keep the interval half-open.
        s.group(g).map(|w| (lo + range * unit_uniform(w)).min(top))
    })
}

/// Uniform integers in [lo, lo + range), range >= 1: lo + floor(w range / 2^32)
/// (bias below range / 2^32, immaterial for any range a tensor can index).
#[no_mangle]
pub unsafe extern "C" fn fe_random_uniform_int(
    out: *mut i32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    lo: i32,
    range: u32,
) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    fill_groups(out, n, |g| {
        s.group(g)
            .map(|w| lo.wrapping_add(((w as u64 * range as u64) >> 32) as i32))
    })
}

/// Normal floats with the given mean and standard deviation.
#[no_mangle]
pub unsafe extern "C" fn fe_random_normal(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    mean: f32,
    stddev: f32,
) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    fill_groups(out, n, |g| normals(s.group(g)).map(|z| mean + stddev * z))
}

/// The naive reference of `fe_random_normal`: scalar Box-Muller with libm, same words.
#[no_mangle]
pub unsafe extern "C" fn fe_random_normal_naive(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    mean: f32,
    stddev: f32,
) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    for g in 0..n.div_ceil(GROUP_LEN) {
        let w = s.group(g as u64);
        for p in 0..GROUP_LEN / 2 {
            let (a, b) = normal_pair_naive(w[2 * p], w[2 * p + 1]);
            for (k, z) in [(2 * p, a), (2 * p + 1, b)] {
                let i = g * GROUP_LEN + k;
                if i < n {
                    *out.add(i) = mean + stddev * z;
                }
            }
        }
    }
}

/// Most redraw blocks tried for one element (each holds 4 candidates, which all fail
/// with probability 0.0455^4 = 4e-6, so the limit is never reached in practice).
const MAX_REDRAWS: u32 = 64;

/// Truncated normal as TF's: a standard normal z with |z| >= 2 is redrawn. The first
/// candidate of element i is the plain normal draw's element i, so a truncated draw
/// agrees with `fe_random_normal` (same key, stream, tag) wherever that lies inside.
#[no_mangle]
pub unsafe extern "C" fn fe_random_truncated_normal(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    mean: f32,
    stddev: f32,
) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    fill_groups(out, n, |g| {
        let mut z = normals(s.group(g));
        for (k, zk) in z.iter_mut().enumerate() {
            if !(zk.abs() < 2.0) {
                *zk = redraw_within_2(&s, g * GROUP_LEN as u64 + k as u64);
            }
        }
        z.map(|v| mean + stddev * v)
    })
}

/// The first candidate with |z| < 2 from element i's redraw blocks (4.6 % of elements
/// come here, so it stays out of line).
#[inline(never)]
fn redraw_within_2(s: &Stream, i: u64) -> f32 {
    for attempt in 1..=MAX_REDRAWS {
        for c in normals(s.redraw(i, attempt)) {
            if c.abs() < 2.0 {
                return c;
            }
        }
    }
    // Reached with probability 4e-6^64: the mean is as good an answer as any.
    0.0
}

/// Inverted dropout: element i is kept when its uniform u >= rate (so it is kept with
/// probability 1 - rate) and scaled by 1 / (1 - rate). x is (n), y is (n); mask (n), if
/// not null, receives the factor applied (0 or 1 / (1 - rate)) for the backward.
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_forward(
    x: *const f32,
    y: *mut f32,
    mask: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    rate: f32,
) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    let scale = 1.0 / (1.0 - rate);
    let (xs, ys, ms) = (SendPtr(x as *mut f32), SendPtr(y), SendPtr(mask));
    let with_mask = !mask.is_null();
    for_each_group(
        n,
        |g| s.group(g).map(|w| if unit_uniform(w) >= rate { scale } else { 0.0 }),
        |i0, m: [f32; GROUP_LEN]| {
            let len = (n - i0).min(GROUP_LEN);
            if len == GROUP_LEN {
                for q in 0..GROUP {
                    let mv = F32x4::load(m.as_ptr().add(4 * q));
                    let at = i0 + 4 * q;
                    F32x4::load(xs.get().add(at)).mul(mv).store(ys.get().add(at));
                    if with_mask {
                        mv.store(ms.get().add(at));
                    }
                }
            } else {
                for (k, mk) in m.iter().enumerate().take(len) {
                    *ys.get().add(i0 + k) = *xs.get().add(i0 + k) * *mk;
                    if with_mask {
                        *ms.get().add(i0 + k) = *mk;
                    }
                }
            }
        },
    );
}

/// The mask alone (for a noise shape smaller than x): mask is (n), 0 or 1 / (1 - rate),
/// the same values `fe_dropout_forward` would apply to an x of n elements.
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_mask(mask: *mut f32, n: usize, k0: u32, k1: u32, stream: u32, tag: u32, rate: f32) {
    let s = Stream {
        key: [k0, k1],
        stream,
        tag,
    };
    let scale = 1.0 / (1.0 - rate);
    fill_groups(mask, n, |g| {
        s.group(g).map(|w| if unit_uniform(w) >= rate { scale } else { 0.0 })
    })
}

/// dx = dy * mask (also the forward of a same-shape mask). All are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_backward(dy: *const f32, mask: *const f32, dx: *mut f32, n: usize) {
    map2(dy, mask, dx, n, |g, m| g.mul(m))
}

/// y = x * mask broadcast: x and y are (rows, cols) with rows the product of all but the
/// last of the `rank` dims in `dims`; `mstrides` holds the mask's element stride per dim
/// (0 where the mask has size 1). Used for a noise shape smaller than x, in both
/// directions (forward: x; backward: dy).
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_apply_broadcast(
    x: *const f32,
    mask: *const f32,
    y: *mut f32,
    rank: usize,
    dims: *const u32,
    mstrides: *const u32,
) {
    let dims = core::slice::from_raw_parts(dims, rank);
    let mstr = core::slice::from_raw_parts(mstrides, rank);
    let cols = dims[rank - 1] as usize;
    let rows: usize = dims[..rank - 1].iter().map(|&d| d as usize).product();
    let col_stride = mstr[rank - 1] as usize;
    let (xs, ms, ys) = (SendPtr(x as *mut f32), SendPtr(mask as *mut f32), SendPtr(y));
    parallel_for(rows, (1 << 13) / cols.max(1) + 1, &|r0, r1| {
        for r in r0..r1 {
            // The mask offset of row r: decompose r over the leading dims.
            let (mut rem, mut moff) = (r, 0usize);
            for d in (0..rank - 1).rev() {
                let dim = dims[d] as usize;
                moff += (rem % dim) * mstr[d] as usize;
                rem /= dim;
            }
            let (xr, yr, mr) = (xs.get().add(r * cols), ys.get().add(r * cols), ms.get().add(moff));
            for c in 0..cols {
                *yr.add(c) = *xr.add(c) * *mr.add(c * col_stride);
            }
        }
    });
}
