//! 2-D convolution over NHWC tensors with HWIO filters (the TF.js / Keras layouts):
//! forward with fused bias and ReLU, gradient with respect to the input, gradient with
//! respect to the filter, and the backward of the fused bias/activation.
//!
//! Method: im2col + the tuned GEMM, chosen by measurement (bench/conv.ts) on the shapes
//! of reference program P3. Output pixels are processed in chunks whose patch matrix
//! (chunk rows x kh*kw*cin floats, ~128 KiB) stays in L2 between being written by
//! `im2col` and read by the GEMM, so the patch matrix of the whole batch is never
//! materialised and scratch memory stays bounded whatever the batch size.
//! - forward: y[chunk] = patches[chunk] · filter, chunks spread over threads, bias and
//!   activation applied to each chunk while it is still in cache;
//! - input gradient: dpatches = dy · filterᵀ, then col2im adds each patch back onto the
//!   pixels it came from; threads take whole images, so no two threads ever add into
//!   the same input value;
//! - filter gradient: patchesᵀ · dy, a sum over every output pixel of the batch. The
//!   pixels are cut into a number of slices that depends only on the shape (never on the
//!   thread count), each slice's partial filter gradient is one chunked GEMM sum, and the
//!   partials are added in slice order (`slices.rs`): results are bitwise identical for
//!   any number of threads.
//! - 1x1 kernels with unit strides and no padding skip im2col: each is one GEMM on x.
//!
//! Measured (bench/conv.ts, one SIMD thread, best of interleaved runs): on P3's second
//! layer (batch 64, 13x13x32 -> 11x11x64) forward, input gradient and filter gradient all
//! run at about 40 GFLOP/s, the speed of the bare GEMM of the same size, so im2col and
//! col2im cost little; TF.js's wasm backend reaches about 10 on the forward, 1.2 on the
//! input gradient, and has no filter gradient. The first layer (cin = 1, K = 9) reaches
//! about 17: a GEMM that shallow spends its time storing tiles, not multiplying.
//!
//! `naive.rs` holds the direct-loop reference (the test oracle).

mod geometry;
mod im2col;
mod naive;
pub mod slices;

pub use geometry::{Geometry, GEOMETRY_WORDS};
use im2col::{col2im_add, im2col};
use naive::{conv2d_backward_filter_naive, conv2d_backward_input_naive, conv2d_forward_naive};

use crate::gemm::gemm;
use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, LANES};
use slices::{reduce_slices, Slices};

/// The activation fused into the forward (`act` arguments).
/// ABI enum: ConvActivation
pub const ACT_LINEAR: u32 = 0;
pub const ACT_RELU: u32 = 1;

/// Floats of patch matrix per chunk: 128 KiB, which stays in L2 while the GEMM reads it.
const CHUNK_FLOATS: usize = 1 << 15;
/// At least this many pixels per chunk, so that the GEMM's packing of the filter (K x cout
/// floats, once per call) stays small beside its chunk x K x cout multiply-adds.
const MIN_CHUNK_ROWS: usize = 64;
/// Most slices a filter-gradient or bias-gradient reduction is cut into (12 divides
/// evenly among 1, 2, 3, 4 and 6 threads).
const MAX_SLICES: usize = 12;
/// Bound on the partial results of a reduction (16 MiB).
const MAX_PARTIAL_FLOATS: usize = 1 << 22;
/// Rows per slice of a bias-gradient reduction, at least.
const BIAS_SLICE_ROWS: usize = 256;

/// Pixels per im2col chunk for a patch depth of `depth` floats (a multiple of 4).
fn chunk_rows(depth: usize) -> usize {
    (CHUNK_FLOATS / depth.max(1)).max(MIN_CHUNK_ROWS).next_multiple_of(4)
}

// ---------------------------------------------------------------------------------
// Forward
// ---------------------------------------------------------------------------------

/// y = act(conv2d(x, f) + bias). x is (n, h, w, cin), f is (kh, kw, cin, cout), bias is
/// (cout) or null, y is (n, ho, wo, cout); act is ACT_LINEAR or ACT_RELU.
pub unsafe fn conv2d_forward(g: &Geometry, x: *const f32, f: *const f32, bias: *const f32, act: u32, y: *mut f32) {
    let (rows, depth, cout) = (g.rows(), g.depth(), g.cout);
    if rows == 0 || cout == 0 {
        return;
    }
    if g.is_pointwise() {
        gemm(false, false, rows, cout, g.cin, 1.0, x, g.cin, f, cout, 0.0, y, cout);
        bias_act_forward(y, rows, cout, bias, act);
        return;
    }
    let chunk = chunk_rows(depth);
    let (x, f, bias, y) = (
        SendPtr(x as *mut f32),
        SendPtr(f as *mut f32),
        SendPtr(bias as *mut f32),
        SendPtr(y),
    );
    parallel_for(rows.div_ceil(chunk), 1, &|c0, c1| {
        let cols = Scratch::new(chunk.min(rows) * depth);
        for c in c0..c1 {
            let (r0, r1) = (c * chunk, ((c + 1) * chunk).min(rows));
            im2col(g, x.get(), r0, r1, cols.ptr());
            let out = y.get().add(r0 * cout);
            gemm(
                false,
                false,
                r1 - r0,
                cout,
                depth,
                1.0,
                cols.ptr(),
                depth,
                f.get(),
                cout,
                0.0,
                out,
                cout,
            );
            bias_act_rows(out, r1 - r0, cout, bias.get(), act);
        }
    });
}

/// In place over y (rows, cols): y = act(y + bias), bias (cols) or null; split over threads.
unsafe fn bias_act_forward(y: *mut f32, rows: usize, cols: usize, bias: *const f32, act: u32) {
    if bias.is_null() && act == ACT_LINEAR {
        return;
    }
    const BLOCK_FLOATS: usize = 1 << 14;
    let block = (BLOCK_FLOATS / cols.max(1)).max(1);
    let (y, bias) = (SendPtr(y), SendPtr(bias as *mut f32));
    parallel_for(rows.div_ceil(block), 2, &|b0, b1| {
        let (r0, r1) = (b0 * block, (b1 * block).min(rows));
        bias_act_rows(y.get().add(r0 * cols), r1 - r0, cols, bias.get(), act);
    });
}

/// y = act(y + bias) over rows of `cols` floats; bias (cols) or null.
#[inline(always)]
unsafe fn bias_act_rows(y: *mut f32, rows: usize, cols: usize, bias: *const f32, act: u32) {
    let has_bias = !bias.is_null();
    if !has_bias && act == ACT_LINEAR {
        return;
    }
    let relu = act == ACT_RELU;
    for r in 0..rows {
        let row = y.add(r * cols);
        let mut c = 0;
        while c + LANES <= cols {
            let mut v = F32x4::load(row.add(c));
            if has_bias {
                v = v.add(F32x4::load(bias.add(c)));
            }
            if relu {
                v = v.max(F32x4::zero());
            }
            v.store(row.add(c));
            c += LANES;
        }
        while c < cols {
            let mut v = *row.add(c);
            if has_bias {
                v += *bias.add(c);
            }
            if relu && v < 0.0 {
                v = 0.0;
            }
            *row.add(c) = v;
            c += 1;
        }
    }
}

// ---------------------------------------------------------------------------------
// Backward
// ---------------------------------------------------------------------------------

/// The backward of `act(z + bias)` given its output y: dz = dy * act'(y) and the bias
/// gradient db = the column sums of dz. y, dy, dz are (rows, cols); db is (cols) or null.
/// For ACT_LINEAR dz is not written (it equals dy). Both are written, not accumulated.
pub unsafe fn bias_act_backward(
    act: u32,
    y: *const f32,
    dy: *const f32,
    dz: *mut f32,
    db: *mut f32,
    rows: usize,
    cols: usize,
) {
    let relu = act == ACT_RELU;
    let (y, dy, dz) = (SendPtr(y as *mut f32), SendPtr(dy as *mut f32), SendPtr(dz));
    // Computes dz for rows [r0, r1) and, when `sums` is not null, their column sums.
    let rows_body = |r0: usize, r1: usize, sums: *mut f32| {
        let (y, dy, dz) = (y.get(), dy.get(), dz.get());
        if !sums.is_null() {
            for k in 0..cols {
                *sums.add(k) = 0.0;
            }
        }
        for r in r0..r1 {
            let o = r * cols;
            let mut c = 0;
            while c + LANES <= cols {
                let mut g = F32x4::load(dy.add(o + c));
                if relu {
                    g = g.and(F32x4::load(y.add(o + c)).gt(F32x4::zero()));
                    g.store(dz.add(o + c));
                }
                if !sums.is_null() {
                    F32x4::load(sums.add(c)).add(g).store(sums.add(c));
                }
                c += LANES;
            }
            while c < cols {
                let mut g = *dy.add(o + c);
                if relu {
                    g = if *y.add(o + c) > 0.0 { g } else { 0.0 };
                    *dz.add(o + c) = g;
                }
                if !sums.is_null() {
                    *sums.add(c) += g;
                }
                c += 1;
            }
        }
    };
    if db.is_null() {
        if relu {
            const BLOCK_ROWS: usize = 256;
            parallel_for(rows.div_ceil(BLOCK_ROWS), 2, &|b0, b1| {
                rows_body(b0 * BLOCK_ROWS, (b1 * BLOCK_ROWS).min(rows), core::ptr::null_mut())
            });
        }
        return;
    }
    let slices = Slices::new(rows, cols, BIAS_SLICE_ROWS, MAX_SLICES * 2, MAX_PARTIAL_FLOATS);
    reduce_slices(slices, cols, db, &|r0, r1, out| rows_body(r0, r1, out));
}

/// dx = the gradient of sum(conv2d(x, f) * dy) with respect to x (written, not accumulated).
/// dy is (n, ho, wo, cout), f is (kh, kw, cin, cout), dx is (n, h, w, cin).
pub unsafe fn conv2d_backward_input(g: &Geometry, dy: *const f32, f: *const f32, dx: *mut f32) {
    let (depth, cout, per_image) = (g.depth(), g.cout, g.ho * g.wo);
    if g.n * g.image() == 0 {
        return;
    }
    if g.is_pointwise() {
        // dx (n*h*w, cin) = dy (n*h*w, cout) · fᵀ, f viewed as (cin, cout).
        gemm(
            false,
            true,
            g.rows(),
            g.cin,
            cout,
            1.0,
            dy,
            cout,
            f,
            cout,
            0.0,
            dx,
            g.cin,
        );
        return;
    }
    // Work items are groups of whole images: col2im of different items never touches the
    // same memory. Small images are grouped so that each GEMM has enough rows; a large
    // image is cut into chunks processed in order by the one thread that owns it.
    let target = chunk_rows(depth);
    let per_image = per_image.max(1);
    let (images_per_item, chunk) = if per_image <= 2 * target {
        // Whole images per GEMM (up to twice the target, rather than a sliver of a remainder).
        let k = (target / per_image).max(1);
        (k, k * per_image)
    } else {
        // Large images: equal chunks of each image.
        (1, per_image.div_ceil(per_image.div_ceil(target)))
    };
    let (dy, f, dx) = (SendPtr(dy as *mut f32), SendPtr(f as *mut f32), SendPtr(dx));
    parallel_for(g.n.div_ceil(images_per_item), 1, &|item0, item1| {
        let cols = Scratch::new(chunk * depth);
        let (b0, b1) = (item0 * images_per_item, (item1 * images_per_item).min(g.n));
        let images = dx.get().add(b0 * g.image());
        for k in 0..(b1 - b0) * g.image() {
            *images.add(k) = 0.0;
        }
        let mut r0 = b0 * g.ho * g.wo;
        let end = b1 * g.ho * g.wo;
        while r0 < end {
            let r1 = (r0 + chunk).min(end);
            // dpatches (r1 - r0, K) = dy[r0..r1] (r1 - r0, cout) · fᵀ, f viewed as (K, cout)
            gemm(
                false,
                true,
                r1 - r0,
                depth,
                cout,
                1.0,
                dy.get().add(r0 * cout),
                cout,
                f.get(),
                cout,
                0.0,
                cols.ptr(),
                depth,
            );
            col2im_add(g, cols.ptr(), r0, r1, dx.get());
            r0 = r1;
        }
    });
}

/// df = the gradient of sum(conv2d(x, f) * dy) with respect to f (written, not accumulated).
/// x is (n, h, w, cin), dy is (n, ho, wo, cout), df is (kh, kw, cin, cout).
pub unsafe fn conv2d_backward_filter(g: &Geometry, x: *const f32, dy: *const f32, df: *mut f32) {
    let (rows, depth, cout) = (g.rows(), g.depth(), g.cout);
    if depth * cout == 0 {
        return;
    }
    if g.is_pointwise() {
        // df (cin, cout) = xᵀ · dy, x viewed as (n*h*w, cin): one GEMM, deterministic.
        gemm(true, false, g.cin, cout, rows, 1.0, x, g.cin, dy, cout, 0.0, df, cout);
        return;
    }
    // Slices are made of whole chunks, so that every GEMM but the very last is full-sized.
    let chunk = chunk_rows(depth);
    let slices = Slices::new(rows.div_ceil(chunk), depth * cout, 1, MAX_SLICES, MAX_PARTIAL_FLOATS);
    let (x, dy) = (SendPtr(x as *mut f32), SendPtr(dy as *mut f32));
    reduce_slices(slices, depth * cout, df, &|c0, c1, out| {
        let (s0, s1) = (c0 * chunk, (c1 * chunk).min(rows));
        if s0 >= s1 {
            for k in 0..depth * cout {
                *out.add(k) = 0.0;
            }
            return;
        }
        let cols = Scratch::new(chunk.min(s1 - s0) * depth);
        let mut r0 = s0;
        while r0 < s1 {
            let r1 = (r0 + chunk).min(s1);
            im2col(g, x.get(), r0, r1, cols.ptr());
            // out (K, cout) (+)= patchesᵀ (K, r1 - r0) · dy[r0..r1] (r1 - r0, cout)
            let beta = if r0 == s0 { 0.0 } else { 1.0 };
            gemm(
                true,
                false,
                depth,
                cout,
                r1 - r0,
                1.0,
                cols.ptr(),
                depth,
                dy.get().add(r0 * cout),
                cout,
                beta,
                out,
                cout,
            );
            r0 = r1;
        }
    });
}

// ---------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------

/// y = act(conv2d(x, f) + bias). geom is the 15-u32 block of `Geometry::read`; bias is
/// (cout) or 0 for none; act: 0 linear, 1 relu. Shapes as in `conv2d_forward`.
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_forward(
    geom: *const u32,
    x: *const f32,
    f: *const f32,
    bias: *const f32,
    act: u32,
    y: *mut f32,
) {
    conv2d_forward(&Geometry::read(geom), x, f, bias, act, y);
}

/// dx (n, h, w, cin) from dy (n, ho, wo, cout) and f (kh, kw, cin, cout); written.
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_input(geom: *const u32, dy: *const f32, f: *const f32, dx: *mut f32) {
    conv2d_backward_input(&Geometry::read(geom), dy, f, dx);
}

/// df (kh, kw, cin, cout) from x (n, h, w, cin) and dy (n, ho, wo, cout); written.
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_filter(geom: *const u32, x: *const f32, dy: *const f32, df: *mut f32) {
    conv2d_backward_filter(&Geometry::read(geom), x, dy, df);
}

/// Backward of the fused bias/activation: dz = dy * act'(y) (not written for act 0),
/// db = column sums of dz (skipped when db is 0). y, dy, dz are (rows, cols); db (cols).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_bias_act_backward(
    act: u32,
    y: *const f32,
    dy: *const f32,
    dz: *mut f32,
    db: *mut f32,
    rows: usize,
    cols: usize,
) {
    bias_act_backward(act, y, dy, dz, db, rows, cols);
}

/// Direct-loop reference forward (no bias): y (n, ho, wo, cout) = conv2d(x, f).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_forward_naive(geom: *const u32, x: *const f32, f: *const f32, y: *mut f32) {
    conv2d_forward_naive(&Geometry::read(geom), x, f, y);
}

/// Direct-loop reference input gradient (same arguments as fe_conv2d_backward_input).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_input_naive(geom: *const u32, dy: *const f32, f: *const f32, dx: *mut f32) {
    conv2d_backward_input_naive(&Geometry::read(geom), dy, f, dx);
}

/// Direct-loop reference filter gradient (same arguments as fe_conv2d_backward_filter).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_filter_naive(
    geom: *const u32,
    x: *const f32,
    dy: *const f32,
    df: *mut f32,
) {
    conv2d_backward_filter_naive(&Geometry::read(geom), x, dy, df);
}
