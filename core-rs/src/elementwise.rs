//! Binary elementwise ops with NumPy broadcasting (add, sub, mul, div, maximum, minimum,
//! pow, squaredDifference), their backward, and addN.
//!
//! Every case runs through one scheme. The TS side collapses the broadcast into a
//! `Space` (strided.rs) over a and b, whose innermost dim has stride 1 (read in order)
//! or 0 (one value broadcast along the row) in each input; the output is contiguous.
//! That leaves three SIMD inner loops, chosen once per call:
//!   (1, 1) same shape (rank 1 after collapsing), and row broadcast [M, N] op [N]
//!          (b's outer stride is 0: the Dense bias add);
//!   (1, 0) a tensor op a scalar (b stride 0 everywhere, a scalar may live in the
//!          caller's parameter block), and column broadcast [M, N] op [M, 1];
//!   (0, 1) the same with the operands' roles swapped.
//! Anything else (outer products, [A, 1, C] op [B, 1], ...) is one of these per row.
//!
//! Backward kernels write gradients in the output's shape (they do not accumulate);
//! the TS side sums them over broadcast dims with the reduce kernels.

use crate::math;
use crate::parallel::{parallel_for, SendPtr};
use crate::simd::F32x4;
use crate::strided::Space;

/// The `op` of `fe_binary` and `fe_binary_backward`.
/// ABI enum: BinaryOp
pub const ADD: u32 = 0;
pub const SUB: u32 = 1;
pub const MUL: u32 = 2;
pub const DIV: u32 = 3;
pub const MAXIMUM: u32 = 4;
pub const MINIMUM: u32 = 5;
pub const POW: u32 = 6;
pub const SQUARED_DIFFERENCE: u32 = 7;
/// Backward only: the gradient of pow with respect to its base alone (the exponent is a
/// constant), which spares a log per element.
pub const POW_BASE_ONLY: u32 = 8;

/// Elements per thread below which elementwise work is not split.
pub const MIN_ELEMS_PER_THREAD: usize = 1 << 15;

/// One binary op: a scalar form and a 4-lane form that agree lane for lane.
trait BinOp {
    fn s(a: f32, b: f32) -> f32;
    fn v(a: F32x4, b: F32x4) -> F32x4;
}

#[inline(always)]
fn lanes(v: F32x4) -> [f32; 4] {
    let mut out = [0.0f32; 4];
    unsafe { v.store(out.as_mut_ptr()) };
    out
}

#[inline(always)]
fn from_lanes(x: [f32; 4]) -> F32x4 {
    unsafe { F32x4::load(x.as_ptr()) }
}

struct Add;
impl BinOp for Add {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        a + b
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        a.add(b)
    }
}
struct Sub;
impl BinOp for Sub {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        a - b
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        a.sub(b)
    }
}
struct Mul;
impl BinOp for Mul {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        a * b
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        a.mul(b)
    }
}
struct Div;
impl BinOp for Div {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        a / b
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        a.div(b)
    }
}
/// maximum/minimum follow wasm's pmax/pmin in both builds: `a < b ? b : a`, so a NaN
/// in `a` propagates and a NaN in `b` does not.
struct Maximum;
impl BinOp for Maximum {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        if a < b {
            b
        } else {
            a
        }
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        a.max(b)
    }
}
struct Minimum;
impl BinOp for Minimum {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        if b < a {
            b
        } else {
            a
        }
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        a.min(b)
    }
}
/// libm powf per lane: SIMD128 has no pow, and pow is rare on hot paths.
struct Pow;
impl BinOp for Pow {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        math::pow(a, b)
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        let (a, b) = (lanes(a), lanes(b));
        from_lanes([0, 1, 2, 3].map(|i| math::pow(a[i], b[i])))
    }
}
struct SquaredDifference;
impl BinOp for SquaredDifference {
    #[inline(always)]
    fn s(a: f32, b: f32) -> f32 {
        (a - b) * (a - b)
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4) -> F32x4 {
        let d = a.sub(b);
        d.mul(d)
    }
}

/// y[i] = op(a[i·SA], b[i·SB]) for i < n; SA/SB say whether each input steps (stride 1)
/// or stays on one value (stride 0).
#[inline(always)]
unsafe fn binary_run<O: BinOp, const SA: bool, const SB: bool>(a: *const f32, b: *const f32, y: *mut f32, n: usize) {
    let (sa, sb) = (F32x4::splat(*a), F32x4::splat(*b));
    let la = |i: usize| if SA { F32x4::load(a.add(i)) } else { sa };
    let lb = |i: usize| if SB { F32x4::load(b.add(i)) } else { sb };
    let mut i = 0;
    while i + 8 <= n {
        let y0 = O::v(la(i), lb(i));
        let y1 = O::v(la(i + 4), lb(i + 4));
        y0.store(y.add(i));
        y1.store(y.add(i + 4));
        i += 8;
    }
    if i + 4 <= n {
        O::v(la(i), lb(i)).store(y.add(i));
        i += 4;
    }
    while i < n {
        *y.add(i) = O::s(*a.add(if SA { i } else { 0 }), *b.add(if SB { i } else { 0 }));
        i += 1;
    }
}

unsafe fn binary_space<O: BinOp, const SA: bool, const SB: bool>(
    a: *const f32,
    b: *const f32,
    y: *mut f32,
    sp: &Space,
) {
    let (a, b, y) = (SendPtr(a as *mut f32), SendPtr(b as *mut f32), SendPtr(y));
    sp.for_each_run(MIN_ELEMS_PER_THREAD, false, |oa, ob, flat, len| {
        binary_run::<O, SA, SB>(a.get().add(oa), b.get().add(ob), y.get().add(flat), len);
    });
}

unsafe fn binary_op<O: BinOp>(a: *const f32, b: *const f32, y: *mut f32, sp: &Space) {
    let r = sp.rank - 1;
    match (sp.s0[r], sp.s1[r]) {
        (1, 1) => binary_space::<O, true, true>(a, b, y, sp),
        (1, 0) => binary_space::<O, true, false>(a, b, y, sp),
        (0, 1) => binary_space::<O, false, true>(a, b, y, sp),
        (0, 0) => binary_space::<O, false, false>(a, b, y, sp),
        _ => panic!("binary: innermost strides must be 0 or 1"),
    }
}

/// y = op(a, b) over the broadcast space `sp` (operand 0 is a, operand 1 is b); y is
/// contiguous with the space's shape.
pub unsafe fn binary_forward(op: u32, a: *const f32, b: *const f32, y: *mut f32, sp: &Space) {
    match op {
        ADD => binary_op::<Add>(a, b, y, sp),
        SUB => binary_op::<Sub>(a, b, y, sp),
        MUL => binary_op::<Mul>(a, b, y, sp),
        DIV => binary_op::<Div>(a, b, y, sp),
        MAXIMUM => binary_op::<Maximum>(a, b, y, sp),
        MINIMUM => binary_op::<Minimum>(a, b, y, sp),
        POW => binary_op::<Pow>(a, b, y, sp),
        SQUARED_DIFFERENCE => binary_op::<SquaredDifference>(a, b, y, sp),
        _ => panic!("binary: unknown op"),
    }
}

/// The naive reference: element by element with the scalar forms.
pub unsafe fn binary_naive(op: u32, a: *const f32, b: *const f32, y: *mut f32, sp: &Space) {
    let f: fn(f32, f32) -> f32 = match op {
        ADD => Add::s,
        SUB => Sub::s,
        MUL => Mul::s,
        DIV => Div::s,
        MAXIMUM => Maximum::s,
        MINIMUM => Minimum::s,
        POW => Pow::s,
        SQUARED_DIFFERENCE => SquaredDifference::s,
        _ => panic!("binary: unknown op"),
    };
    let inner = sp.inner();
    let (sa, sb) = (sp.s0[sp.rank - 1], sp.s1[sp.rank - 1]);
    sp.walk(sp.rank - 1, 0, sp.rows(), |row, oa, ob| {
        for i in 0..inner {
            *y.add(row * inner + i) = f(*a.add(oa + i * sa), *b.add(ob + i * sb));
        }
    });
}

// ---------------------------------------------------------------------------------
// Backward: (da, db) per element from a, b, the output y and its gradient dy.

trait BinGrad {
    fn s(a: f32, b: f32, y: f32, dy: f32) -> (f32, f32);
    fn v(a: F32x4, b: F32x4, y: F32x4, dy: F32x4) -> (F32x4, F32x4);
}

/// d(a*b) = (dy·b, dy·a)
struct MulGrad;
impl BinGrad for MulGrad {
    #[inline(always)]
    fn s(a: f32, b: f32, _y: f32, dy: f32) -> (f32, f32) {
        (dy * b, dy * a)
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4, _y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        (dy.mul(b), dy.mul(a))
    }
}
/// d(a/b) = (dy/b, -dy·a/b²) = (g, -g·y) with g = dy/b: one division per element.
struct DivGrad;
impl BinGrad for DivGrad {
    #[inline(always)]
    fn s(_a: f32, b: f32, y: f32, dy: f32) -> (f32, f32) {
        let g = dy / b;
        (g, -(g * y))
    }
    #[inline(always)]
    fn v(_a: F32x4, b: F32x4, y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        let g = dy.div(b);
        (g, g.mul(y).neg())
    }
}
/// maximum: dy goes to a where a >= b, else to b (TF.js's rule: ties go to a).
struct MaximumGrad;
impl BinGrad for MaximumGrad {
    #[inline(always)]
    fn s(a: f32, b: f32, _y: f32, dy: f32) -> (f32, f32) {
        if a < b {
            (0.0, dy)
        } else {
            (dy, 0.0)
        }
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4, _y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        let to_b = a.lt(b);
        (
            F32x4::select(to_b, F32x4::zero(), dy),
            F32x4::select(to_b, dy, F32x4::zero()),
        )
    }
}
/// minimum: dy goes to a where a <= b, else to b (ties go to a).
struct MinimumGrad;
impl BinGrad for MinimumGrad {
    #[inline(always)]
    fn s(a: f32, b: f32, _y: f32, dy: f32) -> (f32, f32) {
        if a > b {
            (0.0, dy)
        } else {
            (dy, 0.0)
        }
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4, _y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        let to_b = a.gt(b);
        (
            F32x4::select(to_b, F32x4::zero(), dy),
            F32x4::select(to_b, dy, F32x4::zero()),
        )
    }
}
/// d(a^b) = (dy·b·a^(b-1), dy·y·ln a), the second taken as 0 where a <= 0 (as TF.js).
struct PowGrad;
impl BinGrad for PowGrad {
    #[inline(always)]
    fn s(a: f32, b: f32, y: f32, dy: f32) -> (f32, f32) {
        let da = dy * b * math::pow(a, b - 1.0);
        let db = if a > 0.0 { dy * y * math::ln(a) } else { 0.0 };
        (da, db)
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4, y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        let (a, b, y, dy) = (lanes(a), lanes(b), lanes(y), lanes(dy));
        let g = [0, 1, 2, 3].map(|i| Self::s(a[i], b[i], y[i], dy[i]));
        (from_lanes(g.map(|p| p.0)), from_lanes(g.map(|p| p.1)))
    }
}
struct PowBaseGrad;
impl BinGrad for PowBaseGrad {
    #[inline(always)]
    fn s(a: f32, b: f32, _y: f32, dy: f32) -> (f32, f32) {
        (dy * b * math::pow(a, b - 1.0), 0.0)
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4, _y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        let (a, b, dy) = (lanes(a), lanes(b), lanes(dy));
        (
            from_lanes([0, 1, 2, 3].map(|i| dy[i] * b[i] * math::pow(a[i], b[i] - 1.0))),
            F32x4::zero(),
        )
    }
}
/// d(a-b)² = (2(a-b)·dy, -2(a-b)·dy)
struct SquaredDifferenceGrad;
impl BinGrad for SquaredDifferenceGrad {
    #[inline(always)]
    fn s(a: f32, b: f32, _y: f32, dy: f32) -> (f32, f32) {
        let g = 2.0 * (a - b) * dy;
        (g, -g)
    }
    #[inline(always)]
    fn v(a: F32x4, b: F32x4, _y: F32x4, dy: F32x4) -> (F32x4, F32x4) {
        let g = a.sub(b).mul(dy).mul(F32x4::splat(2.0));
        (g, g.neg())
    }
}

/// Gradients of one run. `WA`/`WB` say which gradients are wanted (the other pointer
/// may be null); SA/SB as in `binary_run`. y, dy, da, db are contiguous.
#[inline(always)]
unsafe fn grad_run<G: BinGrad, const SA: bool, const SB: bool, const WA: bool, const WB: bool>(
    a: *const f32,
    b: *const f32,
    y: *const f32,
    dy: *const f32,
    da: *mut f32,
    db: *mut f32,
    n: usize,
) {
    let (sa, sb) = (F32x4::splat(*a), F32x4::splat(*b));
    let mut i = 0;
    while i + 4 <= n {
        let va = if SA { F32x4::load(a.add(i)) } else { sa };
        let vb = if SB { F32x4::load(b.add(i)) } else { sb };
        let (ga, gb) = G::v(va, vb, F32x4::load(y.add(i)), F32x4::load(dy.add(i)));
        if WA {
            ga.store(da.add(i));
        }
        if WB {
            gb.store(db.add(i));
        }
        i += 4;
    }
    while i < n {
        let (ga, gb) = G::s(
            *a.add(if SA { i } else { 0 }),
            *b.add(if SB { i } else { 0 }),
            *y.add(i),
            *dy.add(i),
        );
        if WA {
            *da.add(i) = ga;
        }
        if WB {
            *db.add(i) = gb;
        }
        i += 1;
    }
}

/// The operands of a binary backward: a, b as read by the forward, y and dy (contiguous),
/// and the outputs da, db (contiguous; null when not wanted).
pub struct GradArgs {
    pub a: SendPtr<f32>,
    pub b: SendPtr<f32>,
    pub y: SendPtr<f32>,
    pub dy: SendPtr<f32>,
    pub da: SendPtr<f32>,
    pub db: SendPtr<f32>,
}

unsafe fn grad_space<G: BinGrad, const SA: bool, const SB: bool, const WA: bool, const WB: bool>(
    g: &GradArgs,
    sp: &Space,
) {
    sp.for_each_run(MIN_ELEMS_PER_THREAD, false, |oa, ob, flat, len| {
        grad_run::<G, SA, SB, WA, WB>(
            g.a.get().add(oa),
            g.b.get().add(ob),
            g.y.get().add(flat),
            g.dy.get().add(flat),
            g.da.get().wrapping_add(flat),
            g.db.get().wrapping_add(flat),
            len,
        );
    });
}

unsafe fn grad_wants<G: BinGrad, const SA: bool, const SB: bool>(g: &GradArgs, sp: &Space) {
    match (g.da.get().is_null(), g.db.get().is_null()) {
        (false, false) => grad_space::<G, SA, SB, true, true>(g, sp),
        (false, true) => grad_space::<G, SA, SB, true, false>(g, sp),
        (true, false) => grad_space::<G, SA, SB, false, true>(g, sp),
        (true, true) => {}
    }
}

unsafe fn grad_op<G: BinGrad>(g: &GradArgs, sp: &Space) {
    let r = sp.rank - 1;
    match (sp.s0[r], sp.s1[r]) {
        (1, 1) => grad_wants::<G, true, true>(g, sp),
        (1, 0) => grad_wants::<G, true, false>(g, sp),
        (0, 1) => grad_wants::<G, false, true>(g, sp),
        (0, 0) => grad_wants::<G, false, false>(g, sp),
        _ => panic!("binary backward: innermost strides must be 0 or 1"),
    }
}

/// da, db (each contiguous in the output's shape, or null when not wanted) from a and b
/// (read through the broadcast space), y and dy. Add and sub need no kernel (their
/// gradients are dy and ±dy), so they are not accepted here.
pub unsafe fn binary_backward(op: u32, g: &GradArgs, sp: &Space) {
    match op {
        MUL => grad_op::<MulGrad>(g, sp),
        DIV => grad_op::<DivGrad>(g, sp),
        MAXIMUM => grad_op::<MaximumGrad>(g, sp),
        MINIMUM => grad_op::<MinimumGrad>(g, sp),
        POW => grad_op::<PowGrad>(g, sp),
        POW_BASE_ONLY => grad_op::<PowBaseGrad>(g, sp),
        SQUARED_DIFFERENCE => grad_op::<SquaredDifferenceGrad>(g, sp),
        _ => panic!("binary backward: unknown op"),
    }
}

/// Elementwise `y = op(a, b)` with broadcasting. `params` = [dims[rank], a_strides[rank],
/// b_strides[rank]] describes the collapsed broadcast space (innermost strides 0 or 1);
/// y is contiguous with that shape. A scalar operand is any pointer with all strides 0.
#[no_mangle]
pub unsafe extern "C" fn fe_binary(
    op: u32,
    a: *const f32,
    b: *const f32,
    y: *mut f32,
    rank: usize,
    params: *const usize,
) {
    binary_forward(op, a, b, y, &Space::from_params(rank, params));
}

/// The naive reference of `fe_binary`, same arguments: the test oracle.
#[no_mangle]
pub unsafe extern "C" fn fe_binary_naive(
    op: u32,
    a: *const f32,
    b: *const f32,
    y: *mut f32,
    rank: usize,
    params: *const usize,
) {
    binary_naive(op, a, b, y, &Space::from_params(rank, params));
}

/// Backward of `fe_binary` (op not add/sub): writes da and db (contiguous, the output's
/// shape; either may be 0 to skip it) from a, b (as in the forward), y and dy.
#[no_mangle]
pub unsafe extern "C" fn fe_binary_backward(
    op: u32,
    a: *const f32,
    b: *const f32,
    y: *const f32,
    dy: *const f32,
    da: *mut f32,
    db: *mut f32,
    rank: usize,
    params: *const usize,
) {
    let g = GradArgs {
        a: SendPtr(a as *mut f32),
        b: SendPtr(b as *mut f32),
        y: SendPtr(y as *mut f32),
        dy: SendPtr(dy as *mut f32),
        da: SendPtr(da),
        db: SendPtr(db),
    };
    binary_backward(op, &g, &Space::from_params(rank, params));
}

// ---------------------------------------------------------------------------------
// addN: the sum of k same-shape tensors, added in argument order.

/// Elements per chunk: all k inputs are added into one chunk of y while it sits in L1.
const ADD_N_CHUNK: usize = 2048;

/// y = xs[0] + xs[1] + ... + xs[k-1] (left to right, so any split gives the same bits),
/// each of n elements; `xs` holds k pointers. k >= 1.
pub unsafe fn add_n(xs: *const *const f32, k: usize, y: *mut f32, n: usize) {
    let chunks = n.div_ceil(ADD_N_CHUNK);
    let (xs, y) = (SendPtr(xs as *mut *const f32), SendPtr(y));
    let min_chunks = (MIN_ELEMS_PER_THREAD / ADD_N_CHUNK).max(1);
    parallel_for(chunks, min_chunks, &|start, end| {
        let lo = start * ADD_N_CHUNK;
        let len = (end * ADD_N_CHUNK).min(n) - lo;
        let y = y.get().add(lo);
        let x0 = (*xs.get()).add(lo);
        if k == 1 {
            core::ptr::copy_nonoverlapping(x0, y, len);
            return;
        }
        let mut c = 0;
        while c < len {
            let w = ADD_N_CHUNK.min(len - c);
            // The first two inputs initialise the chunk, the rest add into it.
            binary_run::<Add, true, true>(x0.add(c), (*xs.get().add(1)).add(lo + c), y.add(c), w);
            for j in 2..k {
                binary_run::<Add, true, true>(y.add(c), (*xs.get().add(j)).add(lo + c), y.add(c), w);
            }
            c += w;
        }
    });
}

/// addN: `ptrs` holds k pointers to n-element f32 tensors; y = their sum, in order.
#[no_mangle]
pub unsafe extern "C" fn fe_add_n(ptrs: *const *const f32, k: usize, y: *mut f32, n: usize) {
    if k > 0 {
        add_n(ptrs, k, y, n);
    }
}
