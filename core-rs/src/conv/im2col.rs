//! im2col and its adjoint col2im, over a range of output pixels.
//!
//! Row r of the patch matrix is output pixel r = (b, oh, ow) of the batch; its
//! kh * kw * cin columns are the input values under the kernel, in the filter's
//! (i, j, c) order, zero where the kernel hangs over the padding. The convolution is
//! then patches (rows, K) times filter (K, cout). In NHWC each tap is a run of cin
//! contiguous floats, and with dilation 1 the kw taps of one kernel row are one run of
//! kw * cin floats, which is what the copies below exploit.

use super::geometry::Geometry;
use crate::simd::{add_into, fill, F32x4, Lanes, LANES};

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

/// The kernel rows [i0, i1) and columns [j0, j1) of one output pixel that fall inside the image.
type Taps = ((usize, usize), (usize, usize));
/// Calls `f(k, image, ih0, iw0, taps)` for output pixels r = r0..r1 in order: k = r - r0,
/// `image` the offset of the pixel's image in the batch, (ih0, iw0) = (oh sh, ow sw) so
/// that tap (i, j) reads input row ih0 + i dh - pad_top and column iw0 + j dw - pad_left.
#[inline(always)]
fn for_each_pixel(g: &Geometry, r0: usize, r1: usize, mut f: impl FnMut(usize, usize, usize, usize, Taps)) {
    if r0 >= r1 {
        return;
    }
    let taps = g.taps();
    let mut px = g.pixel(r0);
    for r in r0..r1 {
        let (b, oh, ow) = px;
        f(
            r - r0,
            b * g.image(),
            oh * g.sh,
            ow * g.sw,
            (taps.rows[oh], taps.cols[ow]),
        );
        px = g.next_pixel(px);
    }
}

/// Writes the patches of output pixels [r0, r1) into cols.
/// x is (n, h, w, cin); cols is (r1 - r0, kh * kw * cin).
pub unsafe fn im2col(g: &Geometry, x: *const f32, r0: usize, r1: usize, cols: *mut f32) {
    let (depth, run, cin) = (g.depth(), g.kw * g.cin, g.cin);
    for_each_pixel(g, r0, r1, |k, image, ih0, iw0, ((i0, i1), (j0, j1))| {
        let row = cols.add(k * depth);
        let whole_run = g.dw == 1 && j0 == 0 && j1 == g.kw;
        fill(row, i0 * run, 0.0);
        for i in i0..i1 {
            let dst = row.add(i * run);
            let src = x.add(image + (ih0 + i * g.dh - g.pad_top) * g.w * cin);
            if whole_run {
                // The whole kernel row is inside the image: one contiguous run.
                copy(dst, src.add((iw0 - g.pad_left) * cin), run);
                continue;
            }
            fill(dst, j0 * cin, 0.0);
            for j in j0..j1 {
                copy(dst.add(j * cin), src.add((iw0 + j * g.dw - g.pad_left) * cin), cin);
            }
            fill(dst.add(j1 * cin), (g.kw - j1) * cin, 0.0);
        }
        fill(row.add(i1 * run), (g.kh - i1) * run, 0.0);
    });
}

/// The adjoint of `im2col`: adds each patch of output pixels [r0, r1) back onto the input
/// positions it was read from (padding taps are dropped). Contributions to one input
/// value are added in pixel order, then tap order, so the result is deterministic.
/// cols is (r1 - r0, kh * kw * cin); dx is (n, h, w, cin), accumulated into.
pub unsafe fn col2im_add(g: &Geometry, cols: *const f32, r0: usize, r1: usize, dx: *mut f32) {
    let (depth, run, cin) = (g.depth(), g.kw * g.cin, g.cin);
    for_each_pixel(g, r0, r1, |k, image, ih0, iw0, ((i0, i1), (j0, j1))| {
        let row = cols.add(k * depth);
        for i in i0..i1 {
            let src = row.add(i * run);
            let dst = dx.add(image + (ih0 + i * g.dh - g.pad_top) * g.w * cin);
            if g.dw == 1 {
                let iw = iw0 + j0 - g.pad_left;
                add_into(dst.add(iw * cin), src.add(j0 * cin), (j1 - j0) * cin);
            } else {
                for j in j0..j1 {
                    add_into(dst.add((iw0 + j * g.dw - g.pad_left) * cin), src.add(j * cin), cin);
                }
            }
        }
    });
}
