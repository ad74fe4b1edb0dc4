//! The seam through which kernels split their work over threads.
//!
//! A kernel describes its work as `n` independent items (rows, panels, chunks) and a
//! body that processes a half-open range of them. In this single-threaded build the
//! body runs once over everything; the threaded build (a pool of wasm instances on a
//! shared memory) hands each thread a fixed partition of `0..n`, so results never
//! depend on the thread count. Bodies must only write to memory owned by their range.

/// Runs `body(start, end)` over `0..n`, splitting into ranges of at least `min_items`.
#[inline]
pub fn parallel_for(n: usize, min_items: usize, body: &(dyn Fn(usize, usize) + Sync)) {
    let _ = min_items;
    if n > 0 {
        body(0, n);
    }
}

/// Number of threads kernels may split over (1 in this build).
#[inline]
pub fn num_threads() -> usize {
    1
}

/// A raw pointer that may be shared with the bodies of `parallel_for`.
/// Safety rests on each body writing a disjoint range.
#[derive(Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}
