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

/// Parameters below which a share of an update is not worth a thread. Each element costs a
/// division and a square root besides its five streams, and the break-even table
/// (`bench/threads.ts`, split forced) measured Adam paying on 2 threads from 2^12..2^16
/// elements across runs: the update splits from 2^16, so the Fashion-MNIST MLP's
/// 100k-weight kernel is shared and its biases are not.
const GRAIN: usize = 1 << 15;

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// The `pass` of the `fe_*_update` exports: what an update kernel does with its arrays.
/// ABI enum: UpdatePass
/// Stores the new values (after copying the old ones to `backup`, when given) and says
/// whether every new value is finite.
pub const COMMIT: u32 = 0;
/// Computes the new values and stores nothing: says whether every one would be finite.
pub const CHECK: u32 = 1;
/// Copies the old values a COMMIT saved in `backup` back: undoes that update.
pub const RESTORE: u32 = 2;

/// Where a committing pass saves the values it overwrites, so that the update can be
/// undone (`RESTORE`) when it turns out not to be finite: one pass instead of a checking
/// pass and a committing one. `ptr` holds, one after the other, (n) floats for each array
/// the kernel writes (every array but the gradient, the absent slots left out), in the
/// kernel's order; null saves nothing.
#[derive(Clone, Copy)]
pub struct Backup {
    pub ptr: *mut f32,
    pub restore: bool,
}

impl Backup {
    pub const NONE: Backup = Backup {
        ptr: core::ptr::null_mut(),
        restore: false,
    };

    /// The saved copy of each array, in the order of `arrays` (null for the gradient,
    /// arrays[1], which no kernel writes, for absent slots, and when nothing is saved).
    fn places<const K: usize>(self, arrays: [*mut f32; K], n: usize) -> [*mut f32; K] {
        let mut next = self.ptr;
        core::array::from_fn(|k| {
            if self.ptr.is_null() || k == 1 || arrays[k].is_null() {
                return core::ptr::null_mut();
            }
            let at = next;
            next = unsafe { next.add(n) };
            at
        })
    }
}

/// Calls `f(at, arrays)` for every vector of 0..n, split over threads: `at.load(q)` reads
/// that vector of any of the (n) `arrays` and `at.put(v, q)` gives its new value.
/// arrays[1] is the gradient, which no kernel writes; a null array is an absent slot.
///
/// With CHECK the pass changes nothing: `put` only notes whether every new value is finite,
/// and the result says whether all were (the caller then commits with a second pass, so a
/// step that would make a weight or a slot NaN or ±Infinity can be refused before anything
/// changed). Without CHECK, `put` stores and the result says whether every stored value is
/// finite; with a `backup`, the old values of each vector are copied there before `f`
/// runs, so the caller can undo the pass (`backup.restore`: copy them back, and nothing
/// else) when the result is false: one pass for the common, finite case. The checking pass
/// writes nothing but reads every array a second time and redoes the arithmetic.
#[inline(always)]
fn for_each_vector<const CHECK: bool, const K: usize>(
    n: usize,
    arrays: [*mut f32; K],
    backup: Backup,
    f: impl Fn(&mut At<CHECK>, [*mut f32; K]) + Sync,
) -> bool {
    let saved = backup.places(arrays, n).map(SendPtr);
    if backup.restore {
        let shared = arrays.map(SendPtr);
        split_vectors(n, GRAIN, |start, end| {
            for k in 0..K {
                let (to, from) = (shared[k].get(), saved[k].get());
                if !from.is_null() {
                    unsafe { core::ptr::copy_nonoverlapping(from.add(start), to.add(start), end - start) };
                }
            }
        });
        return true;
    }
    let shared = arrays.map(SendPtr);
    let saving = !CHECK && !backup.ptr.is_null();
    let all_finite = AtomicBool::new(true);
    split_vectors(n, GRAIN, |start, end| {
        // Plain locals, not reads through the closure: the loop then keeps them in registers.
        let arrays = shared.map(SendPtr::get);
        let mut at = At::<CHECK> {
            i: 0,
            w: 0,
            probe: F32x4::zero(),
        };
        let saved = saved.map(SendPtr::get);
        // One loop calling `f` once, so that it is inlined (two loops, one saving and one
        // not, left `f` a call per vector); `saving` is the same for every vector.
        simd::for_each_vector(start, end, |i, w| {
            if saving {
                for k in 0..K {
                    if !saved[k].is_null() {
                        unsafe { F32x4::load_n(arrays[k].add(i), w, 0.0).store_n(saved[k].add(i), w) };
                    }
                }
            }
            (at.i, at.w) = (i, w);
            f(&mut at, arrays)
        });
        // probe is a sum of 0 · value: 0 while every value is finite, NaN from the first that is not.
        if !at.probe.sum().is_finite() {
            all_finite.store(false, Ordering::Relaxed);
        }
    });
    all_finite.load(Ordering::Relaxed)
}

/// One vector of the arrays: elements i..i + w, and the finiteness probe of the pass.
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
    /// Gives the new value of a vector of the slot `q` (a moment, an accumulator),
    /// subnormals flushed to 0 (`flush_subnormal`): the slots of a weight whose gradient
    /// stays 0 decay geometrically, and Adam over the Fashion-MNIST MLP with 8 % of its
    /// first moments in the subnormal range (after 900 steps) cost 1.7 times one without.
    /// The parameter itself only decays through weight decay, far too slowly to matter:
    /// `put_param` stores it as computed.
    #[inline(always)]
    unsafe fn put(&mut self, v: F32x4, q: *mut f32) {
        // A checking pass stores nothing, and the flush keeps NaN and infinities as they are.
        self.store(if CHECK { v } else { v.flush_subnormal() }, q)
    }
    #[inline(always)]
    unsafe fn put_param(&mut self, v: F32x4, q: *mut f32) {
        self.store(v, q)
    }
    #[inline(always)]
    unsafe fn store(&mut self, v: F32x4, q: *mut f32) {
        if !CHECK {
            v.store_n(q.add(self.i), self.w)
        }
        if self.w == simd::LANES {
            self.probe = self.probe.add(v.mul(F32x4::zero()));
        } else {
            // The lanes past w hold values computed from zeros (0/0 with epsilon 0): left out.
            self.probe = self.probe.add(F32x4::splat(v.mul(F32x4::zero()).sum_first(self.w)));
        }
    }
}

/// SGD: p -= lr g. Every kernel here returns whether its pass found (CHECK) or left every
/// new value finite (`for_each_vector`).
pub unsafe fn sgd_update<const CHECK: bool>(p: *mut f32, g: *const f32, n: usize, lr: f32, backup: Backup) -> bool {
    let lr = splat(lr);
    for_each_vector::<CHECK, 2>(n, [p, g as *mut f32], backup, |at, [p, g]| {
        at.put_param(at.load(p).sub(lr.mul(at.load(g))), p)
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
    backup: Backup,
) -> bool {
    let (lr, m) = (splat(h.lr), splat(h.momentum));
    for_each_vector::<CHECK, 3>(n, [p, g as *mut f32, a], backup, |at, [p, g, a]| {
        let gv = at.load(g);
        let av = gv.mul_add(m, at.load(a));
        at.put(av, a);
        let step = if h.nesterov { gv.mul_add(m, av) } else { av };
        at.put_param(at.load(p).sub(lr.mul(step)), p);
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
    backup: Backup,
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
    for_each_vector::<CHECK, 5>(n, [p, g as *mut f32, m, v, vhat], backup, |at, [p, g, m, v, vhat]| {
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
        at.put_param(pv.sub(alpha.mul(mv).div(denom.sqrt().add(eps))), p);
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
    backup: Backup,
) -> bool {
    if slots[2].is_null() {
        adam::<CHECK, false>(p, g, slots, n, h, backup)
    } else {
        adam::<CHECK, true>(p, g, slots, n, h, backup)
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
    backup: Backup,
) -> bool {
    let (alpha, b1, c1, b2, eps) = (
        splat(h.alpha),
        splat(h.beta1),
        splat(1.0 - h.beta1),
        splat(h.beta2),
        splat(h.epsilon),
    );
    for_each_vector::<CHECK, 4>(n, [p, g as *mut f32, m, u], backup, |at, [p, g, m, u]| {
        let gv = at.load(g);
        let mv = b1.mul(at.load(m)).add(c1.mul(gv));
        let uv = b2.mul(at.load(u)).max(gv.abs());
        at.put(mv, m);
        at.put(uv, u);
        at.put_param(at.load(p).sub(alpha.mul(mv).div(uv.add(eps))), p);
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
    backup: Backup,
) -> bool {
    let (lr, eps) = (splat(lr), splat(epsilon));
    for_each_vector::<CHECK, 3>(n, [p, g as *mut f32, acc], backup, |at, [p, g, acc]| {
        let gv = at.load(g);
        let av = at.load(acc).add(gv.mul(gv));
        at.put(av, acc);
        at.put_param(at.load(p).sub(lr.mul(gv).div(av.add(eps).sqrt())), p);
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
    backup: Backup,
) -> bool {
    let (lr, rho, c, eps) = (splat(h.lr), splat(h.rho), splat(1.0 - h.rho), splat(h.epsilon));
    for_each_vector::<CHECK, 4>(n, [p, g as *mut f32, ag, au], backup, |at, [p, g, ag, au]| {
        let gv = at.load(g);
        let agv = at.load(ag);
        let auv = at.load(au);
        let u = auv.add(eps).sqrt().div(agv.add(eps).sqrt()).mul(gv);
        at.put(rho.mul(agv).add(c.mul(gv.mul(gv))), ag);
        at.put(rho.mul(auv).add(c.mul(u.mul(u))), au);
        at.put_param(at.load(p).sub(lr.mul(u)), p);
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
    backup: Backup,
) -> bool {
    let (lr, rho, c, mo, eps) = (
        splat(h.lr),
        splat(h.rho),
        splat(1.0 - h.rho),
        splat(h.momentum),
        splat(h.epsilon),
    );
    for_each_vector::<CHECK, 5>(n, [p, g as *mut f32, ms, mg, mom], backup, |at, [p, g, ms, mg, mom]| {
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
        at.put_param(at.load(p).sub(step), p);
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
    backup: Backup,
) -> bool {
    match (!slots[1].is_null(), !slots[2].is_null()) {
        (false, false) => rmsprop::<CHECK, false, false>(p, g, slots, n, h, backup),
        (false, true) => rmsprop::<CHECK, false, true>(p, g, slots, n, h, backup),
        (true, false) => rmsprop::<CHECK, true, false>(p, g, slots, n, h, backup),
        (true, true) => rmsprop::<CHECK, true, true>(p, g, slots, n, h, backup),
    }
}
