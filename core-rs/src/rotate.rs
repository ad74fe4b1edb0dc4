//! `image.rotateWithOffset` (TF.js): NHWC images rotated counter-clockwise about a centre,
//! nearest-neighbour sampling, pixels that come from outside the image set to a fill value
//! per channel.
//!
//! Output pixel (row, col) reads source pixel (round(sy), round(sx)) where, about the
//! centre (cx, cy) in pixels,
//!   sx = (col - cx) cos - (row - cy) sin + cx,   sy = (col - cx) sin + (row - cy) cos + cy,
//! computed in float64 in that order and rounded as JS's Math.round, exactly as TF.js's cpu
//! kernel does (the angle's cos and sin come from the caller, computed by JS's Math.cos /
//! Math.sin, which Rust's `core` does not have). The map is the same for every image, so
//! it is computed once into a table of source pixels and every kernel only reads the table.
//!
//! The op is linear in the image, so its gradient is the adjoint of the gather: each output
//! gradient adds into the source pixel it copied (TF.js has no gradient for this op).
//! Threads:
//! - forward: output rows split over threads, each value copied by one thread;
//! - backward: source rows (of all images) split over threads; each thread scans the
//!   outputs of its images in row-major order and adds those whose source row it owns, so
//!   every source pixel receives its outputs in the same order for any thread count.
//!
//! The `*_naive` functions compute the map per element from the definition (no table): the
//! references the tests compare against.

use alloc::vec::Vec;

use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{add_into, for_each_vector, F32x4};

/// A source pixel index that means "outside the image: the fill value".
const OUTSIDE: u32 = u32::MAX;

/// Output floats per thread share, at least (one copy per float).
const MIN_FLOATS_PER_THREAD: usize = 1 << 14;

/// One rotation: images (n, h, w, c), the angle's cos and sin, the centre in pixels.
pub struct Rotate {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub cos: f64,
    pub sin: f64,
    pub cx: f64,
    pub cy: f64,
}

/// JS's Math.round for finite values: the nearest integer, ties toward +infinity
/// (not floor(x + 0.5), whose addition can round up a value just below a half).
fn js_round(x: f64) -> f64 {
    // NaN, infinities and values too large to have a fraction are their own rounding.
    if !(x.abs() < 4.5e15) {
        return x;
    }
    let t = x as i64 as f64;
    let f = if t > x { t - 1.0 } else { t };
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

impl Rotate {
    /// Reads the parameter block: words n, h, w, c, then cos, sin, cx, cy as float64 (two
    /// words each, low word first).
    pub unsafe fn read(p: *const u32) -> Rotate {
        let v = |i: usize| *p.add(i) as usize;
        let f = |i: usize| f64::from_bits(*p.add(i) as u64 | (*p.add(i + 1) as u64) << 32);
        Rotate {
            n: v(0),
            h: v(1),
            w: v(2),
            c: v(3),
            cos: f(4),
            sin: f(6),
            cx: f(8),
            cy: f(10),
        }
    }

    /// The source pixel (sr, sc) output pixel (row, col) reads, or None outside the image.
    #[inline(always)]
    fn source(&self, row: usize, col: usize) -> Option<(usize, usize)> {
        let (dx, dy) = (col as f64 - self.cx, row as f64 - self.cy);
        let sx = js_round(dx * self.cos - dy * self.sin + self.cx);
        let sy = js_round(dx * self.sin + dy * self.cos + self.cy);
        // `!(a && b)` form: a NaN coordinate (an infinite angle) is outside too.
        if sx >= 0.0 && sx < self.w as f64 && sy >= 0.0 && sy < self.h as f64 {
            Some((sy as usize, sx as usize))
        } else {
            None
        }
    }

    /// The source pixel (row * w + col) of each output pixel of an image, or OUTSIDE.
    fn table(&self) -> Vec<u32> {
        let mut t = Vec::with_capacity(self.h * self.w);
        for row in 0..self.h {
            for col in 0..self.w {
                t.push(self.source(row, col).map_or(OUTSIDE, |(r, c)| (r * self.w + c) as u32));
            }
        }
        t
    }

    /// y (n, h, w, c) = x (n, h, w, c) rotated; fill (c) is the value of each channel for
    /// pixels from outside the image.
    pub unsafe fn forward(&self, fill: *const f32, x: *const f32, y: *mut f32) {
        let (h, w, c) = (self.h, self.w, self.c);
        let table = self.table();
        let (fill, x, y) = (SendPtr::of(fill), SendPtr::of(x), SendPtr(y));
        let min_rows = (MIN_FLOATS_PER_THREAD / (w * c).max(1)).max(1);
        parallel_for(self.n * h, min_rows, &|r0, r1| {
            for row in r0..r1 {
                let image = (row / h) * h * w;
                for col in 0..w {
                    let s = table[(row % h) * w + col];
                    let src = if s == OUTSIDE {
                        fill.get() as *const f32
                    } else {
                        x.get().add((image + s as usize) * c) as *const f32
                    };
                    let dst = y.get().add((row * w + col) * c);
                    for_each_vector(0, c, |k, wd| F32x4::load_n(src.add(k), wd, 0.0).store_n(dst.add(k), wd));
                }
            }
        });
    }

    /// dx (n, h, w, c) = the adjoint of `forward` (in the image) applied to dy (n, h, w, c):
    /// each output gradient adds into the pixel it copied; fill pixels add nothing. Written,
    /// not accumulated.
    pub unsafe fn backward(&self, dy: *const f32, dx: *mut f32) {
        let (h, w, c) = (self.h, self.w, self.c);
        let table = self.table();
        let (dy, dx) = (SendPtr::of(dy), SendPtr(dx));
        let min_rows = (MIN_FLOATS_PER_THREAD / (w * c).max(1)).max(1);
        parallel_for(self.n * h, min_rows, &|r0, r1| {
            if r1 <= r0 {
                return;
            }
            core::ptr::write_bytes(dx.get().add(r0 * w * c), 0, (r1 - r0) * w * c);
            for b in r0 / h..=(r1 - 1) / h {
                let image = b * h * w;
                for (p, &s) in table.iter().enumerate() {
                    if s == OUTSIDE {
                        continue;
                    }
                    let global_row = b * h + s as usize / w;
                    if global_row < r0 || global_row >= r1 {
                        continue;
                    }
                    add_into(dx.get().add((image + s as usize) * c), dy.get().add((image + p) * c), c);
                }
            }
        });
    }

    // -----------------------------------------------------------------------------
    // Naive references: one element at a time, the map computed from the definition.
    // -----------------------------------------------------------------------------

    /// Reference forward; same arguments as `forward`.
    pub unsafe fn forward_naive(&self, fill: *const f32, x: *const f32, y: *mut f32) {
        let (h, w, c) = (self.h, self.w, self.c);
        for b in 0..self.n {
            for row in 0..h {
                for col in 0..w {
                    for k in 0..c {
                        *y.add(((b * h + row) * w + col) * c + k) = match self.source(row, col) {
                            Some((sr, sc)) => *x.add(((b * h + sr) * w + sc) * c + k),
                            None => *fill.add(k),
                        };
                    }
                }
            }
        }
    }

    /// Reference backward: dx zeroed, then every output gradient added into its source
    /// element, outputs in row-major order.
    pub unsafe fn backward_naive(&self, dy: *const f32, dx: *mut f32) {
        let (h, w, c) = (self.h, self.w, self.c);
        for i in 0..self.n * h * w * c {
            *dx.add(i) = 0.0;
        }
        for b in 0..self.n {
            for row in 0..h {
                for col in 0..w {
                    if let Some((sr, sc)) = self.source(row, col) {
                        for k in 0..c {
                            *dx.add(((b * h + sr) * w + sc) * c + k) += *dy.add(((b * h + row) * w + col) * c + k);
                        }
                    }
                }
            }
        }
    }
}
