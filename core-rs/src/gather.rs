//! gather along one axis, and its backward: a deterministic scatter-add.
//!
//! x is viewed as (outer, n, inner) around the gathered axis; with m indices the
//! output is (outer, m, inner): y[o, i, :] = x[o, indices[i], :]. The Embedding layer
//! is the case outer = 1, n = vocabulary, inner = embedding size.
//!
//! The backward adds dy's rows into the rows of dx they came from. Several indices may
//! name one row, so threads cannot split over dy's rows without racing; instead each
//! thread owns a range of dx's rows, zeroes them, and scans all indices, adding the
//! rows that land in its range in index order. Every dx row thus sums its
//! contributions in the same order whatever the split (no atomics, same bits), and
//! the extra scan costs each thread m integer compares.

use crate::parallel::{parallel_for, SendPtr};
use crate::simd::F32x4;

/// Elements per thread below which gather work is not split.
const MIN_ELEMS_PER_THREAD: usize = 1 << 15;

/// Position of the first index outside [0, n), or -1 when all are valid.
pub unsafe fn first_bad_index(indices: *const i32, m: usize, n: usize) -> isize {
    for i in 0..m {
        let k = *indices.add(i);
        if k < 0 || k as usize >= n {
            return i as isize;
        }
    }
    -1
}

/// y[o, i, :] = x[o, indices[i], :]; indices must be valid (see `first_bad_index`).
/// Moves 32-bit words, so it serves f32 and i32 tensors alike.
pub unsafe fn gather_forward(
    x: *const u32,
    indices: *const i32,
    y: *mut u32,
    outer: usize,
    n: usize,
    inner: usize,
    m: usize,
) {
    let (xs, is, ys) = (SendPtr(x as *mut u32), SendPtr(indices as *mut i32), SendPtr(y));
    let min_rows = (MIN_ELEMS_PER_THREAD / inner.max(1)).max(1);
    parallel_for(outer * m, min_rows, &|s, e| {
        for row in s..e {
            let (o, i) = (row / m, row % m);
            let k = *is.get().add(i) as usize;
            core::ptr::copy_nonoverlapping(xs.get().add((o * n + k) * inner), ys.get().add(row * inner), inner);
        }
    });
}

#[inline(always)]
unsafe fn add_row(src: *const f32, dst: *mut f32, len: usize) {
    let mut j = 0;
    while j + 4 <= len {
        F32x4::load(dst.add(j)).add(F32x4::load(src.add(j))).store(dst.add(j));
        j += 4;
    }
    while j < len {
        *dst.add(j) += *src.add(j);
        j += 1;
    }
}

/// dx[o, k, :] = sum over i with indices[i] == k of dy[o, i, :], in increasing i; rows
/// no index names are zero. dy is (outer, m, inner), dx is (outer, n, inner), written
/// (not accumulated). Out-of-range indices are skipped.
pub unsafe fn gather_backward(
    dy: *const f32,
    indices: *const i32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    m: usize,
) {
    let (dys, is, dxs) = (SendPtr(dy as *mut f32), SendPtr(indices as *mut i32), SendPtr(dx));
    // Work items are rows of dx, numbered o * n + k; a thread owns a contiguous range.
    let min_rows = (MIN_ELEMS_PER_THREAD / inner.max(1)).max(1);
    parallel_for(outer * n, min_rows, &|s, e| {
        core::ptr::write_bytes(dxs.get().add(s * inner), 0, (e - s) * inner);
        for o in s / n..e.div_ceil(n) {
            for i in 0..m {
                let k = *is.get().add(i);
                if k < 0 || k as usize >= n {
                    continue;
                }
                let row = o * n + k as usize;
                if row >= s && row < e {
                    add_row(dys.get().add((o * m + i) * inner), dxs.get().add(row * inner), inner);
                }
            }
        }
    });
}

/// The naive reference of the backward: zero dx, then add every dy row in order.
pub unsafe fn gather_backward_naive(
    dy: *const f32,
    indices: *const i32,
    dx: *mut f32,
    outer: usize,
    n: usize,
    inner: usize,
    m: usize,
) {
    core::ptr::write_bytes(dx, 0, outer * n * inner);
    for o in 0..outer {
        for i in 0..m {
            let k = *indices.add(i) as usize;
            for j in 0..inner {
                *dx.add((o * n + k) * inner + j) += *dy.add((o * m + i) * inner + j);
            }
        }
    }
}

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
    let bad = first_bad_index(indices, m, n);
    if bad < 0 {
        gather_forward(x, indices, y, outer, n, inner, m);
    }
    bad
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
    gather_backward(dy, indices, dx, outer, n, inner, m);
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
    gather_backward_naive(dy, indices, dx, outer, n, inner, m);
}
