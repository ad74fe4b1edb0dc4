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
//! pairs at a time (ln and sin/cos from `math.rs`).
//!
//! Every draw takes its place in the counter space as a [`Stream`] (key, stream, tag).
//! `normal_naive` (one pair at a time, scalar) is the test oracle of `normal`.

use crate::map::map2;
use crate::math::{ln, sincos_turns};
use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{F32x4, Lanes};

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
    key: [u32; 2],
    stream: u32,
    tag: u32,
}

impl Stream {
    /// (k0, k1) is the key (the seed); then the stream and the tag (see the module comment).
    pub fn new(k0: u32, k1: u32, stream: u32, tag: u32) -> Stream {
        Stream {
            key: [k0, k1],
            stream,
            tag,
        }
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

/// (0, 1] from a 32-bit word: the radius word of a normal pair.
#[inline(always)]
fn unit_open_closed(w: u32) -> f32 {
    w as f32 * (1.0 / 4_294_967_296.0) + (1.0 / 8_589_934_592.0)
}

/// Box-Muller: the pair (r cos θ, r sin θ), r = sqrt(-2 ln v), θ = 2π u, v in (0, 1].
#[inline(always)]
fn normal_pair<V: Lanes>(v: V, u: V) -> (V, V) {
    let r = ln(v).mul(V::splat(-2.0)).max(V::zero()).sqrt();
    let (sin, cos) = sincos_turns(u);
    (r.mul(cos), r.mul(sin))
}

/// Normals from consecutive word pairs (w[2p], w[2p + 1]), four pairs per vector:
/// out[2p] = r cos θ, out[2p + 1] = r sin θ with v from w[2p] and u from w[2p + 1].
#[inline(always)]
fn normals<const L: usize>(w: [u32; L]) -> [f32; L] {
    let mut out = [0.0f32; L];
    let pairs = L / 2;
    let mut p0 = 0;
    while p0 < pairs {
        let (mut v, mut u) = ([1.0f32; 4], [0.0f32; 4]);
        for q in 0..4.min(pairs - p0) {
            v[q] = unit_open_closed(w[2 * (p0 + q)]);
            u[q] = unit_uniform(w[2 * (p0 + q) + 1]);
        }
        let (a, b) = normal_pair(F32x4::from_array(v), F32x4::from_array(u));
        let (a, b) = (a.to_array(), b.to_array());
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
// Draws. `out` is (n).
// ---------------------------------------------------------------------------------

/// The raw 32-bit words (tests check them against the Random123 known-answer vectors).
pub unsafe fn bits(out: *mut u32, n: usize, s: Stream) {
    fill_groups(out, n, |g| s.group(g))
}

/// Uniform floats in [lo, hi) (hi > lo), or all lo when hi == lo.
pub unsafe fn uniform(out: *mut f32, n: usize, s: Stream, lo: f32, hi: f32) {
    let (range, top) = (hi - lo, if hi > lo { next_down(hi) } else { lo });
    fill_groups(out, n, |g| {
        // lo + range u can round up to hi: keep the interval half-open.
        s.group(g).map(|w| (lo + range * unit_uniform(w)).min(top))
    })
}

/// Uniform integers in [lo, lo + range), range >= 1: lo + floor(w range / 2^32)
/// (bias below range / 2^32, immaterial for any range a tensor can index).
pub unsafe fn uniform_int(out: *mut i32, n: usize, s: Stream, lo: i32, range: u32) {
    fill_groups(out, n, |g| {
        s.group(g)
            .map(|w| lo.wrapping_add(((w as u64 * range as u64) >> 32) as i32))
    })
}

/// Normal floats with the given mean and standard deviation.
pub unsafe fn normal(out: *mut f32, n: usize, s: Stream, mean: f32, stddev: f32) {
    fill_groups(out, n, |g| normals(s.group(g)).map(|z| mean + stddev * z))
}

/// The naive reference of `normal`: the same words, one pair at a time in scalar form.
pub unsafe fn normal_naive(out: *mut f32, n: usize, s: Stream, mean: f32, stddev: f32) {
    for g in 0..n.div_ceil(GROUP_LEN) {
        let w = s.group(g as u64);
        for p in 0..GROUP_LEN / 2 {
            let (a, b) = normal_pair(unit_open_closed(w[2 * p]), unit_uniform(w[2 * p + 1]));
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
/// agrees with `normal` (same stream) wherever that lies inside.
pub unsafe fn truncated_normal(out: *mut f32, n: usize, s: Stream, mean: f32, stddev: f32) {
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

// ---------------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------------

/// The inverted-dropout factors of one group: element i is kept when its uniform
/// u >= rate (so with probability 1 - rate) and then scaled by 1 / (1 - rate), else 0.
#[inline(always)]
fn keep_factors(s: &Stream, g: u64, rate: f32) -> [f32; GROUP_LEN] {
    let scale = 1.0 / (1.0 - rate);
    s.group(g).map(|w| if unit_uniform(w) >= rate { scale } else { 0.0 })
}

/// y = x * factor (see `keep_factors`). x is (n), y is (n); mask (n), if not null,
/// receives the factors for the backward.
pub unsafe fn dropout_forward(x: *const f32, y: *mut f32, mask: *mut f32, n: usize, s: Stream, rate: f32) {
    let (xs, ys, ms) = (SendPtr::of(x), SendPtr(y), SendPtr(mask));
    let with_mask = !mask.is_null();
    for_each_group(
        n,
        |g| keep_factors(&s, g, rate),
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

/// The factors alone (for a noise shape smaller than x): mask is (n), the values
/// `dropout_forward` would apply to an x of n elements.
pub unsafe fn dropout_mask(mask: *mut f32, n: usize, s: Stream, rate: f32) {
    fill_groups(mask, n, |g| keep_factors(&s, g, rate))
}

/// dx = dy * mask (also the forward of a same-shape mask). All are (n).
pub unsafe fn dropout_backward(dy: *const f32, mask: *const f32, dx: *mut f32, n: usize) {
    map2(dy, mask, dx, n, |g, m| g.mul(m))
}

/// y = x * mask broadcast: x and y are (rows, cols), rows the product of all but the last
/// of `dims`; `mask_strides` holds the mask's element stride per dim (0 where the mask has
/// size 1). For a noise shape smaller than x, in both directions (forward: x; backward: dy).
pub unsafe fn dropout_apply_broadcast(
    x: *const f32,
    mask: *const f32,
    y: *mut f32,
    dims: &[u32],
    mask_strides: &[u32],
) {
    let rank = dims.len();
    let cols = dims[rank - 1] as usize;
    let rows: usize = dims[..rank - 1].iter().map(|&d| d as usize).product();
    let col_stride = mask_strides[rank - 1] as usize;
    let (xs, ms, ys) = (SendPtr::of(x), SendPtr::of(mask), SendPtr(y));
    parallel_for(rows, (MIN_ELEMS_PER_THREAD / cols.max(1)).max(1), &|r0, r1| {
        for r in r0..r1 {
            // The mask offset of row r: decompose r over the leading dims.
            let (mut rem, mut moff) = (r, 0usize);
            for d in (0..rank - 1).rev() {
                let dim = dims[d] as usize;
                moff += (rem % dim) * mask_strides[d] as usize;
                rem /= dim;
            }
            let (xr, yr, mr) = (xs.get().add(r * cols), ys.get().add(r * cols), ms.get().add(moff));
            for c in 0..cols {
                *yr.add(c) = *xr.add(c) * *mr.add(c * col_stride);
            }
        }
    });
}
