//! The wasm ABI: every `fe_*` export, and nothing else.
//!
//! Each export only turns its C arguments (byte offsets into linear memory, sizes, op
//! codes, 0/1 flags) into the arguments of a kernel function in the module its section
//! names, and calls it; the kernels, their naive references and their documentation live
//! there. The sections follow `lib.rs`'s map. `scripts/gen-abi.mjs` reads this file to
//! type the exports for TypeScript, so a doc comment here is also the TypeScript one.
//!
//! Shapes are written (rows, cols): a pointer documented as (m, k) points at m * k floats,
//! row-major. Backward kernels write their gradients unless said otherwise.

use crate::axis::Axis;
use crate::batchnorm::{self, Norm};
use crate::conv::{self, Geometry};
use crate::depthwise;
use crate::gemm::{self, Mat};
use crate::gemv;
use crate::loss::{self, Batch, Grads, Labels};
use crate::map::{map1, map2};
use crate::optimizer::{self, Adadelta, Adam, Momentum, RmsProp};
use crate::random::{self, Stream};
use crate::simd::F32x4;
use crate::softmax::{self, Kind};
use crate::strided::{self, Space};
use crate::upsample::{self, Resample, Upsample};
use crate::{
    activation, attention, elementwise, gather, heap, layernorm, math, parallel, pool, recurrent, reduce, sampling,
    scan, select, unary,
};
use core::slice;

// ---------------------------------------------------------------------------------
// Runtime: the build, memory (`heap.rs`)
// ---------------------------------------------------------------------------------

/// Which build this is, so that the TS side can name it: bit 0 SIMD128, bit 1 threads, bit 2 relaxed SIMD.
#[no_mangle]
pub extern "C" fn fe_build_flavor() -> u32 {
    (cfg!(target_feature = "simd128") as u32)
        | ((cfg!(target_feature = "atomics") as u32) << 1)
        | ((cfg!(target_feature = "relaxed-simd") as u32) << 2)
}

/// Allocates `size` bytes, 16-byte aligned. Returns 0 when memory cannot grow.
#[no_mangle]
pub extern "C" fn fe_alloc(size: usize) -> *mut u8 {
    heap::alloc(size)
}

/// Frees a block from `fe_alloc`; `size` must be the size it was allocated with.
#[no_mangle]
pub unsafe extern "C" fn fe_free(ptr: *mut u8, size: usize) {
    heap::free(ptr, size)
}

/// Bytes held by live blocks (after class rounding).
#[no_mangle]
pub extern "C" fn fe_heap_bytes_in_use() -> usize {
    heap::bytes_in_use()
}

// ---------------------------------------------------------------------------------
// The thread pool (`parallel.rs`): no-ops in the single-threaded builds
// ---------------------------------------------------------------------------------

/// Sets how many threads kernels use (caller included), clamped to [1, MAX_THREADS].
#[no_mangle]
pub extern "C" fn fe_set_threads(n: usize) {
    parallel::set_threads(n)
}

/// The loop each worker instance runs (`index` >= 1). Returns when the pool shuts down.
/// If a body traps, the worker's JS calls `fe_worker_trapped` and re-enters the loop
/// with the sequence number it had seen, so the failed job is not run twice.
#[no_mangle]
pub unsafe extern "C" fn fe_worker_loop(index: usize, seen_seq: i32) {
    parallel::worker_loop(index, seen_seq)
}

/// Called by a worker's JS after its share trapped: marks the job failed and counts
/// the share as done so the caller never deadlocks. Returns the sequence number to
/// resume `fe_worker_loop` with.
#[no_mangle]
pub extern "C" fn fe_worker_trapped(index: usize) -> i32 {
    parallel::worker_trapped(index)
}

/// How many workers are inside `fe_worker_loop` (the JS side waits for them to start).
#[no_mangle]
pub extern "C" fn fe_ready_workers() -> u32 {
    parallel::ready_workers()
}

/// The current sequence number, for a worker about to enter its loop.
#[no_mangle]
pub extern "C" fn fe_pool_seq() -> i32 {
    parallel::pool_seq()
}

/// Wakes every worker, makes its loop return, and waits (up to about `timeout_ms`)
/// until all have left, then re-arms the pool for new workers. Returns how many
/// workers had not left in time (0 normally).
#[no_mangle]
pub extern "C" fn fe_pool_shutdown(timeout_ms: u32) -> u32 {
    parallel::pool_shutdown(timeout_ms)
}

/// Called from JS after a kernel trapped on the calling thread: lets the workers
/// finish their shares of the interrupted job and clears the job state.
#[no_mangle]
pub extern "C" fn fe_pool_recover() {
    parallel::pool_recover()
}

/// An empty parallel job over `threads` items: measures dispatch cost.
#[no_mangle]
pub extern "C" fn fe_parallel_noop(n: usize) {
    parallel::parallel_for(n, 1, &|_, _| {})
}

/// Test hook: a parallel job over `n` items whose body traps on item `bad` (and writes
/// 1.0 to `out[i]` for every other item `i`). Lets tests check that a trap on any thread
/// reaches the caller and that the pool stays usable. `out` is (n).
#[no_mangle]
pub unsafe extern "C" fn fe_debug_parallel_trap(n: usize, bad: usize, out: *mut f32) {
    parallel::trap_on_item(n, bad, out)
}

/// Test hook: writes `out[i] = i` with the work split over the pool. `out` is (n).
#[no_mangle]
pub unsafe extern "C" fn fe_debug_parallel_fill(n: usize, out: *mut f32) {
    parallel::fill_indices(n, out)
}

// ---------------------------------------------------------------------------------
// Binary elementwise ops with broadcasting, addN (`elementwise.rs`)
// params = [dims[rank], a_strides[rank], b_strides[rank]] (usize words) is the collapsed
// broadcast space (`strided::Space`), innermost strides 0 or 1.
// ---------------------------------------------------------------------------------

/// Elementwise `y = op(a, b)` with broadcasting. `params` = [dims[rank], a_strides[rank],
/// b_strides[rank]] describes the collapsed broadcast space (innermost strides 0 or 1);
/// y is contiguous with that shape. A scalar operand is any pointer with all strides 0.
#[no_mangle]
pub unsafe extern "C" fn fe_binary(
    op: u32,
    a: *const f32,
    b: *const f32,
    y: *mut f32,
    rank: usize,
    params: *const usize,
) {
    elementwise::binary_forward(op, a, b, y, &Space::from_params(rank, params))
}

/// The naive reference of `fe_binary`, same arguments: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_binary_naive(
    op: u32,
    a: *const f32,
    b: *const f32,
    y: *mut f32,
    rank: usize,
    params: *const usize,
) {
    elementwise::binary_naive(op, a, b, y, &Space::from_params(rank, params))
}

/// Backward of `fe_binary` (op not add/sub): writes da and db (contiguous, the output's
/// shape; either may be 0 to skip it) from a, b (as in the forward), y and dy.
#[no_mangle]
pub unsafe extern "C" fn fe_binary_backward(
    op: u32,
    a: *const f32,
    b: *const f32,
    y: *const f32,
    dy: *const f32,
    da: *mut f32,
    db: *mut f32,
    rank: usize,
    params: *const usize,
) {
    elementwise::binary_backward(op, [a, b, y, dy], [da, db], &Space::from_params(rank, params))
}

/// addN: `ptrs` holds k pointers to n-element f32 tensors; y = their sum, in order.
#[no_mangle]
pub unsafe extern "C" fn fe_add_n(ptrs: *const *const f32, k: usize, y: *mut f32, n: usize) {
    if k > 0 {
        elementwise::add_n(ptrs, k, y, n)
    }
}

// ---------------------------------------------------------------------------------
// Unary elementwise ops, clip, cast (`unary.rs`): x, y, dy, dx are (n)
// ---------------------------------------------------------------------------------

/// y = op(x): op is a `UnaryOp` (a bool tensor's 0/1 for IS_NAN..LOGICAL_NOT).
#[no_mangle]
pub unsafe extern "C" fn fe_unary(op: u32, x: *const f32, y: *mut f32, n: usize) {
    unary::unary_forward(op, x, y, n)
}

#[no_mangle]
pub unsafe extern "C" fn fe_unary_naive(op: u32, x: *const f32, y: *mut f32, n: usize) {
    unary::unary_naive(op, x, y, n)
}

/// dx from x, y = op(x) and dy (all n elements).
#[no_mangle]
pub unsafe extern "C" fn fe_unary_backward(
    op: u32,
    x: *const f32,
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    n: usize,
) {
    unary::unary_backward(op, x, y, dy, dx, n)
}

#[no_mangle]
pub unsafe extern "C" fn fe_clip(x: *const f32, y: *mut f32, n: usize, lo: f32, hi: f32) {
    unary::clip_forward(x, y, n, lo, hi)
}

#[no_mangle]
pub unsafe extern "C" fn fe_clip_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize, lo: f32, hi: f32) {
    unary::clip_backward(x, dy, dx, n, lo, hi)
}

#[no_mangle]
pub unsafe extern "C" fn fe_cast_f32_i32(x: *const f32, y: *mut i32, n: usize) {
    unary::cast_f32_i32(x, y, n)
}

#[no_mangle]
pub unsafe extern "C" fn fe_cast_i32_f32(x: *const i32, y: *mut f32, n: usize) {
    unary::cast_i32_f32(x, y, n)
}

// ---------------------------------------------------------------------------------
// where (`select.rs`): cond (bool), a, b, y, dy, da, db are (n)
// ---------------------------------------------------------------------------------

/// y = cond ? a : b (any dtype of a and b: the bits are moved).
#[no_mangle]
pub unsafe extern "C" fn fe_select(cond: *const f32, a: *const f32, b: *const f32, y: *mut f32, n: usize) {
    select::select_forward(cond, a, b, y, n)
}

#[no_mangle]
pub unsafe extern "C" fn fe_select_naive(cond: *const f32, a: *const f32, b: *const f32, y: *mut f32, n: usize) {
    select::select_naive(cond, a, b, y, n)
}

/// da = cond ? dy : 0, db = cond ? 0 : dy (written).
#[no_mangle]
pub unsafe extern "C" fn fe_select_backward(cond: *const f32, dy: *const f32, da: *mut f32, db: *mut f32, n: usize) {
    select::select_backward(cond, dy, da, db, n)
}

// ---------------------------------------------------------------------------------
// Activations (`activation.rs`): x, y, dy, dx are (n); y may be x
// Backward kernels write dx; some read the forward output y instead of x (say so below).
// ---------------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn fe_relu_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::relu)
}

#[no_mangle]
pub unsafe extern "C" fn fe_relu_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::relu_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_relu6_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::relu6)
}

#[no_mangle]
pub unsafe extern "C" fn fe_relu6_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::relu6_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_leaky_relu_forward(x: *const f32, y: *mut f32, n: usize, alpha: f32) {
    map1(x, y, n, |v| activation::leaky_relu(v, alpha))
}

#[no_mangle]
pub unsafe extern "C" fn fe_leaky_relu_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize, alpha: f32) {
    map2(x, dy, dx, n, |v, g| activation::leaky_relu_grad(v, g, alpha))
}

#[no_mangle]
pub unsafe extern "C" fn fe_elu_forward(x: *const f32, y: *mut f32, n: usize, alpha: f32) {
    map1(x, y, n, |v| activation::elu(v, alpha))
}

/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_elu_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize, alpha: f32) {
    map2(y, dy, dx, n, |v, g| activation::elu_grad(v, g, alpha))
}

#[no_mangle]
pub unsafe extern "C" fn fe_selu_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::selu)
}

/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_selu_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(y, dy, dx, n, activation::selu_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_sigmoid_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, math::sigmoid::<F32x4>)
}

/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_sigmoid_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(y, dy, dx, n, activation::sigmoid_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_hard_sigmoid_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::hard_sigmoid)
}

#[no_mangle]
pub unsafe extern "C" fn fe_hard_sigmoid_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::hard_sigmoid_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_tanh_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, math::tanh::<F32x4>)
}

/// Reads the forward output y, not x.
#[no_mangle]
pub unsafe extern "C" fn fe_tanh_backward(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(y, dy, dx, n, activation::tanh_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_softplus_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::softplus)
}

#[no_mangle]
pub unsafe extern "C" fn fe_softplus_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::softplus_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_softsign_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::softsign)
}

#[no_mangle]
pub unsafe extern "C" fn fe_softsign_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::softsign_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_swish_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::swish)
}

#[no_mangle]
pub unsafe extern "C" fn fe_swish_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::swish_grad)
}

#[no_mangle]
pub unsafe extern "C" fn fe_gelu_forward(x: *const f32, y: *mut f32, n: usize) {
    map1(x, y, n, activation::gelu)
}

#[no_mangle]
pub unsafe extern "C" fn fe_gelu_backward(x: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    map2(x, dy, dx, n, activation::gelu_grad)
}

// ---------------------------------------------------------------------------------
// Reductions over the middle dim of (outer, n, inner) (`reduce.rs`)
// ---------------------------------------------------------------------------------

/// Reduction over the middle dim of x (outer, n, inner) into y (outer, inner): op SUM
/// (times `scale`), MAX or MIN.
#[no_mangle]
pub unsafe extern "C" fn fe_reduce(
    op: u32,
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    scale: f32,
) {
    reduce::reduce_forward(op, x, y, Axis { outer, n, inner }, scale)
}

/// The naive reference of `fe_reduce`: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_reduce_naive(
    op: u32,
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    scale: f32,
) {
    reduce::reduce_naive(op, x, y, Axis { outer, n, inner }, scale)
}

/// argMax (op MAX) / argMin (op MIN) over the middle dim; out is int32 (outer, inner).
#[no_mangle]
pub unsafe extern "C" fn fe_arg_reduce(op: u32, x: *const f32, out: *mut i32, outer: usize, n: usize, inner: usize) {
    reduce::arg_reduce(op, x, out, Axis { outer, n, inner })
}

/// The naive reference of `fe_arg_reduce`: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_arg_reduce_naive(
    op: u32,
    x: *const f32,
    out: *mut i32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    reduce::arg_reduce_naive(op, x, out, Axis { outer, n, inner })
}

/// Backward of max/min (see `arg_backward`).
#[no_mangle]
pub unsafe extern "C" fn fe_reduce_arg_backward(
    x: *const f32,
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    reduce::arg_backward(x, [y, dy], dx, Axis { outer, n, inner })
}

// ---------------------------------------------------------------------------------
// Running sums and products, and prod, over the middle dim of (outer, n, inner) (`scan.rs`)
// ---------------------------------------------------------------------------------

/// cumsum (op SUM) or cumprod (op PROD) along the middle dim: x and y are (outer, n,
/// inner); `flags` holds TF.js's options: bit 0 exclusive, bit 1 reverse.
#[no_mangle]
pub unsafe extern "C" fn fe_scan(
    op: u32,
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    flags: u32,
) {
    scan::scan(op, x, y, Axis { outer, n, inner }, scan::Scan::from_flags(flags))
}

/// The naive reference of `fe_scan`, same arguments: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_scan_naive(
    op: u32,
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    flags: u32,
) {
    scan::scan_naive(op, x, y, Axis { outer, n, inner }, scan::Scan::from_flags(flags))
}

/// The product over the middle dim of x (outer, n, inner) into y (outer, inner).
#[no_mangle]
pub unsafe extern "C" fn fe_prod(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize) {
    scan::prod(x, y, Axis { outer, n, inner })
}

/// The naive reference of `fe_prod`: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_prod_naive(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize) {
    scan::prod_naive(x, y, Axis { outer, n, inner })
}

// ---------------------------------------------------------------------------------
// Softmax over the middle dim of (outer, n, inner) (`softmax.rs`)
// x, y, dy, dx are (outer, n, inner); backward kernels read the forward output y.
// ---------------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn fe_softmax_forward(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize) {
    softmax::softmax_forward(Kind::Softmax, x, y, Axis { outer, n, inner })
}

#[no_mangle]
pub unsafe extern "C" fn fe_softmax_backward(
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    softmax::softmax_backward(Kind::Softmax, y, dy, dx, Axis { outer, n, inner })
}

#[no_mangle]
pub unsafe extern "C" fn fe_log_softmax_forward(x: *const f32, y: *mut f32, outer: usize, n: usize, inner: usize) {
    softmax::softmax_forward(Kind::LogSoftmax, x, y, Axis { outer, n, inner })
}

#[no_mangle]
pub unsafe extern "C" fn fe_log_softmax_backward(
    y: *const f32,
    dy: *const f32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
) {
    softmax::softmax_backward(Kind::LogSoftmax, y, dy, dx, Axis { outer, n, inner })
}

/// Reference for tests: `log` = 0 softmax, 1 log-softmax.
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_forward_naive(
    x: *const f32,
    y: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    log: u32,
) {
    let kind = if log != 0 { Kind::LogSoftmax } else { Kind::Softmax };
    softmax::softmax_naive(kind, x, y, Axis { outer, n, inner })
}

// ---------------------------------------------------------------------------------
// Losses (`loss.rs`)
// t (target), p (prediction) and x (logits) are (rows, cols); loss and dloss are (rows);
// dp, dx and dt (rows, cols), dt null to skip it; labels (rows). Sparse losses return -1,
// or the index of the first label that is not a class (then nothing is written).
// ---------------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn fe_mse_forward(t: *const f32, p: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    loss::mse_forward(t, p, loss, Batch { rows, cols })
}

#[no_mangle]
pub unsafe extern "C" fn fe_mse_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    loss::mse_backward(t, p, Grads { dloss, dp, dt }, Batch { rows, cols })
}

#[no_mangle]
pub unsafe extern "C" fn fe_mae_forward(t: *const f32, p: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    loss::mae_forward(t, p, loss, Batch { rows, cols })
}

#[no_mangle]
pub unsafe extern "C" fn fe_mae_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    loss::mae_backward(t, p, Grads { dloss, dp, dt }, Batch { rows, cols })
}

/// Huber: ½ d² for |d| <= delta, delta (|d| - ½ delta) beyond, d = p - t.
#[no_mangle]
pub unsafe extern "C" fn fe_huber_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    delta: f32,
) {
    loss::huber_forward(t, p, loss, Batch { rows, cols }, delta)
}

/// ∂/∂p = clamp(d, -delta, delta).
#[no_mangle]
pub unsafe extern "C" fn fe_huber_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    delta: f32,
) {
    loss::huber_backward(t, p, Grads { dloss, dp, dt }, Batch { rows, cols }, delta)
}

/// Binary cross-entropy of probabilities: -(t ln q + (1 - t) ln(1 - q)), q = clip(p, eps, 1 - eps).
#[no_mangle]
pub unsafe extern "C" fn fe_bce_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    loss::bce_forward(t, p, loss, Batch { rows, cols }, eps)
}

/// ∂/∂p = (q - t) / (q (1 - q)) inside the clip range, 0 outside; ∂/∂t = ln(1 - q) - ln q.
#[no_mangle]
pub unsafe extern "C" fn fe_bce_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    loss::bce_backward(t, p, Grads { dloss, dp, dt }, Batch { rows, cols }, eps)
}

/// Binary cross-entropy from logits x: max(x, 0) - x t + ln(1 + e^-|x|), stable for any x.
#[no_mangle]
pub unsafe extern "C" fn fe_bce_logits_forward(t: *const f32, x: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    loss::bce_logits_forward(t, x, loss, Batch { rows, cols })
}

/// ∂/∂x = sigmoid(x) - t; ∂/∂t = -x.
#[no_mangle]
pub unsafe extern "C" fn fe_bce_logits_backward(
    t: *const f32,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    loss::bce_logits_backward(t, x, Grads { dloss, dp: dx, dt }, Batch { rows, cols })
}

#[no_mangle]
pub unsafe extern "C" fn fe_cce_forward(
    t: *const f32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    loss::cce_forward(t, p, loss, Batch { rows, cols }, eps)
}

/// With q = p / s (s = Σp) and g_j = -t_j / q_j where q_j is inside the clip range (else 0):
/// ∂/∂p_k = (g_k - Σ_j g_j q_j) / s, and Σ_j g_j q_j = -Σ_{j unclipped} t_j.
/// ∂/∂t_j = -ln clip(q_j).
#[no_mangle]
pub unsafe extern "C" fn fe_cce_backward(
    t: *const f32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    loss::cce_backward(t, p, Grads { dloss, dp, dt }, Batch { rows, cols }, eps)
}

/// Sparse categorical cross-entropy of probabilities: -ln clip(p_k / Σp). p is (rows,
/// cols), loss is (rows). Returns -1, or the index of the first bad label (nothing written).
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_cce_forward(
    labels: *const i32,
    labels_f32: u32,
    p: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) -> i32 {
    loss::sparse_cce_forward(Labels::new(labels, labels_f32 != 0), p, loss, Batch { rows, cols }, eps)
}

/// L = -ln(p_k / s): ∂L/∂p_m = 1/s for m != k and 1/s - 1/p_k for m = k, all times
/// dloss, and all 0 when q_k = p_k / s is clipped.
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_cce_backward(
    labels: *const i32,
    labels_f32: u32,
    p: *const f32,
    dloss: *const f32,
    dp: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) -> i32 {
    loss::sparse_cce_backward(
        Labels::new(labels, labels_f32 != 0),
        p,
        dloss,
        dp,
        Batch { rows, cols },
        eps,
    )
}

/// loss = Σ t (lse - x) = Σ t (m - x) + Σt ln s, with m the row max and s = Σ e^(x - m):
/// every term is computed without the cancellation of lse·Σt - Σ t x for large logits.
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_ce_forward(t: *const f32, x: *const f32, loss: *mut f32, rows: usize, cols: usize) {
    loss::softmax_ce_forward(t, x, loss, Batch { rows, cols })
}

/// dx = (softmax(x) Σt - t) dloss (= softmax - t for labels summing to 1);
/// dt = (lse - x) dloss when dt is not null.
#[no_mangle]
pub unsafe extern "C" fn fe_softmax_ce_backward(
    t: *const f32,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    dt: *mut f32,
    rows: usize,
    cols: usize,
) {
    loss::softmax_ce_backward(t, x, Grads { dloss, dp: dx, dt }, Batch { rows, cols })
}

/// loss = lse - x_k = (m - x_k) + ln s. labels is (rows). Returns -1 or the first bad label's index.
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_softmax_ce_forward(
    labels: *const i32,
    labels_f32: u32,
    x: *const f32,
    loss: *mut f32,
    rows: usize,
    cols: usize,
) -> i32 {
    loss::sparse_softmax_ce_forward(Labels::new(labels, labels_f32 != 0), x, loss, Batch { rows, cols })
}

/// dx = (softmax(x) - onehot(k)) dloss, in one sweep over the row after its max.
#[no_mangle]
pub unsafe extern "C" fn fe_sparse_softmax_ce_backward(
    labels: *const i32,
    labels_f32: u32,
    x: *const f32,
    dloss: *const f32,
    dx: *mut f32,
    rows: usize,
    cols: usize,
) -> i32 {
    loss::sparse_softmax_ce_backward(Labels::new(labels, labels_f32 != 0), x, dloss, dx, Batch { rows, cols })
}

// ---------------------------------------------------------------------------------
// Matrix products (`gemm.rs`)
// ---------------------------------------------------------------------------------

/// C = alpha * op(A) op(B) + beta * C (see `gemm`); trans_* are 0 or 1.
/// a is (m, k) or (k, m) if trans_a, b is (k, n) or (n, k) if trans_b, c is (m, n);
/// each with the given row stride.
#[no_mangle]
pub unsafe extern "C" fn fe_gemm(
    trans_a: u32,
    trans_b: u32,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    beta: f32,
    c: *mut f32,
    ldc: usize,
) {
    let (a, b) = (Mat::new(a, lda, trans_a != 0), Mat::new(b, ldb, trans_b != 0));
    gemm::gemm(m, n, k, alpha, a, b, beta, c, ldc)
}

/// Batched C = alpha * op(A) op(B) + beta * C with element strides between products
/// (see `gemm_batched`: stride 0 broadcasts an operand; stride_c = 0 sums into one C).
#[no_mangle]
pub unsafe extern "C" fn fe_gemm_batched(
    trans_a: u32,
    trans_b: u32,
    batch: usize,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: *const f32,
    lda: usize,
    stride_a: usize,
    b: *const f32,
    ldb: usize,
    stride_b: usize,
    beta: f32,
    c: *mut f32,
    ldc: usize,
    stride_c: usize,
) {
    let (a, b) = (Mat::new(a, lda, trans_a != 0), Mat::new(b, ldb, trans_b != 0));
    let batch = gemm::Batch {
        count: batch,
        stride_a,
        stride_b,
        stride_c,
    };
    gemm::gemm_batched(m, n, k, alpha, a, b, beta, c, ldc, batch)
}

/// The naive triple loop, same arguments as `fe_gemm` (test oracle, benchmark baseline).
#[no_mangle]
pub unsafe extern "C" fn fe_gemm_naive(
    trans_a: u32,
    trans_b: u32,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    beta: f32,
    c: *mut f32,
    ldc: usize,
) {
    let (a, b) = (Mat::new(a, lda, trans_a != 0), Mat::new(b, ldb, trans_b != 0));
    gemm::gemm_naive(m, n, k, alpha, a, b, beta, c, ldc)
}

// ---------------------------------------------------------------------------------
// Convolution (`conv.rs`)
// geom is the block of 15 u32 that `conv::Geometry::read` reads.
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
    conv::conv2d_forward(&Geometry::read(geom), x, f, bias, act, y)
}

/// dx (n, h, w, cin) from dy (n, ho, wo, cout) and f (kh, kw, cin, cout); written.
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_input(geom: *const u32, dy: *const f32, f: *const f32, dx: *mut f32) {
    conv::conv2d_backward_input(&Geometry::read(geom), dy, f, dx)
}

/// df (kh, kw, cin, cout) from x (n, h, w, cin) and dy (n, ho, wo, cout); written.
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_filter(geom: *const u32, x: *const f32, dy: *const f32, df: *mut f32) {
    conv::conv2d_backward_filter(&Geometry::read(geom), x, dy, df)
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
    conv::bias_act_backward(act, [y, dy], dz, db, rows, cols)
}

/// Direct-loop reference forward (no bias): y (n, ho, wo, cout) = conv2d(x, f).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_forward_naive(geom: *const u32, x: *const f32, f: *const f32, y: *mut f32) {
    conv::conv2d_forward_naive(&Geometry::read(geom), x, f, y)
}

/// Direct-loop reference input gradient (same arguments as fe_conv2d_backward_input).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_input_naive(geom: *const u32, dy: *const f32, f: *const f32, dx: *mut f32) {
    conv::conv2d_backward_input_naive(&Geometry::read(geom), dy, f, dx)
}

/// Direct-loop reference filter gradient (same arguments as fe_conv2d_backward_filter).
#[no_mangle]
pub unsafe extern "C" fn fe_conv2d_backward_filter_naive(
    geom: *const u32,
    x: *const f32,
    dy: *const f32,
    df: *mut f32,
) {
    conv::conv2d_backward_filter_naive(&Geometry::read(geom), x, dy, df)
}

// ---------------------------------------------------------------------------------
// Depthwise convolution (`depthwise.rs`): geom as for convolution, with cout = cin * mult;
// f is (kh, kw, cin, mult).
// ---------------------------------------------------------------------------------

/// y (n, ho, wo, cin * mult) = depthwise_conv2d(x (n, h, w, cin), f).
#[no_mangle]
pub unsafe extern "C" fn fe_depthwise_conv2d_forward(geom: *const u32, x: *const f32, f: *const f32, y: *mut f32) {
    depthwise::depthwise_forward(&Geometry::read(geom), x, f, y)
}

/// dx (n, h, w, cin) from dy (n, ho, wo, cin * mult); written.
#[no_mangle]
pub unsafe extern "C" fn fe_depthwise_conv2d_backward_input(
    geom: *const u32,
    dy: *const f32,
    f: *const f32,
    dx: *mut f32,
) {
    depthwise::depthwise_backward_input(&Geometry::read(geom), dy, f, dx)
}

/// df (kh, kw, cin, mult) from x and dy; written.
#[no_mangle]
pub unsafe extern "C" fn fe_depthwise_conv2d_backward_filter(
    geom: *const u32,
    x: *const f32,
    dy: *const f32,
    df: *mut f32,
) {
    depthwise::depthwise_backward_filter(&Geometry::read(geom), x, dy, df)
}

/// Direct-loop reference forward (same arguments as fe_depthwise_conv2d_forward).
#[no_mangle]
pub unsafe extern "C" fn fe_depthwise_conv2d_forward_naive(
    geom: *const u32,
    x: *const f32,
    f: *const f32,
    y: *mut f32,
) {
    depthwise::depthwise_forward_naive(&Geometry::read(geom), x, f, y)
}

/// Direct-loop reference input gradient.
#[no_mangle]
pub unsafe extern "C" fn fe_depthwise_conv2d_backward_input_naive(
    geom: *const u32,
    dy: *const f32,
    f: *const f32,
    dx: *mut f32,
) {
    depthwise::depthwise_backward_input_naive(&Geometry::read(geom), dy, f, dx)
}

/// Direct-loop reference filter gradient.
#[no_mangle]
pub unsafe extern "C" fn fe_depthwise_conv2d_backward_filter_naive(
    geom: *const u32,
    x: *const f32,
    dy: *const f32,
    df: *mut f32,
) {
    depthwise::depthwise_backward_filter_naive(&Geometry::read(geom), x, dy, df)
}

// ---------------------------------------------------------------------------------
// Upsampling (`upsample.rs`): x (n, h, w, c), y (n, h*sh, w*sw, c).
// geom: words n, h, w, c, sh, sw, bilinear (0 nearest, 1 bilinear).
// ---------------------------------------------------------------------------------

/// y (n, h*sh, w*sw, c) = upsampling of x (n, h, w, c) by (sh, sw).
#[no_mangle]
pub unsafe extern "C" fn fe_upsample2d_forward(geom: *const u32, x: *const f32, y: *mut f32) {
    let (u, bilinear) = Upsample::read(geom);
    upsample::forward(&u, bilinear, x, y)
}

/// dx (n, h, w, c) from dy (n, h*sh, w*sw, c); written.
#[no_mangle]
pub unsafe extern "C" fn fe_upsample2d_backward(geom: *const u32, dy: *const f32, dx: *mut f32) {
    let (u, bilinear) = Upsample::read(geom);
    upsample::backward(&u, bilinear, dy, dx)
}

/// Reference forward (same arguments as fe_upsample2d_forward).
#[no_mangle]
pub unsafe extern "C" fn fe_upsample2d_forward_naive(geom: *const u32, x: *const f32, y: *mut f32) {
    let (u, bilinear) = Upsample::read(geom);
    upsample::forward_naive(&u, bilinear, x, y)
}

/// Reference backward (same arguments as fe_upsample2d_backward).
#[no_mangle]
pub unsafe extern "C" fn fe_upsample2d_backward_naive(geom: *const u32, dy: *const f32, dx: *mut f32) {
    let (u, bilinear) = Upsample::read(geom);
    upsample::backward_naive(&u, bilinear, dy, dx)
}

// Resizing (`upsample.rs`): x (n, h, w, c), y (n, oh, ow, c), TF.js's resizeBilinear /
// resizeNearestNeighbor. geom: words n, h, w, c, oh, ow, bilinear, alignCorners,
// halfPixelCenters.

/// y (n, oh, ow, c) = x (n, h, w, c) resized.
#[no_mangle]
pub unsafe extern "C" fn fe_resize_forward(geom: *const u32, x: *const f32, y: *mut f32) {
    Resample::read_resize(geom).forward(x, y)
}

/// dx (n, h, w, c) from dy (n, oh, ow, c); written.
#[no_mangle]
pub unsafe extern "C" fn fe_resize_backward(geom: *const u32, dy: *const f32, dx: *mut f32) {
    Resample::read_resize(geom).backward(dy, dx)
}

/// Reference forward (same arguments as fe_resize_forward).
#[no_mangle]
pub unsafe extern "C" fn fe_resize_forward_naive(geom: *const u32, x: *const f32, y: *mut f32) {
    Resample::read_resize(geom).forward_naive(x, y)
}

/// Reference backward (same arguments as fe_resize_backward).
#[no_mangle]
pub unsafe extern "C" fn fe_resize_backward_naive(geom: *const u32, dy: *const f32, dx: *mut f32) {
    Resample::read_resize(geom).backward_naive(dy, dx)
}

// cropAndResize (`upsample.rs`): image (images, h, w, c), boxes (n, 4) as y1, x1, y2, x2,
// box_ind (n) int32, y (n, oh, ow, c). geom: words n, images, h, w, c, oh, ow, bilinear,
// extrapolation value (f32 bits).

/// y (n, oh, ow, c) = each box of its image resampled to (oh, ow).
#[no_mangle]
pub unsafe extern "C" fn fe_crop_and_resize_forward(
    geom: *const u32,
    image: *const f32,
    boxes: *const f32,
    box_ind: *const i32,
    y: *mut f32,
) {
    Resample::read_crop(geom, boxes, box_ind).forward(image, y)
}

/// d_image (images, h, w, c) from dy (n, oh, ow, c); written.
#[no_mangle]
pub unsafe extern "C" fn fe_crop_and_resize_backward(
    geom: *const u32,
    boxes: *const f32,
    box_ind: *const i32,
    dy: *const f32,
    d_image: *mut f32,
) {
    Resample::read_crop(geom, boxes, box_ind).backward(dy, d_image)
}

/// Reference forward (same arguments as fe_crop_and_resize_forward).
#[no_mangle]
pub unsafe extern "C" fn fe_crop_and_resize_forward_naive(
    geom: *const u32,
    image: *const f32,
    boxes: *const f32,
    box_ind: *const i32,
    y: *mut f32,
) {
    Resample::read_crop(geom, boxes, box_ind).forward_naive(image, y)
}

/// Reference backward (same arguments as fe_crop_and_resize_backward).
#[no_mangle]
pub unsafe extern "C" fn fe_crop_and_resize_backward_naive(
    geom: *const u32,
    boxes: *const f32,
    box_ind: *const i32,
    dy: *const f32,
    d_image: *mut f32,
) {
    Resample::read_crop(geom, boxes, box_ind).backward_naive(dy, d_image)
}

// ---------------------------------------------------------------------------------
// Pooling (`pool.rs`)
// geom as for convolution, with cin = cout = channels.
// ---------------------------------------------------------------------------------

/// y (n, ho, wo, c) = max pooling of x (n, h, w, c); argmax (n, ho, wo, c) or 0.
#[no_mangle]
pub unsafe extern "C" fn fe_max_pool_forward(geom: *const u32, x: *const f32, y: *mut f32, argmax: *mut f32) {
    pool::max_pool_forward(&Geometry::read(geom), x, y, argmax)
}

/// dx (n, h, w, c) from argmax and dy (n, ho, wo, c); written.
#[no_mangle]
pub unsafe extern "C" fn fe_max_pool_backward(geom: *const u32, argmax: *const f32, dy: *const f32, dx: *mut f32) {
    pool::max_pool_backward(&Geometry::read(geom), argmax, dy, dx)
}

/// y (n, ho, wo, c) = average pooling of x (n, h, w, c) over real cells.
#[no_mangle]
pub unsafe extern "C" fn fe_avg_pool_forward(geom: *const u32, x: *const f32, y: *mut f32) {
    pool::avg_pool_forward(&Geometry::read(geom), x, y)
}

/// dx (n, h, w, c) from dy (n, ho, wo, c); written.
#[no_mangle]
pub unsafe extern "C" fn fe_avg_pool_backward(geom: *const u32, dy: *const f32, dx: *mut f32) {
    pool::avg_pool_backward(&Geometry::read(geom), dy, dx)
}

#[no_mangle]
pub unsafe extern "C" fn fe_max_pool_forward_naive(geom: *const u32, x: *const f32, y: *mut f32) {
    pool::max_pool_forward_naive(&Geometry::read(geom), x, y)
}

#[no_mangle]
pub unsafe extern "C" fn fe_max_pool_backward_naive(geom: *const u32, x: *const f32, dy: *const f32, dx: *mut f32) {
    pool::max_pool_backward_naive(&Geometry::read(geom), x, dy, dx)
}

#[no_mangle]
pub unsafe extern "C" fn fe_avg_pool_forward_naive(geom: *const u32, x: *const f32, y: *mut f32) {
    pool::avg_pool_forward_naive(&Geometry::read(geom), x, y)
}

#[no_mangle]
pub unsafe extern "C" fn fe_avg_pool_backward_naive(geom: *const u32, dy: *const f32, dx: *mut f32) {
    pool::avg_pool_backward_naive(&Geometry::read(geom), dy, dx)
}

// ---------------------------------------------------------------------------------
// Batch normalization over the last axis of (rows, c) (`batchnorm.rs`)
// ---------------------------------------------------------------------------------

/// Training forward: mean, var (c) = batch statistics of x (rows, c); then
/// y (rows, c) = normalized x with gamma, beta (c, or 0 for none).
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_train_forward(
    x: *const f32,
    gamma: *const f32,
    beta: *const f32,
    eps: f32,
    y: *mut f32,
    mean: *mut f32,
    var: *mut f32,
    rows: usize,
    c: usize,
) {
    batchnorm::batchnorm_stats(x, mean, var, rows, c);
    let norm = Norm { mean, var, gamma, eps };
    batchnorm::batchnorm_forward(x, y, rows, c, norm, beta)
}

/// Inference forward with given statistics: shapes as in `batchnorm_forward`.
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_forward(
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    beta: *const f32,
    eps: f32,
    y: *mut f32,
    rows: usize,
    c: usize,
) {
    let norm = Norm { mean, var, gamma, eps };
    batchnorm::batchnorm_forward(x, y, rows, c, norm, beta)
}

/// Backward (training: 1 or 0); every output may be 0 to skip it. See `batchnorm_backward`.
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_backward(
    training: u32,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    eps: f32,
    dy: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    dmean: *mut f32,
    dvar: *mut f32,
    rows: usize,
    c: usize,
) {
    let norm = Norm { mean, var, gamma, eps };
    let grads = batchnorm::Grads {
        dx,
        dgamma,
        dbeta,
        dmean,
        dvar,
    };
    batchnorm::batchnorm_backward(training != 0, x, dy, rows, c, norm, grads)
}

/// Reference batch statistics (f64 sums): mean, var (c) of x (rows, c).
#[no_mangle]
pub unsafe extern "C" fn fe_batchnorm_stats_naive(x: *const f32, mean: *mut f32, var: *mut f32, rows: usize, c: usize) {
    batchnorm::batchnorm_stats_naive(x, mean, var, rows, c)
}

// ---------------------------------------------------------------------------------
// Layer normalization over the last n features of (rows, n) (`layernorm.rs`)
// ---------------------------------------------------------------------------------

/// y (rows, n) = layer norm of x (rows, n) with gamma, beta (n, or 0 for none); writes
/// mean and rstd (rows) for the backward. `naive` = 1 runs the f64 reference instead.
#[no_mangle]
pub unsafe extern "C" fn fe_layer_norm_forward(
    naive: u32,
    x: *const f32,
    gamma: *const f32,
    beta: *const f32,
    eps: f32,
    y: *mut f32,
    mean: *mut f32,
    rstd: *mut f32,
    rows: usize,
    n: usize,
) {
    let p = layernorm::Affine { gamma, beta, eps };
    let run = if naive != 0 {
        layernorm::layer_norm_naive
    } else {
        layernorm::layer_norm_forward
    };
    run(x, y, mean, rstd, rows, n, p)
}

/// dx (rows, n), dgamma, dbeta (n) from x, dy (rows, n), the forward's mean and rstd (rows)
/// and gamma (n, or 0). Each output is written, or skipped when 0.
#[no_mangle]
pub unsafe extern "C" fn fe_layer_norm_backward(
    x: *const f32,
    dy: *const f32,
    mean: *const f32,
    rstd: *const f32,
    gamma: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    rows: usize,
    n: usize,
) {
    layernorm::layer_norm_backward(x, dy, mean, rstd, gamma, dx, dgamma, dbeta, rows, n)
}

// ---------------------------------------------------------------------------------
// Scaled dot-product attention (`attention.rs`)
// ---------------------------------------------------------------------------------
// params = [batch, t, s, heads, key_dim, value_dim, causal, bias strides (b, n, t, s)]
// (usize words); q is (batch, t, heads, key_dim), k (batch, s, heads, key_dim), v and
// its gradient (batch, s, heads, value_dim), o and d_o (batch, t, heads, value_dim),
// lse (batch, heads, t); bias is 0 or read through its strides.

/// o and lse = attention of q, k, v: softmax(scale q k^T + bias, causal) v per head.
/// `naive` = 1 runs the f64 reference instead.
#[no_mangle]
pub unsafe extern "C" fn fe_attention_forward(
    naive: u32,
    q: *const f32,
    k: *const f32,
    v: *const f32,
    bias: *const f32,
    scale: f32,
    params: *const usize,
    o: *mut f32,
    lse: *mut f32,
) {
    let a = attention::Attention::from_params(params, scale, bias);
    let run = if naive != 0 {
        attention::attention_naive
    } else {
        attention::attention_forward
    };
    run(&a, attention_tensors(q, k, v, o, lse))
}

/// dq, dk, dv (written) from d_o and the forward's q, k, v, o and lse; ds (B, N, T, S),
/// the bias's gradient before broadcasting, written when non-null.
#[no_mangle]
pub unsafe extern "C" fn fe_attention_backward(
    q: *const f32,
    k: *const f32,
    v: *const f32,
    bias: *const f32,
    scale: f32,
    params: *const usize,
    o: *const f32,
    lse: *const f32,
    d_o: *const f32,
    dq: *mut f32,
    dk: *mut f32,
    dv: *mut f32,
    ds: *mut f32,
) {
    let a = attention::Attention::from_params(params, scale, bias);
    let x = attention::Tensors {
        d_o,
        dq,
        dk,
        dv,
        ds,
        ..attention_tensors(q, k, v, o as *mut f32, lse as *mut f32)
    };
    attention::attention_backward(&a, x)
}

unsafe fn attention_tensors(
    q: *const f32,
    k: *const f32,
    v: *const f32,
    o: *mut f32,
    lse: *mut f32,
) -> attention::Tensors {
    let null = core::ptr::null_mut();
    attention::Tensors {
        q,
        k,
        v,
        o,
        lse,
        d_o: null,
        dq: null,
        dk: null,
        dv: null,
        ds: null,
    }
}

// ---------------------------------------------------------------------------------
// gather along one axis (`gather.rs`)
// ---------------------------------------------------------------------------------

/// gather: x is (outer, n, inner), indices is (m) int32, y is (outer, m, inner).
/// Returns -1 on success, or the position of the first index outside [0, n) (then y
/// is not written).
#[no_mangle]
pub unsafe extern "C" fn fe_gather(
    x: *const u32,
    indices: *const i32,
    y: *mut u32,
    outer: usize,
    n: usize,
    inner: usize,
    m: usize,
) -> isize {
    gather::gather_forward(x, indices, y, Axis { outer, n, inner }, m)
}

/// Backward of gather (scatter-add, see `gather_backward`): dy is (outer, m, inner),
/// dx is (outer, n, inner).
#[no_mangle]
pub unsafe extern "C" fn fe_gather_backward(
    dy: *const f32,
    indices: *const i32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    m: usize,
) {
    gather::gather_backward(dy, indices, dx, Axis { outer, n, inner }, m)
}

/// The naive reference of `fe_gather_backward`, same arguments: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_gather_backward_naive(
    dy: *const f32,
    indices: *const i32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    m: usize,
) {
    gather::gather_backward_naive(dy, indices, dx, Axis { outer, n, inner }, m)
}

// ---------------------------------------------------------------------------------
// Strided copy: transpose, slice, concat, tile, broadcast (`strided.rs`)
// ---------------------------------------------------------------------------------

/// Strided copy (see `strided_copy`). `src`, `dst` point at the first element of each
/// view; `params` = [dims[rank], src_strides[rank], dst_strides[rank]] in elements.
/// `accumulate` != 0 adds into `dst` (f32 data only).
#[no_mangle]
pub unsafe extern "C" fn fe_strided_copy(
    src: *const u32,
    dst: *mut u32,
    rank: usize,
    params: *const usize,
    accumulate: u32,
) {
    strided::strided_copy(src, dst, &Space::from_params(rank, params), accumulate != 0)
}

/// The naive reference of `fe_strided_copy`, same arguments: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_strided_copy_naive(
    src: *const u32,
    dst: *mut u32,
    rank: usize,
    params: *const usize,
    accumulate: u32,
) {
    strided::strided_copy_naive(src, dst, &Space::from_params(rank, params), accumulate != 0)
}

// ---------------------------------------------------------------------------------
// Random numbers and dropout (`random.rs`)
// (k0, k1) is the key (the seed), then the stream and the tag (see `random.rs`); out is (n).
// ---------------------------------------------------------------------------------

/// Raw 32-bit words (tests check them against the Random123 known-answer vectors).
#[no_mangle]
pub unsafe extern "C" fn fe_random_bits(out: *mut u32, n: usize, k0: u32, k1: u32, stream: u32, tag: u32) {
    random::bits(out, n, Stream::new(k0, k1, stream, tag))
}

/// Uniform floats in [lo, hi) (hi > lo), or all lo when hi == lo.
#[no_mangle]
pub unsafe extern "C" fn fe_random_uniform(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    lo: f32,
    hi: f32,
) {
    random::uniform(out, n, Stream::new(k0, k1, stream, tag), lo, hi)
}

/// Uniform integers in [lo, lo + range), range >= 1: lo + floor(w range / 2^32)
/// (bias below range / 2^32, immaterial for any range a tensor can index).
#[no_mangle]
pub unsafe extern "C" fn fe_random_uniform_int(
    out: *mut i32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    lo: i32,
    range: u32,
) {
    random::uniform_int(out, n, Stream::new(k0, k1, stream, tag), lo, range)
}

/// Normal floats with the given mean and standard deviation.
#[no_mangle]
pub unsafe extern "C" fn fe_random_normal(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    mean: f32,
    stddev: f32,
) {
    random::normal(out, n, Stream::new(k0, k1, stream, tag), mean, stddev)
}

/// The naive reference of `fe_random_normal`: the same words, one Box-Muller pair at a time
/// in scalar form.
#[no_mangle]
pub unsafe extern "C" fn fe_random_normal_naive(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    mean: f32,
    stddev: f32,
) {
    random::normal_naive(out, n, Stream::new(k0, k1, stream, tag), mean, stddev)
}

/// Truncated normal as TF's: a standard normal z with |z| >= 2 is redrawn. The first
/// candidate of element i is the plain normal draw's element i, so a truncated draw
/// agrees with `fe_random_normal` (same key, stream, tag) wherever that lies inside.
#[no_mangle]
pub unsafe extern "C" fn fe_random_truncated_normal(
    out: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    mean: f32,
    stddev: f32,
) {
    random::truncated_normal(out, n, Stream::new(k0, k1, stream, tag), mean, stddev)
}

/// Inverted dropout: element i is kept when its uniform u >= rate (so it is kept with
/// probability 1 - rate) and scaled by 1 / (1 - rate). x is (n), y is (n); mask (n), if
/// not null, receives the factor applied (0 or 1 / (1 - rate)) for the backward.
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_forward(
    x: *const f32,
    y: *mut f32,
    mask: *mut f32,
    n: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    rate: f32,
) {
    random::dropout_forward(x, y, mask, n, Stream::new(k0, k1, stream, tag), rate)
}

/// The mask alone (for a noise shape smaller than x): mask is (n), 0 or 1 / (1 - rate),
/// the same values `fe_dropout_forward` would apply to an x of n elements.
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_mask(mask: *mut f32, n: usize, k0: u32, k1: u32, stream: u32, tag: u32, rate: f32) {
    random::dropout_mask(mask, n, Stream::new(k0, k1, stream, tag), rate)
}

/// dx = dy * mask (also the forward of a same-shape mask). All are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_backward(dy: *const f32, mask: *const f32, dx: *mut f32, n: usize) {
    random::dropout_backward(dy, mask, dx, n)
}

/// y = x * mask broadcast: x and y are (rows, cols) with rows the product of all but the
/// last of the `rank` dims in `dims`; `mstrides` holds the mask's element stride per dim
/// (0 where the mask has size 1). Used for a noise shape smaller than x, in both
/// directions (forward: x; backward: dy).
#[no_mangle]
pub unsafe extern "C" fn fe_dropout_apply_broadcast(
    x: *const f32,
    mask: *const f32,
    y: *mut f32,
    rank: usize,
    dims: *const u32,
    mstrides: *const u32,
) {
    let (dims, mask_strides) = (slice::from_raw_parts(dims, rank), slice::from_raw_parts(mstrides, rank));
    random::dropout_apply_broadcast(x, mask, y, dims, mask_strides)
}

// ---------------------------------------------------------------------------------
// Optimizer updates (`optimizer.rs`)
// p (parameter), g (gradient) and every slot are (n); p and the slots are updated in place.
// With `check` != 0 nothing is written: the result says whether every updated value of p
// and of the slots would be finite (1) or not (0). Without, the update is applied and 1 returned.
// ---------------------------------------------------------------------------------

/// SGD: p -= lr g. p (param) and g (gradient) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_sgd_update(p: *mut f32, g: *const f32, n: usize, lr: f32, check: u32) -> u32 {
    checked(
        check,
        || optimizer::sgd_update::<true>(p, g, n, lr),
        || optimizer::sgd_update::<false>(p, g, n, lr),
    )
}

/// Momentum (TF.js's MomentumOptimizer; Keras SGD(momentum) for a constant rate):
/// a = momentum a + g; p -= lr (g + momentum a) with Nesterov, else p -= lr a.
/// p, g and a (accumulation) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_momentum_update(
    p: *mut f32,
    g: *const f32,
    a: *mut f32,
    n: usize,
    lr: f32,
    momentum: f32,
    nesterov: u32,
    check: u32,
) -> u32 {
    let h = Momentum {
        lr,
        momentum,
        nesterov: nesterov != 0,
    };
    checked(
        check,
        || optimizer::momentum_update::<true>(p, g, a, n, h),
        || optimizer::momentum_update::<false>(p, g, a, n, h),
    )
}

/// Adam as Keras: m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2);
/// p -= alpha m / (sqrt(v) + epsilon), where the caller passes the bias-corrected step
/// alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t) (computed in double precision).
/// With vhat (AMSGrad) the denominator uses vhat = max(vhat, v); a nonzero `decay`
/// (AdamW: lr · weight_decay) first does p -= decay p.
/// p, g, m (first moment), v (second moment) are (n); vhat is (n) or null.
#[no_mangle]
pub unsafe extern "C" fn fe_adam_update(
    p: *mut f32,
    g: *const f32,
    m: *mut f32,
    v: *mut f32,
    vhat: *mut f32,
    n: usize,
    alpha: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    decay: f32,
    check: u32,
) -> u32 {
    let h = Adam {
        alpha,
        beta1,
        beta2,
        epsilon,
        decay,
    };
    checked(
        check,
        || optimizer::adam_update::<true>(p, g, [m, v, vhat], n, h),
        || optimizer::adam_update::<false>(p, g, [m, v, vhat], n, h),
    )
}

/// Adamax: m = beta1 m + (1 - beta1) g; u = max(beta2 u, |g|); p -= alpha m / (u + epsilon),
/// alpha = lr_t / (1 - beta1^t) from the caller. p, g, m, u are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_adamax_update(
    p: *mut f32,
    g: *const f32,
    m: *mut f32,
    u: *mut f32,
    n: usize,
    alpha: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    check: u32,
) -> u32 {
    let h = Adam {
        alpha,
        beta1,
        beta2,
        epsilon,
        decay: 0.0,
    };
    checked(
        check,
        || optimizer::adamax_update::<true>(p, g, [m, u], n, h),
        || optimizer::adamax_update::<false>(p, g, [m, u], n, h),
    )
}

/// Adagrad: acc += g²; p -= lr g / sqrt(acc + epsilon). p, g, acc (accumulator) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_adagrad_update(
    p: *mut f32,
    g: *const f32,
    acc: *mut f32,
    n: usize,
    lr: f32,
    epsilon: f32,
    check: u32,
) -> u32 {
    checked(
        check,
        || optimizer::adagrad_update::<true>(p, g, acc, n, lr, epsilon),
        || optimizer::adagrad_update::<false>(p, g, acc, n, lr, epsilon),
    )
}

/// Adadelta (TF.js): u = sqrt(au + eps) / sqrt(ag + eps) g (ag before this step);
/// ag = rho ag + (1 - rho) g²; au = rho au + (1 - rho) u²; p -= lr u.
/// p, g, ag (accumulated squared gradients), au (accumulated squared updates) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_adadelta_update(
    p: *mut f32,
    g: *const f32,
    ag: *mut f32,
    au: *mut f32,
    n: usize,
    lr: f32,
    rho: f32,
    epsilon: f32,
    check: u32,
) -> u32 {
    let h = Adadelta { lr, rho, epsilon };
    checked(
        check,
        || optimizer::adadelta_update::<true>(p, g, [ag, au], n, h),
        || optimizer::adadelta_update::<false>(p, g, [ag, au], n, h),
    )
}

/// p, g, ms (mean square) are (n); mg (mean gradient) is (n) or null when not centered;
/// mom (momentum) is (n) or null when momentum is 0.
#[no_mangle]
pub unsafe extern "C" fn fe_rmsprop_update(
    p: *mut f32,
    g: *const f32,
    ms: *mut f32,
    mg: *mut f32,
    mom: *mut f32,
    n: usize,
    lr: f32,
    rho: f32,
    momentum: f32,
    epsilon: f32,
    check: u32,
) -> u32 {
    let h = RmsProp {
        lr,
        rho,
        momentum,
        epsilon,
    };
    checked(
        check,
        || optimizer::rmsprop_update::<true>(p, g, [ms, mg, mom], n, h),
        || optimizer::rmsprop_update::<false>(p, g, [ms, mg, mom], n, h),
    )
}

/// Runs the checking pass or the committing one; 1 when every value is (or would be) finite.
#[inline(always)]
fn checked(check: u32, check_pass: impl FnOnce() -> bool, commit_pass: impl FnOnce() -> bool) -> u32 {
    (if check != 0 { check_pass() } else { commit_pass() }) as u32
}

// ---------------------------------------------------------------------------------
// The math family (`math.rs`)
// ---------------------------------------------------------------------------------

/// Test hook: y = f(x) for the function `fn_id` of `math.rs` (its `MathFn` codes), in its
/// vector form (`scalar` = 0) or its scalar form. x is (n), y is (n).
#[no_mangle]
pub unsafe extern "C" fn fe_math_eval(fn_id: u32, scalar: u32, x: *const f32, y: *mut f32, n: usize) {
    math::eval(fn_id, scalar != 0, x, y, n)
}

// ---------------------------------------------------------------------------------
// Sampling: top-k and multinomial, per row (`sampling.rs`)
// ---------------------------------------------------------------------------------

/// x is (rows, n); values is (rows, k) f32, indices is (rows, k) i32; 0 < k <= n.
#[no_mangle]
pub unsafe extern "C" fn fe_topk(x: *const f32, values: *mut f32, indices: *mut i32, rows: usize, n: usize, k: usize) {
    sampling::topk(x, values, indices, rows, n, k)
}

/// The naive reference of fe_topk (same layout), for tests.
#[no_mangle]
pub unsafe extern "C" fn fe_topk_naive(
    x: *const f32,
    values: *mut f32,
    indices: *mut i32,
    rows: usize,
    n: usize,
    k: usize,
) {
    sampling::topk_naive_rows(x, values, indices, rows, n, k)
}

/// probs is (rows, n) with n >= 1 (non-negative, each row summing to about 1); out is
/// (rows, samples) i32. (k0, k1) is the key (seed), then the stream and the tag. `naive`
/// non-zero runs the naive reference instead (for tests).
#[no_mangle]
pub unsafe extern "C" fn fe_multinomial(
    probs: *const f32,
    out: *mut i32,
    rows: usize,
    n: usize,
    samples: usize,
    k0: u32,
    k1: u32,
    stream: u32,
    tag: u32,
    naive: u32,
) {
    let s = Stream::new(k0, k1, stream, tag);
    sampling::multinomial(probs, out, rows, n, samples, s, naive != 0)
}

// ---------------------------------------------------------------------------------
// Recurrent layers: the fused LSTM, GRU and SimpleRNN (`recurrent.rs`)
// `ptrs` holds byte offsets (0 for an absent operand): the forward's thirteen
// [x, w, r, bias, h0, c0, mask, rec_mask, y, aux, gates, h_last, c_last], then for the backward
// nine more [dy, dh_last, dc_last, dx, dw, dr, dbias, dh0, dc0] (see `RnnForward`,
// `RnnBackward` for shapes). `cell` is an RnnCell code, the activations RnnActivation codes.
// ---------------------------------------------------------------------------------

unsafe fn rnn_args(
    ptrs: *const usize,
    dims: [usize; 4],
    cell: u32,
    activation: u32,
    recurrent_activation: u32,
    go_backwards: u32,
) -> (recurrent::RnnForward, recurrent::Rnn) {
    let p = |i: usize| *ptrs.add(i) as *mut f32;
    let fwd = recurrent::RnnForward {
        x: p(0),
        w: p(1),
        r: p(2),
        bias: p(3),
        h0: p(4),
        c0: p(5),
        mask: p(6),
        rec_mask: p(7),
        y: p(8),
        aux: p(9),
        gates: p(10),
        h_last: p(11),
        c_last: p(12),
    };
    let [batch, time, input, units] = dims;
    let l = recurrent::Rnn {
        batch,
        time,
        input,
        units,
        activation,
        recurrent_activation,
        go_backwards: go_backwards != 0,
        cell,
    };
    (fwd, l)
}

/// A whole recurrent sequence forward: x (batch, time, input) -> y, aux, gates, h_last, c_last.
#[no_mangle]
pub unsafe extern "C" fn fe_rnn_forward(
    ptrs: *const usize,
    batch: usize,
    time: usize,
    input: usize,
    units: usize,
    cell: u32,
    activation: u32,
    recurrent_activation: u32,
    go_backwards: u32,
) {
    let dims = [batch, time, input, units];
    let (p, l) = rnn_args(ptrs, dims, cell, activation, recurrent_activation, go_backwards);
    recurrent::rnn_forward(&p, &l)
}

/// The naive reference of `fe_rnn_forward`, same arguments: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_rnn_forward_naive(
    ptrs: *const usize,
    batch: usize,
    time: usize,
    input: usize,
    units: usize,
    cell: u32,
    activation: u32,
    recurrent_activation: u32,
    go_backwards: u32,
) {
    let dims = [batch, time, input, units];
    let (p, l) = rnn_args(ptrs, dims, cell, activation, recurrent_activation, go_backwards);
    recurrent::rnn_forward_naive(&p, &l)
}

/// Backpropagation through time of `fe_rnn_forward` (its thirteen pointers, then nine
/// gradients); overwrites `gates` (and the GRU's `aux`) with gradients.
#[no_mangle]
pub unsafe extern "C" fn fe_rnn_backward(
    ptrs: *const usize,
    batch: usize,
    time: usize,
    input: usize,
    units: usize,
    cell: u32,
    activation: u32,
    recurrent_activation: u32,
    go_backwards: u32,
) {
    let dims = [batch, time, input, units];
    let (p, l) = rnn_args(ptrs, dims, cell, activation, recurrent_activation, go_backwards);
    let q = |i: usize| *ptrs.add(13 + i) as *mut f32;
    let g = recurrent::RnnBackward {
        dy: q(0),
        dh_last: q(1),
        dc_last: q(2),
        dx: q(3),
        dw: q(4),
        dr: q(5),
        dbias: q(6),
        dh0: q(7),
        dc0: q(8),
    };
    recurrent::rnn_backward(&p, &g, &l)
}

/// Bench hook: with `on` nonzero, every parallel job splits over all threads whatever its
/// minimum share, so `bench/threads.ts` can time each kernel split and unsplit at any size
/// and find where splitting pays. No effect without threads.
#[no_mangle]
pub extern "C" fn fe_debug_force_split(on: u32) {
    parallel::set_force_split(on != 0)
}

/// In place over y (rows, cols): y = act(y + bias), bias (cols) or null; act is a
/// `ConvActivation` (linear or relu). The tail of a fused Dense layer (`ts/ops/dense.ts`),
/// whose backward is `fe_conv2d_bias_act_backward`.
#[no_mangle]
pub unsafe extern "C" fn fe_bias_act_forward(y: *mut f32, rows: usize, cols: usize, bias: *const f32, act: u32) {
    conv::bias_act_forward(y, rows, cols, bias, act)
}

// ---------------------------------------------------------------------------------
// Row vector times matrix (`gemv.rs`): what `fe_gemm` runs for one row of C.
// ---------------------------------------------------------------------------------

/// y (n) = alpha * x (k) * B (k, n; row stride ldb) + beta * y, sums in slices of kc.
#[no_mangle]
pub unsafe extern "C" fn fe_gemv(
    n: usize,
    k: usize,
    kc: usize,
    alpha: f32,
    x: *const f32,
    b: *const f32,
    ldb: usize,
    beta: f32,
    y: *mut f32,
) {
    gemv::gemv_forward(n, k, kc, alpha, x, b, ldb, beta, y)
}

/// The plain loop of `fe_gemv`, same arguments and summation order (test oracle).
#[no_mangle]
pub unsafe extern "C" fn fe_gemv_naive(
    n: usize,
    k: usize,
    kc: usize,
    alpha: f32,
    x: *const f32,
    b: *const f32,
    ldb: usize,
    beta: f32,
    y: *mut f32,
) {
    gemv::gemv_naive(n, k, kc, alpha, x, b, ldb, beta, y)
}

// ---------------------------------------------------------------------------------
// PReLU (`prelu.rs`) and ThresholdedReLU (`activation.rs`)
// ---------------------------------------------------------------------------------

/// y = x where x > 0, alpha x elsewhere, alpha broadcast as `params` = [groups, dims...]
/// describes (x's shape in alternating shared / kept groups, see `prelu.rs`). x and y are
/// (size), alpha is (product of the kept groups). `naive` != 0 runs the reference.
#[no_mangle]
pub unsafe extern "C" fn fe_prelu_forward(
    naive: u32,
    x: *const f32,
    alpha: *const f32,
    y: *mut f32,
    params: *const usize,
) {
    let b = crate::prelu::Broadcast::from_params(params);
    let run = if naive != 0 {
        crate::prelu::prelu_forward_naive
    } else {
        crate::prelu::prelu_forward
    };
    run(&b, x, alpha, y)
}

/// dx (x's shape) and dalpha (alpha's), each written when non-null, from x, alpha and dy;
/// `params` as `fe_prelu_forward`. `naive` != 0 runs the reference (both outputs needed).
#[no_mangle]
pub unsafe extern "C" fn fe_prelu_backward(
    naive: u32,
    x: *const f32,
    alpha: *const f32,
    dy: *const f32,
    dx: *mut f32,
    dalpha: *mut f32,
    params: *const usize,
) {
    let b = crate::prelu::Broadcast::from_params(params);
    let run = if naive != 0 {
        crate::prelu::prelu_backward_naive
    } else {
        crate::prelu::prelu_backward
    };
    run(&b, x, alpha, dy, dx, dalpha)
}

/// y = x where x > theta, 0 elsewhere. x and y are (n); y may be x.
#[no_mangle]
pub unsafe extern "C" fn fe_thresholded_relu_forward(x: *const f32, y: *mut f32, n: usize, theta: f32) {
    map1(x, y, n, |v| activation::thresholded_relu(v, theta))
}

/// dx = dy where x > theta, 0 elsewhere. x, dy and dx are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_thresholded_relu_backward(
    x: *const f32,
    dy: *const f32,
    dx: *mut f32,
    n: usize,
    theta: f32,
) {
    map2(x, dy, dx, n, |v, g| activation::thresholded_relu_grad(v, g, theta))
}

/// Test hook: a `parallel_team` of up to `max_size` threads checking its barrier over
/// `rounds` rounds (see `parallel::team_rounds`). out is (1 + max_size).
#[no_mangle]
pub unsafe extern "C" fn fe_debug_team_rounds(max_size: usize, rounds: usize, out: *mut f32) {
    parallel::team_rounds(max_size, rounds, out)
}
