// Reverse-mode autodiff: a tape of op records and one backward sweep.
//
// While a gradient function runs its forward pass, each op appends a record: its
// inputs, its output and a backward function mapping dy to one gradient per input
// (null where an input needs none). `gradients` walks the records that lie on a path
// from the sources to the result, newest first, summing gradients that meet.

import { addNInto } from '../backend/add-n.js';
import { emptyTensor, Tensor, Variable, registeredVariables, tensorIdWatermark, type Shape } from '../tensor/tensor.js';
import { endScope, startScope, tidy, type TensorContainer } from '../tensor/scope.js';
import { clone, onesLike } from '../tensor/creation.js';

/**
 * Maps the output's gradient to one gradient per input. `needed[k]` is false when input
 * k does not lead back to any source of the gradient computation (data, labels, frozen
 * weights): the backward may return null there and skip that work (the dX of a first
 * layer, the gradient of labels).
 */
export type BackwardFn = (dy: Tensor, needed: readonly boolean[]) => (Tensor | null)[];

/**
 * The backward of an op with several outputs (an RNN's sequence and final states, the
 * pieces of `unstack`): `dys[j]` is the gradient of output j, or null when no path from
 * the result reaches that output. No zero gradient is made for an unused output: the
 * backward treats null as zero in whatever way is cheapest for it.
 */
export type MultiBackwardFn = (dys: readonly (Tensor | null)[], needed: readonly boolean[]) => (Tensor | null)[];

interface TapeRecord {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly backward: MultiBackwardFn;
  /** Tensors the backward function reads besides inputs and output. */
  readonly saved: readonly Tensor[];
}

let tape: TapeRecord[] | null = null;

/** True while a gradient function records its forward pass. */
export function isRecording(): boolean {
  return tape !== null;
}

function hold(t: Tensor): void {
  t.tapeRefs++;
}

function release(t: Tensor): void {
  t.tapeRefs--;
  if (t.tapeRefs === 0 && t.disposePending) t.dispose();
}

/**
 * Runs `fn` with recording off: an op built from other ops computes its forward with
 * them and records one backward of its own (logSumExp), so theirs must not be taped.
 */
export function untaped<T>(fn: () => T): T {
  const saved = tape;
  tape = null;
  try {
    return fn();
  } finally {
    tape = saved;
  }
}

/**
 * Records an op for the backward pass. Ops call this after computing `output`;
 * it costs nothing when no gradient is being computed. The backward function must
 * read only `inputs`, `output` and `saved`, which stay alive until the sweep is done.
 */
export function record(
  name: string,
  inputs: readonly Tensor[],
  output: Tensor,
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): void {
  if (tape === null) return;
  recordMulti(name, inputs, [output], (dys, needed) => backward(dys[0]!, needed), saved);
}

/**
 * Records an op with several outputs. The backward runs when at least one output lies on
 * a path to the result, and gets null for the gradient of every output that does not.
 */
export function recordMulti(
  name: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  backward: MultiBackwardFn,
  saved: readonly Tensor[] = [],
): void {
  if (tape === null) return;
  for (const t of inputs) hold(t);
  for (const t of outputs) hold(t);
  for (const t of saved) hold(t);
  tape.push({ name, inputs, outputs, backward, saved });
}

/**
 * The sum of the gradients that meet at one tensor (same shape, same engine), by the
 * kernel itself: ops sit above the tape, which therefore uses none of them.
 */
function sumGradients(parts: readonly Tensor[]): Tensor {
  const eng = parts[0].engine;
  const sum = emptyTensor(parts[0].shape, 'float32', eng);
  const ptrs = parts.map((p) => p.ptr);
  if (sum.size > 0) addNInto(eng, ptrs, sum.ptr, sum.size);
  return sum;
}

/** Gradients of `y` (summed against `dy`, default all ones) with respect to each `xs`. */
function backwardSweep(
  records: TapeRecord[],
  y: Tensor,
  xs: readonly Tensor[],
  dy: Tensor | undefined,
): (Tensor | null)[] {
  // Forward-reachable from xs, then backward-reachable from y: only those records run.
  const fromX = new Set<number>(xs.map((x) => x.id));
  const onPath: boolean[] = records.map(() => false);
  for (let i = 0; i < records.length; i++) {
    if (records[i].inputs.some((t) => fromX.has(t.id))) {
      onPath[i] = true;
      for (const o of records[i].outputs) fromX.add(o.id);
    }
  }
  const toY = new Set<number>([y.id]);
  for (let i = records.length - 1; i >= 0; i--) {
    if (onPath[i] && records[i].outputs.some((o) => toY.has(o.id))) {
      for (const t of records[i].inputs) toY.add(t.id);
    } else {
      onPath[i] = false;
    }
  }

  const grads = new Map<number, Tensor[]>();
  grads.set(y.id, [dy ?? onesLike(y)]);
  const takeGrad = (t: Tensor): Tensor | null => {
    const parts = grads.get(t.id);
    if (!parts) return null;
    grads.delete(t.id);
    return parts.length === 1 ? parts[0] : sumGradients(parts);
  };
  for (let i = records.length - 1; i >= 0; i--) {
    if (!onPath[i]) continue;
    const r = records[i];
    const dys = r.outputs.map(takeGrad);
    if (dys.every((g) => g === null)) continue;
    const inGrads = r.backward(
      dys,
      r.inputs.map((t) => fromX.has(t.id)),
    );
    if (inGrads.length !== r.inputs.length) {
      throw new Error(
        `ferrite: backward of ${r.name} returned ${inGrads.length} gradients for ${r.inputs.length} inputs`,
      );
    }
    r.inputs.forEach((input, k) => {
      const gi = inGrads[k];
      if (gi === null || !toY.has(input.id) || !fromX.has(input.id)) return;
      assertSameShape(gi.shape, input.shape, r.name);
      const list = grads.get(input.id);
      if (list) list.push(gi);
      else grads.set(input.id, [gi]);
    });
  }
  // A backward may pass dy through unchanged, so one tensor can be the gradient of two
  // sources, or be the caller's own dy: give every result its own tensor.
  const seen = new Set<Tensor>(dy ? [dy] : []);
  return xs.map((x) => {
    const g = takeGrad(x);
    if (g === null) return null;
    if (seen.has(g)) return clone(g);
    seen.add(g);
    return g;
  });
}

function assertSameShape(g: Shape, x: Shape, op: string): void {
  if (g.length !== x.length || g.some((d, i) => d !== x[i])) {
    throw new Error(
      `ferrite: internal error: gradient of ${op} has shape [${g.join(', ')}] for an input of shape [${x.join(', ')}]`,
    );
  }
}

/**
 * Runs `f` with recording on, then the backward sweep. Returns f's value and the
 * gradients; everything else made on the way is disposed.
 */
function computeGradients(
  f: () => Tensor,
  xs: readonly Tensor[],
  dy?: Tensor,
): { value: Tensor; grads: (Tensor | null)[] } {
  if (tape !== null) throw new Error('ferrite: nested gradient computations are not supported');
  const records: TapeRecord[] = [];
  const firstId = tensorIdWatermark();
  startScope();
  let result: { value: Tensor; grads: (Tensor | null)[] } | undefined;
  try {
    tape = records;
    let value: Tensor;
    try {
      value = f();
    } finally {
      tape = null;
    }
    if (!(value instanceof Tensor))
      throw new Error('ferrite: the function passed to a gradient function must return a tensor');
    if (dy === undefined && value.size !== 1) {
      throw new Error(
        `ferrite: gradient functions need f to return a scalar (got shape [${value.shape.join(', ')}]) or an explicit dy`,
      );
    }
    const grads = tidy(() => backwardSweep(records, value, xs, dy) as TensorContainer) as (Tensor | null)[];
    // f may return a tensor it did not make (an input, a variable); callers own and
    // dispose `value`, so give them a tensor of their own.
    result = { value: value.id >= firstId ? value : clone(value), grads };
  } finally {
    endScope(result as unknown as TensorContainer);
    for (const r of records) {
      for (const t of r.inputs) release(t);
      for (const t of r.outputs) release(t);
      for (const t of r.saved) release(t);
    }
  }
  return result;
}

function requireGrads(grads: (Tensor | null)[], xs: readonly Tensor[]): Tensor[] {
  const missing = grads.indexOf(null);
  if (missing >= 0) for (const g of grads) g?.dispose();
  return grads.map((g, i) => {
    if (g === null) {
      throw new Error(
        `ferrite: cannot compute the gradient: the result does not depend on input ${i} (shape [${xs[i].shape.join(', ')}])`,
      );
    }
    return g;
  });
}

/**
 * `grad(f)(x)` is df/dx, as in TF.js.
 *
 * @example
 * ```ts
 * const df = fe.grad((x) => x.square().sum()); // f(x) = Σ x², df/dx = 2x
 * df(fe.tensor1d([1, 2, 3])).print(); // [2, 4, 6]
 * ```
 */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  return (x, dy) => {
    const { value, grads } = computeGradients(() => f(x), [x], dy);
    value.dispose();
    return requireGrads(grads, [x])[0];
  };
}

/**
 * `grads(f)([a, b])` is [df/da, df/db].
 *
 * @example
 * ```ts
 * const f = (a: fe.Tensor, b: fe.Tensor) => a.mul(b).sum();
 * const [da, db] = fe.grads(f)([fe.tensor1d([1, 2]), fe.tensor1d([3, 4])]);
 * da.print(); // [3, 4]
 * db.print(); // [1, 2]
 * ```
 */
export function grads(f: (...xs: Tensor[]) => Tensor): (xs: Tensor[], dy?: Tensor) => Tensor[] {
  return (xs, dy) => {
    const { value, grads } = computeGradients(() => f(...xs), xs, dy);
    value.dispose();
    return requireGrads(grads, xs);
  };
}

/**
 * Like `grad`, but the function also returns the value of `f(x)`, as TF.js's
 * `tf.valueAndGrad`. `dy` weights the output (default ones).
 *
 * @example
 * ```ts
 * const { value, grad } = fe.valueAndGrad((x) => x.square().sum())(fe.tensor1d([1, 2]));
 * value.print(); // 5
 * grad.print(); // [2, 4]
 * ```
 */
export function valueAndGrad(f: (x: Tensor) => Tensor): (
  x: Tensor,
  dy?: Tensor,
) => {
  /** f(x). */
  value: Tensor;
  /** The gradient of f at x (times dy when given). */
  grad: Tensor;
} {
  return (x, dy) => {
    const { value, grads } = computeGradients(() => f(x), [x], dy);
    return { value, grad: requireGrads(grads, [x])[0] };
  };
}

/**
 * Like `grads`, but the function also returns the value of `f(...xs)`, as TF.js's
 * `tf.valueAndGrads`.
 *
 * @example
 * ```ts
 * const f = (a: fe.Tensor, b: fe.Tensor) => a.mul(b).sum();
 * const { value, grads } = fe.valueAndGrads(f)([fe.tensor1d([1, 2]), fe.tensor1d([3, 4])]);
 * value.print(); // 11
 * grads[0].print(); // [3, 4]
 * ```
 */
export function valueAndGrads(f: (...xs: Tensor[]) => Tensor): (
  xs: Tensor[],
  dy?: Tensor,
) => {
  /** f(...xs). */
  value: Tensor;
  /** The gradient of f with respect to each of xs (times dy when given). */
  grads: Tensor[];
} {
  return (xs, dy) => {
    const { value, grads } = computeGradients(() => f(...xs), xs, dy);
    return { value, grads: requireGrads(grads, xs) };
  };
}

/**
 * The loss `f()` returns and its gradient for each trainable variable it depends on
 * (all registered trainable variables unless `varList` is given), keyed by name.
 *
 * @example
 * ```ts
 * const w = fe.variable(fe.tensor1d([1, 2]));
 * const { value, grads } = fe.variableGrads(() => w.square().sum());
 * value.print(); // 5
 * grads[w.name].print(); // [2, 4]
 * ```
 */
export function variableGrads(
  f: () => Tensor,
  varList?: Variable[],
): {
  /** f(), a scalar. */
  value: Tensor;
  /** The gradient of f with respect to each variable, by variable name. */
  grads: Record<string, Tensor>;
} {
  return gradsOfVariables(
    f,
    (varList ?? registeredVariables()).filter((v) => v.trainable),
  );
}

/**
 * Like variableGrads for exactly `vars`, whatever their `trainable` flag says now: fit
 * trains the weights that were trainable at compile (Keras's rule).
 */
export function gradsOfVariables(f: () => Tensor, vars: Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  vars = vars.filter((v) => !v.isDisposed);
  const { value, grads } = computeGradients(f, vars);
  const named: Record<string, Tensor> = {};
  vars.forEach((v, i) => {
    const g = grads[i];
    if (g !== null) named[v.name] = g;
  });
  return { value, grads: named };
}
