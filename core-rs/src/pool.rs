//! 2-D max and average pooling over NHWC tensors, forward and backward.
//!
//! Geometry is the convolution's (`conv::Geometry`, with cin = cout = channels and no
//! dilation). A window only ever covers real pixels: padding cells are skipped, never
//! read as zeros, so a max over a window of negative values is that max (not 0), padding
//! never wins, and an average divides by the number of real cells under the window (as
//! TensorFlow does for 'same' padding). The TS side rejects padding that would leave a
//! window empty.
//!
//! Vectorised across channels (contiguous in NHWC), four at a time.
//! - Max pooling records, when asked, the window position of each maximum (the first in
//!   row-major order on ties, as `>` only moves it on a strictly larger value) as an exact
//!   small integer stored in a float32 tensor shaped like the output. The backward routes
//!   dy there.
//! - Backward passes are gathers: each input pixel sums the gradients of the windows
//!   covering it, in window order. Threads take whole input rows, nothing is written twice
//!   and the sum order is fixed, so results do not depend on the thread count and
//!   overlapping windows (pool 3, stride 2) need no atomic scatter.
//!
//! The `_naive` functions are direct loops over windows (scatter form): the test oracle.

use crate::conv::Geometry;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{fill, for_each_vector, F32x4, Lanes};

/// Work (floats touched) below which a pooling kernel does not split over threads.
const GRAIN: usize = 1 << 14;

/// Output windows [oh_lo, oh_hi) covering input row ih (and likewise for columns).
#[inline(always)]
fn covering(i: usize, pad: usize, k: usize, s: usize, out: usize) -> (usize, usize) {
    let p = i + pad;
    let lo = (p + 1).saturating_sub(k).div_ceil(s);
    let hi = (p / s + 1).min(out);
    (lo.min(hi), hi)
}

/// Calls `f(ch, w)` for the channels ch..ch + w of a pixel, four at a time (w < 4 for the
/// last vector when c is not a multiple of 4: load and store it with `load_n`/`store_n`).
#[inline(always)]
fn each_channel(c: usize, f: impl FnMut(usize, usize)) {
    for_each_vector(0, c, f)
}

// ---------------------------------------------------------------------------------
// Forward
// ---------------------------------------------------------------------------------

/// The real cells of window (oh, ow): the input row pointer for tap row i is
/// `row(i)`, and tap column j is at `row(i) + (ow * sw + j - pad_left) * c`.
/// MAX: y = the max over each window, and with `ARG` argmax gets the window position
/// (i * kw + j) of the first maximum. !MAX: y = the mean over the window's real cells.
/// x is (n, h, w, c); y and argmax are (n, ho, wo, c); items are output rows (b, oh).
unsafe fn pool_forward_rows<const MAX: bool, const ARG: bool>(
    g: &Geometry,
    x: *const f32,
    y: *mut f32,
    argmax: *mut f32,
    item0: usize,
    item1: usize,
) {
    let c = g.cin;
    let taps = g.taps();
    for item in item0..item1 {
        let (b, oh) = (item / g.ho, item % g.ho);
        let (i0, i1) = taps.rows[oh];
        let image = x.add(b * g.image());
        for ow in 0..g.wo {
            let (j0, j1) = taps.cols[ow];
            let o = (item * g.wo + ow) * c;
            let (yo, ao) = (y.add(o), argmax.wrapping_add(o));
            // The window's running result lives in y (and argmax), in L1: each cell is then
            // one contiguous pass over the channels.
            let mut first = true;
            for i in i0..i1 {
                let row = image.add((oh * g.sh + i - g.pad_top) * g.w * c);
                for j in j0..j1 {
                    let cell = row.add((ow * g.sw + j - g.pad_left) * c);
                    let pos = F32x4::splat((i * g.kw + j) as f32);
                    let cell_at = |ch: usize, w: usize| F32x4::load_n(cell.add(ch), w, 0.0);
                    if first {
                        each_channel(c, |ch, w| {
                            cell_at(ch, w).store_n(yo.add(ch), w);
                            if ARG {
                                pos.store_n(ao.add(ch), w);
                            }
                        });
                    } else if MAX {
                        each_channel(c, |ch, w| {
                            let (v, best) = (cell_at(ch, w), F32x4::load_n(yo.add(ch), w, 0.0));
                            let larger = v.gt(best);
                            F32x4::select(larger, v, best).store_n(yo.add(ch), w);
                            if ARG {
                                F32x4::select(larger, pos, F32x4::load_n(ao.add(ch), w, 0.0)).store_n(ao.add(ch), w);
                            }
                        });
                    } else {
                        each_channel(c, |ch, w| {
                            F32x4::load_n(yo.add(ch), w, 0.0)
                                .add(cell_at(ch, w))
                                .store_n(yo.add(ch), w)
                        });
                    }
                    first = false;
                }
            }
            if !MAX {
                let count = F32x4::splat(((i1 - i0) * (j1 - j0)) as f32);
                each_channel(c, |ch, w| {
                    F32x4::load_n(yo.add(ch), w, 0.0).div(count).store_n(yo.add(ch), w)
                });
            }
        }
    }
}

/// Runs a forward over output rows, split over threads.
unsafe fn pool_forward<const MAX: bool>(g: &Geometry, x: *const f32, y: *mut f32, argmax: *mut f32) {
    let min_items = GRAIN / (g.wo * g.cin * g.kh * g.kw).max(1);
    let (x, y, argmax) = (SendPtr::of(x), SendPtr(y), SendPtr(argmax));
    parallel_for(g.n * g.ho, min_items, &|s, e| {
        if !MAX {
            pool_forward_rows::<false, false>(g, x.get(), y.get(), argmax.get(), s, e);
        } else if argmax.get().is_null() {
            pool_forward_rows::<true, false>(g, x.get(), y.get(), argmax.get(), s, e);
        } else {
            pool_forward_rows::<true, true>(g, x.get(), y.get(), argmax.get(), s, e);
        }
    });
}

/// Max pooling. x is (n, h, w, c), y is (n, ho, wo, c); argmax is (n, ho, wo, c) or null
/// (inference: positions not recorded).
pub unsafe fn max_pool_forward(g: &Geometry, x: *const f32, y: *mut f32, argmax: *mut f32) {
    pool_forward::<true>(g, x, y, argmax);
}

/// Average pooling over the real cells of each window. x is (n, h, w, c), y is (n, ho, wo, c).
pub unsafe fn avg_pool_forward(g: &Geometry, x: *const f32, y: *mut f32) {
    pool_forward::<false>(g, x, y, core::ptr::null_mut());
}

// ---------------------------------------------------------------------------------
// Backward: a gather over the windows covering each input pixel
// ---------------------------------------------------------------------------------

/// dx[pixel] = sum of dy over the windows whose recorded maximum is that pixel (written).
/// argmax and dy are (n, ho, wo, c) (argmax from `max_pool_forward`); dx is (n, h, w, c).
pub unsafe fn max_pool_backward(g: &Geometry, argmax: *const f32, dy: *const f32, dx: *mut f32) {
    pool_backward::<true>(g, argmax, dy, dx);
}

/// dx[pixel] = sum over the windows covering it of dy / (real cells in the window) (written).
/// dy is (n, ho, wo, c), dx is (n, h, w, c).
pub unsafe fn avg_pool_backward(g: &Geometry, dy: *const f32, dx: *mut f32) {
    pool_backward::<false>(g, core::ptr::null(), dy, dx);
}

/// MAX: dx sums dy over covering windows whose argmax is this pixel.
/// !MAX: dx sums dy / count over covering windows.
/// Each pixel's sum starts from zero and adds the windows in (oh, ow) order.
unsafe fn pool_backward<const MAX: bool>(g: &Geometry, argmax: *const f32, dy: *const f32, dx: *mut f32) {
    let c = g.cin;
    // Each input pixel visits about (kh / sh) * (kw / sw) windows.
    let per_item = g.w * c * g.kh.div_ceil(g.sh) * g.kw.div_ceil(g.sw);
    let (argmax, dy, dx) = (SendPtr::of(argmax), SendPtr::of(dy), SendPtr(dx));
    parallel_for(g.n * g.h, GRAIN / per_item.max(1), &|s, e| {
        let (argmax, dy, dx) = (argmax.get(), dy.get(), dx.get());
        let taps = g.taps();
        let covering_cols: alloc::vec::Vec<(usize, usize)> =
            (0..g.w).map(|iw| covering(iw, g.pad_left, g.kw, g.sw, g.wo)).collect();
        let half = F32x4::splat(0.5);
        for item in s..e {
            let (b, ih) = (item / g.h, item % g.h);
            let (oh0, oh1) = covering(ih, g.pad_top, g.kh, g.sh, g.ho);
            for iw in 0..g.w {
                let (ow0, ow1) = covering_cols[iw];
                let out = dx.add((item * g.w + iw) * c);
                fill(out, c, 0.0);
                for oh in oh0..oh1 {
                    for ow in ow0..ow1 {
                        let o = ((b * g.ho + oh) * g.wo + ow) * c;
                        let (d, a) = (dy.add(o), argmax.wrapping_add(o));
                        // MAX: this pixel's position in window (oh, ow), as argmax records it.
                        // Average: the number of real cells in the window.
                        let (pos, count) = if MAX {
                            let pos = (ih + g.pad_top - oh * g.sh) * g.kw + iw + g.pad_left - ow * g.sw;
                            (F32x4::splat(pos as f32), F32x4::zero())
                        } else {
                            let ((i0, i1), (j0, j1)) = (taps.rows[oh], taps.cols[ow]);
                            (F32x4::zero(), F32x4::splat(((i1 - i0) * (j1 - j0)) as f32))
                        };
                        each_channel(c, |ch, w| {
                            let dv = F32x4::load_n(d.add(ch), w, 0.0);
                            let add = if MAX {
                                let hit = F32x4::load_n(a.add(ch), w, 0.0).sub(pos).abs().lt(half);
                                dv.and(hit)
                            } else {
                                dv.div(count)
                            };
                            F32x4::load_n(out.add(ch), w, 0.0).add(add).store_n(out.add(ch), w);
                        });
                    }
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------
// Naive references (direct loops over windows, scatter form)
// ---------------------------------------------------------------------------------

/// Position (i, j) in window (oh, ow) and channel ch of its first maximum, and that maximum.
unsafe fn window_argmax(g: &Geometry, x: *const f32, b: usize, oh: usize, ow: usize, ch: usize) -> (usize, usize, f32) {
    let mut best: Option<(usize, usize, f32)> = None;
    for i in 0..g.kh {
        let Some(ih) = g.in_row(oh, i) else { continue };
        for j in 0..g.kw {
            let Some(iw) = g.in_col(ow, j) else { continue };
            let v = *x.add(((b * g.h + ih) * g.w + iw) * g.cin + ch);
            if best.is_none_or(|(_, _, m)| v > m) {
                best = Some((ih, iw, v));
            }
        }
    }
    best.unwrap_or((0, 0, 0.0))
}

/// Reference max pooling: same shapes as `max_pool_forward` (no argmax).
pub unsafe fn max_pool_forward_naive(g: &Geometry, x: *const f32, y: *mut f32) {
    for b in 0..g.n {
        for oh in 0..g.ho {
            for ow in 0..g.wo {
                for ch in 0..g.cin {
                    *y.add(((b * g.ho + oh) * g.wo + ow) * g.cin + ch) = window_argmax(g, x, b, oh, ow, ch).2;
                }
            }
        }
    }
}

/// Reference max-pool backward from the input: dx (n, h, w, c) written.
pub unsafe fn max_pool_backward_naive(g: &Geometry, x: *const f32, dy: *const f32, dx: *mut f32) {
    for k in 0..g.n * g.image() {
        *dx.add(k) = 0.0;
    }
    for b in 0..g.n {
        for oh in 0..g.ho {
            for ow in 0..g.wo {
                for ch in 0..g.cin {
                    let (ih, iw, _) = window_argmax(g, x, b, oh, ow, ch);
                    *dx.add(((b * g.h + ih) * g.w + iw) * g.cin + ch) +=
                        *dy.add(((b * g.ho + oh) * g.wo + ow) * g.cin + ch);
                }
            }
        }
    }
}

/// Reference average pooling over real cells.
pub unsafe fn avg_pool_forward_naive(g: &Geometry, x: *const f32, y: *mut f32) {
    for b in 0..g.n {
        for oh in 0..g.ho {
            for ow in 0..g.wo {
                for ch in 0..g.cin {
                    let (mut sum, mut count) = (0.0f32, 0usize);
                    for i in 0..g.kh {
                        let Some(ih) = g.in_row(oh, i) else { continue };
                        for j in 0..g.kw {
                            let Some(iw) = g.in_col(ow, j) else { continue };
                            sum += *x.add(((b * g.h + ih) * g.w + iw) * g.cin + ch);
                            count += 1;
                        }
                    }
                    *y.add(((b * g.ho + oh) * g.wo + ow) * g.cin + ch) = sum / count as f32;
                }
            }
        }
    }
}

/// Reference average-pool backward: dx (n, h, w, c) written.
pub unsafe fn avg_pool_backward_naive(g: &Geometry, dy: *const f32, dx: *mut f32) {
    for k in 0..g.n * g.image() {
        *dx.add(k) = 0.0;
    }
    for b in 0..g.n {
        for oh in 0..g.ho {
            for ow in 0..g.wo {
                let ((i0, i1), (j0, j1)) = (g.row_taps(oh), g.col_taps(ow));
                let count = ((i1 - i0) * (j1 - j0)) as f32;
                for i in i0..i1 {
                    for j in j0..j1 {
                        let (ih, iw) = (oh * g.sh + i - g.pad_top, ow * g.sw + j - g.pad_left);
                        for ch in 0..g.cin {
                            *dx.add(((b * g.h + ih) * g.w + iw) * g.cin + ch) +=
                                *dy.add(((b * g.ho + oh) * g.wo + ow) * g.cin + ch) / count;
                        }
                    }
                }
            }
        }
    }
}
