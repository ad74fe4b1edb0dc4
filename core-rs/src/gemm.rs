//! SGEMM, row-major: `C = alpha * op(A) * op(B) + beta * C`, op = identity or transpose.
//!
//! The tuned kernel follows the GotoBLAS/BLIS loop nest. C is cut into NC-wide column
//! blocks; K into KC-deep slices; for each slice a KC x NC block of op(B) is packed into
//! NR-wide panels and, for each MC-tall row block, an MC x KC block of op(A) into MR-tall
//! panels; the micro-kernel (`kernel.rs`) then sweeps MR x NR tiles, the B panel staying
//! in L1 while A panels stream from L2. Transposition is absorbed by packing
//! (`pack.rs`), so NN, NT, TN and TT run the same kernel at the same speed. When a
//! thread's rows fit one MC block, the packed B block would be used once: B is then
//! packed a few panels at a time right before the kernel reads them, in L1, instead of
//! a block larger than L2 being written out and read back.
//!
//! Small problems: packing op(B) costs K*N copies against M*N*K multiply-adds, so when
//! M is small and op(B) rows are contiguous (B not transposed) the kernel reads B in
//! place; likewise op(A) is read in place when N is small. The thresholds were set by
//! measurement (bench/gemm.ts) on the shapes of a Dense layer's forward and backward.
//!
//! Determinism: every element of C is `alpha * acc + beta * C` over KC slices whose
//! boundaries depend only on K, with `acc` summed in k order from zero. Work is split
//! over fixed row or column panels (`parallel_for`), and the plan (what is packed, block
//! sizes) depends only on the problem's shape, so results never depend on the split.
//!
//! Threads each pack the whole operand along the side they do not split (both pack all of
//! B when rows are split). Measured by process CPU time (bench/gemm.ts shapes, 1024^3 to
//! 2048^3 and 512x2048·2048x10000, every layout), a 2-thread run costs 0-2 % more CPU
//! than one thread, so that duplicated packing is not where 2-thread time goes. Packing
//! each B block once for both threads (a team of threads with a barrier per block) was
//! built and measured no more efficient, and its 1-thread path 4 % slower: not kept.
//!
//! `gemm_naive` beside it is the plain triple loop: the test oracle.

mod kernel;
mod pack;

use crate::heap::Scratch;
use crate::parallel::{parallel_for, SendPtr};
use kernel::{sweep, Out, PanelA, PanelB, Update, MR, NR};

// Blocking, measured on 256^3..1024^3 (bench/gemm.ts). The kernel is compute-bound and
// insensitive to these within 2x either way on this class of machine (48 KiB L1, 1 MiB L2).
/// Depth of a K slice: an A panel (MR x KC) and a B panel (KC x NR) take 12 KiB of L1.
/// (gemv.rs sums in the same slices, so one-row products give the same bits there.)
pub(crate) const KC: usize = 256;
/// Rows of op(A) packed at once: MC x KC floats (128 KiB) stay in L2.
const MC: usize = 128;
/// Columns of op(B) packed at once: KC x NC floats (2 MiB at most).
const NC: usize = 2048;

// Small shapes. Packing op(B) costs K*N copies for M / MR uses of each panel, packing
// op(A) M*K copies for N / NR uses: when M or N is small, the kernel reads the operand
// where it lies instead. A is read one broadcast float at a time, so any layout works;
// B needs NR contiguous floats per k step, so only a B that is not transposed.
/// Up to this many rows of C, op(B) is always read in place.
const DIRECT_B_ALWAYS_M: usize = 8;
/// Up to this many rows, op(B) is read in place if a KC slice of it (in floats) is at
/// most DIRECT_B_MAX_SLICE: its strided rows then stay in L2. Larger slices (a wide B
/// whose row stride is a multiple of 4 KiB is the worst case) cost more than the copy.
const DIRECT_B_MAX_M: usize = 32;
const DIRECT_B_MAX_SLICE: usize = 1 << 16;
/// Up to this many columns of C, op(A) is read in place.
const DIRECT_A_MAX_N: usize = 32;

/// Multiply-adds below which a share of the work is not worth a thread. The dispatch
/// itself costs about a microsecond while the workers spin (parallel.rs), but in training
/// the operands sit in the calling core's cache and the other core must first fetch them.
/// Measured on the Fashion-MNIST MLP (batch 32, GEMMs of 3.2M multiply-adds; bench/step.ts
/// and the fit bench, idle machine): once workers spin between jobs long enough to stay
/// awake across a training step, splitting these GEMMs makes the step 1.7x faster on 2
/// threads (fit 1.3x); with workers asleep at each step (the old short spin) the same split
/// was 20 % slower, hence the old 2^22.
const MIN_WORK_PER_THREAD: usize = 1 << 20;

/// A matrix argument as stored: row-major at `ptr` with row stride `ld`, which the product
/// uses as it is or transposed (`trans`).
#[derive(Clone, Copy)]
pub struct Mat {
    pub ptr: *const f32,
    pub ld: usize,
    pub trans: bool,
}

// A Mat only describes memory the kernels read; the bodies of `parallel_for` may share it.
unsafe impl Send for Mat {}
unsafe impl Sync for Mat {}

impl Mat {
    pub fn new(ptr: *const f32, ld: usize, trans: bool) -> Mat {
        Mat { ptr, ld, trans }
    }
    /// Used as stored.
    pub fn plain(ptr: *const f32, ld: usize) -> Mat {
        Mat::new(ptr, ld, false)
    }
    /// Used transposed.
    pub fn transposed(ptr: *const f32, ld: usize) -> Mat {
        Mat::new(ptr, ld, true)
    }
    /// Element (i, p) of op(X), at row i and column p of what the product reads.
    #[inline(always)]
    unsafe fn at(self, i: usize, p: usize) -> f32 {
        if self.trans {
            *self.ptr.add(p * self.ld + i)
        } else {
            *self.ptr.add(i * self.ld + p)
        }
    }
}

/// A matrix operand as the GEMM sees it: element (w, p) of op(X) is
/// `ptr[w * w_stride + p * k_stride]`, w indexing rows of op(A) or columns of op(B).
#[derive(Clone, Copy)]
struct Operand {
    ptr: *const f32,
    w_stride: usize,
    k_stride: usize,
}

impl Operand {
    /// op(A), whose rows are A's rows (or columns when transposed).
    fn a(a: Mat) -> Operand {
        let (w_stride, k_stride) = if a.trans { (1, a.ld) } else { (a.ld, 1) };
        Operand {
            ptr: a.ptr,
            w_stride,
            k_stride,
        }
    }
    /// op(B), whose columns are B's columns (or rows when transposed).
    fn b(b: Mat) -> Operand {
        let (w_stride, k_stride) = if b.trans { (b.ld, 1) } else { (1, b.ld) };
        Operand {
            ptr: b.ptr,
            w_stride,
            k_stride,
        }
    }
    #[inline(always)]
    unsafe fn at(self, w: usize, p: usize) -> *const f32 {
        self.ptr.add(w * self.w_stride + p * self.k_stride)
    }
}

/// What the tuned GEMM does for one shape. It depends only on the shape, never on the
/// thread count.
#[derive(Clone, Copy)]
struct Plan {
    pack_a: bool,
    pack_b: bool,
    /// Work items are MR-row panels of C (true) or NR-column panels (false).
    split_rows: bool,
    items: usize,
    min_items: usize,
}

impl Plan {
    fn new(m: usize, n: usize, k: usize, b: Operand) -> Plan {
        // Split the longer side: a thread packs all of the operand along the other side,
        // so that operand (the one a split duplicates) is the smaller one.
        let split_rows = m >= n;
        let items = if split_rows { m.div_ceil(MR) } else { n.div_ceil(NR) };
        let item_work = if split_rows { MR * n * k } else { NR * m * k };
        Plan {
            pack_a: n > DIRECT_A_MAX_N,
            pack_b: !(b.w_stride == 1
                && (m <= DIRECT_B_ALWAYS_M || (m <= DIRECT_B_MAX_M && k.min(KC) * n <= DIRECT_B_MAX_SLICE))),
            split_rows,
            items,
            min_items: MIN_WORK_PER_THREAD.div_ceil(item_work.max(1)),
        }
    }
}

/// One product of a (possibly batched) GEMM.
#[derive(Clone, Copy)]
struct Product {
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: Operand,
    b: Operand,
    c: *mut f32,
    ldc: usize,
}

impl Product {
    /// Computes the work items `start..end` of this product (see `Plan::split_rows`).
    unsafe fn run_items(&self, plan: &Plan, start: usize, end: usize, beta: f32) {
        if plan.split_rows {
            self.run_rect(plan, start * MR, (end * MR).min(self.m), 0, self.n, beta);
        } else {
            self.run_rect(plan, 0, self.m, start * NR, (end * NR).min(self.n), beta);
        }
    }

    /// C[i0..i1, j0..j1] = alpha * op(A)[i0..i1, :] * op(B)[:, j0..j1] + beta * C[i0..i1, j0..j1].
    unsafe fn run_rect(&self, plan: &Plan, i0: usize, i1: usize, j0: usize, j1: usize, beta: f32) {
        if self.k == 0 || self.alpha == 0.0 {
            // As in BLAS, alpha = 0 reads neither A nor B.
            self.scale_rect(i0, i1, j0, j1, beta);
            return;
        }
        let kc_max = self.k.min(KC);
        let a_buf = Scratch::new(if plan.pack_a {
            (i1 - i0).min(MC).div_ceil(MR) * MR * kc_max
        } else {
            0
        });
        // A packed B block is reused by every MC block of rows. When the rows fit in one,
        // it is used once: packing the whole block (up to KC x NC floats, more than L2)
        // and reading it back would take it through L3, so B is packed a few panels at a
        // time just before they are used instead, and stays in L1 (the recurrent step of an
        // LSTM, 64 x 2048 x 512, and a Dense layer's forward on a batch).
        let b_just_in_time = plan.pack_b && i1 - i0 <= MC;
        // Without packing, B still needs room for one ragged panel.
        let b_buf = Scratch::new(if b_just_in_time {
            pack::ROW_RUN.max(NR) * kc_max
        } else if plan.pack_b {
            (j1 - j0).min(NC).div_ceil(NR) * NR * kc_max
        } else {
            NR * kc_max
        });
        let (a, b) = (self.a, self.b);
        let mut jc = j0;
        while jc < j1 {
            let nc = (j1 - jc).min(NC);
            let mut pc = 0;
            while pc < self.k {
                let kc = (self.k - pc).min(KC);
                let upd = Update {
                    alpha: self.alpha,
                    beta: if pc == 0 { beta } else { 1.0 },
                };
                let n_full = if plan.pack_b { 0 } else { nc - nc % NR };
                if b_just_in_time {
                    // Packed in the jr loop below.
                } else if plan.pack_b {
                    pack::pack_block::<NR>(b_buf.ptr(), b.at(jc, pc), b.w_stride, b.k_stride, nc, kc);
                } else if n_full < nc {
                    // Direct B reads whole panels only; the ragged last one is packed.
                    pack::pack_block::<NR>(
                        b_buf.ptr(),
                        b.at(jc + n_full, pc),
                        b.w_stride,
                        b.k_stride,
                        nc - n_full,
                        kc,
                    );
                }
                let mut ic = i0;
                while ic < i1 {
                    let mc = (i1 - ic).min(MC);
                    if plan.pack_a {
                        pack::pack_block::<MR>(a_buf.ptr(), a.at(ic, pc), a.w_stride, a.k_stride, mc, kc);
                    }
                    let packed_a = PanelA {
                        ptr: a_buf.ptr(),
                        row_stride: 1,
                        k_stride: MR,
                    };
                    let direct_a = PanelA {
                        ptr: a.at(ic, pc),
                        row_stride: a.w_stride,
                        k_stride: a.k_stride,
                    };
                    let mut jr = 0;
                    while jr < nc {
                        let nr = (nc - jr).min(NR);
                        let c = self.c.add(ic * self.ldc + jc + jr);
                        let (panel_b, b_packed) = if b_just_in_time {
                            let run = pack::ROW_RUN.max(NR);
                            if jr % run == 0 {
                                let width = (nc - jr).min(run);
                                pack::pack_block::<NR>(
                                    b_buf.ptr(),
                                    b.at(jc + jr, pc),
                                    b.w_stride,
                                    b.k_stride,
                                    width,
                                    kc,
                                );
                            }
                            (
                                PanelB {
                                    ptr: b_buf.ptr().add(jr % run * kc),
                                    k_stride: NR,
                                },
                                true,
                            )
                        } else if plan.pack_b {
                            (
                                PanelB {
                                    ptr: b_buf.ptr().add(jr * kc),
                                    k_stride: NR,
                                },
                                true,
                            )
                        } else if jr < n_full {
                            (
                                PanelB {
                                    ptr: b.at(jc + jr, pc),
                                    k_stride: b.k_stride,
                                },
                                false,
                            )
                        } else {
                            (
                                PanelB {
                                    ptr: b_buf.ptr(),
                                    k_stride: NR,
                                },
                                true,
                            )
                        };
                        let out = Out {
                            c,
                            ldc: self.ldc,
                            rows: mc,
                            cols: nr,
                            upd,
                        };
                        match (plan.pack_a, b_packed) {
                            (true, true) => sweep::<true, true>(kc, packed_a, panel_b, out),
                            (true, false) => sweep::<true, false>(kc, packed_a, panel_b, out),
                            (false, true) => sweep::<false, true>(kc, direct_a, panel_b, out),
                            (false, false) => sweep::<false, false>(kc, direct_a, panel_b, out),
                        }
                        jr += NR;
                    }
                    ic += MC;
                }
                pc += KC;
            }
            jc += NC;
        }
    }

    /// C = beta * C over a rectangle (K = 0 or alpha = 0); beta = 0 writes zeros.
    unsafe fn scale_rect(&self, i0: usize, i1: usize, j0: usize, j1: usize, beta: f32) {
        for i in i0..i1 {
            for j in j0..j1 {
                let c = self.c.add(i * self.ldc + j);
                *c = if beta == 0.0 { 0.0 } else { *c * beta };
            }
        }
    }
}

/// The tuned SGEMM: C = alpha op(A) op(B) + beta C, op(A) being (m, k), op(B) (k, n) and
/// c (m, n) with row stride ldc. beta = 0 ignores C's prior contents (even NaN); beta = 1
/// accumulates into C.
pub unsafe fn gemm(m: usize, n: usize, k: usize, alpha: f32, a: Mat, b: Mat, beta: f32, c: *mut f32, ldc: usize) {
    let one = Batch {
        count: 1,
        stride_a: 0,
        stride_b: 0,
        stride_c: 0,
    };
    gemm_batched(m, n, k, alpha, a, b, beta, c, ldc, one);
}

/// How the products of a batched GEMM are laid out: product t reads a + t stride_a and
/// b + t stride_b and writes c + t stride_c (strides in elements). A stride of 0
/// broadcasts that operand; stride_c = 0 with count > 1 sums the products into one C.
#[derive(Clone, Copy)]
pub struct Batch {
    pub count: usize,
    pub stride_a: usize,
    pub stride_b: usize,
    pub stride_c: usize,
}

/// `batch.count` GEMMs as `gemm` each. With stride_c = 0 (and count > 1) they are summed
/// into one C, in batch order: C = alpha sum_t op(A_t) op(B_t) + beta C (how the gradient
/// of a broadcast operand is reduced). Otherwise the C blocks must not overlap.
pub unsafe fn gemm_batched(
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    a: Mat,
    b: Mat,
    beta: f32,
    c: *mut f32,
    ldc: usize,
    batch: Batch,
) {
    if batch.count == 0 || m == 0 || n == 0 {
        return;
    }
    if batch.count == 1 && m == 1 && !b.trans && (!a.trans || a.ld == 1) {
        // One row of C (inference at batch 1): B streamed row by row, same bits (gemv.rs).
        return crate::gemv::gemv_forward(n, k, KC, alpha, a.ptr, b.ptr, b.ld, beta, c);
    }
    let (pa, pb, pc) = (SendPtr::of(a.ptr), SendPtr::of(b.ptr), SendPtr(c));
    let product = |t: usize| Product {
        m,
        n,
        k,
        alpha,
        a: Operand::a(Mat {
            ptr: pa.get().add(t * batch.stride_a),
            ..a
        }),
        b: Operand::b(Mat {
            ptr: pb.get().add(t * batch.stride_b),
            ..b
        }),
        c: pc.get().add(t * batch.stride_c),
        ldc,
    };
    let plan = Plan::new(m, n, k, product(0).b);
    let per = plan.items;
    if batch.stride_c == 0 && batch.count > 1 {
        parallel_for(per, plan.min_items, &|s, e| {
            for t in 0..batch.count {
                product(t).run_items(&plan, s, e, if t == 0 { beta } else { 1.0 });
            }
        });
    } else {
        parallel_for(batch.count * per, plan.min_items, &|s, e| {
            let mut i = s;
            while i < e {
                let t = i / per;
                let stop = e.min((t + 1) * per);
                product(t).run_items(&plan, i - t * per, stop - t * per, beta);
                i = stop;
            }
        });
    }
}

/// The plain triple loop (the test oracle, and the benchmark's baseline): same arguments
/// and semantics as `gemm`.
pub unsafe fn gemm_naive(m: usize, n: usize, k: usize, alpha: f32, a: Mat, b: Mat, beta: f32, c: *mut f32, ldc: usize) {
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f32;
            for p in 0..k {
                acc += a.at(i, p) * b.at(p, j);
            }
            let out = c.add(i * ldc + j);
            *out = if beta == 0.0 {
                alpha * acc
            } else {
                alpha * acc + beta * *out
            };
        }
    }
}
