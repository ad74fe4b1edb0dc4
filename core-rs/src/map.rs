//! Elementwise drivers: a vector function applied over whole arrays, split over threads.
//!
//! Every thread's share starts on a vector boundary, and the ragged end of an array goes
//! through the same vector function on a padded copy (`F32x4::load_n`): an element's result
//! never depends on where a share ends. Outputs may alias inputs (in-place ops): each
//! vector is read before it is written.

use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{for_each_vector, F32x4, LANES};

/// Calls `body(start, end)` on ranges that cover 0..n, each starting on a vector boundary,
/// split over threads that each get at least `grain` elements.
#[inline(always)]
pub fn split_vectors(n: usize, grain: usize, body: impl Fn(usize, usize) + Sync) {
    parallel_for(n.div_ceil(LANES), (grain / LANES).max(1), &|v0, v1| {
        body(v0 * LANES, (v1 * LANES).min(n))
    });
}

/// y = f(x). x is (n), y is (n).
#[inline(always)]
pub unsafe fn map1(x: *const f32, y: *mut f32, n: usize, f: impl Fn(F32x4) -> F32x4 + Sync) {
    let (xs, ys) = (SendPtr::of(x), SendPtr(y));
    split_vectors(n, MIN_ELEMS_PER_THREAD, |start, end| {
        // Plain locals, not reads through the closure: the loop then keeps them in registers.
        let (x, y) = (xs.get(), ys.get());
        for_each_vector(start, end, |i, w| {
            f(F32x4::load_n(x.add(i), w, 0.0)).store_n(y.add(i), w)
        });
    });
}

/// out = f(a, b). a, b and out are (n).
#[inline(always)]
pub unsafe fn map2(a: *const f32, b: *const f32, out: *mut f32, n: usize, f: impl Fn(F32x4, F32x4) -> F32x4 + Sync) {
    let (a_s, b_s, out_s) = (SendPtr::of(a), SendPtr::of(b), SendPtr(out));
    split_vectors(n, MIN_ELEMS_PER_THREAD, |start, end| {
        let (a, b, out) = (a_s.get(), b_s.get(), out_s.get());
        for_each_vector(start, end, |i, w| {
            let (av, bv) = (F32x4::load_n(a.add(i), w, 0.0), F32x4::load_n(b.add(i), w, 0.0));
            f(av, bv).store_n(out.add(i), w)
        });
    });
}

/// out = f(a, b, c). a, b, c and out are (n).
#[inline(always)]
pub unsafe fn map3(inputs: [*const f32; 3], out: *mut f32, n: usize, f: impl Fn(F32x4, F32x4, F32x4) -> F32x4 + Sync) {
    let (in_s, out_s) = (inputs.map(SendPtr::of), SendPtr(out));
    split_vectors(n, MIN_ELEMS_PER_THREAD, |start, end| {
        let ([a, b, c], out) = (in_s.map(SendPtr::get), out_s.get());
        for_each_vector(start, end, |i, w| {
            let ld = |p: *mut f32| F32x4::load_n(p.add(i), w, 0.0);
            f(ld(a), ld(b), ld(c)).store_n(out.add(i), w)
        });
    });
}
