//! Fused recurrent layers (LSTM, GRU, SimpleRNN): a whole sequence forward in one call, and
//! backpropagation through time in another. This file holds what the cells share; the
//! cells' step math lives in recurrent/lstm.rs, recurrent/gru.rs and recurrent/simple_rnn.rs.
//!
//! Layout as TF.js/Keras: x is (batch, time, input), the kernel W (input, G units), the
//! recurrent kernel R (units, G units), the bias (G units), G gate blocks per cell (LSTM
//! i, f, c, o; GRU z, r, h; SimpleRNN one). Keras's GRU with reset_after has a bias
//! (2, 3 units): the input bias, then the recurrent bias.
//!
//! Forward: the input projection of every step is one large GEMM, Z = x W + b, written
//! into `gates` (batch, time, G units). Each step then adds the recurrent projection of
//! h_prev to its slice of Z (GEMMs on rows strided by time) and applies the gate
//! nonlinearities in place, so that `gates` ends up holding the activated gates, which
//! backward reads. Backward walks the steps in reverse, turning `gates` into the
//! pre-activation gradients dZ with recurrent GEMMs per step for dh_prev; the weight
//! gradients are then large GEMMs over all steps (dX = dZ W^T, dW = x^T dZ, dR = Hprev^T dZ).
//!
//! Masks (Keras semantics): where mask[b, t] is 0 the step keeps the state unchanged and
//! outputs the carried h.
//!
//! Recurrent dropout (TF.js semantics): an optional `rec_mask` (batch, u), one per
//! sequence, multiplies h_prev at every step before the cell reads it (the recurrent
//! projection; the GRU also blends the dropped h_prev into h, as TF.js and Keras do; the
//! LSTM's c is not dropped). TF.js draws 4 masks for the LSTM and 3 for the GRU but uses
//! only the first, so one mask is the whole of its semantics. Forward writes the dropped
//! h_prev of a step into a scratch row block; backward rebuilds it in the Hprev buffer (the
//! operand of dR) and multiplies the step's gradient into h_prev by the same mask. Threads: the GEMMs split as gemm.rs does; the per-step
//! elementwise work splits over batch rows, each row computed the same whatever the split,
//! so results are bitwise identical for any thread count.

mod gru;
mod lstm;
mod simple_rnn;

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

/// The cell a call runs.
/// ABI enum: RnnCell
pub const CELL_LSTM: u32 = 0;
pub const CELL_GRU: u32 = 1;
pub const CELL_GRU_RESET_AFTER: u32 = 2;
pub const CELL_SIMPLE: u32 = 3;

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

/// Loads w lanes at p + j (zeros past w).
#[inline(always)]
unsafe fn ld(p: *const f32, j: usize, w: usize) -> F32x4 {
    F32x4::load_n(p.add(j), w, 0.0)
}

/// Sizes and options of one recurrent call.
#[derive(Clone, Copy)]
pub struct Rnn {
    pub batch: usize,
    pub time: usize,
    pub input: usize,
    pub units: usize,
    pub activation: u32,
    pub recurrent_activation: u32,
    pub go_backwards: bool,
    pub cell: u32,
}

impl Rnn {
    /// The time index of processing step s.
    #[inline(always)]
    fn t(&self, s: usize) -> usize {
        if self.go_backwards {
            self.time - 1 - s
        } else {
            s
        }
    }

    /// The width of a row of `gates`: G units.
    fn gate_width(&self) -> usize {
        self.units
            * match self.cell {
                CELL_LSTM => 4,
                CELL_SIMPLE => 1,
                _ => 3,
            }
    }

    /// Batch rows per thread share: a row costs ~G units transcendentals, so split once a
    /// share has a few thousand.
    fn grain(&self) -> usize {
        (4096 / self.gate_width().max(1)).max(1)
    }
}

/// Pointers of the forward. x (batch, time, input), w (input, G u), r (u, G u), bias (G u,
/// or 6u for the GRU with reset_after) or null, h0 (batch, u), c0 (batch, u) for the LSTM
/// (else null), mask (batch, time) or null. Outputs: y (batch, time, u) holds h after each
/// step in processing order (reversed time with go_backwards, as TF.js returns the
/// sequence); rec_mask (batch, u) or null, the recurrent dropout multiplier of h_prev
/// (inverted dropout: 0 or 1 / (1 - rate)); gates (batch, time, G u) the activated gates by input time; aux (batch, time,
/// u) by input time what the cell's backward needs besides (LSTM: c after the step; GRU:
/// r * h_prev; GRU with reset_after: h_prev R_h + b_rh; SimpleRNN: null); h_last and c_last
/// (batch, u) the final states (c_last null but for the LSTM).
#[derive(Clone, Copy)]
pub struct RnnForward {
    pub x: *const f32,
    pub w: *const f32,
    pub r: *const f32,
    pub bias: *const f32,
    pub h0: *const f32,
    pub c0: *const f32,
    pub mask: *const f32,
    pub rec_mask: *const f32,
    pub y: *mut f32,
    pub aux: *mut f32,
    pub gates: *mut f32,
    pub h_last: *mut f32,
    pub c_last: *mut f32,
}

/// Gradients in: dy (batch, time, u) or null (only the final states are used), dh_last and
/// dc_last (batch, u) or null. Out: dx (batch, time, input) or null, dw (input, G u), dr
/// (u, G u), dbias (like bias) or null, dh0 (batch, u) and dc0 (batch, u, LSTM only, else
/// null). `gates` (and `aux` for the GRU) are overwritten with gradients.
#[derive(Clone, Copy)]
pub struct RnnBackward {
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

// The kernels' operands are shared by the threads of parallel_for, each batch row written
// by one thread only.
unsafe impl Sync for RnnForward {}
unsafe impl Sync for RnnBackward {}
unsafe impl Sync for Step {}

/// Where one processing step reads and writes; every pointer is at batch row 0, rows
/// strided by `hs` (hp), `hcs` (hc, cp), time * G u (z) or time * u (the others).
/// `hp` is the h_prev the cell reads (dropped by the recurrent mask, if any); `hc` the
/// state itself, which a masked step carries; `cp` the LSTM's c_prev (never dropped).
#[derive(Clone, Copy)]
struct Step {
    t: usize,
    hp: *const f32,
    cp: *const f32,
    hs: usize,
    hc: *const f32,
    hcs: usize,
    z: *mut f32,
    h: *mut f32,
    aux: *mut f32,
}

impl Step {
    unsafe fn new(p: &RnnForward, l: &Rnn, s: usize) -> Step {
        let (tm, u) = (l.time, l.units);
        let t = l.t(s);
        let (hp, cp, hs) = if s == 0 {
            (p.h0, p.c0, u)
        } else {
            // h lives in y by processing step, the LSTM's c in aux by input time.
            (
                p.y.add((s - 1) * u) as *const f32,
                p.aux.wrapping_add(l.t(s - 1) * u) as *const f32,
                tm * u,
            )
        };
        let cp = if l.cell == CELL_LSTM { cp } else { core::ptr::null() };
        Step {
            t,
            hp,
            cp,
            hs,
            hc: hp,
            hcs: hs,
            z: p.gates.add(t * l.gate_width()),
            h: p.y.add(s * u),
            // wrapping: SimpleRNN has no aux (null).
            aux: p.aux.wrapping_add(t * u),
        }
    }

    /// The step reading h_prev * rec_mask, written into `dst` (batch rows strided by `dst_ld`),
    /// instead of h_prev; the carried state stays h_prev.
    unsafe fn dropped(self, p: &RnnForward, l: &Rnn, dst: *mut f32, dst_ld: usize, naive: bool) -> Step {
        let (u, src, hs) = (l.units, SendPtr::of(self.hp), self.hs);
        let (dst, m) = (SendPtr(dst), SendPtr::of(p.rec_mask));
        for_rows(naive, l, &|row| {
            let (d, h, mr) = (
                dst.get().add(row * dst_ld),
                src.get().add(row * hs),
                m.get().add(row * u),
            );
            for_each_vector(0, u, |j, w| ld(h, j, w).mul(ld(mr, j, w)).store_n(d.add(j), w));
        });
        Step {
            hp: dst.get(),
            hs: dst_ld,
            ..self
        }
    }

    /// Whether batch row `row` runs this step (else it carries its state).
    #[inline(always)]
    unsafe fn keeps(&self, p: &RnnForward, l: &Rnn, row: usize) -> bool {
        p.mask.is_null() || *p.mask.add(row * l.time + self.t) != 0.0
    }

    /// Carries the state of batch row `row` through a masked step: h (and the LSTM's c)
    /// unchanged; the GRU's aux row is zeroed so that backward's products with it stay finite.
    unsafe fn carry(&self, l: &Rnn, row: usize) {
        let u = l.units;
        core::ptr::copy_nonoverlapping(self.hc.add(row * self.hcs), self.h.add(row * l.time * u), u);
        let aux = self.aux.add(row * l.time * u);
        if !self.cp.is_null() {
            core::ptr::copy_nonoverlapping(self.cp.add(row * self.hcs), aux, u);
        } else if l.cell != CELL_SIMPLE {
            core::ptr::write_bytes(aux, 0, u);
        }
    }
}

/// C (m, n) = A B + beta C: the blocked GEMM, or the naive one for the reference.
#[inline(always)]
unsafe fn mm(naive: bool, m: usize, n: usize, k: usize, a: Mat, b: Mat, beta: f32, c: *mut f32, ldc: usize) {
    if naive {
        gemm_naive(m, n, k, 1.0, a, b, beta, c, ldc)
    } else {
        gemm(m, n, k, 1.0, a, b, beta, c, ldc)
    }
}

/// Runs body(row) for every batch row: split over the threads, or in order for the reference.
unsafe fn for_rows(naive: bool, l: &Rnn, body: &(dyn Fn(usize) + Sync)) {
    if naive {
        (0..l.batch).for_each(body);
    } else {
        parallel_for(l.batch, l.grain(), &|s0, e0| (s0..e0).for_each(body));
    }
}

/// Forward: runs body(row) for the batch rows that run step `st`; the others carry their state.
unsafe fn for_kept_rows(p: &RnnForward, l: &Rnn, st: &Step, naive: bool, body: &(dyn Fn(usize) + Sync)) {
    for_rows(naive, l, &|row| {
        if st.keeps(p, l, row) {
            body(row)
        } else {
            st.carry(l, row)
        }
    });
}

/// Backward: runs body(row) for the batch rows that ran step `st`; the others get dZ = 0
/// (and a zero gradient in the GRU's aux), so that they keep dh (and dc) as they are.
unsafe fn for_kept_rows_back(p: &RnnForward, l: &Rnn, st: &Step, body: &(dyn Fn(usize) + Sync)) {
    let (tm, u, gw) = (l.time, l.units, l.gate_width());
    let gru = l.cell == CELL_GRU || l.cell == CELL_GRU_RESET_AFTER;
    for_rows(false, l, &|row| {
        if st.keeps(p, l, row) {
            body(row)
        } else {
            core::ptr::write_bytes(st.z.add(row * tm * gw), 0, gw);
            if gru {
                core::ptr::write_bytes(st.aux.add(row * tm * u), 0, u);
            }
        }
    });
}

/// The step's z[:, col..col + n] += h_prev R[:, col..col + n].
unsafe fn add_recurrent_projection(p: &RnnForward, l: &Rnn, st: &Step, naive: bool, col: usize, n: usize) {
    let gw = l.gate_width();
    let (hp, r) = (Mat::plain(st.hp, st.hs), Mat::plain(p.r.add(col), gw));
    mm(naive, l.batch, n, l.units, hp, r, 1.0, st.z.add(col), l.time * gw)
}

/// dh_prev (batch, u) += dZ[:, col..col + k] R[:, col..col + k]^T, dZ being the step's z.
unsafe fn add_state_grad(p: &RnnForward, g: &RnnBackward, l: &Rnn, st: &Step, col: usize, k: usize) {
    let (u, gw) = (l.units, l.gate_width());
    let (dz, rt) = (
        Mat::plain(st.z.add(col), l.time * gw),
        Mat::transposed(p.r.add(col), gw),
    );
    gemm(l.batch, u, k, 1.0, dz, rt, 1.0, g.dh0, u)
}

/// Backward of the recurrent dropout: the rows that ran the step got the gradient of the
/// dropped h_prev in dh; that of h_prev is it times the mask (carried rows pass dh as is).
unsafe fn drop_state_grad(p: &RnnForward, g: &RnnBackward, l: &Rnn, st: &Step) {
    let u = l.units;
    let (dh, m) = (SendPtr(g.dh0), SendPtr::of(p.rec_mask));
    for_rows(false, l, &|row| {
        if st.keeps(p, l, row) {
            let (d, mr) = (dh.get().add(row * u), m.get().add(row * u));
            for_each_vector(0, u, |j, w| ld(d, j, w).mul(ld(mr, j, w)).store_n(d.add(j), w));
        }
    });
}

/// dst (n) = the column sums of src (rows, n) with rows strided by ld.
unsafe fn column_sums(dst: *mut f32, src: *const f32, rows: usize, n: usize, ld: usize) {
    core::ptr::write_bytes(dst, 0, n);
    for row in 0..rows {
        crate::simd::add_into(dst, src.add(row * ld), n);
    }
}

/// Z = x W + b for every step at once.
unsafe fn input_projection(p: &RnnForward, l: &Rnn, naive: bool) {
    let (rows, gw) = (l.batch * l.time, l.gate_width());
    mm(
        naive,
        rows,
        gw,
        l.input,
        Mat::plain(p.x, l.input),
        Mat::plain(p.w, gw),
        0.0,
        p.gates,
        gw,
    );
    if !p.bias.is_null() {
        for row in 0..rows {
            crate::simd::add_into(p.gates.add(row * gw), p.bias, gw);
        }
    }
}

pub unsafe fn rnn_forward(p: &RnnForward, l: &Rnn) {
    forward_with(p, l, false)
}

/// The naive reference: the same recurrence with plain-loop GEMMs, one thread.
pub unsafe fn rnn_forward_naive(p: &RnnForward, l: &Rnn) {
    forward_with(p, l, true)
}

unsafe fn forward_with(p: &RnnForward, l: &Rnn, naive: bool) {
    let (b, tm, u) = (l.batch, l.time, l.units);
    input_projection(p, l, naive);
    // The GRU with reset_after: a step's whole recurrent projection h_prev R (batch, 3u).
    let inner = Scratch::new(if l.cell == CELL_GRU_RESET_AFTER { b * 3 * u } else { 0 });
    let dropped = !p.rec_mask.is_null();
    // The step's h_prev * rec_mask (batch, u).
    let hd = Scratch::new(if dropped { b * u } else { 0 });
    for s in 0..tm {
        let mut st = Step::new(p, l, s);
        if dropped {
            st = st.dropped(p, l, hd.ptr(), u, naive);
        }
        match l.cell {
            CELL_LSTM => lstm::forward_step(p, l, &st, naive),
            CELL_GRU => gru::forward_step(p, l, &st, naive),
            CELL_GRU_RESET_AFTER => gru::forward_step_reset_after(p, l, &st, inner.ptr(), naive),
            _ => simple_rnn::forward_step(p, l, &st, naive),
        }
    }
    // The final states: h after the last step, c (LSTM) in aux at the last step's time.
    let lstm = l.cell == CELL_LSTM;
    for row in 0..b {
        let (h, c) = if tm > 0 {
            let c = p.aux.wrapping_add(row * tm * u + l.t(tm - 1) * u) as *const f32;
            (p.y.add(row * tm * u + (tm - 1) * u) as *const f32, c)
        } else {
            (p.h0.add(row * u), if lstm { p.c0.add(row * u) } else { p.c0 })
        };
        core::ptr::copy_nonoverlapping(h, p.h_last.add(row * u), u);
        if lstm {
            core::ptr::copy_nonoverlapping(c, p.c_last.add(row * u), u);
        }
    }
}

pub unsafe fn rnn_backward(p: &RnnForward, g: &RnnBackward, l: &Rnn) {
    let (b, tm, u, d) = (l.batch, l.time, l.units, l.input);
    let gw = l.gate_width();
    // dh, dc: the gradients flowing into the state after the current step (batch, u).
    for (dst, src) in [(g.dh0, g.dh_last), (g.dc0, g.dc_last)] {
        if dst.is_null() {
            continue;
        }
        if src.is_null() {
            core::ptr::write_bytes(dst, 0, b * u);
        } else {
            core::ptr::copy_nonoverlapping(src, dst, b * u);
        }
    }
    // h before each step, by input time: the operand of dR = Hprev^T dZ.
    let hprev = Scratch::new(b * tm * u);
    // The GRU: dZ_h R_h^T of a step (batch, u).
    let drh = Scratch::new(if l.cell == CELL_GRU { b * u } else { 0 });
    let dropped = !p.rec_mask.is_null();
    for s in (0..tm).rev() {
        let mut st = Step::new(p, l, s);
        for row in 0..b {
            let dh = g.dh0.add(row * u);
            if !g.dy.is_null() {
                crate::simd::add_into(dh, g.dy.add(row * tm * u + s * u), u);
            }
        }
        let hp_t = hprev.ptr().add(st.t * u);
        if dropped {
            // The cell's backward reads the h_prev it saw: h_prev * rec_mask.
            st = st.dropped(p, l, hp_t, tm * u, false);
        } else {
            for row in 0..b {
                core::ptr::copy_nonoverlapping(st.hp.add(row * st.hs), hp_t.add(row * tm * u), u);
            }
        }
        match l.cell {
            CELL_LSTM => lstm::backward_step(p, g, l, &st),
            CELL_GRU => gru::backward_step(p, g, l, &st, drh.ptr()),
            CELL_GRU_RESET_AFTER => gru::backward_step_reset_after(p, g, l, &st),
            _ => simple_rnn::backward_step(p, g, l, &st),
        }
        if dropped {
            drop_state_grad(p, g, l, &st);
        }
    }
    let rows = b * tm;
    let dzm = Mat::plain(p.gates, gw);
    if !g.dx.is_null() {
        gemm(rows, d, gw, 1.0, dzm, Mat::transposed(p.w, gw), 0.0, g.dx, d);
    }
    gemm(d, gw, rows, 1.0, Mat::transposed(p.x, d), dzm, 0.0, g.dw, gw);
    if !g.dbias.is_null() {
        column_sums(g.dbias, p.gates, rows, gw, gw);
    }
    let hp = Mat::transposed(hprev.ptr(), u);
    match l.cell {
        CELL_GRU | CELL_GRU_RESET_AFTER => gru::recurrent_grads(p, g, l, hp),
        _ => gemm(u, gw, rows, 1.0, hp, dzm, 0.0, g.dr, gw),
    }
}
