//! Depthwise 2-D convolution over NHWC tensors (TF.js's `depthwiseConv2d`, and the first
//! half of `separableConv2d`): each input channel c is convolved with its own
//! `mult` filters, giving output channels c * mult .. c * mult + mult - 1.
//! x is (n, h, w, cin), f is (kh, kw, cin, mult), y is (n, ho, wo, cin * mult); the window
//! geometry is `conv::Geometry` with cout = cin * mult.
//!
//! In this layout output channel oc reads input channel oc / mult and filter value
//! f[i, j, oc] (the filter viewed as (kh, kw, cin * mult)), so every tap is a vector
//! multiply-add over contiguous output channels; the input operand is a plain load for
//! mult = 1, a splat for a multiple of 4, a lane gather otherwise (`x_lanes`).
//! Threads (fixed partitions, bitwise the same for any thread count):
//! - forward: output rows split over threads, each value summed over its taps in order;
//! - input gradient: a scatter of each output pixel onto the input pixels under its
//!   window; threads own whole images;
//! - filter gradient: threads own whole taps (i, j), each summed over the batch in order,
//!   so no cross-thread reduction is needed.
//! The `*_naive` functions are direct loops from the definition (the test oracle).

use crate::conv::Geometry;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{for_each_vector, F32x4, Lanes};

/// Output floats per thread share, at least.
const MIN_FLOATS_PER_THREAD: usize = 1 << 13;

#[inline(always)]
fn mult(g: &Geometry) -> usize {
    g.cout / g.cin.max(1)
}

/// The input values under output channels k .. k + w: x[(k + l) / mult] in lane l.
/// mult 1 is a plain load; a multiple of 4 keeps a whole vector in one input channel (k is
/// a multiple of 4, and so is cout), a splat; other multipliers gather lane by lane.
#[inline(always)]
unsafe fn x_lanes(x: *const f32, k: usize, w: usize, mult: usize) -> F32x4 {
    if mult == 1 {
        F32x4::load_n(x.add(k), w, 0.0)
    } else if mult % 4 == 0 {
        F32x4::splat(*x.add(k / mult))
    } else {
        let mut a = [0.0f32; 4];
        for (l, v) in a.iter_mut().enumerate().take(w) {
            *v = *x.add((k + l) / mult);
        }
        F32x4::from_array(a)
    }
}

/// acc[oc] += x[oc / mult] * f[oc] for oc < cout: one tap of one output pixel. Each lane
/// does the one multiply-add of the scalar loop, so every multiplier gets the vector path
/// and the same values.
#[inline(always)]
unsafe fn tap(acc: *mut f32, x: *const f32, f: *const f32, cout: usize, mult: usize) {
    for_each_vector(0, cout, |k, w| {
        let a = F32x4::load_n(acc.add(k), w, 0.0);
        a.mul_add(x_lanes(x, k, w, mult), F32x4::load_n(f.add(k), w, 0.0))
            .store_n(acc.add(k), w);
    });
}

/// gx[oc / mult] += gy[oc] * f[oc] for oc < cout (mult > 1): the products a vector at a
/// time, added into gx lane after lane, in the order of the scalar loop.
#[inline(always)]
unsafe fn tap_back(gx: *mut f32, gy: *const f32, f: *const f32, cout: usize, mult: usize) {
    for_each_vector(0, cout, |k, w| {
        let p = F32x4::load_n(gy.add(k), w, 0.0)
            .mul(F32x4::load_n(f.add(k), w, 0.0))
            .to_array();
        for (l, v) in p.iter().enumerate().take(w) {
            *gx.add((k + l) / mult) += *v;
        }
    });
}

/// y = depthwise_conv2d(x, f). Shapes as in the module header.
pub unsafe fn depthwise_forward(g: &Geometry, x: *const f32, f: *const f32, y: *mut f32) {
    let (cout, m) = (g.cout, mult(g));
    let min_rows = (MIN_FLOATS_PER_THREAD / (g.wo * cout).max(1)).max(1);
    let (x, f, y) = (SendPtr::of(x), SendPtr::of(f), SendPtr(y));
    parallel_for(g.n * g.ho, min_rows, &|r0, r1| {
        for row in r0..r1 {
            let (b, oh) = (row / g.ho, row % g.ho);
            let (i0, i1) = g.row_taps(oh);
            for ow in 0..g.wo {
                let out = y.get().add(((b * g.ho + oh) * g.wo + ow) * cout);
                core::ptr::write_bytes(out, 0, cout);
                let (j0, j1) = g.col_taps(ow);
                for i in i0..i1 {
                    let ih = g.in_row(oh, i).unwrap_or(0);
                    for j in j0..j1 {
                        let iw = g.in_col(ow, j).unwrap_or(0);
                        let xp = x.get().add(((b * g.h + ih) * g.w + iw) * g.cin);
                        tap(out, xp, f.get().add((i * g.kw + j) * cout), cout, m);
                    }
                }
            }
        }
    });
}

/// dx = the gradient of sum(y * dy) with respect to x (written). dy is (n, ho, wo, cin * mult).
pub unsafe fn depthwise_backward_input(g: &Geometry, dy: *const f32, f: *const f32, dx: *mut f32) {
    let (cout, cin, m) = (g.cout, g.cin, mult(g));
    let image = g.h * g.w * cin;
    let min_images = (MIN_FLOATS_PER_THREAD / (g.ho * g.wo * cout).max(1)).max(1);
    let (dy, f, dx) = (SendPtr::of(dy), SendPtr::of(f), SendPtr(dx));
    parallel_for(g.n, min_images, &|b0, b1| {
        core::ptr::write_bytes(dx.get().add(b0 * image), 0, (b1 - b0) * image);
        for b in b0..b1 {
            for oh in 0..g.ho {
                let (i0, i1) = g.row_taps(oh);
                for ow in 0..g.wo {
                    let (j0, j1) = g.col_taps(ow);
                    let gy = dy.get().add(((b * g.ho + oh) * g.wo + ow) * cout);
                    for i in i0..i1 {
                        let ih = g.in_row(oh, i).unwrap_or(0);
                        for j in j0..j1 {
                            let iw = g.in_col(ow, j).unwrap_or(0);
                            let gx = dx.get().add(((b * g.h + ih) * g.w + iw) * cin);
                            let fp = f.get().add((i * g.kw + j) * cout);
                            if m == 1 {
                                // gx[c] += gy[c] * f[c], a vector at a time.
                                tap(gx, gy, fp, cin, 1);
                            } else {
                                tap_back(gx, gy, fp, cout, m);
                            }
                        }
                    }
                }
            }
        }
    });
}

/// df = the gradient of sum(y * dy) with respect to f (written). df is (kh, kw, cin, mult).
pub unsafe fn depthwise_backward_filter(g: &Geometry, x: *const f32, dy: *const f32, df: *mut f32) {
    let (cout, m) = (g.cout, mult(g));
    let (x, dy, df) = (SendPtr::of(x), SendPtr::of(dy), SendPtr(df));
    parallel_for(g.kh * g.kw, 1, &|t0, t1| {
        for t in t0..t1 {
            let (i, j) = (t / g.kw, t % g.kw);
            let acc = df.get().add(t * cout);
            core::ptr::write_bytes(acc, 0, cout);
            for b in 0..g.n {
                for oh in 0..g.ho {
                    let Some(ih) = g.in_row(oh, i) else { continue };
                    for ow in 0..g.wo {
                        let Some(iw) = g.in_col(ow, j) else { continue };
                        let xp = x.get().add(((b * g.h + ih) * g.w + iw) * g.cin);
                        let gy = dy.get().add(((b * g.ho + oh) * g.wo + ow) * cout);
                        // acc[oc] += x[oc / mult] * dy[oc]
                        tap(acc, xp, gy, cout, m);
                    }
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------
// Naive references
// ---------------------------------------------------------------------------------

/// Reference forward: y[b, oh, ow, c * mult + q] = Σ_{i, j} x[b, ih, iw, c] f[i, j, c, q].
pub unsafe fn depthwise_forward_naive(g: &Geometry, x: *const f32, f: *const f32, y: *mut f32) {
    let (m, cin, cout) = (mult(g), g.cin, g.cout);
    core::ptr::write_bytes(y, 0, g.rows() * cout);
    // f (kh, kw, cin, mult) read as (kh * kw, cout): tap t, output channel oc = c * mult + q.
    g.walk_windows(|xp, yp, t| {
        for oc in 0..cout {
            *y.add(yp * cout + oc) += *x.add(xp * cin + oc / m) * *f.add(t * cout + oc);
        }
    });
}

/// Reference input gradient (written).
pub unsafe fn depthwise_backward_input_naive(g: &Geometry, dy: *const f32, f: *const f32, dx: *mut f32) {
    let (m, cin, cout) = (mult(g), g.cin, g.cout);
    core::ptr::write_bytes(dx, 0, g.n * g.image());
    g.walk_windows(|xp, yp, t| {
        for oc in 0..cout {
            *dx.add(xp * cin + oc / m) += *dy.add(yp * cout + oc) * *f.add(t * cout + oc);
        }
    });
}

/// Reference filter gradient (written).
pub unsafe fn depthwise_backward_filter_naive(g: &Geometry, x: *const f32, dy: *const f32, df: *mut f32) {
    let (m, cin, cout) = (mult(g), g.cin, g.cout);
    core::ptr::write_bytes(df, 0, g.kh * g.kw * cout);
    g.walk_windows(|xp, yp, t| {
        for oc in 0..cout {
            *df.add(t * cout + oc) += *x.add(xp * cin + oc / m) * *dy.add(yp * cout + oc);
        }
    });
}
