//! 2-D convolution over NHWC tensors with HWIO filters (the TF.js / Keras layouts):
//! forward with fused bias and ReLU, gradient with respect to the input, gradient with
//! respect to the filter, and the backward of the fused bias/activation.
//!
//! Method: im2col + the tuned GEMM, chosen by measurement (bench/conv.ts) on the shapes
//! of the MNIST CNN (examples/mnist-cnn.ts). Output pixels are processed in chunks whose patch matrix
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
//!   partials are added in slice order (`crate::slices`): results are bitwise identical
//!   for any number of threads.
//! - 1x1 kernels with unit strides and no padding skip im2col: each is one GEMM on x.
//!
//! Measured (bench/conv.ts, one SIMD thread, best of interleaved runs): on the MNIST CNN's second
//! layer (batch 64, 13x13x32 -> 11x11x64) forward, input gradient and filter gradient all
//! run at about 40 GFLOP/s, the speed of the bare GEMM of the same size, so im2col and
//! col2im cost little; TF.js's wasm backend reaches about 10 on the forward, 1.2 on the
//! input gradient, and has no filter gradient. The first layer (cin = 1, K = 9) reached
//! about 17-22 through im2col: a GEMM that shallow spends its time storing tiles, not
//! multiplying. `direct.rs` takes it to 34 (forward) and 32 (filter gradient) GFLOP/s,
//! 1.56x and 1.58x the im2col route measured side by side (best of interleaved runs).
//!
//! - few input channels (cin <= 4, the first layer of an image model) skip im2col too:
//!   `direct.rs` computes the forward and the filter gradient straight from the input.
//!
//! `naive.rs` holds the direct-loop reference (the test oracle).

mod direct;
mod geometry;
mod im2col;
mod naive;

pub use geometry::Geometry;
use im2col::{col2im_add, im2col};
pub use naive::{conv2d_backward_filter_naive, conv2d_backward_input_naive, conv2d_forward_naive};

use crate::gemm::{gemm, Mat};
use crate::heap::Scratch;
use crate::map::map2;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{for_each_vector, F32x4, Lanes};
use crate::slices::{column_sums, reduce_slices, Slices};

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
    if direct::suits(g) {
        direct::conv2d_forward_direct(g, x, f, bias, act, y);
        return;
    }
    let filter = Mat::plain(f, cout);
    if g.is_pointwise() {
        gemm(rows, cout, g.cin, 1.0, Mat::plain(x, g.cin), filter, 0.0, y, cout);
        bias_act_forward(y, rows, cout, bias, act);
        return;
    }
    let chunk = chunk_rows(depth);
    let (x, bias, y) = (SendPtr::of(x), SendPtr::of(bias), SendPtr(y));
    parallel_for(rows.div_ceil(chunk), 1, &|c0, c1| {
        let cols = Scratch::new(chunk.min(rows) * depth);
        for c in c0..c1 {
            let (r0, r1) = (c * chunk, ((c + 1) * chunk).min(rows));
            im2col(g, x.get(), r0, r1, cols.ptr());
            let out = y.get().add(r0 * cout);
            // out (r1 - r0, cout) = patches (r1 - r0, K) · f (K, cout)
            gemm(
                r1 - r0,
                cout,
                depth,
                1.0,
                Mat::plain(cols.ptr(), depth),
                filter,
                0.0,
                out,
                cout,
            );
            bias_act_rows(out, r1 - r0, cout, bias.get(), act);
        }
    });
}

/// In place over y (rows, cols): y = act(y + bias), bias (cols) or null; split over threads.
pub unsafe fn bias_act_forward(y: *mut f32, rows: usize, cols: usize, bias: *const f32, act: u32) {
    if bias.is_null() && act == ACT_LINEAR {
        return;
    }
    const BLOCK_FLOATS: usize = 1 << 14;
    let block = (BLOCK_FLOATS / cols.max(1)).max(1);
    let (y, bias) = (SendPtr(y), SendPtr::of(bias));
    parallel_for(rows.div_ceil(block), 2, &|b0, b1| {
        let (r0, r1) = (b0 * block, (b1 * block).min(rows));
        bias_act_rows(y.get().add(r0 * cols), r1 - r0, cols, bias.get(), act);
    });
}

/// y = act(y + bias) over rows of `cols` floats; bias (cols) or null.
#[inline(always)]
unsafe fn bias_act_rows(y: *mut f32, rows: usize, cols: usize, bias: *const f32, act: u32) {
    if bias.is_null() && act == ACT_LINEAR {
        return;
    }
    for r in 0..rows {
        let row = y.add(r * cols);
        for_each_vector(0, cols, |c, w| {
            let mut v = F32x4::load_n(row.add(c), w, 0.0);
            if !bias.is_null() {
                v = v.add(F32x4::load_n(bias.add(c), w, 0.0));
            }
            if act == ACT_RELU {
                v = v.max(F32x4::zero());
            }
            v.store_n(row.add(c), w);
        });
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
    [y, dy]: [*const f32; 2],
    dz: *mut f32,
    db: *mut f32,
    rows: usize,
    cols: usize,
) {
    let relu = act == ACT_RELU;
    if db.is_null() {
        if relu {
            map2(y, dy, dz, rows * cols, |y, g| g.and(y.gt(F32x4::zero())));
        }
        return;
    }
    let (y, dy, dz) = (SendPtr::of(y), SendPtr::of(dy), SendPtr(dz));
    let slices = Slices::new(rows, cols, BIAS_SLICE_ROWS, MAX_SLICES * 2, MAX_PARTIAL_FLOATS);
    reduce_slices(slices, cols, db, &|r0, r1, out| {
        let (y, dy, dz) = (y.get(), dy.get(), dz.get());
        // The column sums of dz, writing dz on the way when it differs from dy.
        column_sums(r0, r1, cols, out, move |r, c, w| {
            let at = r * cols + c;
            let mut g = F32x4::load_n(dy.add(at), w, 0.0);
            if relu {
                g = g.and(F32x4::load_n(y.add(at), w, 0.0).gt(F32x4::zero()));
                g.store_n(dz.add(at), w);
            }
            [g]
        })
    });
}

/// dx = the gradient of sum(conv2d(x, f) * dy) with respect to x (written, not accumulated).
/// dy is (n, ho, wo, cout), f is (kh, kw, cin, cout), dx is (n, h, w, cin).
pub unsafe fn conv2d_backward_input(g: &Geometry, dy: *const f32, f: *const f32, dx: *mut f32) {
    let (depth, cout, per_image) = (g.depth(), g.cout, g.ho * g.wo);
    if g.n * g.image() == 0 {
        return;
    }
    // fᵀ, f viewed as (K, cout)
    let filter_t = Mat::transposed(f, cout);
    if g.is_pointwise() {
        // dx (n*h*w, cin) = dy (n*h*w, cout) · fᵀ, f viewed as (cin, cout).
        gemm(
            g.rows(),
            g.cin,
            cout,
            1.0,
            Mat::plain(dy, cout),
            filter_t,
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
    let (dy, dx) = (SendPtr::of(dy), SendPtr(dx));
    parallel_for(g.n.div_ceil(images_per_item), 1, &|item0, item1| {
        let cols = Scratch::new(chunk * depth);
        let (b0, b1) = (item0 * images_per_item, (item1 * images_per_item).min(g.n));
        core::ptr::write_bytes(dx.get().add(b0 * g.image()), 0, (b1 - b0) * g.image());
        let mut r0 = b0 * g.ho * g.wo;
        let end = b1 * g.ho * g.wo;
        while r0 < end {
            let r1 = (r0 + chunk).min(end);
            // dpatches (r1 - r0, K) = dy[r0..r1] (r1 - r0, cout) · fᵀ
            let dy_rows = Mat::plain(dy.get().add(r0 * cout), cout);
            gemm(r1 - r0, depth, cout, 1.0, dy_rows, filter_t, 0.0, cols.ptr(), depth);
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
    if direct::suits(g) {
        direct::conv2d_backward_filter_direct(g, x, dy, df);
        return;
    }
    if g.is_pointwise() {
        // df (cin, cout) = xᵀ · dy, x viewed as (n*h*w, cin): one GEMM, deterministic.
        gemm(
            g.cin,
            cout,
            rows,
            1.0,
            Mat::transposed(x, g.cin),
            Mat::plain(dy, cout),
            0.0,
            df,
            cout,
        );
        return;
    }
    // Slices are made of whole chunks, so that every GEMM but the very last is full-sized.
    let chunk = chunk_rows(depth);
    let slices = Slices::new(rows.div_ceil(chunk), depth * cout, 1, MAX_SLICES, MAX_PARTIAL_FLOATS);
    let (x, dy) = (SendPtr::of(x), SendPtr::of(dy));
    reduce_slices(slices, depth * cout, df, &|c0, c1, out| {
        let (s0, s1) = (c0 * chunk, (c1 * chunk).min(rows));
        if s0 >= s1 {
            core::ptr::write_bytes(out, 0, depth * cout);
            return;
        }
        let cols = Scratch::new(chunk.min(s1 - s0) * depth);
        let mut r0 = s0;
        while r0 < s1 {
            let r1 = (r0 + chunk).min(s1);
            im2col(g, x.get(), r0, r1, cols.ptr());
            // out (K, cout) (+)= patchesᵀ (K, r1 - r0) · dy[r0..r1] (r1 - r0, cout)
            let beta = if r0 == s0 { 0.0 } else { 1.0 };
            let (patches_t, dy_rows) = (
                Mat::transposed(cols.ptr(), depth),
                Mat::plain(dy.get().add(r0 * cout), cout),
            );
            gemm(depth, cout, r1 - r0, 1.0, patches_t, dy_rows, beta, out, cout);
            r0 = r1;
        }
    });
}
