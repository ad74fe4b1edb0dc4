//! Packing: copies a block of op(A) or op(B) into the layout the micro-kernel streams.
//!
//! Both operands are packed the same way: a panel of width W (MR rows of op(A), or NR
//! columns of op(B)) and depth kc becomes `dst[p * W + w]`, W floats per k step,
//! contiguous. A transposed operand only changes which of the two source strides is 1:
//! - stride 1 along the panel width (op(A) of a transposed A, op(B) of a plain B):
//!   each k step is a straight vector copy;
//! - stride 1 along k (plain A, transposed B): 4x4 blocks are loaded row-wise and
//!   transposed in registers.
//! Both are memory-bound copies of the same cost, which is why every transpose
//! combination of the GEMM runs at the same speed.

use crate::simd::{F32x4, Lanes, LANES};

/// Packs one panel. `src` element (w, p) is `src[w * w_stride + p * k_stride]`;
/// dst is (kc, W) row-major; columns `w >= w_valid` are zero-filled so that edge tiles
/// never compute on uninitialised memory (denormal garbage would be slow, not wrong).
#[inline(always)]
unsafe fn pack_panel<const W: usize>(
    dst: *mut f32,
    src: *const f32,
    w_stride: usize,
    k_stride: usize,
    kc: usize,
    w_valid: usize,
) {
    if w_valid == W && w_stride == 1 {
        for p in 0..kc {
            let s = src.add(p * k_stride);
            let d = dst.add(p * W);
            for v in 0..W / LANES {
                F32x4::load(s.add(v * LANES)).store(d.add(v * LANES));
            }
        }
    } else if w_valid == W && k_stride == 1 {
        let k4 = kc - kc % 4;
        for g in 0..W / 4 {
            let rows: [*const f32; 4] = core::array::from_fn(|r| src.add((g * 4 + r) * w_stride));
            let mut p = 0;
            while p < k4 {
                let t = F32x4::transpose4(core::array::from_fn(|r| F32x4::load(rows[r].add(p))));
                for (q, col) in t.iter().enumerate() {
                    col.store(dst.add((p + q) * W + g * 4));
                }
                p += 4;
            }
            for p in k4..kc {
                for r in 0..4 {
                    *dst.add(p * W + g * 4 + r) = *rows[r].add(p);
                }
            }
        }
    } else {
        for p in 0..kc {
            for w in 0..W {
                *dst.add(p * W + w) = if w < w_valid {
                    *src.add(w * w_stride + p * k_stride)
                } else {
                    0.0
                };
            }
        }
    }
}

/// Floats of a source row that `pack_block` copies in one pass when the source runs along
/// the panel width: 128 bytes, two whole cache lines.
pub const ROW_RUN: usize = 32;

/// Packs a block `width` wide and `kc` deep into ceil(width / W) consecutive panels of
/// kc * W floats each. `src` element (w, p) is `src[w * w_stride + p * k_stride]`.
#[inline(never)]
pub unsafe fn pack_block<const W: usize>(
    dst: *mut f32,
    src: *const f32,
    w_stride: usize,
    k_stride: usize,
    width: usize,
    kc: usize,
) {
    let mut w0 = 0;
    if w_stride == 1 {
        // The source's rows run along the width (a plain B, a transposed A): a panel takes
        // W floats from each of kc rows, k_stride apart. Packed one panel at a time, the
        // next panel wants the rest of the same cache lines, and when k_stride is a multiple
        // of 1024 floats (4 KiB) all kc lines fall in one L1 set and have been evicted by
        // then: every line came in twice (four times for W = 4). That was the power-of-two
        // dip. Copying ROW_RUN floats of each row into ROW_RUN / W panels at once reads
        // every line once, whatever the stride.
        while w0 + ROW_RUN <= width {
            for p in 0..kc {
                let s = src.add(w0 + p * k_stride);
                for g in 0..ROW_RUN / W {
                    let d = dst.add((w0 + g * W) * kc + p * W);
                    for v in 0..W / LANES {
                        F32x4::load(s.add(g * W + v * LANES)).store(d.add(v * LANES));
                    }
                }
            }
            w0 += ROW_RUN;
        }
    }
    while w0 < width {
        let w_valid = (width - w0).min(W);
        pack_panel::<W>(
            dst.add(w0 * kc),
            src.add(w0 * w_stride),
            w_stride,
            k_stride,
            kc,
            w_valid,
        );
        w0 += W;
    }
}
