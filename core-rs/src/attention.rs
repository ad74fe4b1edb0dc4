//! Scaled dot-product attention, fused, forward and backward. For each (batch b, head n):
//!   S = scale Q K^T + bias        (T, S_len) scores, rows of a causal mask cut at j <= i
//!   P = softmax(S) along keys,    O = P V
//! in the layout of Keras 3's `ops.dot_product_attention`: q is (B, T, N, Dk), k is
//! (B, S, N, Dk), v is (B, S, N, Dv), o is (B, T, N, Dv). A head is a strided view
//! (row stride N Dk), so a multi-head layer's projections feed the kernel without transposes.
//!
//! Memory: the forward keeps only o and the log-sum-exp of each row of S (lse, (B, N, T)).
//! Scores live in scratch one block of ROW_BLOCK query rows at a time, and the backward
//! recomputes them: P = exp(S - lse). With D_i = Σ_c dO_ic O_ic (= Σ_j P_ij dP_ij):
//!   dV = P^T dO,  dP = dO V^T,  dS = P (dP - D),  dQ = scale dS K,  dK = scale dS^T Q.
//! The products are the tuned GEMM (`gemm.rs`, its SIMD micro-kernels), called inside a
//! work item where it runs on that item's thread; the row passes (max, exp-sum, scaling,
//! the D dot products) are `rows.rs`'s vector loops.
//!
//! The bias (an additive mask, or a boolean mask turned into 0 / -1e9 by the caller, as
//! Keras's masked softmax does) is read through strides, so any of (B, N, T, S) may be
//! broadcast (stride 0). The causal mask (Keras's: key j is seen by query i when j <= i)
//! shortens each row instead, so masked weights are exactly 0.
//!
//! The bias's gradient is dS itself (S = ... + bias): with `ds` non-null the backward writes
//! dS whole, (B, N, T, S), and the caller sums it down to the bias's broadcast shape.
//! Masked scores get no gradient, as under Keras's where-based masking (the masked logit
//! is a constant there): a masked key of a row that sees others has P = exp(-1e9 - lse) = 0,
//! so dS = 0 already; a fully masked row (every score near MASKED_SCORE, which its lse
//! shows) has its dS set to 0, so it sends nothing to dq, dk or the bias, while dv still
//! gets its uniform weights times dO, as the forward used them.
//!
//! Threads: work items are (b, n) pairs, each computed whole by one thread, whose outputs
//! (o, lse, dq, dk, dv of that head) no other item touches; the row blocks and the GEMM
//! plans depend only on the shapes. So results are the same bits for any thread count.
//!
//! `attention_naive` beside it is the direct formula in f64: the test oracle.

use crate::gemm::{gemm, Mat};
use crate::heap::Scratch;
use crate::math::{exp_nonpos, f64_ref, ln};
use crate::parallel::parallel_for;
use crate::rows;
use crate::simd::{fill, F32x4, Lanes};

/// Query rows whose scores are held at once: (ROW_BLOCK, S) floats of scratch per thread.
const ROW_BLOCK: usize = 64;
/// A row whose log-sum-exp lies below this is fully masked: every score carries the mask's
/// -1e9 (real scores never come near), and in f32 q.k is lost in its rounding (ulp 64).
const MASKED_ROW_LSE: f32 = -5e8;
/// Multiply-adds below which a share of the heads is not worth a thread. A worker that has
/// slept since its last job takes tens of microseconds to wake (more when other processes
/// hold the cores), and first pulls q, k and v across from the caller's cache; one head of
/// (T 64, S 64, Dk + Dv 64) is 2^18 multiply-adds, about 30 µs forward and 60 µs backward
/// on one SIMD thread. Measured (fwd + bwd, T 64, 4 heads, Dk 32, batch swept, 1 and 2
/// threads interleaved) on a shared 2-core machine under heavy load: at 2^18 per thread,
/// 8 heads ran 0.2-0.3x as fast on 2 threads as on 1; from 8 heads per thread the ratio
/// was 0.9-1.15 (noise-bound there: the break-even could not be pinned more finely).
const MIN_WORK_PER_THREAD: usize = 1 << 21;

/// The shapes, the mask and the scale of one attention call.
#[derive(Clone, Copy)]
pub struct Attention {
    pub batch: usize,
    /// Query rows T.
    pub t: usize,
    /// Key and value rows S.
    pub s: usize,
    pub heads: usize,
    pub key_dim: usize,
    pub value_dim: usize,
    pub causal: bool,
    pub scale: f32,
    /// Additive bias, element (b, n, i, j) at `bias[b sb + n sn + i st + j ss]`; null: none.
    pub bias: *const f32,
    pub bias_strides: [usize; 4],
}

unsafe impl Send for Attention {}
unsafe impl Sync for Attention {}

/// The tensors of a call, forward inputs and outputs, then the backward's (null in the forward).
#[derive(Clone, Copy)]
pub struct Tensors {
    pub q: *const f32,
    pub k: *const f32,
    pub v: *const f32,
    pub o: *mut f32,
    pub lse: *mut f32,
    pub d_o: *const f32,
    pub dq: *mut f32,
    pub dk: *mut f32,
    pub dv: *mut f32,
    /// dS (B, N, T, S), written when non-null: the gradient of the bias before broadcasting.
    pub ds: *mut f32,
}

unsafe impl Send for Tensors {}
unsafe impl Sync for Tensors {}

impl Attention {
    /// Reads `params` = [batch, t, s, heads, key_dim, value_dim, causal, sb, sn, st, ss].
    pub unsafe fn from_params(params: *const usize, scale: f32, bias: *const f32) -> Attention {
        let p = |i: usize| *params.add(i);
        Attention {
            batch: p(0),
            t: p(1),
            s: p(2),
            heads: p(3),
            key_dim: p(4),
            value_dim: p(5),
            causal: p(6) != 0,
            scale,
            bias,
            bias_strides: [p(7), p(8), p(9), p(10)],
        }
    }

    /// Keys query row i sees: all, or 0..=i under the causal mask.
    #[inline(always)]
    fn row_len(&self, i: usize) -> usize {
        if self.causal {
            (i + 1).min(self.s)
        } else {
            self.s
        }
    }

    /// Offsets of row `r` of head n of batch b in a (B, rows, N, dim) tensor.
    #[inline(always)]
    fn at(&self, b: usize, rows: usize, r: usize, n: usize, dim: usize) -> usize {
        ((b * rows + r) * self.heads + n) * dim
    }

    /// Runs `item(b, n, scratch)` for every head of every batch, split over threads; each
    /// share allocates its `scratch` floats once (the heap's lock is then taken twice per
    /// share, not per head: a lock holder descheduled on a busy machine stalls the others).
    unsafe fn for_each_head(&self, scratch: usize, item: &(dyn Fn(usize, usize, *mut f32) + Sync)) {
        let work = self.t * self.s * (self.key_dim + self.value_dim);
        parallel_for(
            self.batch * self.heads,
            MIN_WORK_PER_THREAD.div_ceil(work.max(1)),
            &|i0, i1| {
                let buf = Scratch::new(scratch);
                for i in i0..i1 {
                    item(i / self.heads, i % self.heads, buf.ptr())
                }
            },
        );
    }

    /// scores (i1 - i0, S) = scale Q[i0..i1] K^T + bias for head n of batch b; entries past
    /// a causal row's length are left as computed (every user reads `row_len` of them).
    unsafe fn scores(&self, x: &Tensors, b: usize, n: usize, i0: usize, i1: usize, scores: *mut f32) {
        let (s, ldq) = (self.s, self.heads * self.key_dim);
        let q = x.q.add(self.at(b, self.t, i0, n, self.key_dim));
        let k = x.k.add(self.at(b, s, 0, n, self.key_dim));
        gemm(
            i1 - i0,
            s,
            self.key_dim,
            self.scale,
            Mat::plain(q, ldq),
            Mat::transposed(k, ldq),
            0.0,
            scores,
            s,
        );
        if self.bias.is_null() {
            return;
        }
        let [sb, sn, st, ss] = self.bias_strides;
        for i in i0..i1 {
            let row = scores.add((i - i0) * s);
            let bias = self.bias.add(b * sb + n * sn + i * st);
            let len = self.row_len(i);
            if ss == 1 {
                rows::map2(row, bias, row, len, 0.0, |a, c| a.add(c));
            } else {
                for j in 0..len {
                    *row.add(j) += *bias.add(j * ss);
                }
            }
        }
    }

    /// Forward of head n of batch b: o and lse of its rows.
    unsafe fn forward_head(&self, x: &Tensors, b: usize, n: usize, scratch: *mut f32) {
        let (s, dv) = (self.s, self.value_dim);
        let ldv = self.heads * dv;
        let lse = x.lse.add((b * self.heads + n) * self.t);
        let v = x.v.add(self.at(b, s, 0, n, dv));
        let mut i0 = 0;
        while i0 < self.t {
            let i1 = (i0 + ROW_BLOCK).min(self.t);
            self.scores(x, b, n, i0, i1, scratch);
            for i in i0..i1 {
                let (row, len) = (scratch.add((i - i0) * s), self.row_len(i));
                let (m, sum) = softmax_row(row, len);
                fill(row.add(len), s - len, 0.0);
                *lse.add(i) = m + ln(sum);
            }
            // O[i0..i1] = P V
            let o = x.o.add(self.at(b, self.t, i0, n, dv));
            gemm(
                i1 - i0,
                dv,
                s,
                1.0,
                Mat::plain(scratch, s),
                Mat::plain(v, ldv),
                0.0,
                o,
                ldv,
            );
            i0 = i1;
        }
    }

    /// Backward of head n of batch b: dq, dk and dv of its rows. `scratch` is 2 blocks of scores.
    unsafe fn backward_head(&self, x: &Tensors, b: usize, n: usize, scratch: *mut f32) {
        let (s, dk_dim, dv_dim) = (self.s, self.key_dim, self.value_dim);
        let (ldk, ldv) = (self.heads * dk_dim, self.heads * dv_dim);
        let (p, ds) = (scratch, scratch.add(ROW_BLOCK.min(self.t) * s));
        let lse = x.lse.add((b * self.heads + n) * self.t);
        let (k, v) = (
            x.k.add(self.at(b, s, 0, n, dk_dim)),
            x.v.add(self.at(b, s, 0, n, dv_dim)),
        );
        let dk = x.dk.add(self.at(b, s, 0, n, dk_dim));
        let dv = x.dv.add(self.at(b, s, 0, n, dv_dim));
        let mut i0 = 0;
        while i0 < self.t {
            let i1 = (i0 + ROW_BLOCK).min(self.t);
            let rows_here = i1 - i0;
            let beta = if i0 == 0 { 0.0 } else { 1.0 };
            let q = x.q.add(self.at(b, self.t, i0, n, dk_dim));
            let d_o = x.d_o.add(self.at(b, self.t, i0, n, dv_dim));
            // P = exp(S - lse), recomputed; x - lse <= 0 but for rounding, which the min absorbs.
            // A fully masked row's lse has lost ln(sum) to rounding (-1e9 + ln S is -1e9 in
            // f32): its softmax is recomputed whole, as the forward made it.
            self.scores(x, b, n, i0, i1, p);
            for i in i0..i1 {
                let (row, len) = (p.add((i - i0) * s), self.row_len(i));
                let l = *lse.add(i);
                if l < MASKED_ROW_LSE {
                    softmax_row(row, len);
                } else {
                    let l = F32x4::splat(l);
                    rows::map(row, row, len, |e| exp_nonpos(e.sub(l).min(F32x4::zero())));
                }
                fill(row.add(len), s - len, 0.0);
            }
            // dV (+)= P^T dO;  dP = dO V^T
            gemm(
                s,
                dv_dim,
                rows_here,
                1.0,
                Mat::transposed(p, s),
                Mat::plain(d_o, ldv),
                beta,
                dv,
                ldv,
            );
            gemm(
                rows_here,
                s,
                dv_dim,
                1.0,
                Mat::plain(d_o, ldv),
                Mat::transposed(v, ldv),
                0.0,
                ds,
                s,
            );
            // dS = P (dP - D_i), D_i = dO_i . O_i; 0 on a fully masked row
            for i in i0..i1 {
                let dsrow = ds.add((i - i0) * s);
                if *lse.add(i) < MASKED_ROW_LSE {
                    fill(dsrow, s, 0.0);
                } else {
                    let off = self.at(b, self.t, i, n, dv_dim);
                    let d = F32x4::splat(rows::dot(x.d_o.add(off), x.o.add(off), dv_dim));
                    let prow = p.add((i - i0) * s);
                    rows::map2(prow, dsrow, dsrow, s, 0.0, |pv, g| pv.mul(g.sub(d)));
                }
            }
            if !x.ds.is_null() {
                let out = x.ds.add(((b * self.heads + n) * self.t + i0) * s);
                core::ptr::copy_nonoverlapping(ds, out, rows_here * s);
            }
            // dQ = scale dS K;  dK (+)= scale dS^T Q
            let dq = x.dq.add(self.at(b, self.t, i0, n, dk_dim));
            gemm(
                rows_here,
                dk_dim,
                s,
                self.scale,
                Mat::plain(ds, s),
                Mat::plain(k, ldk),
                0.0,
                dq,
                ldk,
            );
            gemm(
                s,
                dk_dim,
                rows_here,
                self.scale,
                Mat::transposed(ds, s),
                Mat::plain(q, ldk),
                beta,
                dk,
                ldk,
            );
            i0 = i1;
        }
    }
}

/// Softmax of the first `len` scores of `row` in place; returns their max and the sum of exp(x - max).
unsafe fn softmax_row(row: *mut f32, len: usize) -> (f32, f32) {
    let m = rows::max(row, len);
    let sum = rows::sum_exp(row, len, m, Some(row));
    let inv = F32x4::splat(1.0 / sum);
    rows::map(row, row, len, |e| e.mul(inv));
    (m, sum)
}

/// o (B, T, N, Dv) and lse (B, N, T) from q (B, T, N, Dk), k (B, S, N, Dk), v (B, S, N, Dv).
pub unsafe fn attention_forward(a: &Attention, x: Tensors) {
    if a.t == 0 {
        return;
    }
    let block = ROW_BLOCK.min(a.t) * a.s;
    a.for_each_head(block, &|b, n, scratch| a.forward_head(&x, b, n, scratch));
}

/// dq, dk, dv (shaped as q, k, v, written), and ds (B, N, T, S) when non-null, from d_o and
/// the forward's q, k, v, o and lse.
pub unsafe fn attention_backward(a: &Attention, x: Tensors) {
    if a.t == 0 {
        fill(x.dk, a.batch * a.s * a.heads * a.key_dim, 0.0);
        fill(x.dv, a.batch * a.s * a.heads * a.value_dim, 0.0);
        return;
    }
    let block = ROW_BLOCK.min(a.t) * a.s;
    a.for_each_head(2 * block, &|b, n, scratch| a.backward_head(&x, b, n, scratch));
}

/// The naive reference of `attention_forward`: every score, softmax and product summed in
/// f64, one head at a time. Same arguments.
pub unsafe fn attention_naive(a: &Attention, x: Tensors) {
    let mut w = alloc::vec![0.0f64; a.s];
    let [sb, sn, st, ss] = a.bias_strides;
    for b in 0..a.batch {
        for n in 0..a.heads {
            for i in 0..a.t {
                let q = x.q.add(a.at(b, a.t, i, n, a.key_dim));
                let len = a.row_len(i);
                let mut m = f64::NEG_INFINITY;
                for (j, wj) in w.iter_mut().enumerate().take(len) {
                    let k = x.k.add(a.at(b, a.s, j, n, a.key_dim));
                    let dot: f64 = (0..a.key_dim).map(|c| *q.add(c) as f64 * *k.add(c) as f64).sum();
                    // The score is rounded to f32 before the bias is added, as the kernel
                    // stores it: a masked score (-1e9) then swamps it exactly as there.
                    let bias = if a.bias.is_null() {
                        0.0
                    } else {
                        *a.bias.add(b * sb + n * sn + i * st + j * ss)
                    };
                    *wj = ((a.scale as f64 * dot) as f32 + bias) as f64;
                    m = m.max(*wj);
                }
                let mut sum = 0.0f64;
                for wj in w.iter_mut().take(len) {
                    *wj = f64_ref::exp(*wj - m);
                    sum += *wj;
                }
                let o = x.o.add(a.at(b, a.t, i, n, a.value_dim));
                for c in 0..a.value_dim {
                    let acc: f64 = (0..len)
                        .map(|j| w[j] * *x.v.add(a.at(b, a.s, j, n, a.value_dim) + c) as f64)
                        .sum();
                    *o.add(c) = (acc / sum) as f32;
                }
                *x.lse.add((b * a.heads + n) * a.t + i) = (m + f64_ref::ln(sum)) as f32;
            }
        }
    }
}
