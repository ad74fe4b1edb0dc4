//! The geometry of a 2-D sliding window over an NHWC tensor: convolution and pooling.
//!
//! The TypeScript side resolves padding ('valid', 'same', explicit) and output sizes,
//! validates everything, and passes the result as a block of 15 u32 (`Geometry::read`),
//! so that the kernels take one pointer instead of fifteen arguments.

/// x is (n, h, w, cin); a filter is (kh, kw, cin, cout); y is (n, ho, wo, cout).
/// Output pixel (oh, ow) with kernel tap (i, j) reads input pixel
/// (oh * sh + i * dh - pad_top, ow * sw + j * dw - pad_left), or zero/nothing where that
/// falls outside the image (padding). Pooling uses cin = cout = channels, dh = dw = 1.
use alloc::vec::Vec;

#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub cin: usize,
    pub kh: usize,
    pub kw: usize,
    pub cout: usize,
    pub sh: usize,
    pub sw: usize,
    pub dh: usize,
    pub dw: usize,
    pub pad_top: usize,
    pub pad_left: usize,
    pub ho: usize,
    pub wo: usize,
}

impl Geometry {
    /// Reads the block [n, h, w, cin, kh, kw, cout, sh, sw, dh, dw, pad_top, pad_left, ho, wo].
    pub unsafe fn read(p: *const u32) -> Geometry {
        let v = |i: usize| *p.add(i) as usize;
        Geometry {
            n: v(0),
            h: v(1),
            w: v(2),
            cin: v(3),
            kh: v(4),
            kw: v(5),
            cout: v(6),
            sh: v(7),
            sw: v(8),
            dh: v(9),
            dw: v(10),
            pad_top: v(11),
            pad_left: v(12),
            ho: v(13),
            wo: v(14),
        }
    }

    /// Output pixels over the batch: the rows of the patch matrix.
    #[inline(always)]
    pub fn rows(&self) -> usize {
        self.n * self.ho * self.wo
    }

    /// Floats in one patch (kh * kw * cin): the depth of the convolution's GEMM.
    #[inline(always)]
    pub fn depth(&self) -> usize {
        self.kh * self.kw * self.cin
    }

    /// Floats in one input image (h * w * cin).
    #[inline(always)]
    pub fn image(&self) -> usize {
        self.h * self.w * self.cin
    }

    /// A 1x1 kernel with unit strides and no padding: the convolution is a plain GEMM
    /// of x viewed as (n * h * w, cin) with the filter viewed as (cin, cout).
    pub fn is_pointwise(&self) -> bool {
        self.kh == 1
            && self.kw == 1
            && self.sh == 1
            && self.sw == 1
            && self.pad_top == 0
            && self.pad_left == 0
            && self.ho == self.h
            && self.wo == self.w
    }

    /// The input row tap `i` of output row `oh` reads, or None in the padding.
    #[inline(always)]
    pub fn in_row(&self, oh: usize, i: usize) -> Option<usize> {
        let r = oh * self.sh + i * self.dh;
        if r < self.pad_top || r - self.pad_top >= self.h {
            None
        } else {
            Some(r - self.pad_top)
        }
    }

    /// The input column tap `j` of output column `ow` reads, or None in the padding.
    #[inline(always)]
    pub fn in_col(&self, ow: usize, j: usize) -> Option<usize> {
        let c = ow * self.sw + j * self.dw;
        if c < self.pad_left || c - self.pad_left >= self.w {
            None
        } else {
            Some(c - self.pad_left)
        }
    }

    /// Taps `[i0, i1)` of output row `oh` that fall inside the image (contiguous when
    /// dilation is 1; for any dilation the taps inside form one run).
    #[inline(always)]
    pub fn row_taps(&self, oh: usize) -> (usize, usize) {
        taps(oh * self.sh, self.pad_top, self.h, self.kh, self.dh)
    }

    /// Taps `[j0, j1)` of output column `ow` that fall inside the image.
    #[inline(always)]
    pub fn col_taps(&self, ow: usize) -> (usize, usize) {
        taps(ow * self.sw, self.pad_left, self.w, self.kw, self.dw)
    }
}

/// For every output row and column, the range of taps that fall inside the image: a
/// table built once per kernel call, so that inner loops do no division.
pub struct Taps {
    pub rows: Vec<(usize, usize)>,
    pub cols: Vec<(usize, usize)>,
}

impl Geometry {
    pub fn taps(&self) -> Taps {
        Taps {
            rows: (0..self.ho).map(|oh| self.row_taps(oh)).collect(),
            cols: (0..self.wo).map(|ow| self.col_taps(ow)).collect(),
        }
    }

    /// The direct-loop walk the naive references share: for every output pixel (b, oh, ow)
    /// and every tap (i, j) of its window inside the image, in that order, calls
    /// `f(input pixel (b, ih, iw), output pixel (b, oh, ow), tap i * kw + j)`, each pixel
    /// as its index in its NHWC image (times the channel count = its first float).
    pub fn walk_windows(&self, mut f: impl FnMut(usize, usize, usize)) {
        for b in 0..self.n {
            for oh in 0..self.ho {
                for ow in 0..self.wo {
                    for i in 0..self.kh {
                        let Some(ih) = self.in_row(oh, i) else { continue };
                        for j in 0..self.kw {
                            let Some(iw) = self.in_col(ow, j) else { continue };
                            f(
                                (b * self.h + ih) * self.w + iw,
                                (b * self.ho + oh) * self.wo + ow,
                                i * self.kw + j,
                            );
                        }
                    }
                }
            }
        }
    }

    /// (b, oh, ow) of output pixel r.
    #[inline(always)]
    pub fn pixel(&self, r: usize) -> (usize, usize, usize) {
        let per_image = self.ho * self.wo;
        let (b, p) = (r / per_image, r % per_image);
        (b, p / self.wo, p % self.wo)
    }

    /// The pixel after (b, oh, ow) in row-major order.
    #[inline(always)]
    pub fn next_pixel(&self, (b, oh, ow): (usize, usize, usize)) -> (usize, usize, usize) {
        if ow + 1 < self.wo {
            (b, oh, ow + 1)
        } else if oh + 1 < self.ho {
            (b, oh + 1, 0)
        } else {
            (b + 1, 0, 0)
        }
    }
}

/// Taps t in [0, k) with pad <= start + t * d < pad + size, as a half-open range.
#[inline(always)]
fn taps(start: usize, pad: usize, size: usize, k: usize, d: usize) -> (usize, usize) {
    // First tap at or after the padding: ceil((pad - start) / d).
    let t0 = if start >= pad { 0 } else { (pad - start).div_ceil(d) };
    // Taps before the far edge: start + t * d < pad + size  <=>  t < (pad + size - start) / d.
    let t1 = if start >= pad + size {
        0
    } else {
        (pad + size - start).div_ceil(d)
    };
    let t1 = t1.min(k);
    (t0.min(t1), t1)
}
