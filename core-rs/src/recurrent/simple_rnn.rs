//! The SimpleRNN cell's step, h = act(x W + b + h_prev R): forward and backpropagation
//! through one step, for the drivers in recurrent.rs.

use super::{
    act, act_grad_from_y, add_recurrent_projection, add_state_grad, for_kept_rows, for_kept_rows_back, ld, Rnn,
    RnnBackward, RnnForward, Step,
};
use crate::simd::{for_each_vector, Lanes};

/// z += h_prev R, then h = act(z), kept in z too (backward reads it there).
pub(super) unsafe fn forward_step(p: &RnnForward, l: &Rnn, st: &Step, naive: bool) {
    let (tm, u) = (l.time, l.units);
    add_recurrent_projection(p, l, st, naive, 0, u);
    for_kept_rows(p, l, st, naive, &|row| {
        let (z, h) = (st.z.add(row * tm * u), st.h.add(row * tm * u));
        for_each_vector(0, u, |j, w| {
            let y = act(l.activation, ld(z, j, w));
            y.store_n(z.add(j), w);
            y.store_n(h.add(j), w);
        });
    });
}

/// dZ = dh act'(z); dh_prev = dZ R^T (masked rows have dZ = 0 and keep dh).
pub(super) unsafe fn backward_step(p: &RnnForward, g: &RnnBackward, l: &Rnn, st: &Step) {
    let (tm, u) = (l.time, l.units);
    for_kept_rows_back(p, l, st, &|row| {
        let z = st.z.add(row * tm * u);
        let dh = g.dh0.add(row * u);
        for_each_vector(0, u, |j, w| {
            ld(dh, j, w)
                .mul(act_grad_from_y(l.activation, ld(z, j, w)))
                .store_n(z.add(j), w);
        });
        core::ptr::write_bytes(dh, 0, u);
    });
    add_state_grad(p, g, l, st, 0, u);
}
