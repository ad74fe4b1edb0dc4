//! Direct-loop convolution: the test oracle for the tuned kernels, written to be obviously
//! right rather than fast. Same geometry and layouts as `conv.rs`.

use super::geometry::Geometry;

/// y[b, oh, ow, co] = sum over (i, j, ci) of x[b, ih, iw, ci] * f[i, j, ci, co].
/// x is (n, h, w, cin), f is (kh, kw, cin, cout), y is (n, ho, wo, cout).
pub unsafe fn conv2d_forward_naive(g: &Geometry, x: *const f32, f: *const f32, y: *mut f32) {
    let (cin, cout) = (g.cin, g.cout);
    core::ptr::write_bytes(y, 0, g.rows() * cout);
    g.walk_windows(|xp, yp, t| {
        for co in 0..cout {
            for ci in 0..cin {
                *y.add(yp * cout + co) += *x.add(xp * cin + ci) * *f.add((t * cin + ci) * cout + co);
            }
        }
    });
}

/// dx = the gradient of sum(y * dy) with respect to x (written, not accumulated).
/// dy is (n, ho, wo, cout), f is (kh, kw, cin, cout), dx is (n, h, w, cin).
pub unsafe fn conv2d_backward_input_naive(g: &Geometry, dy: *const f32, f: *const f32, dx: *mut f32) {
    let (cin, cout) = (g.cin, g.cout);
    core::ptr::write_bytes(dx, 0, g.n * g.image());
    g.walk_windows(|xp, yp, t| {
        for ci in 0..cin {
            let mut acc = 0.0f32;
            for co in 0..cout {
                acc += *dy.add(yp * cout + co) * *f.add((t * cin + ci) * cout + co);
            }
            *dx.add(xp * cin + ci) += acc;
        }
    });
}

/// df = the gradient of sum(y * dy) with respect to the filter (written, not accumulated).
/// x is (n, h, w, cin), dy is (n, ho, wo, cout), df is (kh, kw, cin, cout).
pub unsafe fn conv2d_backward_filter_naive(g: &Geometry, x: *const f32, dy: *const f32, df: *mut f32) {
    let (cin, cout) = (g.cin, g.cout);
    core::ptr::write_bytes(df, 0, g.kh * g.kw * cin * cout);
    g.walk_windows(|xp, yp, t| {
        for ci in 0..cin {
            for co in 0..cout {
                *df.add((t * cin + ci) * cout + co) += *x.add(xp * cin + ci) * *dy.add(yp * cout + co);
            }
        }
    });
}
