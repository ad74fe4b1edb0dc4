//! The LSTM cell's step (gates i, f, c, o; the cell state c lives in aux): forward and
//! backpropagation through one step, for the drivers in recurrent.rs.

use super::{
    act, act_grad_from_y, add_recurrent_projection, add_state_grad, for_kept_rows, for_kept_rows_back, ld, Rnn,
    RnnBackward, RnnForward, Step,
};
use crate::simd::{for_each_vector, Lanes};

/// z += h_prev R, then the gates activated in place (i, f, c, o blocks of u), h and c written.
pub(super) unsafe fn forward_step(p: &RnnForward, l: &Rnn, st: &Step, naive: bool) {
    let (tm, u) = (l.time, l.units);
    let g4 = 4 * u;
    add_recurrent_projection(p, l, st, naive, 0, g4);
    let (ra, a) = (l.recurrent_activation, l.activation);
    for_kept_rows(p, l, st, naive, &|row| {
        let z = st.z.add(row * tm * g4);
        let cp = st.cp.add(row * st.hcs);
        let (h, c) = (st.h.add(row * tm * u), st.aux.add(row * tm * u));
        for_each_vector(0, u, |j, w| {
            let i = act(ra, ld(z, j, w));
            let f = act(ra, ld(z, u + j, w));
            let g = act(a, ld(z, 2 * u + j, w));
            let o = act(ra, ld(z, 3 * u + j, w));
            let cn = f.mul(ld(cp, j, w)).mul_add(i, g);
            i.store_n(z.add(j), w);
            f.store_n(z.add(u + j), w);
            g.store_n(z.add(2 * u + j), w);
            o.store_n(z.add(3 * u + j), w);
            cn.store_n(c.add(j), w);
            o.mul(act(a, cn)).store_n(h.add(j), w);
        });
    });
}

/// The step's gates become dZ; dc becomes dc_prev, dh becomes dh_prev = dZ R^T (masked rows
/// have dZ = 0 and keep dh and dc).
pub(super) unsafe fn backward_step(p: &RnnForward, g: &RnnBackward, l: &Rnn, st: &Step) {
    let (tm, u) = (l.time, l.units);
    let g4 = 4 * u;
    let (ra, a) = (l.recurrent_activation, l.activation);
    for_kept_rows_back(p, l, st, &|row| {
        let z = st.z.add(row * tm * g4);
        let (dh, dc) = (g.dh0.add(row * u), g.dc0.add(row * u));
        let (c, cp) = (st.aux.add(row * tm * u), st.cp.add(row * st.hcs));
        for_each_vector(0, u, |j, w| {
            let (i, f, gg, o) = (ld(z, j, w), ld(z, u + j, w), ld(z, 2 * u + j, w), ld(z, 3 * u + j, w));
            let (dhv, tc) = (ld(dh, j, w), act(a, ld(c, j, w)));
            let dcv = ld(dc, j, w).mul_add(dhv.mul(o), act_grad_from_y(a, tc));
            dcv.mul(gg).mul(act_grad_from_y(ra, i)).store_n(z.add(j), w);
            dcv.mul(ld(cp, j, w))
                .mul(act_grad_from_y(ra, f))
                .store_n(z.add(u + j), w);
            dcv.mul(i).mul(act_grad_from_y(a, gg)).store_n(z.add(2 * u + j), w);
            dhv.mul(tc).mul(act_grad_from_y(ra, o)).store_n(z.add(3 * u + j), w);
            dcv.mul(f).store_n(dc.add(j), w);
        });
        core::ptr::write_bytes(dh, 0, u);
    });
    add_state_grad(p, g, l, st, 0, g4);
}
