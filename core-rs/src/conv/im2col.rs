//! im2col and its adjoint col2im, over a range of output pixels.
//!
//! Row r of the patch matrix is output pixel r = (b, oh, ow) of the batch; its
//! kh * kw * cin columns are the input values under the kernel, in the filter's
//! (i, j, c) order, zero where the kernel hangs over the padding. The convolution is
//! then patches (rows, K) times filter (K, cout). In NHWC each tap is a run of cin
//! contiguous floats, and with dilation 1 the kw taps of one kernel row are one run of
//! kw * cin floats, which is what the copies below exploit.

use super::geometry::Geometry;
use crate::simd::{F32x4, LANES};

#[inline(always)]
unsafe fn copy(dst: *mut f32, src: *const f32, n: usize) {
    let mut k = 0;
    while k + 2 * LANES <= n {
        F32x4::load(src.add(k)).store(dst.add(k));
        F32x4::load(src.add(k + LANES)).store(dst.add(k + LANES));
        k += 2 * LANES;
    }
    while k + LANES <= n {
        F32x4::load(src.add(k)).store(dst.add(k));
        k += LANES;
    }
    while k < n {
        *dst.add(k) = *src.add(k);
        k += 1;
    }
}

#[inline(always)]
unsafe fn zero(dst: *mut f32, n: usize) {
    let mut k = 0;
    while k + LANES <= n {
        F32x4::zero().store(dst.add(k));
        k += LANES;
    }
    while k < n {
        *dst.add(k) = 0.0;
        k += 1;
    }
}

/// dst[k] += src[k] for k < n.
#[inline(always)]
unsafe fn add_into(dst: *mut f32, src: *const f32, n: usize) {
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

/// Writes the patches of output pixels [r0, r1) into cols.
/// x is (n, h, w, cin); cols is (r1 - r0, kh * kw * cin).
pub unsafe fn im2col(g: &Geometry, x: *const f32, r0: usize, r1: usize, cols: *mut f32) {
    if r0 >= r1 {
        return;
    }
    let (depth, run, cin) = (g.depth(), g.kw * g.cin, g.cin);
    let taps = g.taps();
    let mut px = g.pixel(r0);
    for r in r0..r1 {
        let (b, oh, ow) = px;
        let row = cols.add((r - r0) * depth);
        let image = x.add(b * g.image());
        let ((i0, i1), (j0, j1)) = (taps.rows[oh], taps.cols[ow]);
        let whole_run = g.dw == 1 && j0 == 0 && j1 == g.kw;
        zero(row, i0 * run);
        for i in i0..i1 {
            let dst = row.add(i * run);
            let src = image.add((oh * g.sh + i * g.dh - g.pad_top) * g.w * cin);
            if whole_run {
                // The whole kernel row is inside the image: one contiguous run.
                copy(dst, src.add((ow * g.sw - g.pad_left) * cin), run);
                continue;
            }
            zero(dst, j0 * cin);
            for j in j0..j1 {
                copy(
                    dst.add(j * cin),
                    src.add((ow * g.sw + j * g.dw - g.pad_left) * cin),
                    cin,
                );
            }
            zero(dst.add(j1 * cin), (g.kw - j1) * cin);
        }
        zero(row.add(i1 * run), (g.kh - i1) * run);
        px = g.next_pixel(px);
    }
}

/// The adjoint of `im2col`: adds each patch of output pixels [r0, r1) back onto the input
/// positions it was read from (padding taps are dropped). Contributions to one input
/// value are added in pixel order, then tap order, so the result is deterministic.
/// cols is (r1 - r0, kh * kw * cin); dx is (n, h, w, cin), accumulated into.
pub unsafe fn col2im_add(g: &Geometry, cols: *const f32, r0: usize, r1: usize, dx: *mut f32) {
    if r0 >= r1 {
        return;
    }
    let (depth, run, cin) = (g.depth(), g.kw * g.cin, g.cin);
    let taps = g.taps();
    let mut px = g.pixel(r0);
    for r in r0..r1 {
        let (b, oh, ow) = px;
        let row = cols.add((r - r0) * depth);
        let image = dx.add(b * g.image());
        let ((i0, i1), (j0, j1)) = (taps.rows[oh], taps.cols[ow]);
        for i in i0..i1 {
            let src = row.add(i * run);
            let dst = image.add((oh * g.sh + i * g.dh - g.pad_top) * g.w * cin);
            if g.dw == 1 {
                let iw0 = ow * g.sw + j0 - g.pad_left;
                add_into(dst.add(iw0 * cin), src.add(j0 * cin), (j1 - j0) * cin);
            } else {
                for j in j0..j1 {
                    add_into(
                        dst.add((ow * g.sw + j * g.dw - g.pad_left) * cin),
                        src.add(j * cin),
                        cin,
                    );
                }
            }
        }
        px = g.next_pixel(px);
    }
}
