//! Row vector times matrix: `y = alpha * x * B + beta * y`, x (1, k), B (k, n) row-major and
//! not transposed, y (1, n). This is every matrix product of inference at batch 1: the
//! Dense layer of a language model generating one token at a time (x (1, 512) times a
//! (512, 10000) kernel, 20 MB read for 10 M flops) and the recurrent step of an LSTM.
//!
//! Why not the GEMM: with one row of C the GEMM reads B in place one NR-wide column panel
//! at a time, walking down k with a stride of a whole B row (40 KB for n = 10000), so each
//! cache line is fetched for 32 of its 64 bytes and again for the next panel. Here B is read
//! row by row in long contiguous runs (a chunk of `CHUNK` columns), the partial sums of the
//! chunk staying in L1: the product runs at the speed memory streams B.
//!
//! Same bits as the GEMM: each element of y is accumulated in k order from zero within
//! KC-deep slices, `acc = acc + x[p] * B[p, j]` with the same `mul_add`, and each slice is
//! applied as the GEMM's `Update` does (`alpha * acc + beta * y`, beta = 1 after the first
//! slice), so `gemm` may send its one-row products here without changing any result.
//! Threads split the columns in whole chunks; no sum crosses a chunk, so the result does
//! not depend on the thread count.
//!
//! `gemv_naive` beside it is the plain loop in the same order: the test oracle.

use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, Lanes, LANES};

/// Columns of y summed at once: their partial sums (4 KiB) stay in L1 while B streams.
const CHUNK: usize = 1024;
/// Multiply-adds below which a share of the work is not worth a thread. Unlike the GEMM,
/// a product at batch 1 is bound by reading B from memory, which two cores do faster than one.
const MIN_WORK_PER_THREAD: usize = 1 << 18;
/// B rows folded into one pass over a chunk's partial sums (fewer loads and stores of them).
const ROWS: usize = 4;

/// y (n) = alpha * x (k) * B (k, n; row stride ldb) + beta * y, the k sums cut in slices
/// of `kc` (the GEMM's KC). beta = 0 ignores y's prior contents.
pub unsafe fn gemv_forward(
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
    if n == 0 {
        return;
    }
    let chunks = n.div_ceil(CHUNK);
    let min_items = MIN_WORK_PER_THREAD.div_ceil(CHUNK * k.max(1));
    let (px, pb, py) = (SendPtr::of(x), SendPtr::of(b), SendPtr(y));
    parallel_for(chunks, min_items, &|s, e| {
        let acc = Scratch::new(CHUNK);
        for c in s..e {
            let j0 = c * CHUNK;
            let w = (n - j0).min(CHUNK);
            chunk(
                w,
                k,
                kc,
                alpha,
                px.get(),
                pb.get().add(j0),
                ldb,
                beta,
                py.get().add(j0),
                acc.ptr(),
            );
        }
    });
}

/// One chunk of `w` columns: b and y point at its first column; acc is scratch for w floats.
#[inline(always)]
unsafe fn chunk(
    w: usize,
    k: usize,
    kc: usize,
    alpha: f32,
    x: *const f32,
    b: *const f32,
    ldb: usize,
    beta: f32,
    y: *mut f32,
    acc: *mut f32,
) {
    let vectors = w.div_ceil(LANES);
    let mut pc = 0;
    if k == 0 || alpha == 0.0 {
        // As in BLAS (and the GEMM), alpha = 0 reads neither x nor B.
        for j in 0..w {
            *y.add(j) = if beta == 0.0 { 0.0 } else { *y.add(j) * beta };
        }
        return;
    }
    while pc < k {
        let depth = (k - pc).min(kc);
        for v in 0..vectors {
            F32x4::zero().store(acc.add(v * LANES));
        }
        let mut p = pc;
        while p < pc + depth {
            let rows = (pc + depth - p).min(ROWS);
            let xs: [F32x4; ROWS] = core::array::from_fn(|r| F32x4::splat(if r < rows { *x.add(p + r) } else { 0.0 }));
            let row = b.add(p * ldb);
            for v in 0..vectors {
                let at = v * LANES;
                let lanes = (w - at).min(LANES);
                let mut s = F32x4::load(acc.add(at));
                for (r, xr) in xs.iter().enumerate().take(rows) {
                    s = s.mul_add(*xr, F32x4::load_n(row.add(r * ldb + at), lanes, 0.0));
                }
                s.store(acc.add(at));
            }
            p += rows;
        }
        // The GEMM's Update: alpha * acc, then + beta * y (beta = 1 after the first slice).
        let slice_beta = if pc == 0 { beta } else { 1.0 };
        for v in 0..vectors {
            let at = v * LANES;
            let lanes = (w - at).min(LANES);
            let a = F32x4::load(acc.add(at));
            let scaled = if alpha == 1.0 { a } else { a.mul(F32x4::splat(alpha)) };
            let out = if slice_beta == 0.0 {
                scaled
            } else if slice_beta == 1.0 {
                F32x4::load_n(y.add(at), lanes, 0.0).add(scaled)
            } else {
                F32x4::load_n(y.add(at), lanes, 0.0)
                    .mul(F32x4::splat(slice_beta))
                    .add(scaled)
            };
            out.store_n(y.add(at), lanes);
        }
        pc += depth;
    }
}

/// The plain loop, in the kernel's order (KC slices, k order within each): the test oracle.
pub unsafe fn gemv_naive(
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
    for j in 0..n {
        let yj = y.add(j);
        if k == 0 || alpha == 0.0 {
            *yj = if beta == 0.0 { 0.0 } else { *yj * beta };
            continue;
        }
        let mut pc = 0;
        while pc < k {
            let mut acc = 0.0f32;
            for p in pc..(pc + kc).min(k) {
                // The vocabulary's multiply-add, as the kernel's lanes: fused in the
                // relaxed builds, a multiply then an add elsewhere.
                acc = acc.mul_add(*x.add(p), *b.add(p * ldb + j));
            }
            let scaled = if alpha == 1.0 { acc } else { acc * alpha };
            let slice_beta = if pc == 0 { beta } else { 1.0 };
            *yj = if slice_beta == 0.0 {
                scaled
            } else if slice_beta == 1.0 {
                *yj + scaled
            } else {
                *yj * slice_beta + scaled
            };
            pc += kc;
        }
    }
}
