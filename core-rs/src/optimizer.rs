//! Optimizer updates: one fused in-place pass over a parameter, its gradient and its
//! slot buffers (moments, accumulators), so a step reads and writes each array once.
//!
//! The update rules are Keras' (TF.js's for momentum; the two agree for a constant
//! learning rate). The reference implementations the tests compare against, step by
//! step, are in `test/optimizers.test.ts`.
//!
//! Every kernel is elementwise: element i's new values depend only on element i, so the
//! work splits over threads anywhere.

use crate::activation::{load_partial, store_partial};
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{F32x4, LANES};

/// Parameters below which a share of an update is not worth a thread: the update is
/// memory-bound and the parameters were last touched by the calling core, so a small
/// split mostly moves cache lines (splitting P1's 100k-weight kernel slowed its step).
const GRAIN: usize = 1 << 18;

#[inline(always)]
fn splat(x: f32) -> F32x4 {
    F32x4::splat(x)
}

/// Loads `w` (4, or 1..3 at the end) floats.
#[inline(always)]
unsafe fn ld(p: *const f32, w: usize) -> F32x4 {
    if w == LANES {
        F32x4::load(p)
    } else {
        load_partial(p, w, 0.0)
    }
}
#[inline(always)]
unsafe fn st(v: F32x4, p: *mut f32, w: usize) {
    if w == LANES {
        v.store(p)
    } else {
        store_partial(v, p, w)
    }
}

/// Calls `f(i, w)` for every vector of 0..n (w = 4, and the last 1..3), split over threads.
#[inline(always)]
fn for_each_vector(n: usize, f: impl Fn(usize, usize) + Sync) {
    parallel_for(n, GRAIN, &|start, end| {
        let mut i = start;
        while i + LANES <= end {
            f(i, LANES);
            i += LANES;
        }
        if i < end {
            f(i, end - i);
        }
    });
}

/// SGD: p -= lr g. p (param) and g (gradient) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_sgd_update(p: *mut f32, g: *const f32, n: usize, lr: f32) {
    let (ps, gs) = (SendPtr(p), SendPtr(g as *mut f32));
    let lr = splat(lr);
    for_each_vector(n, |i, w| {
        let (p, g) = (ps.get().add(i), gs.get().add(i));
        st(ld(p, w).sub(lr.mul(ld(g, w))), p, w);
    })
}

/// Momentum (TF.js's MomentumOptimizer; Keras SGD(momentum) for a constant rate):
/// a = momentum a + g; p -= lr (g + momentum a) with Nesterov, else p -= lr a.
/// p, g and a (accumulation) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_momentum_update(
    p: *mut f32,
    g: *const f32,
    a: *mut f32,
    n: usize,
    lr: f32,
    momentum: f32,
    nesterov: u32,
) {
    let (ps, gs, accs) = (SendPtr(p), SendPtr(g as *mut f32), SendPtr(a));
    let (lr, m) = (splat(lr), splat(momentum));
    let nesterov = nesterov != 0;
    for_each_vector(n, |i, w| {
        let (p, g, a) = (ps.get().add(i), gs.get().add(i), accs.get().add(i));
        let gv = ld(g, w);
        let av = m.mul(ld(a, w)).add(gv);
        st(av, a, w);
        let step = if nesterov { gv.add(m.mul(av)) } else { av };
        st(ld(p, w).sub(lr.mul(step)), p, w);
    })
}

/// Adam as Keras: m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2);
/// p -= alpha m / (sqrt(v) + epsilon), where the caller passes the bias-corrected step
/// alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t) (computed in double precision).
/// p, g, m (first moment), v (second moment) are (n).
#[no_mangle]
pub unsafe extern "C" fn fe_adam_update(
    p: *mut f32,
    g: *const f32,
    m: *mut f32,
    v: *mut f32,
    n: usize,
    alpha: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
) {
    let (ps, gs, ms, vs) = (SendPtr(p), SendPtr(g as *mut f32), SendPtr(m), SendPtr(v));
    let (alpha, c1, c2, eps) = (splat(alpha), splat(1.0 - beta1), splat(1.0 - beta2), splat(epsilon));
    for_each_vector(n, |i, w| {
        let (p, g, m, v) = (ps.get().add(i), gs.get().add(i), ms.get().add(i), vs.get().add(i));
        let gv = ld(g, w);
        let mv = ld(m, w);
        let mv = mv.add(gv.sub(mv).mul(c1));
        let vv = ld(v, w);
        let vv = vv.add(gv.mul(gv).sub(vv).mul(c2));
        st(mv, m, w);
        st(vv, v, w);
        st(ld(p, w).sub(alpha.mul(mv).div(vv.sqrt().add(eps))), p, w);
    })
}

/// RMSprop as Keras: ms = rho ms + (1 - rho) g²; centered: mg = rho mg + (1 - rho) g and
/// the denominator is ms - mg² + epsilon, else ms + epsilon; inc = lr g / sqrt(denominator);
/// with momentum: mom = momentum mom + inc, p -= mom; else p -= inc.
unsafe fn rmsprop<const CENTERED: bool, const MOMENTUM: bool>(
    p: *mut f32,
    g: *const f32,
    ms: *mut f32,
    mg: *mut f32,
    mom: *mut f32,
    n: usize,
    lr: f32,
    rho: f32,
    momentum: f32,
    epsilon: f32,
) {
    let (ps, gs, mss, mgs, moms) = (
        SendPtr(p),
        SendPtr(g as *mut f32),
        SendPtr(ms),
        SendPtr(mg),
        SendPtr(mom),
    );
    let (lr, rho_v, c, mo, eps) = (splat(lr), splat(rho), splat(1.0 - rho), splat(momentum), splat(epsilon));
    for_each_vector(n, |i, w| {
        let (p, g, ms) = (ps.get().add(i), gs.get().add(i), mss.get().add(i));
        let gv = ld(g, w);
        let msv = rho_v.mul(ld(ms, w)).add(c.mul(gv.mul(gv)));
        st(msv, ms, w);
        let denom = if CENTERED {
            let mg = mgs.get().add(i);
            let mgv = rho_v.mul(ld(mg, w)).add(c.mul(gv));
            st(mgv, mg, w);
            msv.sub(mgv.mul(mgv)).add(eps)
        } else {
            msv.add(eps)
        };
        let inc = lr.mul(gv).div(denom.sqrt());
        let step = if MOMENTUM {
            let mom = moms.get().add(i);
            let mv = mo.mul(ld(mom, w)).add(inc);
            st(mv, mom, w);
            mv
        } else {
            inc
        };
        st(ld(p, w).sub(step), p, w);
    })
}

/// p, g, ms (mean square) are (n); mg (mean gradient) is (n) or null when not centered;
/// mom (momentum) is (n) or null when momentum is 0.
#[no_mangle]
pub unsafe extern "C" fn fe_rmsprop_update(
    p: *mut f32,
    g: *const f32,
    ms: *mut f32,
    mg: *mut f32,
    mom: *mut f32,
    n: usize,
    lr: f32,
    rho: f32,
    momentum: f32,
    epsilon: f32,
) {
    match (!mg.is_null(), !mom.is_null()) {
        (false, false) => rmsprop::<false, false>(p, g, ms, mg, mom, n, lr, rho, momentum, epsilon),
        (false, true) => rmsprop::<false, true>(p, g, ms, mg, mom, n, lr, rho, momentum, epsilon),
        (true, false) => rmsprop::<true, false>(p, g, ms, mg, mom, n, lr, rho, momentum, epsilon),
        (true, true) => rmsprop::<true, true>(p, g, ms, mg, mom, n, lr, rho, momentum, epsilon),
    }
}
