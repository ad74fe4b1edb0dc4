//! Optimizer updates: one fused in-place pass over a parameter, its gradient and its
//! slot buffers (moments, accumulators), so a step reads and writes each array once.
//!
//! The update rules are Keras' (TF.js's for momentum; the two agree for a constant
//! learning rate). The reference implementations the tests compare against, step by
//! step, are in `test/api/optimizers.test.ts`.
//!
//! Every kernel is elementwise: element i's new values depend only on element i, so the
//! work splits over threads anywhere. p (parameter), g (gradient) and every slot are (n).

use crate::map::split_vectors;
use crate::parallel::SendPtr;
use crate::simd::{self, F32x4, Lanes};
use core::sync::atomic::{AtomicBool, Ordering};

/// Parameters below which a share of an update is not worth a thread: the update is
/// memory-bound and the parameters were last touched by the calling core, so a small
/// split mostly moves cache lines (splitting the Fashion-MNIST MLP's 100k-weight kernel
/// slowed its step).
const GRAIN: usize = 1 << 18;

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// Calls `f(at, arrays)` for every vector of 0..n, split over threads: `at.load(q)` reads
/// that vector of any of the (n) `arrays` and `at.put(v, q)` gives its new value.
///
/// With CHECK the pass changes nothing: `put` only notes whether every new value is finite,
/// and the result says whether all were (the caller then commits with a second pass, so a
/// step that would make a weight or a slot NaN or ±Infinity can be refused before anything
/// changed). The check reads the arrays once more but writes nothing, and is done only
/// where the caller asks for it (fit and trainOnBatch). Without CHECK, `put` stores and
/// the result is true.
#[inline(always)]
fn for_each_vector<const CHECK: bool, const K: usize>(
    n: usize,
    arrays: [*mut f32; K],
    f: impl Fn(&mut At<CHECK>, [*mut f32; K]) + Sync,
) -> bool {
    let shared = arrays.map(SendPtr);
    let all_finite = AtomicBool::new(true);
    split_vectors(n, GRAIN, |start, end| {
        // Plain locals, not reads through the closure: the loop then keeps them in registers.
        let arrays = shared.map(SendPtr::get);
        let mut at = At::<CHECK> {
            i: 0,
            w: 0,
            probe: F32x4::zero(),
        };
        simd::for_each_vector(start, end, |i, w| {
            (at.i, at.w) = (i, w);
            f(&mut at, arrays)
        });
        // probe is a sum of 0 · value: 0 while every value is finite, NaN from the first that is not.
        if CHECK && !at.probe.sum().is_finite() {
            all_finite.store(false, Ordering::Relaxed);
        }
    });
    all_finite.load(Ordering::Relaxed)
}

/// One vector of the arrays: elements i..i + w; with CHECK, the finiteness probe of the pass.
struct At<const CHECK: bool> {
    i: usize,
    w: usize,
    probe: F32x4,
}

impl<const CHECK: bool> At<CHECK> {
    #[inline(always)]
    unsafe fn load(&self, q: *mut f32) -> F32x4 {
        F32x4::load_n(q.add(self.i), self.w, 0.0)
    }
    #[inline(always)]
    unsafe fn put(&mut self, v: F32x4, q: *mut f32) {
        if !CHECK {
            v.store_n(q.add(self.i), self.w)
        } else if self.w == simd::LANES {
            self.probe = self.probe.add(v.mul(F32x4::zero()));
        } else {
            // The lanes past w hold values computed from zeros (0/0 with epsilon 0): left out.
            self.probe = self.probe.add(F32x4::splat(v.mul(F32x4::zero()).sum_first(self.w)));
        }
    }
}

/// SGD: p -= lr g. Every kernel here returns whether its pass found (CHECK) or left every
/// new value finite (`for_each_vector`).
pub unsafe fn sgd_update<const CHECK: bool>(p: *mut f32, g: *const f32, n: usize, lr: f32) -> bool {
    let lr = splat(lr);
    for_each_vector::<CHECK, 2>(n, [p, g as *mut f32], |at, [p, g]| {
        at.put(at.load(p).sub(lr.mul(at.load(g))), p)
    })
}

/// Momentum (TF.js's MomentumOptimizer; Keras SGD(momentum) for a constant rate):
/// a = momentum a + g; p -= lr (g + momentum a) with Nesterov, else p -= lr a.
#[derive(Clone, Copy)]
pub struct Momentum {
    pub lr: f32,
    pub momentum: f32,
    pub nesterov: bool,
}

/// a (accumulation) is (n).
pub unsafe fn momentum_update<const CHECK: bool>(
    p: *mut f32,
    g: *const f32,
    a: *mut f32,
    n: usize,
    h: Momentum,
) -> bool {
    let (lr, m) = (splat(h.lr), splat(h.momentum));
    for_each_vector::<CHECK, 3>(n, [p, g as *mut f32, a], |at, [p, g, a]| {
        let gv = at.load(g);
        let av = gv.mul_add(m, at.load(a));
        at.put(av, a);
        let step = if h.nesterov { gv.mul_add(m, av) } else { av };
        at.put(at.load(p).sub(lr.mul(step)), p);
    })
}

/// Adam as Keras: m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2);
/// p -= alpha m / (sqrt(v) + epsilon), where the caller passes the bias-corrected step
/// alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t) (computed in double precision).
/// AMSGrad (Keras' `amsgrad`) divides by the running maximum of v instead:
/// vhat = max(vhat, v). AdamW (Keras' decoupled weight decay) first shrinks the
/// parameter: p -= decay p, with decay = lr · weight_decay.
#[derive(Clone, Copy)]
pub struct Adam {
    pub alpha: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    pub decay: f32,
}

unsafe fn adam<const CHECK: bool, const AMSGRAD: bool>(
    p: *mut f32,
    g: *const f32,
    [m, v, vhat]: [*mut f32; 3],
    n: usize,
    h: Adam,
) -> bool {
    let (alpha, c1, c2, eps, decay) = (
        splat(h.alpha),
        splat(1.0 - h.beta1),
        splat(1.0 - h.beta2),
        splat(h.epsilon),
        splat(h.decay),
    );
    // Tested once, not per element: without decay p is not touched (inf · 0 would be NaN).
    let decays = h.decay != 0.0;
    for_each_vector::<CHECK, 5>(n, [p, g as *mut f32, m, v, vhat], |at, [p, g, m, v, vhat]| {
        let gv = at.load(g);
        let mv = at.load(m);
        let mv = mv.mul_add(gv.sub(mv), c1);
        let vv = at.load(v);
        let vv = vv.mul_add(gv.mul(gv).sub(vv), c2);
        at.put(mv, m);
        at.put(vv, v);
        let denom = if AMSGRAD {
            let vh = at.load(vhat).max(vv);
            at.put(vh, vhat);
            vh
        } else {
            vv
        };
        let mut pv = at.load(p);
        if decays {
            pv = pv.sub(pv.mul(decay));
        }
        at.put(pv.sub(alpha.mul(mv).div(denom.sqrt().add(eps))), p);
    })
}

/// m (first moment) and v (second moment) are (n); vhat (the maximum of v) is (n), or
/// null without AMSGrad.
pub unsafe fn adam_update<const CHECK: bool>(
    p: *mut f32,
    g: *const f32,
    slots: [*mut f32; 3],
    n: usize,
    h: Adam,
) -> bool {
    if slots[2].is_null() {
        adam::<CHECK, false>(p, g, slots, n, h)
    } else {
        adam::<CHECK, true>(p, g, slots, n, h)
    }
}

/// Adamax as TF.js (and Keras): m = beta1 m + (1 - beta1) g; u = max(beta2 u, |g|);
/// p -= alpha m / (u + epsilon), where the caller passes alpha = lr_t / (1 - beta1^t)
/// (TF.js's lr_t = lr / (1 + decay (t - 1))). m and u (weighted infinity norm) are (n).
pub unsafe fn adamax_update<const CHECK: bool>(
    p: *mut f32,
    g: *const f32,
    [m, u]: [*mut f32; 2],
    n: usize,
    h: Adam,
) -> bool {
    let (alpha, b1, c1, b2, eps) = (
        splat(h.alpha),
        splat(h.beta1),
        splat(1.0 - h.beta1),
        splat(h.beta2),
        splat(h.epsilon),
    );
    for_each_vector::<CHECK, 4>(n, [p, g as *mut f32, m, u], |at, [p, g, m, u]| {
        let gv = at.load(g);
        let mv = b1.mul(at.load(m)).add(c1.mul(gv));
        let uv = b2.mul(at.load(u)).max(gv.abs());
        at.put(mv, m);
        at.put(uv, u);
        at.put(at.load(p).sub(alpha.mul(mv).div(uv.add(eps))), p);
    })
}

/// Adagrad as TF.js: acc += g²; p -= lr g / sqrt(acc + epsilon). acc is (n).
pub unsafe fn adagrad_update<const CHECK: bool>(
    p: *mut f32,
    g: *const f32,
    acc: *mut f32,
    n: usize,
    lr: f32,
    epsilon: f32,
) -> bool {
    let (lr, eps) = (splat(lr), splat(epsilon));
    for_each_vector::<CHECK, 3>(n, [p, g as *mut f32, acc], |at, [p, g, acc]| {
        let gv = at.load(g);
        let av = at.load(acc).add(gv.mul(gv));
        at.put(av, acc);
        at.put(at.load(p).sub(lr.mul(gv).div(av.add(eps).sqrt())), p);
    })
}

/// Adadelta as TF.js: u = sqrt(au + epsilon) / sqrt(ag + epsilon) · g, with the
/// accumulated squared gradient ag of the previous step (Keras uses the updated one);
/// then ag = rho ag + (1 - rho) g², au = rho au + (1 - rho) u², p -= lr u.
#[derive(Clone, Copy)]
pub struct Adadelta {
    pub lr: f32,
    pub rho: f32,
    pub epsilon: f32,
}

/// ag (accumulated squared gradients) and au (accumulated squared updates) are (n).
pub unsafe fn adadelta_update<const CHECK: bool>(
    p: *mut f32,
    g: *const f32,
    [ag, au]: [*mut f32; 2],
    n: usize,
    h: Adadelta,
) -> bool {
    let (lr, rho, c, eps) = (splat(h.lr), splat(h.rho), splat(1.0 - h.rho), splat(h.epsilon));
    for_each_vector::<CHECK, 4>(n, [p, g as *mut f32, ag, au], |at, [p, g, ag, au]| {
        let gv = at.load(g);
        let agv = at.load(ag);
        let auv = at.load(au);
        let u = auv.add(eps).sqrt().div(agv.add(eps).sqrt()).mul(gv);
        at.put(rho.mul(agv).add(c.mul(gv.mul(gv))), ag);
        at.put(rho.mul(auv).add(c.mul(u.mul(u))), au);
        at.put(at.load(p).sub(lr.mul(u)), p);
    })
}

/// RMSprop as Keras: ms = rho ms + (1 - rho) g²; centered: mg = rho mg + (1 - rho) g and
/// the denominator is ms - mg² + epsilon, else ms + epsilon; inc = lr g / sqrt(denominator);
/// with momentum: mom = momentum mom + inc, p -= mom; else p -= inc.
#[derive(Clone, Copy)]
pub struct RmsProp {
    pub lr: f32,
    pub rho: f32,
    pub momentum: f32,
    pub epsilon: f32,
}

unsafe fn rmsprop<const CHECK: bool, const CENTERED: bool, const MOMENTUM: bool>(
    p: *mut f32,
    g: *const f32,
    [ms, mg, mom]: [*mut f32; 3],
    n: usize,
    h: RmsProp,
) -> bool {
    let (lr, rho, c, mo, eps) = (
        splat(h.lr),
        splat(h.rho),
        splat(1.0 - h.rho),
        splat(h.momentum),
        splat(h.epsilon),
    );
    for_each_vector::<CHECK, 5>(n, [p, g as *mut f32, ms, mg, mom], |at, [p, g, ms, mg, mom]| {
        let gv = at.load(g);
        let msv = rho.mul(at.load(ms)).add(c.mul(gv.mul(gv)));
        at.put(msv, ms);
        let denom = if CENTERED {
            let mgv = rho.mul(at.load(mg)).add(c.mul(gv));
            at.put(mgv, mg);
            msv.sub(mgv.mul(mgv)).add(eps)
        } else {
            msv.add(eps)
        };
        let inc = lr.mul(gv).div(denom.sqrt());
        let step = if MOMENTUM {
            let mv = mo.mul(at.load(mom)).add(inc);
            at.put(mv, mom);
            mv
        } else {
            inc
        };
        at.put(at.load(p).sub(step), p);
    })
}

/// ms (mean square) is (n); mg (mean gradient) is (n), or null when not centered; mom
/// (momentum) is (n), or null when momentum is 0.
pub unsafe fn rmsprop_update<const CHECK: bool>(
    p: *mut f32,
    g: *const f32,
    slots: [*mut f32; 3],
    n: usize,
    h: RmsProp,
) -> bool {
    match (!slots[1].is_null(), !slots[2].is_null()) {
        (false, false) => rmsprop::<CHECK, false, false>(p, g, slots, n, h),
        (false, true) => rmsprop::<CHECK, false, true>(p, g, slots, n, h),
        (true, false) => rmsprop::<CHECK, true, false>(p, g, slots, n, h),
        (true, true) => rmsprop::<CHECK, true, true>(p, g, slots, n, h),
    }
}
