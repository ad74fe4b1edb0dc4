//! 2-D upsampling of NHWC images by integer factors (Keras's and TF.js's `UpSampling2D`),
//! nearest and bilinear, as TF's `resizeNearestNeighbor` / `resizeBilinear` with
//! alignCorners = halfPixelCenters = false: output pixel (i, j) reads the input at
//! (i / sh, j / sw), so nearest repeats each pixel sh x sw times and bilinear blends the
//! pixel with its lower and right neighbours (clamped at the last row and column).
//!
//! x is (n, h, w, c), y is (n, h*sh, w*sw, c). Each output pixel is c contiguous floats,
//! processed a vector at a time. Threads:
//! - forwards and the nearest backward are gathers: each output value is computed by one
//!   thread from a fixed set of inputs in a fixed order (rows split over threads);
//! - the bilinear backward scatters each output gradient onto four input pixels: threads
//!   take whole images, so no two threads add into the same value, and each image is
//!   walked in one fixed order. Results are bitwise identical for any thread count.
//!
//! The `*_naive` functions are the per-element references the tests compare against.

use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{for_each_vector, F32x4, Lanes};

/// The shape of one upsampling: x (n, h, w, c), factors (sh, sw).
#[derive(Clone, Copy)]
pub struct Upsample {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub sh: usize,
    pub sw: usize,
}

/// Output floats per thread share, at least (one copy or blend per float).
const MIN_FLOATS_PER_THREAD: usize = 1 << 14;

impl Upsample {
    /// Reads the exports' parameter block: words n, h, w, c, sh, sw, bilinear (0 nearest,
    /// 1 bilinear).
    pub unsafe fn read(p: *const u32) -> (Upsample, bool) {
        let v = |i: usize| *p.add(i) as usize;
        let u = Upsample {
            n: v(0),
            h: v(1),
            w: v(2),
            c: v(3),
            sh: v(4),
            sw: v(5),
        };
        (u, v(6) != 0)
    }
    fn oh(&self) -> usize {
        self.h * self.sh
    }
    fn ow(&self) -> usize {
        self.w * self.sw
    }
    /// Float offset of pixel (b, r, col) of an image with `rows` x `cols` pixels.
    #[inline(always)]
    fn at(&self, rows: usize, cols: usize, b: usize, r: usize, col: usize) -> usize {
        ((b * rows + r) * cols + col) * self.c
    }
    /// Output rows (over the batch) per thread, at least.
    fn min_rows(&self) -> usize {
        (MIN_FLOATS_PER_THREAD / (self.ow() * self.c).max(1)).max(1)
    }
    /// Source index, lower neighbour and fraction of output coordinate i for factor s over
    /// `size` inputs: i / s exactly, as integers (no float rounding of the ratio).
    #[inline(always)]
    fn source(i: usize, s: usize, size: usize) -> (usize, usize, f32) {
        let (lo, rem) = (i / s, i % s);
        (lo, (lo + 1).min(size - 1), rem as f32 / s as f32)
    }
}

/// y (n, h*sh, w*sw, c) = x (n, h, w, c) upsampled, nearest or bilinear.
pub unsafe fn forward(u: &Upsample, bilinear: bool, x: *const f32, y: *mut f32) {
    if bilinear {
        bilinear_forward(u, x, y)
    } else {
        nearest_forward(u, x, y)
    }
}

/// dx (n, h, w, c) from dy (n, h*sh, w*sw, c), nearest or bilinear; written.
pub unsafe fn backward(u: &Upsample, bilinear: bool, dy: *const f32, dx: *mut f32) {
    if bilinear {
        bilinear_backward(u, dy, dx)
    } else {
        nearest_backward(u, dy, dx)
    }
}

/// Nearest: y (n, h*sh, w*sw, c) = x (n, h, w, c) with every pixel repeated sh x sw times.
pub unsafe fn nearest_forward(u: &Upsample, x: *const f32, y: *mut f32) {
    let (oh, ow, c) = (u.oh(), u.ow(), u.c);
    let (x, y) = (SendPtr::of(x), SendPtr(y));
    parallel_for(u.n * oh, u.min_rows(), &|r0, r1| {
        for row in r0..r1 {
            let (b, i) = (row / oh, row % oh);
            for j in 0..ow {
                let src = x.get().add(u.at(u.h, u.w, b, i / u.sh, j / u.sw));
                let dst = y.get().add(u.at(oh, ow, b, i, j));
                for_each_vector(0, c, |k, wd| F32x4::load_n(src.add(k), wd, 0.0).store_n(dst.add(k), wd));
            }
        }
    });
}

/// Nearest backward: dx (n, h, w, c) = the sum of dy (n, h*sh, w*sw, c) over each pixel's
/// sh x sw copies, rows then columns (written, not accumulated).
pub unsafe fn nearest_backward(u: &Upsample, dy: *const f32, dx: *mut f32) {
    let (oh, ow, c) = (u.oh(), u.ow(), u.c);
    let (dy, dx) = (SendPtr::of(dy), SendPtr(dx));
    let min_rows = (u.min_rows() / u.sh).max(1);
    parallel_for(u.n * u.h, min_rows, &|r0, r1| {
        for row in r0..r1 {
            let (b, i) = (row / u.h, row % u.h);
            for j in 0..u.w {
                let dst = dx.get().add(u.at(u.h, u.w, b, i, j));
                for_each_vector(0, c, |k, wd| {
                    let mut acc = F32x4::zero();
                    for di in 0..u.sh {
                        for dj in 0..u.sw {
                            let src = dy.get().add(u.at(oh, ow, b, i * u.sh + di, j * u.sw + dj) + k);
                            acc = acc.add(F32x4::load_n(src, wd, 0.0));
                        }
                    }
                    acc.store_n(dst.add(k), wd);
                });
            }
        }
    });
}

/// Bilinear: y (n, h*sh, w*sw, c) from x (n, h, w, c), TF's formula:
/// top = tl + (tr - tl) fx, bottom = bl + (br - bl) fx, y = top + (bottom - top) fy.
pub unsafe fn bilinear_forward(u: &Upsample, x: *const f32, y: *mut f32) {
    let (oh, ow, c) = (u.oh(), u.ow(), u.c);
    let (x, y) = (SendPtr::of(x), SendPtr(y));
    parallel_for(u.n * oh, u.min_rows(), &|r0, r1| {
        for row in r0..r1 {
            let (b, i) = (row / oh, row % oh);
            let (y0, y1, fy) = Upsample::source(i, u.sh, u.h);
            let fy = F32x4::splat(fy);
            for j in 0..ow {
                let (x0, x1, fx) = Upsample::source(j, u.sw, u.w);
                let fx = F32x4::splat(fx);
                let px = |r: usize, col: usize| x.get().add(u.at(u.h, u.w, b, r, col));
                let (tl, tr, bl, br) = (px(y0, x0), px(y0, x1), px(y1, x0), px(y1, x1));
                let dst = y.get().add(u.at(oh, ow, b, i, j));
                for_each_vector(0, c, |k, wd| {
                    let ld = |p: *const f32| F32x4::load_n(p.add(k), wd, 0.0);
                    let (a, bb, cc, d) = (ld(tl), ld(tr), ld(bl), ld(br));
                    let top = a.add(bb.sub(a).mul(fx));
                    let bottom = cc.add(d.sub(cc).mul(fx));
                    top.add(bottom.sub(top).mul(fy)).store_n(dst.add(k), wd);
                });
            }
        }
    });
}

/// Bilinear backward: dx (n, h, w, c) = the adjoint of `bilinear_forward` applied to dy
/// (n, h*sh, w*sw, c): each output gradient adds into its four source pixels with weights
/// (1-fy)(1-fx), (1-fy)fx, fy(1-fx), fy fx (written, not accumulated).
pub unsafe fn bilinear_backward(u: &Upsample, dy: *const f32, dx: *mut f32) {
    let (oh, ow, c) = (u.oh(), u.ow(), u.c);
    let image = u.h * u.w * c;
    let (dy, dx) = (SendPtr::of(dy), SendPtr(dx));
    let min_images = (MIN_FLOATS_PER_THREAD / (oh * ow * c).max(1)).max(1);
    parallel_for(u.n, min_images, &|b0, b1| {
        core::ptr::write_bytes(dx.get().add(b0 * image), 0, (b1 - b0) * image);
        for b in b0..b1 {
            for i in 0..oh {
                let (y0, y1, fy) = Upsample::source(i, u.sh, u.h);
                for j in 0..ow {
                    let (x0, x1, fx) = Upsample::source(j, u.sw, u.w);
                    let g = dy.get().add(u.at(oh, ow, b, i, j));
                    let taps = [
                        (y0, x0, (1.0 - fy) * (1.0 - fx)),
                        (y0, x1, (1.0 - fy) * fx),
                        (y1, x0, fy * (1.0 - fx)),
                        (y1, x1, fy * fx),
                    ];
                    for (r, col, wt) in taps {
                        if wt == 0.0 {
                            continue;
                        }
                        let dst = dx.get().add(u.at(u.h, u.w, b, r, col));
                        let wt = F32x4::splat(wt);
                        for_each_vector(0, c, |k, wd| {
                            let v = F32x4::load_n(dst.add(k), wd, 0.0);
                            v.add(F32x4::load_n(g.add(k), wd, 0.0).mul(wt)).store_n(dst.add(k), wd);
                        });
                    }
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------
// Naive references: one element at a time, from the definitions.
// ---------------------------------------------------------------------------------

/// The value of output (b, i, j, k) (bilinear when `bilinear`, else nearest), straight
/// from the definition.
unsafe fn output_naive(u: &Upsample, x: *const f32, bilinear: bool, b: usize, i: usize, j: usize, k: usize) -> f32 {
    let v = |r: usize, col: usize| *x.add(u.at(u.h, u.w, b, r, col) + k);
    if !bilinear {
        return v(i / u.sh, j / u.sw);
    }
    let (y0, y1, fy) = Upsample::source(i, u.sh, u.h);
    let (x0, x1, fx) = Upsample::source(j, u.sw, u.w);
    let top = v(y0, x0) + (v(y0, x1) - v(y0, x0)) * fx;
    let bottom = v(y1, x0) + (v(y1, x1) - v(y1, x0)) * fx;
    top + (bottom - top) * fy
}

/// Reference forward (nearest or bilinear); same layouts as the kernels.
pub unsafe fn forward_naive(u: &Upsample, bilinear: bool, x: *const f32, y: *mut f32) {
    let (oh, ow) = (u.oh(), u.ow());
    for b in 0..u.n {
        for i in 0..oh {
            for j in 0..ow {
                for k in 0..u.c {
                    *y.add(u.at(oh, ow, b, i, j) + k) = output_naive(u, x, bilinear, b, i, j, k);
                }
            }
        }
    }
}

/// Reference backward: dx[p] = sum over outputs of dy * d(output)/d(x[p]), each weight
/// found by evaluating the forward on a one-hot image (slow; for small test shapes).
pub unsafe fn backward_naive(u: &Upsample, bilinear: bool, dy: *const f32, dx: *mut f32) {
    let (oh, ow) = (u.oh(), u.ow());
    let one = Upsample { n: 1, c: 1, ..*u };
    let mut hot = alloc::vec![0.0f32; u.h * u.w];
    for b in 0..u.n {
        for r in 0..u.h {
            for col in 0..u.w {
                hot[r * u.w + col] = 1.0;
                for k in 0..u.c {
                    let mut acc = 0.0f32;
                    for i in 0..oh {
                        for j in 0..ow {
                            let wt = output_naive(&one, hot.as_ptr(), bilinear, 0, i, j, 0);
                            acc += wt * *dy.add(u.at(oh, ow, b, i, j) + k);
                        }
                    }
                    *dx.add(u.at(u.h, u.w, b, r, col) + k) = acc;
                }
                hot[r * u.w + col] = 0.0;
            }
        }
    }
}
