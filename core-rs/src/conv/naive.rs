//! Direct-loop convolution: the test oracle for the tuned kernels, written to be obviously
//! right rather than fast. Same geometry and layouts as `conv.rs`.

use super::geometry::Geometry;

#[inline(always)]
fn at4(d1: usize, d2: usize, d3: usize, a: usize, b: usize, c: usize, e: usize) -> usize {
    ((a * d1 + b) * d2 + c) * d3 + e
}

/// y[b, oh, ow, co] = sum over (i, j, ci) of x[b, ih, iw, ci] * f[i, j, ci, co].
/// x is (n, h, w, cin), f is (kh, kw, cin, cout), y is (n, ho, wo, cout).
pub unsafe fn conv2d_forward_naive(g: &Geometry, x: *const f32, f: *const f32, y: *mut f32) {
    for b in 0..g.n {
        for oh in 0..g.ho {
            for ow in 0..g.wo {
                for co in 0..g.cout {
                    let mut acc = 0.0f32;
                    for i in 0..g.kh {
                        let Some(ih) = g.in_row(oh, i) else { continue };
                        for j in 0..g.kw {
                            let Some(iw) = g.in_col(ow, j) else { continue };
                            for ci in 0..g.cin {
                                acc += *x.add(at4(g.h, g.w, g.cin, b, ih, iw, ci))
                                    * *f.add(at4(g.kw, g.cin, g.cout, i, j, ci, co));
                            }
                        }
                    }
                    *y.add(at4(g.ho, g.wo, g.cout, b, oh, ow, co)) = acc;
                }
            }
        }
    }
}

/// dx = the gradient of sum(y * dy) with respect to x (written, not accumulated).
/// dy is (n, ho, wo, cout), f is (kh, kw, cin, cout), dx is (n, h, w, cin).
pub unsafe fn conv2d_backward_input_naive(g: &Geometry, dy: *const f32, f: *const f32, dx: *mut f32) {
    for k in 0..g.n * g.image() {
        *dx.add(k) = 0.0;
    }
    for b in 0..g.n {
        for oh in 0..g.ho {
            for ow in 0..g.wo {
                for i in 0..g.kh {
                    let Some(ih) = g.in_row(oh, i) else { continue };
                    for j in 0..g.kw {
                        let Some(iw) = g.in_col(ow, j) else { continue };
                        for ci in 0..g.cin {
                            let mut acc = 0.0f32;
                            for co in 0..g.cout {
                                acc += *dy.add(at4(g.ho, g.wo, g.cout, b, oh, ow, co))
                                    * *f.add(at4(g.kw, g.cin, g.cout, i, j, ci, co));
                            }
                            *dx.add(at4(g.h, g.w, g.cin, b, ih, iw, ci)) += acc;
                        }
                    }
                }
            }
        }
    }
}

/// df = the gradient of sum(y * dy) with respect to the filter (written, not accumulated).
/// x is (n, h, w, cin), dy is (n, ho, wo, cout), df is (kh, kw, cin, cout).
pub unsafe fn conv2d_backward_filter_naive(g: &Geometry, x: *const f32, dy: *const f32, df: *mut f32) {
    for i in 0..g.kh {
        for j in 0..g.kw {
            for ci in 0..g.cin {
                for co in 0..g.cout {
                    let mut acc = 0.0f32;
                    for b in 0..g.n {
                        for oh in 0..g.ho {
                            let Some(ih) = g.in_row(oh, i) else { continue };
                            for ow in 0..g.wo {
                                let Some(iw) = g.in_col(ow, j) else { continue };
                                acc += *x.add(at4(g.h, g.w, g.cin, b, ih, iw, ci))
                                    * *dy.add(at4(g.ho, g.wo, g.cout, b, oh, ow, co));
                            }
                        }
                    }
                    *df.add(at4(g.kw, g.cin, g.cout, i, j, ci, co)) = acc;
                }
            }
        }
    }
}
