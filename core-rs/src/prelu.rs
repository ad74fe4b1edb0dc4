//! PReLU, forward and backward, fused: y = x where x > 0, alpha x elsewhere, with alpha
//! broadcast against x (TF.js's `prelu(x, alpha)`; the PReLU layer's alpha has x's shape
//! after the batch with its `sharedAxes` set to 1).
//!
//! The broadcast is described by x's shape cut into groups of consecutive axes that
//! alternate between shared (alpha does not vary along them) and kept (alpha does, with
//! x's extent): `dims = [s0, k1, s2, k3, ...]`, s0 holding the batch and any axes shared
//! before the first kept one (a group may be 1). Alpha's index is then the mixed-radix
//! number of the kept groups' indices. The last group is a contiguous run of x: when kept,
//! alpha is read along it as a vector; when shared, one alpha is splat over it.
//!
//! Backward: dx = dy where x > 0, alpha dy elsewhere; dalpha = Σ over the shared positions
//! of (x > 0 ? 0 : x dy). Both come from one pass over x. The sum runs through `slices.rs`:
//! runs of x (rows of the last group) are cut into slices by size only, each slice adds its
//! rows in order into its own partial dalpha, and the partials are added in slice order,
//! so dalpha is the same bits for any thread count.
//!
//! `prelu_forward_naive` / `prelu_backward_naive` beside them index every element through
//! the full mixed-radix decomposition and sum in f64: the test oracle.

use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{fill, for_each_vector, sum_vectors, F32x4, Lanes};
use crate::slices::{reduce_slices, Slices};

/// Most groups a broadcast may have (a rank-8 x alternating shared and kept axes, plus s0).
pub const MAX_GROUPS: usize = 10;
/// Rows per slice of the dalpha sum, at least (in floats of x: `SLICE_FLOATS / run`).
const SLICE_FLOATS: usize = 1 << 14;
const MAX_SLICES: usize = 32;
const MAX_PARTIAL_FLOATS: usize = 1 << 22;

/// x's shape in alternating shared / kept groups (see the module comment).
#[derive(Clone, Copy)]
pub struct Broadcast {
    dims: [usize; MAX_GROUPS],
    groups: usize,
}

impl Broadcast {
    /// Reads `params` = [groups, dims...]. Panics (a trap) past MAX_GROUPS: the TS side
    /// collapses the axes before calling.
    pub unsafe fn from_params(params: *const usize) -> Broadcast {
        let groups = *params;
        assert!((1..=MAX_GROUPS).contains(&groups));
        let mut dims = [1; MAX_GROUPS];
        for (g, d) in dims.iter_mut().enumerate().take(groups) {
            *d = *params.add(1 + g);
        }
        Broadcast { dims, groups }
    }

    fn size(&self) -> usize {
        self.dims[..self.groups].iter().product()
    }

    /// Floats of alpha: the product of the kept groups.
    pub fn alpha_size(&self) -> usize {
        self.dims[..self.groups].iter().skip(1).step_by(2).product()
    }

    /// Length of the contiguous run (the last group).
    fn run(&self) -> usize {
        self.dims[self.groups - 1]
    }

    /// Is alpha read along the run (kept), or splat over it (shared)?
    fn run_kept(&self) -> bool {
        self.groups % 2 == 0
    }

    /// Runs of x: every group but the last.
    fn rows(&self) -> usize {
        self.dims[..self.groups - 1].iter().product()
    }

    /// Alpha's offset where run r starts.
    #[inline(always)]
    fn alpha_at(&self, mut r: usize) -> usize {
        let (mut off, mut scale) = (0, if self.run_kept() { self.run() } else { 1 });
        for g in (0..self.groups - 1).rev() {
            let d = self.dims[g];
            if g % 2 == 1 {
                off += (r % d) * scale;
                scale *= d;
            }
            r /= d;
        }
        off
    }

    /// Alpha's vector for the run starting at `a`, at offset k of width w.
    #[inline(always)]
    unsafe fn alpha_vec(&self, a: *const f32, k: usize, w: usize) -> F32x4 {
        if self.run_kept() {
            F32x4::load_n(a.add(k), w, 0.0)
        } else {
            F32x4::splat(*a)
        }
    }

    /// Runs `body(r0, r1)` over the runs, split over threads that each get enough floats.
    fn for_rows(&self, body: &(dyn Fn(usize, usize) + Sync)) {
        let grain = (MIN_ELEMS_PER_THREAD / self.run().max(1)).max(1);
        parallel_for(self.rows(), grain, body);
    }
}

#[inline(always)]
fn prelu(x: F32x4, a: F32x4) -> F32x4 {
    F32x4::select(x.gt(F32x4::zero()), x, x.mul(a))
}

/// y = prelu(x, alpha). x and y are (size), alpha is (alpha_size); y may be x.
pub unsafe fn prelu_forward(b: &Broadcast, x: *const f32, alpha: *const f32, y: *mut f32) {
    let (xs, al, ys, run) = (SendPtr::of(x), SendPtr::of(alpha), SendPtr(y), b.run());
    b.for_rows(&|r0, r1| {
        for r in r0..r1 {
            let (x, y, a) = (
                xs.get().add(r * run),
                ys.get().add(r * run),
                al.get().add(b.alpha_at(r)),
            );
            for_each_vector(0, run, |k, w| {
                prelu(F32x4::load_n(x.add(k), w, 0.0), b.alpha_vec(a, k, w)).store_n(y.add(k), w)
            });
        }
    });
}

/// dx (written, when non-null) and dalpha (written, when non-null) from x, alpha and dy.
/// x, dy and dx are (size), alpha and dalpha are (alpha_size).
pub unsafe fn prelu_backward(
    b: &Broadcast,
    x: *const f32,
    alpha: *const f32,
    dy: *const f32,
    dx: *mut f32,
    dalpha: *mut f32,
) {
    let (xs, al, dys, dxs, run) = (
        SendPtr::of(x),
        SendPtr::of(alpha),
        SendPtr::of(dy),
        SendPtr(dx),
        b.run(),
    );
    let zero = F32x4::zero();
    // Run r: its dx, and (with `out`) its dalpha terms added into out (alpha_size floats).
    let row = |r: usize, out: Option<*mut f32>| {
        let (x, dy, a0) = (xs.get().add(r * run), dys.get().add(r * run), b.alpha_at(r));
        let a = al.get().add(a0);
        if !dxs.get().is_null() {
            let dx = dxs.get().add(r * run);
            for_each_vector(0, run, |k, w| {
                let (xv, g) = (F32x4::load_n(x.add(k), w, 0.0), F32x4::load_n(dy.add(k), w, 0.0));
                F32x4::select(xv.gt(zero), g, g.mul(b.alpha_vec(a, k, w))).store_n(dx.add(k), w)
            });
        }
        if let Some(out) = out {
            let term = |k: usize, w: usize| {
                let (xv, g) = (F32x4::load_n(x.add(k), w, 0.0), F32x4::load_n(dy.add(k), w, 0.0));
                F32x4::select(xv.gt(zero), zero, xv.mul(g))
            };
            if b.run_kept() {
                let o = out.add(a0);
                for_each_vector(0, run, |k, w| {
                    F32x4::load_n(o.add(k), w, 0.0).add(term(k, w)).store_n(o.add(k), w)
                });
            } else {
                *out.add(a0) += sum_vectors(run, term);
            }
        }
    };
    if dalpha.is_null() {
        b.for_rows(&|r0, r1| (r0..r1).for_each(|r| row(r, None)));
        return;
    }
    let width = b.alpha_size();
    let min_rows = (SLICE_FLOATS / run.max(1)).max(1);
    let slices = Slices::new(b.rows(), width, min_rows, MAX_SLICES, MAX_PARTIAL_FLOATS);
    reduce_slices(slices, width, dalpha, &|r0, r1, out| {
        fill(out, width, 0.0);
        (r0..r1).for_each(|r| row(r, Some(out)));
    });
}

/// Alpha's index of element e of x, through every group.
fn alpha_index(b: &Broadcast, mut e: usize) -> usize {
    let (mut off, mut scale) = (0, 1);
    for g in (0..b.groups).rev() {
        let d = b.dims[g];
        if g % 2 == 1 {
            off += (e % d) * scale;
            scale *= d;
        }
        e /= d;
    }
    off
}

/// The naive reference of `prelu_forward`, element by element.
pub unsafe fn prelu_forward_naive(b: &Broadcast, x: *const f32, alpha: *const f32, y: *mut f32) {
    for e in 0..b.size() {
        let xv = *x.add(e);
        *y.add(e) = if xv > 0.0 {
            xv
        } else {
            *alpha.add(alpha_index(b, e)) * xv
        };
    }
}

/// The naive reference of `prelu_backward` (dx and dalpha both written), dalpha summed in f64.
pub unsafe fn prelu_backward_naive(
    b: &Broadcast,
    x: *const f32,
    alpha: *const f32,
    dy: *const f32,
    dx: *mut f32,
    dalpha: *mut f32,
) {
    let mut acc = alloc::vec![0.0f64; b.alpha_size()];
    for e in 0..b.size() {
        let (xv, g, a) = (*x.add(e), *dy.add(e), alpha_index(b, e));
        if xv > 0.0 {
            *dx.add(e) = g;
        } else {
            *dx.add(e) = *alpha.add(a) * g;
            acc[a] += xv as f64 * g as f64;
        }
    }
    for (a, s) in acc.iter().enumerate() {
        *dalpha.add(a) = *s as f32;
    }
}
