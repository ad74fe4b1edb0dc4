//! The fused LSTM: a whole sequence forward in one call, and backpropagation through time.
//!
//! Layout as TF.js/Keras: x is (batch, time, input), the kernel W (input, 4 units), the
//! recurrent kernel R (units, 4 units), the bias (4 units), gates in the order i, f, c, o.
//!
//! Forward: the input projection of every step is one large GEMM, Z = x W + b, written
//! into `gates` (batch, time, 4 units). Each step then adds h_prev R to its slice of Z
//! (a GEMM with beta = 1 on rows strided by time) and applies the gate nonlinearities in
//! place, so that `gates` ends up holding the activated gates, which backward reads.
//! Backward walks the steps in reverse, turning `gates` into the pre-activation
//! gradients dZ, one recurrent GEMM per step for dh_prev; the weight gradients are then
//! three large GEMMs over all steps (dX = dZ W^T, dW = x^T dZ, dR = Hprev^T dZ).
//!
//! Masks (Keras semantics): where mask[b, t] is 0 the step keeps h and c unchanged and
//! outputs the carried h. Threads: the GEMMs split as gemm.rs does; the per-step
//! elementwise work splits over batch rows, each row computed the same whatever the split.

use crate::gemm::{gemm, gemm_naive, Mat};
use crate::heap::Scratch;
use crate::math;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::{for_each_vector, F32x4, Lanes};

/// The activation and recurrent activation of a cell.
/// ABI enum: RnnActivation
pub const LINEAR: u32 = 0;
pub const TANH: u32 = 1;
pub const SIGMOID: u32 = 2;
pub const HARD_SIGMOID: u32 = 3;
pub const RELU: u32 = 4;

#[inline(always)]
fn act<V: Lanes>(code: u32, x: V) -> V {
    match code {
        TANH => math::tanh(x),
        SIGMOID => math::sigmoid(x),
        // TF.js: clip(0.2 x + 0.5, 0, 1).
        HARD_SIGMOID => x
            .mul(V::splat(0.2))
            .add(V::splat(0.5))
            .max(V::zero())
            .min(V::splat(1.0)),
        RELU => x.max(V::zero()),
        LINEAR => x,
        _ => x,
    }
}

/// The derivative of `act` at the point where it output y (each of these is a function of y).
#[inline(always)]
fn act_grad_from_y<V: Lanes>(code: u32, y: V) -> V {
    let one = V::splat(1.0);
    match code {
        TANH => one.sub(y.mul(y)),
        SIGMOID => y.mul(one.sub(y)),
        HARD_SIGMOID => V::splat(0.2).and(y.gt(V::zero())).and(one.gt(y)),
        RELU => one.and(y.gt(V::zero())),
        _ => one,
    }
}

/// Sizes and options of one LSTM call.
#[derive(Clone, Copy)]
pub struct Lstm {
    pub batch: usize,
    pub time: usize,
    pub input: usize,
    pub units: usize,
    pub activation: u32,
    pub recurrent_activation: u32,
    pub go_backwards: bool,
}

impl Lstm {
    /// The time index of processing step s.
    #[inline(always)]
    fn t(&self, s: usize) -> usize {
        if self.go_backwards {
            self.time - 1 - s
        } else {
            s
        }
    }
}

/// Pointers of the forward. x (batch, time, input), w (input, 4u), r (u, 4u), bias (4u) or
/// null, h0 and c0 (batch, u), mask (batch, time) or null. Outputs: y and c_seq (batch,
/// time, u) hold h and c after each step in processing order (reversed time with
/// go_backwards, as TF.js returns the sequence); gates (batch, time, 4u) the activated gates
/// (by input time);
/// h_last and c_last (batch, u) the final states.
#[derive(Clone, Copy)]
pub struct LstmForward {
    pub x: *const f32,
    pub w: *const f32,
    pub r: *const f32,
    pub bias: *const f32,
    pub h0: *const f32,
    pub c0: *const f32,
    pub mask: *const f32,
    pub y: *mut f32,
    pub c_seq: *mut f32,
    pub gates: *mut f32,
    pub h_last: *mut f32,
    pub c_last: *mut f32,
}

/// Where the state that step s starts from lives: (h, c, row stride).
unsafe fn prev_state(p: &LstmForward, l: &Lstm, s: usize) -> (*const f32, *const f32, usize) {
    if s == 0 {
        (p.h0, p.c0, l.units)
    } else {
        let off = (s - 1) * l.units;
        (p.y.add(off), p.c_seq.add(off), l.time * l.units)
    }
}

/// One step's gates for batch row b: activates z in place (i, f, c, o blocks of u) and
/// writes h and c, or carries the state through where the mask is 0.
#[inline(always)]
unsafe fn cell_row(l: &Lstm, z: *mut f32, hp: *const f32, cp: *const f32, h: *mut f32, c: *mut f32, keep: bool) {
    let u = l.units;
    if !keep {
        core::ptr::copy_nonoverlapping(hp, h, u);
        core::ptr::copy_nonoverlapping(cp, c, u);
        return;
    }
    let (ra, a) = (l.recurrent_activation, l.activation);
    for_each_vector(0, u, |j, w| {
        let ld = |p: *const f32| F32x4::load_n(p, w, 0.0);
        let i = act(ra, ld(z.add(j)));
        let f = act(ra, ld(z.add(u + j)));
        let g = act(a, ld(z.add(2 * u + j)));
        let o = act(ra, ld(z.add(3 * u + j)));
        let cn = f.mul(ld(cp.add(j))).add(i.mul(g));
        let hn = o.mul(act(a, cn));
        i.store_n(z.add(j), w);
        f.store_n(z.add(u + j), w);
        g.store_n(z.add(2 * u + j), w);
        o.store_n(z.add(3 * u + j), w);
        cn.store_n(c.add(j), w);
        hn.store_n(h.add(j), w);
    });
}

/// Z = x W + b for every step at once.
unsafe fn input_projection(p: &LstmForward, l: &Lstm, naive: bool) {
    let (rows, g4) = (l.batch * l.time, 4 * l.units);
    let mm = if naive { gemm_naive } else { gemm };
    mm(
        rows,
        g4,
        l.input,
        1.0,
        Mat::plain(p.x, l.input),
        Mat::plain(p.w, g4),
        0.0,
        p.gates,
        g4,
    );
    if !p.bias.is_null() {
        for row in 0..rows {
            crate::simd::add_into(p.gates.add(row * g4), p.bias, g4);
        }
    }
}

pub unsafe fn lstm_forward(p: &LstmForward, l: &Lstm) {
    lstm_forward_with(p, l, false)
}

/// The naive reference: the same recurrence with plain-loop GEMMs, one thread.
pub unsafe fn lstm_forward_naive(p: &LstmForward, l: &Lstm) {
    lstm_forward_with(p, l, true)
}

unsafe fn lstm_forward_with(p: &LstmForward, l: &Lstm, naive: bool) {
    let (b, tm, u) = (l.batch, l.time, l.units);
    let g4 = 4 * u;
    input_projection(p, l, naive);
    for s in 0..tm {
        let t = l.t(s);
        let (hp, cp, hs) = prev_state(p, l, s);
        let z = p.gates.add(t * g4);
        // z[b] += h_prev[b] R, rows strided by time.
        if naive {
            gemm_naive(b, g4, u, 1.0, Mat::plain(hp, hs), Mat::plain(p.r, g4), 1.0, z, tm * g4);
        } else {
            gemm(b, g4, u, 1.0, Mat::plain(hp, hs), Mat::plain(p.r, g4), 1.0, z, tm * g4);
        }
        let (zs, hps, cps) = (SendPtr(z), SendPtr::of(hp), SendPtr::of(cp));
        let (ys, cs, ms) = (
            SendPtr(p.y.add(s * u)),
            SendPtr(p.c_seq.add(s * u)),
            SendPtr::of(p.mask),
        );
        let body = |s0: usize, e0: usize| {
            for row in s0..e0 {
                let keep = ms.get().is_null() || *ms.get().add(row * tm + t) != 0.0;
                cell_row(
                    l,
                    zs.get().add(row * tm * g4),
                    hps.get().add(row * hs),
                    cps.get().add(row * hs),
                    ys.get().add(row * tm * u),
                    cs.get().add(row * tm * u),
                    keep,
                );
            }
        };
        if naive {
            body(0, b);
        } else {
            // A row costs ~4u transcendentals: split once a share has a few thousand.
            parallel_for(b, (4096 / u.max(1)).max(1), &body);
        }
    }
    if tm > 0 {
        let last = (tm - 1) * u;
        for row in 0..b {
            core::ptr::copy_nonoverlapping(p.y.add(row * tm * u + last), p.h_last.add(row * u), u);
            core::ptr::copy_nonoverlapping(p.c_seq.add(row * tm * u + last), p.c_last.add(row * u), u);
        }
    } else {
        core::ptr::copy_nonoverlapping(p.h0, p.h_last, b * u);
        core::ptr::copy_nonoverlapping(p.c0, p.c_last, b * u);
    }
}

/// Gradients in: dy (batch, time, u) or null (only the final states are used), dh_last and
/// dc_last (batch, u) or null. Out: dx (batch, time, input) or null, dw (input, 4u), dr
/// (u, 4u), dbias (4u) or null, dh0 and dc0 (batch, u). `gates` is overwritten with dZ.
#[derive(Clone, Copy)]
pub struct LstmBackward {
    pub dy: *const f32,
    pub dh_last: *const f32,
    pub dc_last: *const f32,
    pub dx: *mut f32,
    pub dw: *mut f32,
    pub dr: *mut f32,
    pub dbias: *mut f32,
    pub dh0: *mut f32,
    pub dc0: *mut f32,
}

pub unsafe fn lstm_backward(p: &LstmForward, g: &LstmBackward, l: &Lstm) {
    let (b, tm, u, d) = (l.batch, l.time, l.units, l.input);
    let g4 = 4 * u;
    // dh, dc: the gradients flowing into the state after the current step (batch, u).
    let (dh, dc) = (g.dh0, g.dc0);
    for (dst, src) in [(dh, g.dh_last), (dc, g.dc_last)] {
        if src.is_null() {
            core::ptr::write_bytes(dst, 0, b * u);
        } else {
            core::ptr::copy_nonoverlapping(src, dst, b * u);
        }
    }
    // h before each step, in the layout of y: the operand of dR = Hprev^T dZ.
    let hprev = Scratch::new(b * tm * u);
    for s in (0..tm).rev() {
        let t = l.t(s);
        let (hp, cp, hs) = prev_state(p, l, s);
        let dz = p.gates.add(t * g4);
        let (dzs, cps, dys) = (SendPtr(dz), SendPtr::of(cp), SendPtr::of(g.dy));
        let (cs, dhs, dcs, ms) = (
            SendPtr(p.c_seq.add(s * u)),
            SendPtr(dh),
            SendPtr(dc),
            SendPtr::of(p.mask),
        );
        let (hps, hpv) = (SendPtr::of(hp), SendPtr(hprev.ptr().add(t * u)));
        let (ra, a) = (l.recurrent_activation, l.activation);
        parallel_for(b, (4096 / u.max(1)).max(1), &|s0, e0| {
            for row in s0..e0 {
                let dhr = dhs.get().add(row * u);
                let dcr = dcs.get().add(row * u);
                if !dys.get().is_null() {
                    crate::simd::add_into(dhr, dys.get().add(row * tm * u + s * u), u);
                }
                core::ptr::copy_nonoverlapping(hps.get().add(row * hs), hpv.get().add(row * tm * u), u);
                let z = dzs.get().add(row * tm * g4);
                let keep = ms.get().is_null() || *ms.get().add(row * tm + t) != 0.0;
                if !keep {
                    // The step carried the state: dh and dc pass through, no gate gradient.
                    core::ptr::write_bytes(z, 0, g4);
                    continue;
                }
                let c = cs.get().add(row * tm * u);
                let cp = cps.get().add(row * hs);
                for_each_vector(0, u, |j, w| {
                    let ld = |p: *const f32| F32x4::load_n(p, w, 0.0);
                    let (i, f, gg, o) = (
                        ld(z.add(j)),
                        ld(z.add(u + j)),
                        ld(z.add(2 * u + j)),
                        ld(z.add(3 * u + j)),
                    );
                    let (dhv, tc) = (ld(dhr.add(j)), act(a, ld(c.add(j))));
                    let dcv = ld(dcr.add(j)).add(dhv.mul(o).mul(act_grad_from_y(a, tc)));
                    let d_o = dhv.mul(tc).mul(act_grad_from_y(ra, o));
                    let d_i = dcv.mul(gg).mul(act_grad_from_y(ra, i));
                    let d_g = dcv.mul(i).mul(act_grad_from_y(a, gg));
                    let d_f = dcv.mul(ld(cp.add(j))).mul(act_grad_from_y(ra, f));
                    d_i.store_n(z.add(j), w);
                    d_f.store_n(z.add(u + j), w);
                    d_g.store_n(z.add(2 * u + j), w);
                    d_o.store_n(z.add(3 * u + j), w);
                    dcv.mul(f).store_n(dcr.add(j), w);
                });
                // dh_prev is dZ R^T, computed below for all rows; masked rows keep dh.
                core::ptr::write_bytes(dhr, 0, u);
            }
        });
        // dh_prev += dZ_t R^T (masked rows have dZ = 0 and kept dh).
        gemm(
            b,
            u,
            g4,
            1.0,
            Mat::plain(dz, tm * g4),
            Mat::transposed(p.r, g4),
            1.0,
            dh,
            u,
        );
    }
    let rows = b * tm;
    let dzm = Mat::plain(p.gates, g4);
    if !g.dx.is_null() {
        gemm(rows, d, g4, 1.0, dzm, Mat::transposed(p.w, g4), 0.0, g.dx, d);
    }
    gemm(d, g4, rows, 1.0, Mat::transposed(p.x, d), dzm, 0.0, g.dw, g4);
    gemm(u, g4, rows, 1.0, Mat::transposed(hprev.ptr(), u), dzm, 0.0, g.dr, g4);
    if !g.dbias.is_null() {
        core::ptr::write_bytes(g.dbias, 0, g4);
        for row in 0..rows {
            crate::simd::add_into(g.dbias, p.gates.add(row * g4), g4);
        }
    }
}
