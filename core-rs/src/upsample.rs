//! Resampling of NHWC images, nearest and bilinear, one table-driven kernel for three ops:
//! - `UpSampling2D` (Keras / TF.js) by integer factors: output pixel (i, j) reads the input
//!   at (i / sh, j / sw), computed as exact integers;
//! - `image.resizeBilinear` / `image.resizeNearestNeighbor` (TF.js) to any size, with
//!   alignCorners and halfPixelCenters, source coordinates computed in float64 exactly as
//!   TF.js's cpu kernels compute them;
//! - `image.cropAndResize` (TF.js): each box of an image resampled to a fixed size, points
//!   outside the image set to an extrapolation value.
//!
//! Each op only builds per-axis tables of `Tap`s (which source rows or columns an output row
//! or column reads, with what weight); the kernels below know nothing else. x is
//! (images, h, w, c), y is (n, oh, ow, c) with output image b reading source image
//! `source[b]` (b itself for resizing, `boxInd[b]` for cropping). Each output pixel is c
//! contiguous floats, processed a vector at a time. Threads:
//! - forwards are gathers: each output value is computed by one thread from a fixed set of
//!   inputs in a fixed order (output rows split over threads);
//! - backwards scatter each output gradient onto its source pixels: threads take whole
//!   source images, so no two threads add into the same value, and each source image
//!   receives its output images in order b = 0, 1, ... and each of those in row-major
//!   order. Results are bitwise identical for any thread count.
//!
//! The `*_naive` functions are the per-element references the tests compare against.

use alloc::vec::Vec;

use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{fill, for_each_vector, F32x4, Lanes};

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
    /// The resampling that upsamples by (sh, sw).
    fn resample(&self, bilinear: bool) -> Resample {
        Resample {
            n: self.n,
            images: self.n,
            h: self.h,
            w: self.w,
            c: self.c,
            oh: self.h * self.sh,
            ow: self.w * self.sw,
            bilinear,
            rows: (0..self.h * self.sh).map(|i| Tap::factor(i, self.sh, self.h)).collect(),
            cols: (0..self.w * self.sw).map(|j| Tap::factor(j, self.sw, self.w)).collect(),
            per_image: false,
            source: (0..self.n).collect(),
            fill: 0.0,
        }
    }
}

/// Where one output row (or column) reads: source indices lo and hi blended as
/// lo + (hi - lo) * frac (nearest reads lo only), or nothing (`inside` false: the output is
/// the extrapolation value).
#[derive(Clone, Copy)]
pub struct Tap {
    pub lo: usize,
    pub hi: usize,
    pub frac: f32,
    pub inside: bool,
}

// core has no f64 floor/ceil/round (they live in std): these serve the finite coordinates
// here (|x| < 2^53). JS's Math.round is floor(x + 0.5).
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}
fn ceil(x: f64) -> f64 {
    -floor(-x)
}
/// An f64 index (possibly negative or -0) as usize, clamped to 0..=max.
fn clamp_index(x: f64, max: usize) -> usize {
    if x <= 0.0 {
        0
    } else {
        (x as usize).min(max)
    }
}

impl Tap {
    /// Output coordinate i of an upsampling by s over `size` inputs: i / s exactly, as
    /// integers (no float rounding of the ratio), blended with the next (clamped).
    fn factor(i: usize, s: usize, size: usize) -> Tap {
        let (lo, rem) = (i / s, i % s);
        Tap {
            lo,
            hi: (lo + 1).min(size - 1),
            frac: rem as f32 / s as f32,
            inside: true,
        }
    }

    /// Output coordinate i of TF.js's resizeBilinear / resizeNearestNeighbor from `size` to
    /// `out` along one axis, as its cpu kernels compute it (float64).
    fn resize(i: usize, size: usize, out: usize, bilinear: bool, align_corners: bool, half_pixel: bool) -> Tap {
        let (ein, eout) = if align_corners && out > 1 {
            (size - 1, out - 1)
        } else {
            (size, out)
        };
        let ratio = ein as f64 / eout as f64;
        let last = size - 1;
        if bilinear {
            let src = if half_pixel {
                ratio * (i as f64 + 0.5) - 0.5
            } else {
                ratio * i as f64
            };
            let lo = floor(src).max(0.0);
            // With half-pixel centres the first rows map below 0: lo = hi = 0 and frac < 0,
            // which TF.js keeps (the blend of a pixel with itself).
            Tap {
                lo: clamp_index(lo, last),
                hi: clamp_index(ceil(src), last),
                frac: (src - lo) as f32,
                inside: true,
            }
        } else {
            let src = if half_pixel {
                ratio * (i as f64 + 0.5)
            } else {
                ratio * i as f64
            };
            let near = if align_corners { floor(src + 0.5) } else { floor(src) };
            let lo = clamp_index(near, last);
            Tap {
                lo,
                hi: lo,
                frac: 0.0,
                inside: true,
            }
        }
    }

    /// Output coordinate i of TF.js's cropAndResize along one axis for box edges v1, v2
    /// (normalized: 0 is the first pixel, 1 the last) over `size` pixels, `out` outputs.
    fn crop(i: usize, v1: f32, v2: f32, size: usize, out: usize, bilinear: bool) -> Tap {
        let (v1, v2, last) = (v1 as f64, v2 as f64, (size - 1) as f64);
        let ind = if out > 1 {
            let scale = (v2 - v1) * last / (out - 1) as f64;
            v1 * last + i as f64 * scale
        } else {
            0.5 * (v1 + v2) * last
        };
        // `!(a && b)` rather than `<`/`>`: a NaN box edge extrapolates too.
        if !(ind >= 0.0 && ind <= last) {
            return Tap {
                lo: 0,
                hi: 0,
                frac: 0.0,
                inside: false,
            };
        }
        if bilinear {
            let lo = floor(ind);
            Tap {
                lo: lo as usize,
                hi: ceil(ind) as usize,
                frac: (ind - lo) as f32,
                inside: true,
            }
        } else {
            let lo = floor(ind + 0.5) as usize;
            Tap {
                lo,
                hi: lo,
                frac: 0.0,
                inside: true,
            }
        }
    }
}

/// One resampling: source images x (images, h, w, c) to y (n, oh, ow, c).
pub struct Resample {
    /// Output images.
    pub n: usize,
    /// Source images.
    pub images: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub oh: usize,
    pub ow: usize,
    pub bilinear: bool,
    /// oh taps, or n * oh (one table per output image) when `per_image`.
    pub rows: Vec<Tap>,
    /// ow taps, or n * ow when `per_image`.
    pub cols: Vec<Tap>,
    pub per_image: bool,
    /// The source image of each output image (n entries, each < images).
    pub source: Vec<usize>,
    /// The value of outputs whose tap is not `inside`.
    pub fill: f32,
}

impl Resample {
    /// Reads a resize parameter block: words n, h, w, c, oh, ow, bilinear, alignCorners,
    /// halfPixelCenters (0 or 1 each).
    pub unsafe fn read_resize(p: *const u32) -> Resample {
        let v = |i: usize| *p.add(i) as usize;
        let (n, h, w, c, oh, ow) = (v(0), v(1), v(2), v(3), v(4), v(5));
        let (bilinear, ac, hp) = (v(6) != 0, v(7) != 0, v(8) != 0);
        Resample {
            n,
            images: n,
            h,
            w,
            c,
            oh,
            ow,
            bilinear,
            rows: (0..oh).map(|i| Tap::resize(i, h, oh, bilinear, ac, hp)).collect(),
            cols: (0..ow).map(|j| Tap::resize(j, w, ow, bilinear, ac, hp)).collect(),
            per_image: false,
            source: (0..n).collect(),
            fill: 0.0,
        }
    }

    /// Reads a cropAndResize parameter block: words boxes, images, h, w, c, oh, ow, bilinear,
    /// and the extrapolation value's f32 bits; boxes (boxes, 4) holds y1, x1, y2, x2 and
    /// box_ind (boxes) each box's image (the caller checked each is < images).
    pub unsafe fn read_crop(p: *const u32, boxes: *const f32, box_ind: *const i32) -> Resample {
        let v = |i: usize| *p.add(i) as usize;
        let (n, images, h, w, c, oh, ow) = (v(0), v(1), v(2), v(3), v(4), v(5), v(6));
        let bilinear = v(7) != 0;
        let fill = f32::from_bits(*p.add(8));
        let bx = |b: usize, k: usize| *boxes.add(b * 4 + k);
        let mut rows = Vec::with_capacity(n * oh);
        let mut cols = Vec::with_capacity(n * ow);
        for b in 0..n {
            rows.extend((0..oh).map(|i| Tap::crop(i, bx(b, 0), bx(b, 2), h, oh, bilinear)));
            cols.extend((0..ow).map(|j| Tap::crop(j, bx(b, 1), bx(b, 3), w, ow, bilinear)));
        }
        let source = (0..n).map(|b| *box_ind.add(b) as usize).collect();
        Resample {
            n,
            images,
            h,
            w,
            c,
            oh,
            ow,
            bilinear,
            rows,
            cols,
            per_image: true,
            source,
            fill,
        }
    }

    /// The taps of output image b: its row table and its column table.
    #[inline(always)]
    fn taps(&self, b: usize) -> (&[Tap], &[Tap]) {
        if self.per_image {
            (
                &self.rows[b * self.oh..(b + 1) * self.oh],
                &self.cols[b * self.ow..(b + 1) * self.ow],
            )
        } else {
            (&self.rows, &self.cols)
        }
    }
    /// Float offset of pixel (b, r, col) of an image with `rows` x `cols` pixels.
    #[inline(always)]
    fn at(&self, rows: usize, cols: usize, b: usize, r: usize, col: usize) -> usize {
        ((b * rows + r) * cols + col) * self.c
    }
    /// The source pixels and weights output pixel (rt, ct) reads: one (nearest) or four
    /// (bilinear, TF's order tl, tr, bl, br).
    #[inline(always)]
    fn weights(&self, rt: Tap, ct: Tap) -> ([(usize, usize, f32); 4], usize) {
        if !self.bilinear {
            return ([(rt.lo, ct.lo, 1.0), (0, 0, 0.0), (0, 0, 0.0), (0, 0, 0.0)], 1);
        }
        let (fy, fx) = (rt.frac, ct.frac);
        let taps = [
            (rt.lo, ct.lo, (1.0 - fy) * (1.0 - fx)),
            (rt.lo, ct.hi, (1.0 - fy) * fx),
            (rt.hi, ct.lo, fy * (1.0 - fx)),
            (rt.hi, ct.hi, fy * fx),
        ];
        (taps, 4)
    }

    /// y (n, oh, ow, c) from x (images, h, w, c). Bilinear is TF's formula:
    /// top = tl + (tr - tl) fx, bottom = bl + (br - bl) fx, y = top + (bottom - top) fy.
    pub unsafe fn forward(&self, x: *const f32, y: *mut f32) {
        let (oh, ow, c) = (self.oh, self.ow, self.c);
        let (x, y) = (SendPtr::of(x), SendPtr(y));
        let min_rows = (MIN_FLOATS_PER_THREAD / (ow * c).max(1)).max(1);
        parallel_for(self.n * oh, min_rows, &|r0, r1| {
            for row in r0..r1 {
                let (b, i) = (row / oh, row % oh);
                let (rows, cols) = self.taps(b);
                let rt = rows[i];
                let src = self.source[b];
                let px = |r: usize, col: usize| x.get().add(self.at(self.h, self.w, src, r, col));
                let fy = F32x4::splat(rt.frac);
                for (j, &ct) in cols.iter().enumerate() {
                    let dst = y.get().add(self.at(oh, ow, b, i, j));
                    if !(rt.inside && ct.inside) {
                        fill(dst, c, self.fill);
                    } else if !self.bilinear {
                        let s = px(rt.lo, ct.lo);
                        for_each_vector(0, c, |k, wd| F32x4::load_n(s.add(k), wd, 0.0).store_n(dst.add(k), wd));
                    } else {
                        let fx = F32x4::splat(ct.frac);
                        let (tl, tr, bl, br) = (px(rt.lo, ct.lo), px(rt.lo, ct.hi), px(rt.hi, ct.lo), px(rt.hi, ct.hi));
                        for_each_vector(0, c, |k, wd| {
                            let ld = |p: *const f32| F32x4::load_n(p.add(k), wd, 0.0);
                            let (a, bb, cc, d) = (ld(tl), ld(tr), ld(bl), ld(br));
                            let top = a.add(bb.sub(a).mul(fx));
                            let bottom = cc.add(d.sub(cc).mul(fx));
                            top.add(bottom.sub(top).mul(fy)).store_n(dst.add(k), wd);
                        });
                    }
                }
            }
        });
    }

    /// dx (images, h, w, c) = the adjoint of `forward` applied to dy (n, oh, ow, c): each
    /// output gradient adds into its source pixels with its weights (bilinear: (1-fy)(1-fx),
    /// (1-fy)fx, fy(1-fx), fy fx); extrapolated outputs add nothing. Written, not accumulated.
    pub unsafe fn backward(&self, dy: *const f32, dx: *mut f32) {
        let (oh, ow, c) = (self.oh, self.ow, self.c);
        let image = self.h * self.w * c;
        let (dy, dx) = (SendPtr::of(dy), SendPtr(dx));
        let per_source = (self.n * oh * ow * c / self.images.max(1)).max(1);
        let min_images = (MIN_FLOATS_PER_THREAD / per_source).max(1);
        parallel_for(self.images, min_images, &|s0, s1| {
            core::ptr::write_bytes(dx.get().add(s0 * image), 0, (s1 - s0) * image);
            for b in 0..self.n {
                let src = self.source[b];
                if src < s0 || src >= s1 {
                    continue;
                }
                let (rows, cols) = self.taps(b);
                for (i, &rt) in rows.iter().enumerate() {
                    for (j, &ct) in cols.iter().enumerate() {
                        if !(rt.inside && ct.inside) {
                            continue;
                        }
                        let g = dy.get().add(self.at(oh, ow, b, i, j));
                        let (taps, count) = self.weights(rt, ct);
                        for &(r, col, wt) in &taps[..count] {
                            if wt == 0.0 {
                                continue;
                            }
                            let dst = dx.get().add(self.at(self.h, self.w, src, r, col));
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

    // -----------------------------------------------------------------------------
    // Naive references: one element at a time, from the definitions.
    // -----------------------------------------------------------------------------

    /// The value of output (b, i, j, k), straight from the definition.
    unsafe fn output_naive(&self, x: *const f32, b: usize, i: usize, j: usize, k: usize) -> f32 {
        let (rows, cols) = self.taps(b);
        let (rt, ct) = (rows[i], cols[j]);
        if !(rt.inside && ct.inside) {
            return self.fill;
        }
        let v = |r: usize, col: usize| *x.add(self.at(self.h, self.w, self.source[b], r, col) + k);
        if !self.bilinear {
            return v(rt.lo, ct.lo);
        }
        let (fy, fx) = (rt.frac, ct.frac);
        let top = v(rt.lo, ct.lo) + (v(rt.lo, ct.hi) - v(rt.lo, ct.lo)) * fx;
        let bottom = v(rt.hi, ct.lo) + (v(rt.hi, ct.hi) - v(rt.hi, ct.lo)) * fx;
        top + (bottom - top) * fy
    }

    /// Reference forward; same layouts as `forward`.
    pub unsafe fn forward_naive(&self, x: *const f32, y: *mut f32) {
        let (oh, ow) = (self.oh, self.ow);
        for b in 0..self.n {
            for i in 0..oh {
                for j in 0..ow {
                    for k in 0..self.c {
                        *y.add(self.at(oh, ow, b, i, j) + k) = self.output_naive(x, b, i, j, k);
                    }
                }
            }
        }
    }

    /// Reference backward: dx[p] = sum over outputs of dy * d(output)/d(x[p]), each weight
    /// found by evaluating the forward (less its extrapolation value) on a one-hot image
    /// (slow; for small test shapes).
    pub unsafe fn backward_naive(&self, dy: *const f32, dx: *mut f32) {
        let (oh, ow) = (self.oh, self.ow);
        let one = Resample {
            c: 1,
            images: self.images,
            rows: self.rows.clone(),
            cols: self.cols.clone(),
            source: self.source.clone(),
            fill: 0.0,
            ..*self
        };
        let plane = self.h * self.w;
        let mut hot = alloc::vec![0.0f32; self.images * plane];
        for s in 0..self.images {
            for p in 0..plane {
                hot[s * plane + p] = 1.0;
                for k in 0..self.c {
                    let mut acc = 0.0f32;
                    for b in (0..self.n).filter(|&b| self.source[b] == s) {
                        for i in 0..oh {
                            for j in 0..ow {
                                let wt = one.output_naive(hot.as_ptr(), b, i, j, 0);
                                acc += wt * *dy.add(self.at(oh, ow, b, i, j) + k);
                            }
                        }
                    }
                    *dx.add((s * plane + p) * self.c + k) = acc;
                }
                hot[s * plane + p] = 0.0;
            }
        }
    }
}

/// y (n, h*sh, w*sw, c) = x (n, h, w, c) upsampled, nearest or bilinear.
pub unsafe fn forward(u: &Upsample, bilinear: bool, x: *const f32, y: *mut f32) {
    u.resample(bilinear).forward(x, y)
}

/// dx (n, h, w, c) from dy (n, h*sh, w*sw, c), nearest or bilinear; written.
pub unsafe fn backward(u: &Upsample, bilinear: bool, dy: *const f32, dx: *mut f32) {
    u.resample(bilinear).backward(dy, dx)
}

/// Reference forward (nearest or bilinear); same layouts as the kernels.
pub unsafe fn forward_naive(u: &Upsample, bilinear: bool, x: *const f32, y: *mut f32) {
    u.resample(bilinear).forward_naive(x, y)
}

/// Reference backward; same layouts as the kernels.
pub unsafe fn backward_naive(u: &Upsample, bilinear: bool, dy: *const f32, dx: *mut f32) {
    u.resample(bilinear).backward_naive(dy, dx)
}
