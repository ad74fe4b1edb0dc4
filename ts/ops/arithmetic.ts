// Binary elementwise ops with NumPy broadcasting (add, sub, mul, div, maximum, minimum,
// pow, squaredDifference) and addN. Kernels: core-rs/src/elementwise.rs.
//
// Each op computes the broadcast shape, collapses the broadcast into at most a few
// dims (a same-shape op becomes one flat run, a bias add [M, N] + [N] two dims), and
// makes one kernel call. Either operand may be a plain number, which is passed to the
// kernel by value (no tensor is made for it). Gradients are computed in the output's
// shape and summed back over the broadcast dims to each input's shape.

import { record } from '../autograd/tape.js';
import { addNInto } from '../backend/add-n.js';
import { BinaryOp } from '../backend/core-abi.js';
import type { Engine } from '../backend/engine.js';
import { scalarParam, writeParams } from '../backend/param-block.js';
import { clone, scalar } from '../tensor/creation.js';
import { emptyTensor, Tensor, type Shape } from '../tensor/tensor.js';
import { sumToShape } from './reduce.js';
import { collapseSpace, contiguousStrides, MAX_RANK } from './strided-space.js';
import { neg } from './unary.js';
import { computeInFloat, operandDtype, upcastType, type IntegerRounding } from './dtype.js';
import { broadcastShapes, checkFloat, checkInputs, fmtShape, named, sameShape } from './util.js';

/**
 * A tensor, or a number used as a float32 scalar.
 *
 * @example
 * ```ts
 * fe.add(fe.tensor1d([1, 2]), 1).print(); // [2, 3]: the number 1 is a float32 scalar
 * ```
 */
export type Operand = Tensor | number;

interface BinarySpec {
  /** The op's name in errors (TF.js's function name). */
  op: string;
  /** The tape record's name (TF.js's kernel name). */
  kernel: string;
  code: BinaryOp;
  /**
   * 'bool': the kernel writes a bool tensor (comparisons, logic); 'int32': the float
   * result is converted (floorDiv). Neither has a gradient. Default: float32, or the
   * operands' dtype through `computeInFloat`.
   */
  output?: 'bool' | 'int32';
  /** 'bool': the operands must be bool tensors, passed to the kernel as stored (logic ops). */
  operands?: 'bool';
  /** How an integral result is rounded back (default: 'floor' for div, else 'round'). */
  rounding?: IntegerRounding;
}

const SCALAR_SHAPE: Shape = [];

// Integer-valued results: nothing to differentiate (their int32 output carries no gradient).
const NO_GRADIENT = new Set<BinaryOp>([BinaryOp.FLOOR_DIV]);

// The broadcast space, reused across calls: full-rank strides, then the collapsed form.
const fullA: number[] = [];
const fullB: number[] = [];
const ownStrides: number[] = [];
const space = new Int32Array(3 * MAX_RANK);

/** Element strides of an operand of shape `s` (null: a scalar) broadcast to `out`. */
function broadcastStrides(s: Shape | null, out: Shape, into: number[]): number[] {
  const r = out.length;
  into.length = r;
  if (s === null) return into.fill(0);
  const own = contiguousStrides(s, ownStrides);
  const lead = r - s.length;
  for (let i = 0; i < r; i++) into[i] = i < lead || s[i - lead] === 1 ? 0 : own[i - lead];
  return into;
}

/** Writes the collapsed space of `a op b -> out` into the parameter block; returns [rank, params]. */
function planBroadcast(op: string, eng: Engine, out: Shape, a: Shape | null, b: Shape | null): [number, number] {
  const rank = collapseSpace(op, out, broadcastStrides(a, out, fullA), broadcastStrides(b, out, fullB), space);
  return [rank, writeParams(eng, space, 3 * rank)];
}

/** Byte pointer of an operand's data: a tensor's own, or a number stored in the parameter block. */
function operandPtr(eng: Engine, x: Operand): number {
  return typeof x === 'number' ? scalarParam(eng, x) : x.ptr;
}

function describeOperand(x: Operand): string {
  return typeof x === 'number' ? `the number ${x}` : `${x.dtype} ${fmtShape(x.shape)}`;
}

function checkOperand(op: string, x: Operand, which: string): void {
  if (typeof x === 'number') return;
  if (!(x instanceof Tensor)) throw new Error(`ferrite: ${op}: ${which} must be a Tensor or a number, got ${typeof x}`);
}

function binary(spec: BinarySpec, a: Operand, b: Operand): Tensor {
  const { op } = spec;
  checkOperand(op, a, 'a');
  checkOperand(op, b, 'b');
  if (spec.operands === 'bool') {
    if (operandDtype(a) !== 'bool' || operandDtype(b) !== 'bool') {
      throw new Error(`ferrite: ${op}: needs bool tensors, got ${describeOperand(a)} and ${describeOperand(b)}`);
    }
  } else if (operandDtype(a) !== 'float32' || operandDtype(b) !== 'float32' || spec.output === 'int32') {
    // int32 / int32 floors, as TF.js; other integer results are exact.
    const rounding = spec.rounding ?? (spec.code === BinaryOp.DIV ? 'floor' : 'round');
    const out = spec.output ?? upcastType(operandDtype(a), operandDtype(b));
    const inner = spec.output === 'int32' ? { ...spec, output: undefined } : spec;
    return computeInFloat([a, b], out, (fa, fb) => binary(inner, fa, fb), rounding);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    const ta = scalar(a);
    try {
      return binary(spec, ta, b);
    } finally {
      ta.dispose();
    }
  }
  const ta = typeof a === 'number' ? null : a;
  const tb = typeof b === 'number' ? null : b;
  const eng = ta && tb ? checkInputs(op, ta, tb) : checkInputs(op, (ta ?? tb)!);
  const aShape = ta ? ta.shape : SCALAR_SHAPE;
  const bShape = tb ? tb.shape : SCALAR_SHAPE;
  const outShape = sameShape(aShape, bShape) ? aShape : broadcastShapes(op, aShape, bShape);
  const y = emptyTensor(outShape, spec.output ?? 'float32', eng);
  if (y.size > 0) {
    const [rank, params] = planBroadcast(op, eng, outShape, ta && aShape, tb && bShape);
    eng.core.fe_binary(spec.code, operandPtr(eng, a), operandPtr(eng, b), y.ptr, rank, params);
  }
  if (y.dtype !== 'float32' || NO_GRADIENT.has(spec.code)) return y;
  const inputs = ta && tb ? [ta, tb] : [(ta ?? tb)!];
  record(spec.kernel, inputs, y, (dy) => {
    const [ga, gb] = binaryGrads(spec, a, b, y, dy);
    return ta && tb ? [ga, gb] : [ta ? ga : gb];
  });
  return y;
}

/** Sums a gradient in the output's shape down to `shape`; disposes the full one when it made a new tensor. */
function reduceGrad(g: Tensor, shape: Shape): Tensor {
  const r = sumToShape(g, shape);
  if (r !== g) g.dispose();
  return r;
}

/** [da, db] for one binary op (null for a number operand). */
function binaryGrads(spec: BinarySpec, a: Operand, b: Operand, y: Tensor, dy: Tensor): [Tensor | null, Tensor | null] {
  const ta = typeof a === 'number' ? null : a;
  const tb = typeof b === 'number' ? null : b;
  if (spec.code === BinaryOp.ADD || spec.code === BinaryOp.SUB) {
    const ga = ta && sumToShape(dy, ta.shape);
    let gb = tb && sumToShape(dy, tb.shape);
    if (gb && spec.code === BinaryOp.SUB) {
      const reduced = gb;
      gb = neg(reduced);
      if (reduced !== dy) reduced.dispose();
    } else if (gb && gb === ga) {
      // Each input gets its own tensor: the caller may dispose one gradient and keep the other.
      gb = clone(dy);
    }
    return [ga, gb];
  }
  const eng = dy.engine;
  const out = y.shape;
  const da = ta && emptyTensor(out, 'float32', eng);
  const db = tb && emptyTensor(out, 'float32', eng);
  if (y.size > 0) {
    const code = spec.code === BinaryOp.POW && !tb ? BinaryOp.POW_BASE_ONLY : spec.code;
    const [rank, params] = planBroadcast(spec.op, eng, out, ta && ta.shape, tb && tb.shape);
    eng.core.fe_binary_backward(
      code,
      operandPtr(eng, a),
      operandPtr(eng, b),
      y.ptr,
      dy.ptr,
      da ? da.ptr : 0,
      db ? db.ptr : 0,
      rank,
      params,
    );
  }
  return [da && reduceGrad(da, ta!.shape), db && reduceGrad(db, tb!.shape)];
}

/** The exported function of one binary op (names and options as in `BinarySpec`). */
export function binaryOp(
  op: string,
  kernel: string,
  code: BinaryOp,
  options: Pick<BinarySpec, 'output' | 'operands' | 'rounding'> = {},
): (a: Operand, b: Operand) => Tensor {
  const spec: BinarySpec = { op, kernel, code, ...options };
  return named(op, (a: Operand, b: Operand) => binary(spec, a, b));
}

/**
 * a + b, elementwise, with broadcasting.
 *
 * @example
 * ```ts
 * fe.add(fe.tensor1d([1, 2]), fe.tensor1d([3, 4])).print(); // [4, 6]
 * fe.add(fe.tensor2d([[1, 2], [3, 4]]), 10).print(); // [[11, 12], [13, 14]]: broadcasting
 * ```
 */
export const add = binaryOp('add', 'Add', BinaryOp.ADD);

/**
 * a - b, elementwise, with broadcasting.
 *
 * @example
 * ```ts
 * fe.sub(fe.tensor1d([5, 7]), fe.tensor1d([1, 2])).print(); // [4, 5]
 * ```
 */
export const sub = binaryOp('sub', 'Sub', BinaryOp.SUB);

/**
 * a * b, elementwise, with broadcasting.
 *
 * @example
 * ```ts
 * fe.mul(fe.tensor2d([[1, 2], [3, 4]]), fe.tensor1d([10, 100])).print(); // [[10, 200], [30, 400]]
 * ```
 */
export const mul = binaryOp('mul', 'Multiply', BinaryOp.MUL);

/**
 * a / b, elementwise, with broadcasting (IEEE: x/0 is ±Infinity or NaN). Two int32
 * tensors divide with flooring (x/0 gives 0), as TF.js.
 *
 * @example
 * ```ts
 * fe.div(fe.tensor1d([1, 6]), 2).print(); // [0.5, 3]
 * ```
 */
export const div = binaryOp('div', 'RealDiv', BinaryOp.DIV);

/**
 * The larger of a and b, elementwise, with broadcasting. The gradient goes to a
 * where a >= b and to b elsewhere (as TF.js). NaN in either gives NaN (as TF.js).
 *
 * @example
 * ```ts
 * fe.maximum(fe.tensor1d([1, 5]), fe.tensor1d([3, 2])).print(); // [3, 5]
 * ```
 */
export const maximum = binaryOp('maximum', 'Maximum', BinaryOp.MAXIMUM);

/**
 * The smaller of a and b, elementwise, with broadcasting; NaN in either gives NaN; ties send the gradient to a.
 *
 * @example
 * ```ts
 * fe.minimum(fe.tensor1d([1, 5]), fe.tensor1d([3, 2])).print(); // [1, 2]
 * ```
 */
export const minimum = binaryOp('minimum', 'Minimum', BinaryOp.MINIMUM);

/**
 * base ** exp, elementwise, with broadcasting (libm powf: a negative base with a
 * non-integer exponent gives NaN). The gradient with respect to exp is taken as 0 where
 * base <= 0, as TF.js does.
 *
 * @example
 * ```ts
 * fe.pow(fe.tensor1d([2, 3]), 2).print(); // [4, 9]
 * ```
 */
export const pow: (base: Operand, exp: Operand) => Tensor = binaryOp('pow', 'Pow', BinaryOp.POW);

/**
 * (a - b)², elementwise, with broadcasting.
 *
 * @example
 * ```ts
 * fe.squaredDifference(fe.tensor1d([1, 5]), fe.tensor1d([3, 2])).print(); // [4, 9]
 * ```
 */
export const squaredDifference = binaryOp('squaredDifference', 'SquaredDifference', BinaryOp.SQUARED_DIFFERENCE);

/**
 * The elementwise sum of same-shape float32 tensors, added in the order given.
 *
 * @example
 * ```ts
 * fe.addN([fe.tensor1d([1, 2]), fe.tensor1d([3, 4]), fe.tensor1d([5, 6])]).print(); // [9, 12]
 * ```
 */
export function addN(tensors: Tensor[]): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new Error('ferrite: addN: needs a non-empty array of tensors');
  }
  const eng = checkInputs('addN', ...tensors);
  const first = tensors[0];
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    checkFloat('addN', t, `tensor ${i}`);
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(
        `ferrite: addN: all tensors must have the same shape; tensor 0 is ${fmtShape(first.shape)} but tensor ${i} is ${fmtShape(t.shape)}`,
      );
    }
  }
  const y = emptyTensor(first.shape, 'float32', eng);
  const ptrs = tensors.map((t) => t.ptr);
  if (y.size > 0) addNInto(eng, ptrs, y.ptr, y.size);
  // dy for the first input, copies for the others (each gradient is its own tensor).
  record('AddN', tensors, y, (dy) => tensors.map((_, i) => (i === 0 ? dy : clone(dy))));
  return y;
}
