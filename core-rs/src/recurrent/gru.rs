//! The GRU cell's step (gates z, r, h), forward and backpropagation through one step, for
//! the drivers in recurrent.rs, in its two forms:
//! - TF.js's (reset_after false): hh = act(x W_h + b_h + (r * h_prev) R_h); aux keeps
//!   r * h_prev, the operand of dR_h.
//! - Keras's reset_after: hh = act(x W_h + b_h + r * (h_prev R_h + b_rh)), with the
//!   recurrent bias b_r (3u) after the input bias; aux keeps h_prev R_h + b_rh, then in
//!   backward its gradient.
//! Both: z, r = recurrent_act(...), h = z * h_prev + (1 - z) * hh.

use super::{
    act, act_grad_from_y, add_recurrent_projection, add_state_grad, column_sums, for_kept_rows, for_kept_rows_back,
    for_rows, ld, mm, Rnn, RnnBackward, RnnForward, Step, CELL_GRU_RESET_AFTER,
};
use crate::gemm::{gemm, Mat};
use crate::parallel::SendPtr;
use crate::simd::{for_each_vector, F32x4, Lanes};

/// Loads w lanes at p + j, or zeros where p is null (no bias).
#[inline(always)]
unsafe fn ld_or_zero(p: *const f32, j: usize, w: usize) -> F32x4 {
    if p.is_null() {
        F32x4::zero()
    } else {
        ld(p, j, w)
    }
}

/// h = z h_prev + (1 - z) hh, as TF.js computes it.
#[inline(always)]
fn blend(z: F32x4, hp: F32x4, hh: F32x4) -> F32x4 {
    F32x4::splat(1.0).sub(z).mul(hh).mul_add(z, hp)
}

/// TF.js's GRU: z, r from the first recurrent GEMM; r * h_prev into aux; then hh from a
/// second GEMM of aux with R_h.
pub(super) unsafe fn forward_step(p: &RnnForward, l: &Rnn, st: &Step, naive: bool) {
    let (b, tm, u) = (l.batch, l.time, l.units);
    let (g3, (ra, a)) = (3 * u, (l.recurrent_activation, l.activation));
    add_recurrent_projection(p, l, st, naive, 0, 2 * u);
    for_kept_rows(p, l, st, naive, &|row| {
        let (z, rh, hp) = (
            st.z.add(row * tm * g3),
            st.aux.add(row * tm * u),
            st.hp.add(row * st.hs),
        );
        for_each_vector(0, u, |j, w| {
            let zv = act(ra, ld(z, j, w));
            let rv = act(ra, ld(z, u + j, w));
            zv.store_n(z.add(j), w);
            rv.store_n(z.add(u + j), w);
            rv.mul(ld(hp, j, w)).store_n(rh.add(j), w);
        });
    });
    // Masked rows have aux = 0: their hh block is left as is and not read.
    let (rh, r_h) = (Mat::plain(st.aux, tm * u), Mat::plain(p.r.add(2 * u), g3));
    mm(naive, b, u, u, rh, r_h, 1.0, st.z.add(2 * u), tm * g3);
    for_rows(naive, l, &|row| {
        if !st.keeps(p, l, row) {
            return;
        }
        let (z, h, hp) = (st.z.add(row * tm * g3), st.h.add(row * tm * u), st.hp.add(row * st.hs));
        for_each_vector(0, u, |j, w| {
            let hh = act(a, ld(z, 2 * u + j, w));
            hh.store_n(z.add(2 * u + j), w);
            blend(ld(z, j, w), ld(hp, j, w), hh).store_n(h.add(j), w);
        });
    });
}

/// Keras's reset_after GRU: one recurrent GEMM of h_prev with all of R into `inner`
/// (batch, 3u), then the gates.
pub(super) unsafe fn forward_step_reset_after(p: &RnnForward, l: &Rnn, st: &Step, inner: *mut f32, naive: bool) {
    let (b, tm, u) = (l.batch, l.time, l.units);
    let (g3, (ra, a)) = (3 * u, (l.recurrent_activation, l.activation));
    mm(
        naive,
        b,
        g3,
        u,
        Mat::plain(st.hp, st.hs),
        Mat::plain(p.r, g3),
        0.0,
        inner,
        g3,
    );
    let br = SendPtr::of(if p.bias.is_null() { p.bias } else { p.bias.add(g3) });
    let inner = SendPtr(inner);
    for_kept_rows(p, l, st, naive, &|row| {
        let (z, inr, br) = (st.z.add(row * tm * g3), inner.get().add(row * g3), br.get());
        let (h, ih, hp) = (st.h.add(row * tm * u), st.aux.add(row * tm * u), st.hp.add(row * st.hs));
        for_each_vector(0, u, |j, w| {
            let rec = |k: usize| ld(inr, k * u + j, w).add(ld_or_zero(br, k * u + j, w));
            let zv = act(ra, ld(z, j, w).add(rec(0)));
            let rv = act(ra, ld(z, u + j, w).add(rec(1)));
            let ihv = rec(2);
            let hh = act(a, ld(z, 2 * u + j, w).mul_add(rv, ihv));
            zv.store_n(z.add(j), w);
            rv.store_n(z.add(u + j), w);
            hh.store_n(z.add(2 * u + j), w);
            ihv.store_n(ih.add(j), w);
            blend(zv, ld(hp, j, w), hh).store_n(h.add(j), w);
        });
    });
}

/// The gradients of z and hh, and dh * z, the direct part of dh_prev (both forms).
#[inline(always)]
unsafe fn z_and_candidate(l: &Rnn, z: *mut f32, dh: *mut f32, hp: *const f32, j: usize, w: usize) -> (F32x4, F32x4) {
    let u = l.units;
    let (zv, hh, dhv) = (ld(z, j, w), ld(z, 2 * u + j, w), ld(dh, j, w));
    let dz = dhv
        .mul(ld(hp, j, w).sub(hh))
        .mul(act_grad_from_y(l.recurrent_activation, zv));
    let dhh = dhv
        .mul(F32x4::splat(1.0).sub(zv))
        .mul(act_grad_from_y(l.activation, hh));
    dhv.mul(zv).store_n(dh.add(j), w);
    (dz, dhh)
}

/// TF.js's GRU: dZ_z, dZ_h first; then d(r h_prev) = dZ_h R_h^T (a GEMM into `drh`, batch
/// by u) gives dZ_r and its share of dh_prev; then dh_prev += [dZ_z, dZ_r] R_zr^T.
pub(super) unsafe fn backward_step(p: &RnnForward, g: &RnnBackward, l: &Rnn, st: &Step, drh: *mut f32) {
    let (b, tm, u) = (l.batch, l.time, l.units);
    let g3 = 3 * u;
    for_kept_rows_back(p, l, st, &|row| {
        let (z, dh, hp) = (st.z.add(row * tm * g3), g.dh0.add(row * u), st.hp.add(row * st.hs));
        for_each_vector(0, u, |j, w| {
            let (dz, dhh) = z_and_candidate(l, z, dh, hp, j, w);
            dz.store_n(z.add(j), w);
            dhh.store_n(z.add(2 * u + j), w);
        });
    });
    let (dhh, r_ht) = (
        Mat::plain(st.z.add(2 * u), tm * g3),
        Mat::transposed(p.r.add(2 * u), g3),
    );
    mm(false, b, u, u, dhh, r_ht, 0.0, drh, u);
    let drh = SendPtr(drh);
    for_rows(false, l, &|row| {
        if !st.keeps(p, l, row) {
            return;
        }
        let (z, dh, hp) = (st.z.add(row * tm * g3), g.dh0.add(row * u), st.hp.add(row * st.hs));
        let d = drh.get().add(row * u);
        for_each_vector(0, u, |j, w| {
            let (rv, dv) = (ld(z, u + j, w), ld(d, j, w));
            let dr = dv.mul(ld(hp, j, w)).mul(act_grad_from_y(l.recurrent_activation, rv));
            dr.store_n(z.add(u + j), w);
            ld(dh, j, w).mul_add(dv, rv).store_n(dh.add(j), w);
        });
    });
    add_state_grad(p, g, l, st, 0, 2 * u);
}

/// Keras's reset_after GRU: the gates' gradients in one pass (aux becomes the gradient of
/// the recurrent h projection), then dh_prev += [dZ_z, dZ_r] R_zr^T + d_inner_h R_h^T.
pub(super) unsafe fn backward_step_reset_after(p: &RnnForward, g: &RnnBackward, l: &Rnn, st: &Step) {
    let (b, tm, u) = (l.batch, l.time, l.units);
    let g3 = 3 * u;
    for_kept_rows_back(p, l, st, &|row| {
        let (z, ih) = (st.z.add(row * tm * g3), st.aux.add(row * tm * u));
        let (dh, hp) = (g.dh0.add(row * u), st.hp.add(row * st.hs));
        for_each_vector(0, u, |j, w| {
            let rv = ld(z, u + j, w);
            let (dz, dhh) = z_and_candidate(l, z, dh, hp, j, w);
            let dr = dhh.mul(ld(ih, j, w)).mul(act_grad_from_y(l.recurrent_activation, rv));
            dz.store_n(z.add(j), w);
            dr.store_n(z.add(u + j), w);
            dhh.store_n(z.add(2 * u + j), w);
            dhh.mul(rv).store_n(ih.add(j), w);
        });
    });
    add_state_grad(p, g, l, st, 0, 2 * u);
    let (dih, r_ht) = (Mat::plain(st.aux, tm * u), Mat::transposed(p.r.add(2 * u), g3));
    mm(false, b, u, u, dih, r_ht, 1.0, g.dh0, u);
}

/// dR (u, 3u) over all steps, hp = Hprev^T; with reset_after also the recurrent bias.
pub(super) unsafe fn recurrent_grads(p: &RnnForward, g: &RnnBackward, l: &Rnn, hp: Mat) {
    let (rows, u) = (l.batch * l.time, l.units);
    let g3 = 3 * u;
    gemm(u, 2 * u, rows, 1.0, hp, Mat::plain(p.gates, g3), 0.0, g.dr, g3);
    let dr_h = g.dr.add(2 * u);
    if l.cell == CELL_GRU_RESET_AFTER {
        gemm(u, u, rows, 1.0, hp, Mat::plain(p.aux, u), 0.0, dr_h, g3);
        if !g.dbias.is_null() {
            // The recurrent bias of z and r gets what their input bias got.
            core::ptr::copy_nonoverlapping(g.dbias, g.dbias.add(g3), 2 * u);
            column_sums(g.dbias.add(g3 + 2 * u), p.aux, rows, u, u);
        }
    } else {
        let rh = Mat::transposed(p.aux, u);
        gemm(u, u, rows, 1.0, rh, Mat::plain(p.gates.add(2 * u), g3), 0.0, dr_h, g3);
    }
}
