//! Binary elementwise ops with NumPy broadcasting (add, sub, mul, div, maximum, minimum,
//! pow, squaredDifference, atan2, mod, floorDiv, the comparisons and the logic ops), their
//! backward, and addN.
//!
//! The comparisons and logic ops write a bool tensor's int32 0/1 (`BOOL_TRUE`); the
//! logic ops read their bool operands as stored (0 or the bits of 1).
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
//! Each op is one formula over [`Lanes`] (`forward`, `backward`): the `F32x4` form runs in
//! the inner loops, the `f32` form on their last 1..3 elements and in the naive reference,
//! so the two agree bit for bit. Backward kernels write gradients in the output's shape
//! (they do not accumulate); the TS side sums them over broadcast dims with the reduce
//! kernels.

use crate::math;
use crate::parallel::{parallel_for, SendPtr, MIN_ELEMS_PER_THREAD};
use crate::simd::{F32x4, Lanes, BOOL_TRUE};
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
pub const ATAN2: u32 = 9;
pub const MOD: u32 = 10;
pub const FLOOR_DIV: u32 = 11;
pub const EQUAL: u32 = 12;
pub const NOT_EQUAL: u32 = 13;
pub const GREATER: u32 = 14;
pub const GREATER_EQUAL: u32 = 15;
pub const LESS: u32 = 16;
pub const LESS_EQUAL: u32 = 17;
pub const LOGICAL_AND: u32 = 18;
pub const LOGICAL_OR: u32 = 19;
pub const LOGICAL_XOR: u32 = 20;

/// A mask as a bool tensor's 0/1.
#[inline(always)]
fn to_bool<V: Lanes>(mask: V) -> V {
    mask.and(V::splat(BOOL_TRUE))
}

/// The mask of lanes where `m1` or `m2` is set.
#[inline(always)]
fn either<V: Lanes>(m1: V, m2: V) -> V {
    V::select(m1, m1, m2)
}

/// y = op(a, b).
#[inline(always)]
fn forward<V: Lanes>(op: u32, a: V, b: V) -> V {
    match op {
        ADD => a.add(b),
        SUB => a.sub(b),
        MUL => a.mul(b),
        DIV => a.div(b),
        // NaN in either gives NaN, as TF.js (pmax alone would drop a NaN in b).
        MAXIMUM => V::select(b.eq(b), a.max(b), b),
        MINIMUM => V::select(b.eq(b), a.min(b), b),
        // libm's powf lane by lane: SIMD128 has no pow, and pow is rare on hot paths.
        POW => a.zip(b, math::pow),
        SQUARED_DIFFERENCE => {
            let d = a.sub(b);
            d.mul(d)
        }
        ATAN2 => math::atan2(a, b),
        // lane by lane in float64, as TF.js (no vector remainder; rare ops)
        MOD => a.zip(b, math::modulo),
        FLOOR_DIV => a.zip(b, math::floor_div),
        EQUAL => to_bool(a.eq(b)),
        NOT_EQUAL => V::select(a.eq(b), V::zero(), V::splat(BOOL_TRUE)),
        GREATER => to_bool(a.gt(b)),
        GREATER_EQUAL => to_bool(either(a.gt(b), a.eq(b))),
        LESS => to_bool(a.lt(b)),
        LESS_EQUAL => to_bool(either(a.lt(b), a.eq(b))),
        // On bool storage: 0 or the bits of 1.
        LOGICAL_AND => a.and(b),
        LOGICAL_OR => V::select(a.eq(V::zero()), b, a),
        LOGICAL_XOR => V::select(a.eq(b), V::zero(), V::splat(BOOL_TRUE)),
        _ => panic!("binary: unknown op"),
    }
}

/// (da, db) from a, b, the forward output y and its gradient dy. Add and sub need no
/// kernel (their gradients are dy and ±dy).
#[inline(always)]
fn backward<V: Lanes>(op: u32, a: V, b: V, y: V, dy: V) -> (V, V) {
    // dy where `to_b` is false for a, where it is true for b.
    let route = |to_b: V| (V::select(to_b, V::zero(), dy), V::select(to_b, dy, V::zero()));
    // d(a^b)/da = b a^(b - 1)
    let pow_base = || dy.mul(b).mul(a.zip(b, |a, b| math::pow(a, b - 1.0)));
    match op {
        MUL => (dy.mul(b), dy.mul(a)),
        // d(a/b) = (dy/b, -dy a/b²) = (g, -g y) with g = dy/b: one division per element.
        DIV => {
            let g = dy.div(b);
            (g, g.mul(y).neg())
        }
        // maximum: dy goes to a where a >= b, else to b (TF.js's rule: ties go to a).
        MAXIMUM => route(a.lt(b)),
        // minimum: dy goes to a where a <= b, else to b (ties go to a).
        MINIMUM => route(a.gt(b)),
        // d(a^b)/db = y ln a, taken as 0 where a <= 0 (as TF.js).
        POW => (
            pow_base(),
            V::select(a.gt(V::zero()), dy.mul(y).mul(math::ln(a)), V::zero()),
        ),
        POW_BASE_ONLY => (pow_base(), V::zero()),
        // d atan2(a, b) = (dy b, -dy a) / (a² + b²)
        ATAN2 => {
            let g = dy.div(a.mul(a).add(b.mul(b)));
            (g.mul(b), g.mul(a).neg())
        }
        // d mod(a, b) = (dy, -dy floor(a / b)), as TF.js
        MOD => (dy, dy.mul(a.div(b).floor()).neg()),
        // d(a - b)² = (2(a - b) dy, -2(a - b) dy)
        SQUARED_DIFFERENCE => {
            let g = a.sub(b).mul(dy).mul(V::splat(2.0));
            (g, g.neg())
        }
        _ => panic!("binary backward: unknown op"),
    }
}

/// One inner loop of a binary kernel: a run of `len` elements at operand offsets oa, ob
/// and output offset `flat`. SA / SB say whether a / b step along the run (stride 1) or
/// stay on one value (stride 0).
trait Run: Sync {
    unsafe fn run<const SA: bool, const SB: bool>(&self, oa: usize, ob: usize, flat: usize, len: usize);
}

/// Runs `k` over the broadcast space, with the innermost strides (0 or 1) as constants.
unsafe fn run_space<K: Run>(k: &K, sp: &Space) {
    let r = sp.rank - 1;
    let grain = MIN_ELEMS_PER_THREAD;
    match (sp.s0[r], sp.s1[r]) {
        (1, 1) => sp.for_each_run(grain, false, |oa, ob, flat, len| k.run::<true, true>(oa, ob, flat, len)),
        (1, 0) => sp.for_each_run(grain, false, |oa, ob, flat, len| {
            k.run::<true, false>(oa, ob, flat, len)
        }),
        (0, 1) => sp.for_each_run(grain, false, |oa, ob, flat, len| {
            k.run::<false, true>(oa, ob, flat, len)
        }),
        (0, 0) => sp.for_each_run(grain, false, |oa, ob, flat, len| {
            k.run::<false, false>(oa, ob, flat, len)
        }),
        _ => panic!("binary: innermost strides must be 0 or 1"),
    }
}

/// y[i] = op(a[i·SA], b[i·SB]) for i < n.
#[inline(always)]
unsafe fn forward_run<const OP: u32, const SA: bool, const SB: bool>(
    a: *const f32,
    b: *const f32,
    y: *mut f32,
    n: usize,
) {
    let (sa, sb) = (F32x4::splat(*a), F32x4::splat(*b));
    let la = |i: usize| if SA { F32x4::load(a.add(i)) } else { sa };
    let lb = |i: usize| if SB { F32x4::load(b.add(i)) } else { sb };
    let mut i = 0;
    while i + 8 <= n {
        let y0 = forward(OP, la(i), lb(i));
        let y1 = forward(OP, la(i + 4), lb(i + 4));
        y0.store(y.add(i));
        y1.store(y.add(i + 4));
        i += 8;
    }
    if i + 4 <= n {
        forward(OP, la(i), lb(i)).store(y.add(i));
        i += 4;
    }
    while i < n {
        *y.add(i) = forward(OP, *a.add(if SA { i } else { 0 }), *b.add(if SB { i } else { 0 }));
        i += 1;
    }
}

struct Forward<const OP: u32> {
    a: SendPtr<f32>,
    b: SendPtr<f32>,
    y: SendPtr<f32>,
}

impl<const OP: u32> Run for Forward<OP> {
    #[inline(always)]
    unsafe fn run<const SA: bool, const SB: bool>(&self, oa: usize, ob: usize, flat: usize, len: usize) {
        let (a, b, y) = (self.a.get().add(oa), self.b.get().add(ob), self.y.get().add(flat));
        forward_run::<OP, SA, SB>(a, b, y, len)
    }
}

unsafe fn forward_op<const OP: u32>(a: *const f32, b: *const f32, y: *mut f32, sp: &Space) {
    let k = Forward::<OP> {
        a: SendPtr::of(a),
        b: SendPtr::of(b),
        y: SendPtr(y),
    };
    run_space(&k, sp)
}

/// y = op(a, b) over the broadcast space `sp` (operand 0 is a, operand 1 is b); y is
/// contiguous with the space's shape.
pub unsafe fn binary_forward(op: u32, a: *const f32, b: *const f32, y: *mut f32, sp: &Space) {
    dispatch!(
        op,
        forward_op(a, b, y, sp),
        [
            ADD,
            SUB,
            MUL,
            DIV,
            MAXIMUM,
            MINIMUM,
            POW,
            SQUARED_DIFFERENCE,
            ATAN2,
            MOD,
            FLOOR_DIV,
            EQUAL,
            NOT_EQUAL,
            GREATER,
            GREATER_EQUAL,
            LESS,
            LESS_EQUAL,
            LOGICAL_AND,
            LOGICAL_OR,
            LOGICAL_XOR
        ]
    )
}

/// The naive reference: element by element with the scalar form.
pub unsafe fn binary_naive(op: u32, a: *const f32, b: *const f32, y: *mut f32, sp: &Space) {
    let inner = sp.inner();
    let (sa, sb) = (sp.s0[sp.rank - 1], sp.s1[sp.rank - 1]);
    sp.walk(sp.rank - 1, 0, sp.rows(), |row, oa, ob| {
        for i in 0..inner {
            *y.add(row * inner + i) = forward(op, *a.add(oa + i * sa), *b.add(ob + i * sb));
        }
    });
}

/// The operands of a binary backward: a and b as the forward read them (through the
/// space), y, dy, da and db contiguous in the output's shape; da or db null when not wanted.
struct Backward<const OP: u32, const WA: bool, const WB: bool> {
    a: SendPtr<f32>,
    b: SendPtr<f32>,
    y: SendPtr<f32>,
    dy: SendPtr<f32>,
    da: SendPtr<f32>,
    db: SendPtr<f32>,
}

impl<const OP: u32, const WA: bool, const WB: bool> Run for Backward<OP, WA, WB> {
    #[inline(always)]
    unsafe fn run<const SA: bool, const SB: bool>(&self, oa: usize, ob: usize, flat: usize, n: usize) {
        let (a, b) = (self.a.get().add(oa), self.b.get().add(ob));
        let (y, dy) = (self.y.get().add(flat), self.dy.get().add(flat));
        let (da, db) = (self.da.get().wrapping_add(flat), self.db.get().wrapping_add(flat));
        let (sa, sb) = (F32x4::splat(*a), F32x4::splat(*b));
        let mut i = 0;
        while i + 4 <= n {
            let va = if SA { F32x4::load(a.add(i)) } else { sa };
            let vb = if SB { F32x4::load(b.add(i)) } else { sb };
            let (ga, gb) = backward(OP, va, vb, F32x4::load(y.add(i)), F32x4::load(dy.add(i)));
            if WA {
                ga.store(da.add(i));
            }
            if WB {
                gb.store(db.add(i));
            }
            i += 4;
        }
        while i < n {
            let (va, vb) = (*a.add(if SA { i } else { 0 }), *b.add(if SB { i } else { 0 }));
            let (ga, gb) = backward(OP, va, vb, *y.add(i), *dy.add(i));
            if WA {
                *da.add(i) = ga;
            }
            if WB {
                *db.add(i) = gb;
            }
            i += 1;
        }
    }
}

impl<const OP: u32, const WA: bool, const WB: bool> Backward<OP, WA, WB> {
    fn new([a, b, y, dy]: [*const f32; 4], [da, db]: [*mut f32; 2]) -> Self {
        let (a, b, y, dy) = (SendPtr::of(a), SendPtr::of(b), SendPtr::of(y), SendPtr::of(dy));
        Backward {
            a,
            b,
            y,
            dy,
            da: SendPtr(da),
            db: SendPtr(db),
        }
    }
}

unsafe fn backward_op<const OP: u32>(inputs: [*const f32; 4], grads: [*mut f32; 2], sp: &Space) {
    match (grads[0].is_null(), grads[1].is_null()) {
        (false, false) => run_space(&Backward::<OP, true, true>::new(inputs, grads), sp),
        (false, true) => run_space(&Backward::<OP, true, false>::new(inputs, grads), sp),
        (true, false) => run_space(&Backward::<OP, false, true>::new(inputs, grads), sp),
        (true, true) => {}
    }
}

/// da, db (each contiguous in the output's shape, or null when not wanted) from a and b
/// (read through the broadcast space), y and dy. Not for add and sub.
pub unsafe fn binary_backward(op: u32, inputs: [*const f32; 4], grads: [*mut f32; 2], sp: &Space) {
    dispatch!(
        op,
        backward_op(inputs, grads, sp),
        [
            MUL,
            DIV,
            MAXIMUM,
            MINIMUM,
            POW,
            POW_BASE_ONLY,
            SQUARED_DIFFERENCE,
            ATAN2,
            MOD
        ]
    )
}

// ---------------------------------------------------------------------------------
// addN: the sum of k same-shape tensors, added in argument order.

/// Elements per chunk: all k inputs are added into one chunk of y while it sits in L1.
const ADD_N_CHUNK: usize = 2048;

/// y = xs[0] + xs[1] + ... + xs[k-1] (left to right, so any split gives the same bits),
/// each of n elements; `xs` holds k >= 1 pointers.
pub unsafe fn add_n(xs: *const *const f32, k: usize, y: *mut f32, n: usize) {
    let chunks = n.div_ceil(ADD_N_CHUNK);
    let (xs, y) = (SendPtr::of(xs), SendPtr(y));
    let min_chunks = (MIN_ELEMS_PER_THREAD / ADD_N_CHUNK).max(1);
    parallel_for(chunks, min_chunks, &|start, end| {
        let lo = start * ADD_N_CHUNK;
        let len = (end * ADD_N_CHUNK).min(n) - lo;
        let y = y.get().add(lo);
        let x = |j: usize| (*xs.get().add(j)).add(lo);
        if k == 1 {
            core::ptr::copy_nonoverlapping(x(0), y, len);
            return;
        }
        let mut c = 0;
        while c < len {
            let w = ADD_N_CHUNK.min(len - c);
            // The first two inputs initialise the chunk, the rest add into it.
            forward_run::<ADD, true, true>(x(0).add(c), x(1).add(c), y.add(c), w);
            for j in 2..k {
                forward_run::<ADD, true, true>(y.add(c), x(j).add(c), y.add(c), w);
            }
            c += w;
        }
    });
}
