//! `where` (TF.js's Select): y = cond ? a : b elementwise, and its backward. The TS side
//! broadcasts the three to the output's shape first. cond is a bool tensor (int32 0/1,
//! read through float lanes: 1 is a nonzero subnormal); a, b and y move as bits, so the
//! same kernel serves float32, int32 and bool values.

use crate::map::{map2, map3};
use crate::simd::{F32x4, Lanes};

/// The lanes where the condition is false.
#[inline(always)]
fn is_false<V: Lanes>(c: V) -> V {
    c.eq(V::zero())
}

/// y = cond ? a : b. cond, a, b and y are (n).
pub unsafe fn select_forward(cond: *const f32, a: *const f32, b: *const f32, y: *mut f32, n: usize) {
    map3([cond, a, b], y, n, |c, a, b| F32x4::select(is_false(c), b, a));
}

/// da = cond ? dy : 0, db = cond ? 0 : dy (written). cond, dy, da and db are (n).
pub unsafe fn select_backward(cond: *const f32, dy: *const f32, da: *mut f32, db: *mut f32, n: usize) {
    map2(cond, dy, da, n, |c, g| F32x4::select(is_false(c), F32x4::zero(), g));
    map2(cond, dy, db, n, |c, g| F32x4::select(is_false(c), g, F32x4::zero()));
}

/// The naive reference of `select_forward`, one element at a time.
pub unsafe fn select_naive(cond: *const f32, a: *const f32, b: *const f32, y: *mut f32, n: usize) {
    for i in 0..n {
        *y.add(i) = f32::select(is_false(*cond.add(i)), *b.add(i), *a.add(i));
    }
}
