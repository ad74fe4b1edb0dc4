//! Ferrite's core: every tensor kernel and its backward pass, for wasm32.
//!
//! `#![no_std]` with `alloc`, no crate dependencies. One source builds three wasm files:
//! `ferrite-scalar.wasm`, `ferrite-simd.wasm` (+simd128) and `ferrite-simd-threads.wasm`
//! (+simd128, +atomics: kernels split their work over a pool of instances sharing one
//! memory). Results are bitwise the same for any thread count.
//!
//! # Where things are
//!
//! - **The ABI**: `exports.rs` holds every `fe_*` export (`extern "C"`, pointers are byte
//!   offsets into linear memory), each a few lines that call a kernel function; the
//!   TypeScript side allocates with `fe_alloc`/`fe_free` and views memory with typed arrays.
//! - **An op**: its module holds the forward, the backward beside it, and its naive
//!   reference (`*_naive`: plain loops, the test oracle, reached through an `fe_*_naive`
//!   export):
//!
//!   | ops                                   | module (forward and backward)          | naive reference           |
//!   |---------------------------------------|----------------------------------------|---------------------------|
//!   | add, sub, mul, div, maximum, pow, addN | `elementwise.rs`                      | `binary_naive`            |
//!   | neg, exp, log, sqrt, abs, clip, cast  | `unary.rs`                             | `unary_naive`             |
//!   | relu, sigmoid, tanh, gelu, ...        | `activation.rs` (a formula each)       | the formulas themselves   |
//!   | sum, mean, max, min, argMax, argMin   | `reduce.rs`                            | `reduce_naive`, `arg_...` |
//!   | prod, cumsum, cumprod               | `scan.rs`                              | `scan_naive`, `prod_naive` |
//!   | softmax, logSoftmax                   | `softmax.rs` (rows: `rows.rs`)         | `softmax_naive`           |
//!   | losses, fused softmax cross-entropy   | `loss.rs`                              | TS references (tests)     |
//!   | matMul                                | `gemm.rs`, `gemm/kernel.rs`, `gemm/pack.rs` | `gemm_naive`         |
//!   | conv2d                                | `conv.rs`, `conv/im2col.rs`            | `conv/naive.rs`           |
//!   | depthwiseConv2d                       | `depthwise.rs`                         | `depthwise_*_naive`       |
//!   | maxPool, avgPool                      | `pool.rs`                              | `*_pool_*_naive`          |
//!   | upSampling2d, image.resize*, cropAndResize | `upsample.rs` (one resampler)    | `Resample::*_naive`       |
//!   | batchNorm                             | `batchnorm.rs`                         | `batchnorm_stats_naive`   |
//!   | gather                                | `gather.rs`                            | `gather_backward_naive`   |
//!   | transpose, slice, concat, tile, ...   | `strided.rs`                           | `strided_copy_naive`      |
//!   | random, dropout                       | `random.rs`                            | `normal_naive`            |
//!   | optimizer updates                     | `optimizer.rs`                         | TS references (tests)     |
//!
//! - **The SIMD path**: there is one. Kernels are written once against `simd.rs`, the only
//!   module that touches vector intrinsics: `F32x4` is a `v128` with +simd128 and four
//!   scalars without, and the `Lanes` trait lets one formula serve a vector and an `f32`.
//! - **Transcendentals**: `math.rs`, one family (exp, ln, sigmoid, tanh, erf, ...) with its
//!   error bounds, tested against float64 by `test/kernels/math.test.ts`.
//! - **Threads**: `parallel.rs` (`parallel_for` and the pool; `MIN_ELEMS_PER_THREAD`);
//!   deterministic cross-thread sums in `slices.rs`; the splits of an (outer, n, inner)
//!   view in `axis.rs`; elementwise drivers in `map.rs`.
//! - **Memory**: `heap.rs` (the allocator, and `Scratch` for kernel temporaries).
//!
//! Adding an elementwise op: its formula in `unary.rs` (or `activation.rs`), an export in
//! `exports.rs`, then the TS op and a test in `test/kernels/` against a float64 reference.
#![no_std]
#![cfg_attr(target_feature = "atomics", feature(stdarch_wasm_atomic_wait))]
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

extern crate alloc;

#[macro_use]
mod dispatch;

mod activation;
mod attention;
mod axis;
mod batchnorm;
mod conv;
mod depthwise;
mod elementwise;
mod exports;
mod gather;
mod gemm;
mod gemv;
mod heap;
mod layernorm;
mod loss;
mod map;
mod math;
mod optimizer;
mod parallel;
mod pool;
mod prelu;
mod random;
mod recurrent;
mod reduce;
mod rotate;
mod rows;
mod sampling;
mod scan;
mod select;
mod simd;
mod slices;
mod softmax;
mod strided;
mod unary;
mod upsample;

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    // A panic is a bug in a kernel or a bad argument that slipped past the TS checks:
    // trap so that the JS caller gets a RuntimeError instead of corrupted memory.
    core::arch::wasm32::unreachable()
}
