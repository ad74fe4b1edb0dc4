//! Deterministic reductions over the rows of a (rows, width) problem, split over threads.
//!
//! The filter gradient of a convolution, the bias gradient and the batch-norm statistics
//! all sum per-column values over many rows (batch x pixels). Threads cannot share one
//! accumulator, and splitting rows by thread would make the rounding depend on the
//! thread count. So the rows are cut into a number of slices that depends only on the
//! problem's size, each slice computes its partial result into its own buffer (any
//! thread may run it), and the partials are added in slice order. The result is the
//! same bits for 1, 2 or 3 threads.
//!
//! Users: `conv.rs` (filter and bias gradients) and `batchnorm.rs` (statistics and the
//! sums of its backward); `column_sums` is the partial body most of them need.

use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{fill, for_each_vector, F32x4, Lanes, LANES};

/// How the rows of a reduction (or its units of work: chunks of rows) are cut into
/// slices. Depends only on its arguments, never on the thread count.
#[derive(Clone, Copy)]
pub struct Slices {
    pub rows: usize,
    pub count: usize,
}

impl Slices {
    /// At least `min_rows` rows per slice (so small problems are not split), at most
    /// `max_count` slices, and at most `max_floats` floats of partial results
    /// (`count * width`), so scratch stays bounded for wide results.
    pub fn new(rows: usize, width: usize, min_rows: usize, max_count: usize, max_floats: usize) -> Slices {
        let by_rows = rows / min_rows.max(1);
        let by_memory = max_floats / width.max(1);
        Slices {
            rows,
            count: by_rows.min(max_count).min(by_memory).max(1),
        }
    }

    /// Rows `[start, end)` of slice `s`.
    #[inline(always)]
    pub fn range(&self, s: usize) -> (usize, usize) {
        crate::parallel::partition(self.rows, s, self.count)
    }
}

/// Runs `partial(start, end, out)` for every slice, `out` being `width` floats the slice
/// must fully write, and stores the sum of the partials (in slice order) at `dst`.
/// With a single slice the partial writes `dst` directly. dst is (width).
pub unsafe fn reduce_slices(
    slices: Slices,
    width: usize,
    dst: *mut f32,
    partial: &(dyn Fn(usize, usize, *mut f32) + Sync),
) {
    if slices.count == 1 {
        // One slice: let the body's own kernels (a GEMM) use the threads.
        partial(0, slices.rows, dst);
        return;
    }
    let buf = Scratch::new(slices.count * width);
    let out = SendPtr(buf.ptr());
    parallel_for(slices.count, 1, &|s0, s1| {
        for s in s0..s1 {
            let (r0, r1) = slices.range(s);
            partial(r0, r1, out.get().add(s * width));
        }
    });
    sum_in_order(buf.ptr(), slices.count, width, dst);
}

/// dst[j] = ((parts[0][j] + parts[1][j]) + parts[2][j]) + ..., parts is (count, width).
unsafe fn sum_in_order(parts: *const f32, count: usize, width: usize, dst: *mut f32) {
    let (parts, dst) = (SendPtr::of(parts), SendPtr(dst));
    // Columns in blocks of 64 floats; each column is summed in the same order wherever it falls.
    const BLOCK: usize = 64;
    parallel_for(width.div_ceil(BLOCK), (1 << 14) / (count * BLOCK).max(1), &|b0, b1| {
        let (j0, j1) = (b0 * BLOCK, (b1 * BLOCK).min(width));
        let (p, d) = (parts.get(), dst.get());
        let mut j = j0;
        while j + LANES <= j1 {
            sum_down::<F32x4>(p.add(j), count, width, d.add(j));
            j += LANES;
        }
        while j < j1 {
            sum_down::<f32>(p.add(j), count, width, d.add(j));
            j += 1;
        }
    });
}

/// *d = Σ_s p[s * stride] for s < count, in order (one or four columns).
#[inline(always)]
unsafe fn sum_down<V: Lanes>(p: *const f32, count: usize, stride: usize, d: *mut f32) {
    (1..count)
        .fold(V::load(p), |acc, s| acc.add(V::load(p.add(s * stride))))
        .store(d)
}

/// Column sums of C terms over rows r0..r1: out[c * width + k] = Σ_r term(r, k)[c] for
/// k < width, added row after row from zero (out is (C, width), written). `term(r, k, w)`
/// gives the C vectors of columns k..k + w of row r (w = 4, or 1..3 at the end: read them
/// with `F32x4::load_n`, whose padding lanes are never kept).
#[inline(always)]
pub unsafe fn column_sums<const C: usize>(
    r0: usize,
    r1: usize,
    width: usize,
    out: *mut f32,
    term: impl Fn(usize, usize, usize) -> [F32x4; C],
) {
    fill(out, C * width, 0.0);
    for r in r0..r1 {
        for_each_vector(0, width, |k, w| {
            for (c, t) in term(r, k, w).iter().enumerate() {
                let o = out.add(c * width + k);
                F32x4::load_n(o, w, 0.0).add(*t).store_n(o, w);
            }
        });
    }
}
