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
//! the extra scan costs each thread m integer compares. `gather_backward_naive` (every dy
//! row added in order, one thread) is its test oracle.

use crate::axis::Axis;
use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::add_into;

/// Position of the first index outside [0, n), or -1 when all are valid.
unsafe fn first_bad_index(indices: *const i32, m: usize, n: usize) -> isize {
    (0..m)
        .find(|&i| {
            let k = *indices.add(i);
            k < 0 || k as usize >= n
        })
        .map_or(-1, |i| i as isize)
}

/// y[o, i, :] = x[o, indices[i], :]. x is (outer, n, inner), indices is (m), y is
/// (outer, m, inner). Returns -1, or the position of the first index outside [0, n) (then
/// y is not written). Moves 32-bit words, so it serves f32 and i32 tensors alike.
pub unsafe fn gather_forward(x: *const u32, indices: *const i32, y: *mut u32, ax: Axis, m: usize) -> isize {
    let bad = first_bad_index(indices, m, ax.n);
    if bad >= 0 {
        return bad;
    }
    let (n, inner) = (ax.n, ax.inner);
    let (xs, is, ys) = (SendPtr::of(x), SendPtr::of(indices), SendPtr(y));
    let min_rows = (MIN_ELEMS_PER_THREAD / inner.max(1)).max(1);
    parallel_for(ax.outer * m, min_rows, &|s, e| {
        for row in s..e {
            let (o, i) = (row / m, row % m);
            let k = *is.get().add(i) as usize;
            core::ptr::copy_nonoverlapping(xs.get().add((o * n + k) * inner), ys.get().add(row * inner), inner);
        }
    });
    -1
}

/// dx[o, k, :] = sum over i with indices[i] == k of dy[o, i, :], in increasing i; rows
/// no index names are zero. dy is (outer, m, inner), dx is (outer, n, inner), written
/// (not accumulated). Out-of-range indices are skipped.
pub unsafe fn gather_backward(dy: *const f32, indices: *const i32, dx: *mut f32, ax: Axis, m: usize) {
    let (n, inner) = (ax.n, ax.inner);
    let (dys, is, dxs) = (SendPtr::of(dy), SendPtr::of(indices), SendPtr(dx));
    // Work items are rows of dx, numbered o * n + k; a thread owns a contiguous range.
    let min_rows = (MIN_ELEMS_PER_THREAD / inner.max(1)).max(1);
    parallel_for(ax.outer * n, min_rows, &|s, e| {
        core::ptr::write_bytes(dxs.get().add(s * inner), 0, (e - s) * inner);
        for o in s / n..e.div_ceil(n) {
            for i in 0..m {
                let k = *is.get().add(i);
                if k < 0 || k as usize >= n {
                    continue;
                }
                let row = o * n + k as usize;
                if row >= s && row < e {
                    add_into(dxs.get().add(row * inner), dys.get().add((o * m + i) * inner), inner);
                }
            }
        }
    });
}

/// The naive reference of the backward: zero dx, then add every dy row in order.
pub unsafe fn gather_backward_naive(dy: *const f32, indices: *const i32, dx: *mut f32, ax: Axis, m: usize) {
    let (n, inner) = (ax.n, ax.inner);
    core::ptr::write_bytes(dx, 0, ax.outer * n * inner);
    for o in 0..ax.outer {
        for i in 0..m {
            let k = *indices.add(i) as usize;
            for j in 0..inner {
                *dx.add((o * n + k) * inner + j) += *dy.add((o * m + i) * inner + j);
            }
        }
    }
}
