//! Direct convolution for few input channels: the forward and the filter gradient without
//! im2col, for `cin <= DIRECT_MAX_CIN` (the first layer of an image model: 1 or 3 channels).
//!
//! Why: with cin = 1 the patch depth K = kh·kw·cin is 9, and the im2col + GEMM route spends
//! its time writing and re-reading the patch matrix, packing, and storing GEMM tiles after
//! only 9 multiply-adds each, then reading the output again for bias and ReLU. Here each
//! output row (b, oh) is computed straight from a zero-padded copy of the few input rows
//! under it (kh rows of (w + padding) x cin floats, in L1), 4 pixels x 8 output channels in
//! registers, bias and ReLU applied before the one store; the filter gradient keeps 4 taps
//! x 8 channels in registers over a whole output row.
//!
//! Rounding: every output sums its taps in the filter's (i, j, ci) order from zero, and
//! every filter-gradient entry sums the output pixels in (b, oh, ow) order, as the naive
//! reference does (`naive.rs`); a tap over the padding adds zero · w. Forward rows are
//! independent (any thread may take any row); the filter gradient is cut into slices of
//! output rows that depend only on the shape, summed in slice order (`crate::slices`):
//! both are bitwise identical for any thread count.
//!
//! Limits, measured on the MNIST CNN's first layer (batch 64, 28x28x1 -> 26x26x32, best of
//! interleaved single calls on a loaded 2-core machine, 2026-12-02): forward 32-35 GFLOP/s
//! on 1 thread and 57 on 2; filter gradient 30-31 and 42. With K = 9 every output float
//! carries only 18 flops, so the per-output epilogue (bias, ReLU, store) is a sixth of the
//! work, and at batch 64 the 5.5 MB output (and dy, read by the filter gradient) does not
//! stay in cache: 57 GFLOP/s is 12.6 GB/s of output written. Tried and measured slower: a
//! zero-padded copy of the filter so that the hot loop has no tail-width loads (0.8x
//! forward, 0.92x filter gradient on 1 thread, side by side against this version).

use super::geometry::Geometry;
use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{fill, F32x4, Lanes, LANES};
use crate::slices::{reduce_slices, Slices};
use alloc::vec::Vec;

/// The most input channels the direct kernels take: beyond it K is deep enough for the
/// GEMM to run at full speed (bench/conv.ts: layer 2, cin = 32, runs at GEMM speed).
pub const DIRECT_MAX_CIN: usize = 4;
/// Output pixels per register block of the forward.
const PIXELS: usize = 4;
/// Filter taps per register block of the filter gradient.
const TAPS: usize = 4;
/// Output-channel vectors per register block (8 channels).
const VECS: usize = 2;
const BLOCK: usize = VECS * LANES;
/// Output rows per filter-gradient slice, at least, and most slices (12 divides among 1,
/// 2, 3, 4 and 6 threads), and a bound on the partial results (16 MiB).
const SLICE_ROWS: usize = 8;
const MAX_SLICES: usize = 12;
const MAX_PARTIAL_FLOATS: usize = 1 << 22;

/// Whether the direct kernels take this convolution (few input channels, not a 1x1 GEMM).
pub fn suits(g: &Geometry) -> bool {
    g.cin <= DIRECT_MAX_CIN && !g.is_pointwise()
}

/// Columns of a padded input row: every tap of every output column lands inside.
fn padded_width(g: &Geometry) -> usize {
    (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1
}

/// The input rows under output row r = (b, oh): taps [i0, i1) that fall inside the image,
/// each copied into `buf` as `wp` padded columns of cin floats (column c holds input column
/// c - pad_left, zeros outside the image). x is (n, h, w, cin), buf is (kh, wp, cin).
unsafe fn padded_rows(g: &Geometry, x: *const f32, r: usize, wp: usize, buf: *mut f32) -> (usize, usize) {
    let (b, oh) = (r / g.ho, r % g.ho);
    let (i0, i1) = g.row_taps(oh);
    let cin = g.cin;
    // Input columns [c0, c1) of the padded row are inside the image.
    let c0 = g.pad_left.min(wp);
    let c1 = (g.pad_left + g.w).min(wp);
    for i in i0..i1 {
        let ih = oh * g.sh + i * g.dh - g.pad_top;
        let dst = buf.add((i - i0) * wp * cin);
        fill(dst, c0 * cin, 0.0);
        if c1 > c0 {
            let src = x.add(((b * g.h + ih) * g.w + c0 - g.pad_left) * cin);
            core::ptr::copy_nonoverlapping(src, dst.add(c0 * cin), (c1 - c0) * cin);
        }
        fill(dst.add(c1.max(c0) * cin), (wp - c1.max(c0)) * cin, 0.0);
    }
    (i0, i1)
}

/// Lanes of each of the block's vectors that hold channels co.. (4, or fewer at the end; 0 past it).
#[inline(always)]
fn widths(co: usize, cout: usize) -> [usize; VECS] {
    core::array::from_fn(|v| cout.saturating_sub(co + v * LANES).min(LANES))
}

#[inline(always)]
unsafe fn load_w(p: *const f32, w: usize) -> F32x4 {
    if w == 0 {
        F32x4::zero()
    } else {
        F32x4::load_n(p, w, 0.0)
    }
}

// ---------------------------------------------------------------------------------
// Forward
// ---------------------------------------------------------------------------------

/// y = act(conv2d(x, f) + bias), act ACT_LINEAR or ACT_RELU. x is (n, h, w, cin), f is
/// (kh, kw, cin, cout), bias is (cout) or null, y is (n, ho, wo, cout).
pub unsafe fn conv2d_forward_direct(
    g: &Geometry,
    x: *const f32,
    f: *const f32,
    bias: *const f32,
    act: u32,
    y: *mut f32,
) {
    let wp = padded_width(g);
    let (x, f, bias, y) = (SendPtr::of(x), SendPtr::of(f), SendPtr::of(bias), SendPtr(y));
    let g = *g;
    parallel_for(g.n * g.ho, 1, &|r0, r1| {
        let buf = Scratch::new(g.kh * wp * g.cin);
        let mut offs = Vec::with_capacity(g.depth());
        for r in r0..r1 {
            let taps = padded_rows(&g, x.get(), r, wp, buf.ptr());
            tap_offsets(&g, wp, taps, &mut offs);
            forward_row(
                &g,
                buf.ptr(),
                taps.0 * g.kw * g.cin,
                &offs,
                f.get(),
                bias.get(),
                act,
                y.get().add(r * g.wo * g.cout),
            );
        }
    });
}

/// offs[k] = where tap t0 + k = (i, j, ci) of output column 0 reads in the padded rows of
/// taps [i0, i1) (t0 = i0·kw·cin): one flat loop over the taps, however many rows and columns.
fn tap_offsets(g: &Geometry, wp: usize, (i0, i1): (usize, usize), offs: &mut Vec<usize>) {
    offs.clear();
    for i in i0..i1 {
        for j in 0..g.kw {
            for ci in 0..g.cin {
                offs.push(((i - i0) * wp + j * g.dw) * g.cin + ci);
            }
        }
    }
}

/// One output row from its padded input rows (rows), taps t0.. at offsets `offs`
/// (`tap_offsets`). y is (wo, cout).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn forward_row(
    g: &Geometry,
    rows: *const f32,
    t0: usize,
    offs: &[usize],
    f: *const f32,
    bias: *const f32,
    act: u32,
    y: *mut f32,
) {
    for co in (0..g.cout).step_by(BLOCK) {
        let ws = widths(co, g.cout);
        if ws == [LANES; VECS] {
            forward_channels::<true>(g, rows, t0, offs, f, bias, act, co, ws, y);
        } else {
            forward_channels::<false>(g, rows, t0, offs, f, bias, act, co, ws, y);
        }
    }
}

/// Channels co..co + BLOCK of one output row. FULL: all of them exist (ws = [4, 4]); a
/// constant then, so that every load and store of the block compiles to a plain vector one.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn forward_channels<const FULL: bool>(
    g: &Geometry,
    rows: *const f32,
    t0: usize,
    offs: &[usize],
    f: *const f32,
    bias: *const f32,
    act: u32,
    co: usize,
    ws: [usize; VECS],
    y: *mut f32,
) {
    let ws = if FULL { [LANES; VECS] } else { ws };
    let cout = g.cout;
    let full = g.wo / PIXELS * PIXELS;
    for ow in (0..full).step_by(PIXELS) {
        let acc = forward_block::<PIXELS, FULL>(g, rows, t0, offs, f, co, ws, ow);
        store_outputs(acc, bias, act, co, ws, y.add(ow * cout), cout);
    }
    for ow in full..g.wo {
        let acc = forward_block::<1, FULL>(g, rows, t0, offs, f, co, ws, ow);
        store_outputs(acc, bias, act, co, ws, y.add(ow * cout), cout);
    }
}

/// Output pixels ow..ow + P, channels co..co + BLOCK: Σ over taps (i, j, ci), in that order,
/// of x · f, where pixel p reads padded column (ow + p)·sw + j·dw of row i. FULL: all the
/// block's channels exist (ws = [4, 4]), so that its loads compile to plain vector loads.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn forward_block<const P: usize, const FULL: bool>(
    g: &Geometry,
    rows: *const f32,
    t0: usize,
    offs: &[usize],
    f: *const f32,
    co: usize,
    ws: [usize; VECS],
    ow: usize,
) -> [[F32x4; VECS]; P] {
    let ws = if FULL { [LANES; VECS] } else { ws };
    let step = g.sw * g.cin;
    let x0 = rows.add(ow * step);
    let mut fp = f.add(t0 * g.cout + co);
    let mut acc = [[F32x4::zero(); VECS]; P];
    for &o in offs {
        let fv: [F32x4; VECS] = core::array::from_fn(|v| load_w(fp.add(v * LANES), ws[v]));
        let px = x0.add(o);
        for (p, a) in acc.iter_mut().enumerate() {
            let xs = F32x4::splat(*px.add(p * step));
            for v in 0..VECS {
                a[v] = a[v].mul_add(xs, fv[v]);
            }
        }
        fp = fp.add(g.cout);
    }
    acc
}

/// y[p] = act(acc[p] + bias) for the block's pixels; y is (P, cout) from channel 0.
#[inline(always)]
unsafe fn store_outputs<const P: usize>(
    acc: [[F32x4; VECS]; P],
    bias: *const f32,
    act: u32,
    co: usize,
    ws: [usize; VECS],
    y: *mut f32,
    cout: usize,
) {
    for (p, a) in acc.iter().enumerate() {
        for v in 0..VECS {
            if ws[v] == 0 {
                continue;
            }
            let c = co + v * LANES;
            let mut out = a[v];
            if !bias.is_null() {
                out = out.add(F32x4::load_n(bias.add(c), ws[v], 0.0));
            }
            if act == super::ACT_RELU {
                out = out.max(F32x4::zero());
            }
            out.store_n(y.add(p * cout + c), ws[v]);
        }
    }
}

// ---------------------------------------------------------------------------------
// Filter gradient
// ---------------------------------------------------------------------------------

/// df = the gradient of sum(conv2d(x, f) * dy) with respect to f (written, not accumulated).
/// x is (n, h, w, cin), dy is (n, ho, wo, cout), df is (kh, kw, cin, cout).
pub unsafe fn conv2d_backward_filter_direct(g: &Geometry, x: *const f32, dy: *const f32, df: *mut f32) {
    let width = g.depth() * g.cout;
    if g.rows() == 0 {
        fill(df, width, 0.0);
        return;
    }
    let wp = padded_width(g);
    let slices = Slices::new(g.n * g.ho, width, SLICE_ROWS, MAX_SLICES, MAX_PARTIAL_FLOATS);
    let (x, dy) = (SendPtr::of(x), SendPtr::of(dy));
    let g = *g;
    reduce_slices(slices, width, df, &|r0, r1, out| {
        fill(out, width, 0.0);
        let buf = Scratch::new(g.kh * wp * g.cin);
        for r in r0..r1 {
            let taps = padded_rows(&g, x.get(), r, wp, buf.ptr());
            filter_row(&g, buf.ptr(), wp, taps, dy.get().add(r * g.wo * g.cout), out);
        }
    });
}

/// Adds one output row's terms into df: df[t] += Σ_ow x(t, ow) · dy[ow] for the taps t of
/// rows [i0, i1) (a contiguous run of t). rows is (i1 - i0, wp, cin), dy is (wo, cout),
/// df is (kh·kw·cin, cout).
#[inline(always)]
unsafe fn filter_row(
    g: &Geometry,
    rows: *const f32,
    wp: usize,
    (i0, i1): (usize, usize),
    dy: *const f32,
    df: *mut f32,
) {
    let per_row = g.kw * g.cin;
    let (t0, t1) = (i0 * per_row, i1 * per_row);
    for co in (0..g.cout).step_by(BLOCK) {
        let ws = widths(co, g.cout);
        let mut t = t0;
        if ws == [LANES; VECS] {
            while t + TAPS <= t1 {
                filter_block::<TAPS, true>(g, rows, wp, i0, t, dy, co, ws, df);
                t += TAPS;
            }
            while t < t1 {
                filter_block::<1, true>(g, rows, wp, i0, t, dy, co, ws, df);
                t += 1;
            }
        } else {
            while t + TAPS <= t1 {
                filter_block::<TAPS, false>(g, rows, wp, i0, t, dy, co, ws, df);
                t += TAPS;
            }
            while t < t1 {
                filter_block::<1, false>(g, rows, wp, i0, t, dy, co, ws, df);
                t += 1;
            }
        }
    }
}

/// Taps t..t + Q, channels co..co + BLOCK of df, plus this row's pixels in ow order (FULL
/// as in `forward_block`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn filter_block<const Q: usize, const FULL: bool>(
    g: &Geometry,
    rows: *const f32,
    wp: usize,
    i0: usize,
    t: usize,
    dy: *const f32,
    co: usize,
    ws: [usize; VECS],
    df: *mut f32,
) {
    let (cin, cout) = (g.cin, g.cout);
    let ws = if FULL { [LANES; VECS] } else { ws };
    // Tap t = (i, j, ci) reads padded column ow·sw + j·dw, channel ci, of row i.
    let base: [*const f32; Q] = core::array::from_fn(|q| {
        let (i, rest) = ((t + q) / (g.kw * cin), (t + q) % (g.kw * cin));
        let (j, ci) = (rest / cin, rest % cin);
        rows.add(((i - i0) * wp + j * g.dw) * cin + ci)
    });
    let out = |q: usize, v: usize| df.add((t + q) * cout + co + v * LANES);
    let mut acc: [[F32x4; VECS]; Q] = core::array::from_fn(|q| core::array::from_fn(|v| load_w(out(q, v), ws[v])));
    let step = g.sw * cin;
    for ow in 0..g.wo {
        let dp = dy.add(ow * cout + co);
        let dv: [F32x4; VECS] = core::array::from_fn(|v| load_w(dp.add(v * LANES), ws[v]));
        for q in 0..Q {
            let xs = F32x4::splat(*base[q].add(ow * step));
            for v in 0..VECS {
                acc[q][v] = acc[q][v].mul_add(xs, dv[v]);
            }
        }
    }
    for q in 0..Q {
        for v in 0..VECS {
            if ws[v] > 0 {
                acc[q][v].store_n(out(q, v), ws[v]);
            }
        }
    }
}
