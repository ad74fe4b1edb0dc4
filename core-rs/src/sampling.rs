//! Sampling along the last axis, one row at a time: top-k selection and draws from
//! categorical distributions (TF.js's `topk` and `multinomial`).
//!
//! Rows are independent, so work is split over rows; each thread's range of rows writes
//! only its own rows of the outputs and draws its random words from the counter-based
//! generator by element index, so results never depend on the thread count.

use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use crate::random::{unit_uniform, Stream};
use core::cmp::Ordering;

/// Row elements per parallel work item below which splitting is not worth it.
const GRAIN: usize = 1 << 13;

/// Rows per work item for rows of `n` elements.
#[inline(always)]
fn min_rows(n: usize) -> usize {
    (GRAIN / n.max(1)).max(1)
}

/// TF.js's top-k order: larger values first, equal values by smaller index. NaN ranks
/// above every number (so a NaN in a row is never hidden), NaNs among themselves by index.
#[inline(always)]
fn rank(x: &[f32], a: u32, b: u32) -> Ordering {
    let (va, vb) = (x[a as usize], x[b as usize]);
    match (va.is_nan(), vb.is_nan()) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => vb.partial_cmp(&va).unwrap_or(Ordering::Equal).then(a.cmp(&b)),
    }
}

/// The k largest of one row x (n) into values (k) and indices (k), in `rank` order.
/// `order` is scratch space for n indices. Selection is O(n), then k log k to sort.
fn topk_row(x: &[f32], k: usize, order: &mut [u32], values: &mut [f32], indices: &mut [i32]) {
    let n = x.len();
    for (i, o) in order.iter_mut().enumerate() {
        *o = i as u32;
    }
    // `rank` is a strict total order, so the unstable algorithms give one result.
    if k < n {
        order.select_nth_unstable_by(k, |&a, &b| rank(x, a, b));
    }
    order[..k].sort_unstable_by(|&a, &b| rank(x, a, b));
    for j in 0..k {
        indices[j] = order[j] as i32;
        values[j] = x[order[j] as usize];
    }
}

/// Naive reference: k passes, each taking the best element not taken yet.
pub fn topk_naive(x: &[f32], k: usize, values: &mut [f32], indices: &mut [i32]) {
    let n = x.len();
    let mut taken = alloc::vec![false; n];
    for j in 0..k {
        let mut best: Option<u32> = None;
        for i in 0..n as u32 {
            if !taken[i as usize] && best.map_or(true, |b| rank(x, i, b) == Ordering::Less) {
                best = Some(i);
            }
        }
        let b = best.unwrap();
        taken[b as usize] = true;
        indices[j] = b as i32;
        values[j] = x[b as usize];
    }
}

/// The sampled class for a uniform u in [0, 1) and a row's running sums: the first
/// class whose cumulative probability exceeds u; the last class takes whatever mass the
/// earlier ones leave (TF.js's rule, which also covers rows that sum to less than 1).
#[inline(always)]
fn pick(cdf: &[f32], u: f32) -> i32 {
    // cdf is non-decreasing: the first index with u < cdf[i] by binary search.
    let last = cdf.len() - 1;
    let (mut lo, mut hi) = (0usize, last);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if u < cdf[mid] {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo as i32
}

/// Draws `samples` classes from each row of probs (n): row r's sample s uses random word
/// r * samples + s of the stream. `cdf` is scratch for n floats.
fn multinomial_row(probs: &[f32], cdf: &mut [f32], stream: &Stream, first: u64, out: &mut [i32]) {
    let mut acc = 0.0f32;
    for (c, &p) in cdf.iter_mut().zip(probs) {
        acc += p;
        *c = acc;
    }
    let mut group = u64::MAX;
    let mut words = [0u32; 16];
    for (s, o) in out.iter_mut().enumerate() {
        let i = first + s as u64;
        if i / 16 != group {
            group = i / 16;
            words = stream.group(group);
        }
        *o = pick(cdf, unit_uniform(words[(i % 16) as usize]));
    }
}

/// Naive reference: a linear scan of the running sum for every draw.
pub fn multinomial_naive(probs: &[f32], rows: usize, n: usize, samples: usize, stream: &Stream, out: &mut [i32]) {
    for r in 0..rows {
        for s in 0..samples {
            let i = (r * samples + s) as u64;
            let u = unit_uniform(stream.group(i / 16)[(i % 16) as usize]);
            let mut acc = 0.0f32;
            let mut chosen = n - 1;
            for c in 0..n - 1 {
                acc += probs[r * n + c];
                if u < acc {
                    chosen = c;
                    break;
                }
            }
            out[r * samples + s] = chosen as i32;
        }
    }
}

/// x is (rows, n); values is (rows, k) f32, indices is (rows, k) i32; 0 < k <= n.
pub unsafe fn topk(x: *const f32, values: *mut f32, indices: *mut i32, rows: usize, n: usize, k: usize) {
    let (values, indices) = (SendPtr(values), SendPtr(indices));
    let x = x as usize;
    parallel_for(rows, min_rows(n), &|start, end| {
        let scratch = Scratch::new(n); // n indices (u32 and f32 have one size)
        let order = core::slice::from_raw_parts_mut(scratch.ptr() as *mut u32, n);
        for r in start..end {
            let row = core::slice::from_raw_parts((x as *const f32).add(r * n), n);
            let v = core::slice::from_raw_parts_mut(values.get().add(r * k), k);
            let i = core::slice::from_raw_parts_mut(indices.get().add(r * k), k);
            topk_row(row, k, order, v, i);
        }
    });
}

/// The naive reference of `topk` (same layout), for tests.
pub unsafe fn topk_naive_rows(x: *const f32, values: *mut f32, indices: *mut i32, rows: usize, n: usize, k: usize) {
    for r in 0..rows {
        topk_naive(
            core::slice::from_raw_parts(x.add(r * n), n),
            k,
            core::slice::from_raw_parts_mut(values.add(r * k), k),
            core::slice::from_raw_parts_mut(indices.add(r * k), k),
        );
    }
}

/// probs is (rows, n) with n >= 1 (non-negative, each row summing to about 1); out is
/// (rows, samples) i32, drawn from the stream `s`. `naive` runs the naive reference
/// instead (for tests).
pub unsafe fn multinomial(
    probs: *const f32,
    out: *mut i32,
    rows: usize,
    n: usize,
    samples: usize,
    s: Stream,
    naive: bool,
) {
    if naive {
        let probs = core::slice::from_raw_parts(probs, rows * n);
        multinomial_naive(
            probs,
            rows,
            n,
            samples,
            &s,
            core::slice::from_raw_parts_mut(out, rows * samples),
        );
        return;
    }
    let out = SendPtr(out);
    let probs = probs as usize;
    parallel_for(rows, min_rows(n + samples), &|start, end| {
        let mut scratch = Scratch::new(n);
        for r in start..end {
            let row = core::slice::from_raw_parts((probs as *const f32).add(r * n), n);
            let o = core::slice::from_raw_parts_mut(out.get().add(r * samples), samples);
            multinomial_row(row, scratch.as_mut_slice(), &s, (r * samples) as u64, o);
        }
    });
}
