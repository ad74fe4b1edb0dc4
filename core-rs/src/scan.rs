//! Running sums and products along one axis (cumsum, cumprod, with TF.js's `exclusive`
//! and `reverse`), and the product reduction (prod).
//!
//! x is seen as (outer, n, inner) around the axis. Each output column (o, j) is a chain
//! of n steps in a fixed order (forward, or backward with `reverse`), computed the same
//! way whatever thread runs it: work splits over outer rows (inner = 1) or over blocks
//! of inner columns, never along the axis, so results are the same bits for any thread
//! count. Columns are vectorised four at a time; a row (inner = 1) is a scalar chain,
//! as every step depends on the one before.
//!
//! `scan_naive` and `prod_naive` (plain loops over every (o, j)) are the test oracles.

use crate::axis::Axis;
use crate::parallel::{SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{F32x4, Lanes};

/// The `op` of `fe_scan` and `fe_prod`'s reference.
/// ABI enum: ScanOp
pub const SUM: u32 = 0;
pub const PROD: u32 = 1;

/// Columns per work item (4 vectors side by side).
const COL_BLOCK: usize = 16;

/// How a scan walks and writes its axis.
#[derive(Clone, Copy)]
pub struct Scan {
    /// Each output excludes its own element (the first output is the identity).
    pub exclusive: bool,
    /// Runs from the end of the axis to its start.
    pub reverse: bool,
}

impl Scan {
    /// From the ABI's flags: bit 0 exclusive, bit 1 reverse.
    pub fn from_flags(flags: u32) -> Scan {
        Scan {
            exclusive: flags & 1 != 0,
            reverse: flags & 2 != 0,
        }
    }
}

#[inline(always)]
fn identity<const OP: u32>() -> f32 {
    if OP == PROD {
        1.0
    } else {
        0.0
    }
}

#[inline(always)]
fn step<V: Lanes, const OP: u32>(acc: V, x: V) -> V {
    if OP == PROD {
        acc.mul(x)
    } else {
        acc.add(x)
    }
}

/// One V of columns: x and y point at element (k = 0) of n steps `stride` apart. With
/// `y = None` only the total is computed (prod); it is returned either way.
#[inline(always)]
unsafe fn scan_column<V: Lanes, const OP: u32>(
    x: *const f32,
    y: Option<*mut f32>,
    n: usize,
    stride: usize,
    s: Scan,
) -> V {
    let mut acc = V::splat(identity::<OP>());
    for i in 0..n {
        let k = if s.reverse { n - 1 - i } else { i };
        let v = V::load(x.add(k * stride));
        if let Some(y) = y {
            if s.exclusive {
                acc.store(y.add(k * stride));
                acc = step::<V, OP>(acc, v);
            } else {
                acc = step::<V, OP>(acc, v);
                acc.store(y.add(k * stride));
            }
        } else {
            acc = step::<V, OP>(acc, v);
        }
    }
    acc
}

/// Columns [j0, j1) of one (n, inner) slab: scanned into y, or (y = None) their totals
/// into `total` (one per column).
unsafe fn scan_columns<const OP: u32>(
    x: *const f32,
    y: Option<*mut f32>,
    total: *mut f32,
    n: usize,
    inner: usize,
    (j0, j1): (usize, usize),
    s: Scan,
) {
    let mut j = j0;
    while j + 4 <= j1 {
        let r = scan_column::<F32x4, OP>(x.add(j), y.map(|y| y.add(j)), n, inner, s);
        if y.is_none() {
            r.store(total.add(j));
        }
        j += 4;
    }
    while j < j1 {
        let r = scan_column::<f32, OP>(x.add(j), y.map(|y| y.add(j)), n, inner, s);
        if y.is_none() {
            *total.add(j) = r;
        }
        j += 1;
    }
}

/// Drives `scan_columns` over the whole tensor: y (outer, n, inner) for a scan, or
/// total (outer, inner) for a reduction.
unsafe fn run<const OP: u32>(x: *const f32, y: Option<*mut f32>, total: *mut f32, ax: Axis, s: Scan) {
    if ax.no_outputs() {
        return;
    }
    let (n, inner) = (ax.n, ax.inner);
    let (xs, ys, ts) = (SendPtr::of(x), y.map(SendPtr), SendPtr(total));
    ax.for_each_column_block(COL_BLOCK, MIN_ELEMS_PER_THREAD, |o, j0, j1| {
        let slab = o * n * inner;
        scan_columns::<OP>(
            xs.get().add(slab),
            ys.map(|y| y.get().add(slab)),
            ts.get().add(o * inner),
            n,
            inner,
            (j0, j1),
            s,
        );
    });
}

/// cumsum (op SUM) or cumprod (op PROD) along the middle dim: x and y are (outer, n, inner).
pub unsafe fn scan(op: u32, x: *const f32, y: *mut f32, ax: Axis, s: Scan) {
    dispatch!(op, run(x, Some(y), core::ptr::null_mut(), ax, s), [SUM, PROD])
}

/// The product over the middle dim, multiplied in axis order: x is (outer, n, inner), y is
/// (outer, inner). The product of nothing is 1.
pub unsafe fn prod(x: *const f32, y: *mut f32, ax: Axis) {
    if ax.n == 0 {
        for i in 0..ax.outer * ax.inner {
            *y.add(i) = 1.0;
        }
        return;
    }
    let forward = Scan {
        exclusive: false,
        reverse: false,
    };
    run::<PROD>(x, None, y, ax, forward)
}

/// The naive reference of `scan`: one plain loop per column.
pub unsafe fn scan_naive(op: u32, x: *const f32, y: *mut f32, ax: Axis, s: Scan) {
    let (n, inner) = (ax.n, ax.inner);
    for o in 0..ax.outer {
        for j in 0..inner {
            let mut acc = if op == PROD { 1.0f32 } else { 0.0 };
            for i in 0..n {
                let k = if s.reverse { n - 1 - i } else { i };
                let at = (o * n + k) * inner + j;
                let before = acc;
                acc = if op == PROD { acc * *x.add(at) } else { acc + *x.add(at) };
                *y.add(at) = if s.exclusive { before } else { acc };
            }
        }
    }
}

/// The naive reference of `prod`.
pub unsafe fn prod_naive(x: *const f32, y: *mut f32, ax: Axis) {
    for o in 0..ax.outer {
        for j in 0..ax.inner {
            *y.add(o * ax.inner + j) = (0..ax.n).fold(1.0f32, |acc, k| acc * *x.add((o * ax.n + k) * ax.inner + j));
        }
    }
}
