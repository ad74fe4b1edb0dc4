//! The register-blocked micro-kernel: MR x NR tiles of C from a panel of op(A) and a
//! panel of op(B), and the alpha/beta update that writes them.
//!
//! The tile is 4 rows x 8 columns: 8 vector accumulators (two per row), two vectors of B
//! and the four broadcasts of A per k step fit the 16 xmm registers V8 allocates on x64;
//! a step compiles to 6 loads, 8 multiplies and 8 adds (SIMD128 has no fused
//! multiply-add; the relaxed builds fuse them into 8 `f32x4.relaxed_madd`). Taller tiles (5x8, 6x8) spill and were measured 1.4-2x slower
//! (toolchain.md), and so was unrolling the k loop by 2 or 4 here: V8 then runs out of
//! registers as well.
//!
//! With 16 FP operations per k step against four FP pipes, the loop is also close to
//! front-end bound: every load must carry its constant offset in its own immediate
//! (`v128.load32_splat offset=12`), which V8 folds into the x64 addressing mode. LLVM's
//! loop strength reduction used to rewrite the pointer walks into separate `i32.add`s
//! (an extra x64 `lea` per load: ~30 instructions per step in V8's code, ~27 without):
//! the build passes `-disable-lsr` (scripts/build-wasm.mjs). Unrolling by 2 with the offsets folded was
//! re-measured then: still about 1.5x slower (33 against 54 GFLOP/s at 256^3).
//!
//! Every multiply-add of the kernel goes through `madd` below, the SIMD vocabulary's
//! `mul_add`: fused (`f32x4.relaxed_madd`) in the relaxed builds, a multiply then an add
//! elsewhere.
//!
//! Every lane computes `acc = ((a0*b0 + a1*b1) + a2*b2) + ...` in k order, starting
//! from zero, whatever tile, variant or build it runs in: that is what makes results
//! independent of how the work was split (and bitwise equal on the scalar build).

use crate::simd::{F32x4, Lanes, LANES};

/// Rows of a tile (rows of op(A) per packed panel).
pub const MR: usize = 4;
/// Columns of a tile (columns of op(B) per packed panel).
pub const NR: usize = 8;
const NV: usize = NR / LANES;

/// Where the kernel reads its A panel from.
///
/// Packed: `a[p * MR + i]` (what `pack::pack_panel` writes). Direct: straight from the
/// caller's matrix, `a[i * row_stride + p * k_stride]`; A values are broadcast one at a
/// time, so any strides work and no copy is needed.
#[derive(Clone, Copy)]
pub struct PanelA {
    pub ptr: *const f32,
    pub row_stride: usize,
    pub k_stride: usize,
}

impl PanelA {
    /// The panel of rows ir.. (ir a multiple of MR) of the block this panel starts.
    /// Packed blocks hold MR x kc panels back to back.
    #[inline(always)]
    unsafe fn rows_from<const A_PACKED: bool>(self, ir: usize, kc: usize) -> PanelA {
        let offset = if A_PACKED { ir * kc } else { ir * self.row_stride };
        PanelA {
            ptr: self.ptr.add(offset),
            ..self
        }
    }
}

/// Where the kernel reads its B panel from: `b[p * k_stride + j]`, NR contiguous floats
/// per step (k_stride = NR when packed, ldb when read directly from a row-major op(B)).
#[derive(Clone, Copy)]
pub struct PanelB {
    pub ptr: *const f32,
    pub k_stride: usize,
}

/// How a finished tile is combined with C: `C = alpha * acc + beta * C`, where
/// beta = 0 means C's prior contents are ignored (even NaN).
#[derive(Clone, Copy)]
pub struct Update {
    pub alpha: f32,
    pub beta: f32,
}

impl Update {
    #[inline(always)]
    fn apply_v(self, acc: F32x4, c: *mut f32) {
        unsafe {
            let scaled = if self.alpha == 1.0 {
                acc
            } else {
                acc.mul(F32x4::splat(self.alpha))
            };
            let out = if self.beta == 0.0 {
                scaled
            } else if self.beta == 1.0 {
                F32x4::load(c).add(scaled)
            } else {
                F32x4::load(c).mul(F32x4::splat(self.beta)).add(scaled)
            };
            out.store(c);
        }
    }

    /// The same arithmetic as `apply_v`, one element (edge tiles).
    #[inline(always)]
    fn apply(self, acc: f32, c: *mut f32) {
        unsafe {
            let scaled = if self.alpha == 1.0 { acc } else { acc * self.alpha };
            *c = if self.beta == 0.0 {
                scaled
            } else if self.beta == 1.0 {
                *c + scaled
            } else {
                *c * self.beta + scaled
            };
        }
    }
}

/// Where a block of C goes: the valid `rows x cols` corner at c (row stride ldc),
/// combined with C's prior contents by `upd`.
#[derive(Clone, Copy)]
pub struct Out {
    pub c: *mut f32,
    pub ldc: usize,
    pub rows: usize,
    pub cols: usize,
    pub upd: Update,
}

impl Out {
    /// The block `rows` rows further down, with that many rows.
    #[inline(always)]
    unsafe fn down(self, by: usize, rows: usize) -> Out {
        Out {
            c: self.c.add(by * self.ldc),
            rows,
            ..self
        }
    }
}

/// acc + a * b (rounded twice, or fused in the relaxed builds): the kernel's one
/// multiply-add.
#[inline(always)]
fn madd(acc: F32x4, a: F32x4, b: F32x4) -> F32x4 {
    acc.mul_add(a, b)
}

/// acc[i][v] = sum over p < kc of op(A)[i][p] * op(B)[p][4v..4v+4], for R <= MR rows
/// and V <= NR / 4 vectors of columns. Packed panels keep their full MR / NR strides.
/// Direct A rows past `mr` repeat row mr - 1 rather than read outside the matrix; their
/// results are discarded.
#[inline(always)]
unsafe fn accumulate<const R: usize, const V: usize, const A_PACKED: bool, const B_PACKED: bool>(
    kc: usize,
    a: PanelA,
    mr: usize,
    b: PanelB,
) -> [[F32x4; V]; R] {
    let mut acc = [[F32x4::zero(); V]; R];
    let mut bp = b.ptr;
    let b_step = if B_PACKED { NR } else { b.k_stride };
    if A_PACKED {
        let mut ap = a.ptr;
        for _ in 0..kc {
            let bv: [F32x4; V] = core::array::from_fn(|v| F32x4::load(bp.add(v * LANES)));
            for (i, row) in acc.iter_mut().enumerate() {
                let ai = F32x4::splat(*ap.add(i));
                for v in 0..V {
                    row[v] = madd(row[v], ai, bv[v]);
                }
            }
            ap = ap.add(MR);
            bp = bp.add(b_step);
        }
        return acc;
    }
    let mut rows: [*const f32; R] = core::array::from_fn(|i| a.ptr.add(i.min(mr - 1) * a.row_stride));
    for _ in 0..kc {
        let bv: [F32x4; V] = core::array::from_fn(|v| F32x4::load(bp.add(v * LANES)));
        for (i, row) in acc.iter_mut().enumerate() {
            let ai = F32x4::splat(*rows[i]);
            for v in 0..V {
                row[v] = madd(row[v], ai, bv[v]);
            }
            rows[i] = rows[i].add(a.k_stride);
        }
        bp = bp.add(b_step);
    }
    acc
}

/// One R x 4V tile: accumulates, then writes its valid `rows x cols` corner of C at c (row
/// stride ldc) with `upd`. Full tiles store vectors; edge tiles go through a buffer. (It is
/// out of line and called once per edge tile: it takes the fields of an `Out` one by one,
/// which wasm passes as values rather than through memory.)
#[inline(never)]
unsafe fn tile_rv<const R: usize, const V: usize, const A_PACKED: bool, const B_PACKED: bool>(
    kc: usize,
    a: PanelA,
    b: PanelB,
    c: *mut f32,
    ldc: usize,
    rows: usize,
    cols: usize,
    upd: Update,
) {
    let acc = accumulate::<R, V, A_PACKED, B_PACKED>(kc, a, rows, b);
    if rows == R && cols == V * LANES {
        let out = Out {
            c,
            ldc,
            rows,
            cols,
            upd,
        };
        store_full(&acc, out);
    } else {
        let mut tmp = [0.0f32; MR * NR];
        for (i, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                x.store(tmp.as_mut_ptr().add(i * NR + v * LANES));
            }
        }
        store_edge(&tmp, c, ldc, rows, cols, upd);
    }
}

/// Writes a whole tile into C.
#[inline(always)]
unsafe fn store_full<const R: usize, const V: usize>(acc: &[[F32x4; V]; R], out: Out) {
    for (i, row) in acc.iter().enumerate() {
        for (v, x) in row.iter().enumerate() {
            out.upd.apply_v(*x, out.c.add(i * out.ldc + v * LANES));
        }
    }
}

/// Writes the `rows x cols` corner of a tile buffer (row stride NR) into C at c (row stride
/// ldc). Shared by every kernel variant: edge tiles are rare enough that one copy of this
/// loop is plenty.
#[inline(never)]
unsafe fn store_edge(tmp: &[f32; MR * NR], c: *mut f32, ldc: usize, rows: usize, cols: usize, upd: Update) {
    for i in 0..rows {
        for j in 0..cols {
            upd.apply(tmp[i * NR + j], c.add(i * ldc + j));
        }
    }
}

/// Computes one column panel of C for one kc slice: the `out.rows x out.cols` block (cols
/// <= NR) from the A block (rows 0..out.rows, see `PanelA`) and one B panel. Full tiles run
/// inline here, so a small kc (a weight gradient's K is the batch size) pays one call
/// per panel, not per tile.
#[inline(never)]
pub unsafe fn sweep<const A_PACKED: bool, const B_PACKED: bool>(kc: usize, a: PanelA, b: PanelB, out: Out) {
    let mut ir = 0;
    if out.cols == NR {
        while ir + MR <= out.rows {
            let acc = accumulate::<MR, NV, A_PACKED, B_PACKED>(kc, a.rows_from::<A_PACKED>(ir, kc), MR, b);
            store_full(&acc, out.down(ir, MR));
            ir += MR;
        }
    }
    while ir < out.rows {
        let mr = (out.rows - ir).min(MR);
        tile::<A_PACKED, B_PACKED>(kc, a.rows_from::<A_PACKED>(ir, kc), b, out.down(ir, mr));
        ir += MR;
    }
}

/// Computes the `out.rows x out.cols` tile from an A panel and a B panel over kc steps.
/// Edge tiles run a kernel of their own height (1 to 3 rows: a single row of C, a batch
/// of one, costs a quarter of a full tile) or half width (cols <= 4); direct B panels are
/// always full width.
#[inline(always)]
unsafe fn tile<const A_PACKED: bool, const B_PACKED: bool>(kc: usize, a: PanelA, b: PanelB, out: Out) {
    let Out {
        c,
        ldc,
        rows,
        cols,
        upd,
    } = out;
    if B_PACKED && cols <= LANES {
        tile_rv::<MR, 1, A_PACKED, B_PACKED>(kc, a, b, c, ldc, rows, cols, upd)
    } else {
        match rows {
            1 => tile_rv::<1, NV, A_PACKED, B_PACKED>(kc, a, b, c, ldc, rows, cols, upd),
            2 => tile_rv::<2, NV, A_PACKED, B_PACKED>(kc, a, b, c, ldc, rows, cols, upd),
            3 => tile_rv::<3, NV, A_PACKED, B_PACKED>(kc, a, b, c, ldc, rows, cols, upd),
            _ => tile_rv::<MR, NV, A_PACKED, B_PACKED>(kc, a, b, c, ldc, rows, cols, upd),
        }
    }
}
