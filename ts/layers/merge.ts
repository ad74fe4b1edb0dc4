// Merge layers: combine a list of inputs into one output, as tf.layers does.
//   Elementwise (Add, Subtract, Multiply, Average, Maximum, Minimum): the inputs
//   broadcast against each other (batch axis aside); an input of lower rank gets axes of
//   size 1 inserted after the batch axis first, as TF.js does.
//   Concatenate joins along `axis`; Dot takes dot products along `axes` per sample.
// Each factory takes either the layer's arguments (returns the layer) or a list of
// inputs (returns the merged output), like `tf.layers.add([a, b])`.

import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import {
  add as addOp,
  concat,
  div,
  expandDims,
  matMul,
  maximum as maximumOp,
  minimum as minimumOp,
  mul,
  reshape,
  sqrt,
  square,
  sub,
  sum,
  transpose,
} from '../ops/index.js';
import { EPSILON } from '../ops/fused-losses.js';
import { registerClass } from '../serialization/registry.js';
import { Layer, isShapeList, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { SymbolicTensor, fmtSymbolicShape, type SymbolicShape } from './symbolic.js';

const fmtShapes = (shapes: SymbolicShape[]): string => shapes.map(fmtSymbolicShape).join(', ');

/** The batch size the inputs share (null when none is known). */
const batchOf = (shapes: SymbolicShape[]): number | null => shapes.find((s) => s[0] !== null)?.[0] ?? null;

/**
 * The base of merge layers: takes a list of at least `minInputs` inputs.
 *
 * @example
 * ```ts
 * const a = fe.input({ shape: [4] });
 * const b = fe.input({ shape: [4] });
 * const sum = fe.layers.add().apply([a, b]); // Add is a Merge layer
 * (sum as fe.SymbolicTensor).shape; // [null, 4]
 * ```
 */
export abstract class Merge extends Layer {
  static override className = 'Merge';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.acceptsMultipleInputs = true;
  }

  /** How many inputs the layer takes: [min, max]. */
  protected inputCount(): [number, number] {
    return [2, Infinity];
  }

  /** The inputs' shapes as a list, checked for count, one batch size and merge-specific rules. */
  protected shapesOf(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    const [lo, hi] = this.inputCount();
    const want = hi === lo ? `exactly ${lo}` : `at least ${lo}`;
    if (!isShapeList(inputShape)) {
      throw new Error(
        `ferrite: ${this.name}: a ${this.getClassName()} layer takes a list of ${want} inputs, got one input of shape ${fmtSymbolicShape(inputShape)}`,
      );
    }
    if (inputShape.length < lo || inputShape.length > hi) {
      throw new Error(
        `ferrite: ${this.name}: a ${this.getClassName()} layer takes a list of ${want} inputs, got ${inputShape.length}`,
      );
    }
    if (inputShape.some((s) => s.length === 0))
      throw new Error(`ferrite: ${this.name}: inputs need a batch dimension, got shapes ${fmtShapes(inputShape)}`);
    const batches = new Set(inputShape.map((s) => s[0]).filter((d) => d !== null));
    if (batches.size > 1) {
      throw new Error(
        `ferrite: ${this.name}: cannot merge tensors with different batch sizes, got shapes ${fmtShapes(inputShape)}`,
      );
    }
    return inputShape;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.computeOutputShape(inputShape); // validates
    this.built = true;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return this.outputShapeFor(this.shapesOf(inputShape));
  }

  /** The output shape for these (counted, same-batch) input shapes; throws when they do not fit. */
  protected abstract outputShapeFor(shapes: SymbolicShape[]): SymbolicShape;

  /** The merge itself, on a checked list of inputs. */
  protected abstract merge(inputs: Tensor[]): Tensor;

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    this.computeOutputShape(list.map((t) => [...t.shape])); // clear errors naming the layer
    const dtypes = new Set(list.map((t) => t.dtype));
    if (dtypes.size > 1)
      throw new Error(`ferrite: ${this.name}: inputs must share one dtype, got ${list.map((t) => t.dtype).join(', ')}`);
    return tidy(() => this.merge(list));
  }
}

/** Elementwise merges: NumPy broadcasting over the non-batch axes. */
abstract class ElementwiseMerge extends Merge {
  protected outputShapeFor(shapes: SymbolicShape[]): SymbolicShape {
    let out = shapes[0].slice(1);
    for (const s of shapes.slice(1)) out = this.broadcast(out, s.slice(1), shapes);
    return [batchOf(shapes), ...out];
  }

  private broadcast(a: SymbolicShape, b: SymbolicShape, all: SymbolicShape[]): SymbolicShape {
    const [long, short] = a.length >= b.length ? [a, b] : [b, a];
    const out = long.slice(0, long.length - short.length);
    short.forEach((j, k) => {
      const i = long[long.length - short.length + k];
      if (i === 1) out.push(j);
      else if (j === 1 || j === null) out.push(i);
      else if (i === null || i === j) out.push(j);
      else {
        throw new Error(
          `ferrite: ${this.name}: inputs of shapes ${fmtShapes(all)} cannot be broadcast together (${i} against ${j})`,
        );
      }
    });
    return out;
  }

  /** Inputs of lower rank get size-1 axes after the batch axis, so that all broadcast. */
  protected merge(inputs: Tensor[]): Tensor {
    const rank = Math.max(...inputs.map((t) => t.rank));
    const same = inputs.map((t) => {
      let x = t;
      while (x.rank < rank) x = expandDims(x, 1);
      return x;
    });
    return this.combine(same);
  }

  protected abstract combine(inputs: Tensor[]): Tensor;
}

/** Folds a binary op over the inputs, left to right. */
const fold = (inputs: Tensor[], op: (a: Tensor, b: Tensor) => Tensor): Tensor => inputs.slice(1).reduce(op, inputs[0]);

/** A merge layer class, as the factories below make them. */
export type MergeClass = (new (args?: LayerArgs) => Merge) & { readonly className: string };

/** A registered elementwise merge class named `className` that computes `combine`. */
function elementwiseMerge(className: string, combine: (inputs: Tensor[]) => Tensor): MergeClass {
  const cls = class extends ElementwiseMerge {
    static override className = className;
    protected combine(inputs: Tensor[]): Tensor {
      return combine(inputs);
    }
  };
  registerClass(cls);
  return cls;
}

/** The sum of the inputs. */
export const Add = elementwiseMerge('Add', (xs) => fold(xs, addOp));
/** The elementwise product of the inputs. */
export const Multiply = elementwiseMerge('Multiply', (xs) => fold(xs, mul));
/** The mean of the inputs. */
export const Average = elementwiseMerge('Average', (xs) => mul(fold(xs, addOp), 1 / xs.length));
/** The elementwise maximum of the inputs. */
export const Maximum = elementwiseMerge('Maximum', (xs) => fold(xs, maximumOp));
/** The elementwise minimum of the inputs. */
export const Minimum = elementwiseMerge('Minimum', (xs) => fold(xs, minimumOp));

/**
 * The first input minus the second (exactly two inputs, as in Keras; TF.js has no Subtract).
 *
 * @example
 * ```ts
 * const layer = fe.layers.subtract();
 * layer.apply([fe.tensor1d([5, 7]), fe.tensor1d([1, 2])]); // [4, 5]
 * ```
 */
export class Subtract extends ElementwiseMerge {
  static override className = 'Subtract';
  protected override inputCount(): [number, number] {
    return [2, 2];
  }
  protected combine(inputs: Tensor[]): Tensor {
    return sub(inputs[0], inputs[1]);
  }
}
registerClass(Subtract);

/**
 * The arguments of `layers.concatenate`.
 *
 * @example
 * ```ts
 * const a = fe.input({ shape: [4, 3] });
 * const b = fe.input({ shape: [4, 5] });
 * (fe.layers.concatenate({ axis: -1 }).apply([a, b]) as fe.SymbolicTensor).shape; // [null, 4, 8]
 * ```
 */
export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along (counting the batch axis; negative counts from the end). Default -1. */
  axis?: number;
}

/**
 * Joins the inputs along `axis`; every other dimension must match.
 *
 * @example
 * ```ts
 * const layer = fe.layers.concatenate({ axis: -1 });
 * (layer.apply([fe.ones([2, 3]), fe.zeros([2, 5])]) as fe.Tensor).shape; // [2, 8]
 * ```
 */
export class Concatenate extends Merge {
  static override className = 'Concatenate';
  /** {@inheritDoc ConcatenateArgs.axis} */
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new Error(`ferrite: ${this.name}: axis must be an integer, got ${args.axis}`);
  }

  protected outputShapeFor(shapes: SymbolicShape[]): SymbolicShape {
    const rank = shapes[0].length;
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis < 0 || axis >= rank)
      throw new Error(`ferrite: ${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank}`);
    const out = [...shapes[0]];
    for (const s of shapes.slice(1)) {
      const fits = s.length === rank && s.every((d, k) => k === axis || d === null || out[k] === null || d === out[k]);
      if (!fits) {
        throw new Error(
          `ferrite: ${this.name}: Concatenate needs inputs whose shapes match except along axis ${this.axis}, got ${fmtShapes(shapes)}`,
        );
      }
      s.forEach((d, k) => {
        if (k === axis) out[k] = out[k] === null || d === null ? null : out[k]! + d;
        else if (out[k] === null) out[k] = d;
      });
    }
    return out;
  }

  protected merge(inputs: Tensor[]): Tensor {
    return concat(inputs, this.axis);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}
registerClass(Concatenate);

/**
 * The arguments of `layers.dot`.
 *
 * @example
 * ```ts
 * fe.layers.dot({ axes: [2, 2] }); // [batch, n, d] · [batch, m, d] -> [batch, n, m]
 * ```
 */
export interface DotArgs extends LayerArgs {
  /** The axis of each input to take the dot product along (counting the batch axis): one for both, or one each. */
  axes: number | [number, number];
  /** L2-normalize both inputs along `axes` first, so the result is the cosine similarity. Default false. */
  normalize?: boolean;
}

/**
 * The dot product of two inputs along `axes`, per sample: x of shape [b, ...p, k, ...q]
 * and y of shape [b, ...r, k, ...s] give [b, ...p, ...q, ...r, ...s] ([b, 1] when
 * nothing is left), as Keras's batch_dot.
 *
 * @example
 * ```ts
 * const layer = fe.layers.dot({ axes: 1, normalize: true });
 * layer.apply([fe.tensor2d([[1, 0]]), fe.tensor2d([[1, 1]])]); // [[0.7071]]: cosine similarity
 * ```
 */
export class Dot extends Merge {
  static override className = 'Dot';
  /** {@inheritDoc DotArgs.axes} */
  readonly axes: number | [number, number];
  /** {@inheritDoc DotArgs.normalize} */
  readonly normalize: boolean;

  constructor(args: DotArgs) {
    super(args);
    if (args === undefined || args.axes === undefined)
      throw new Error('ferrite: dot: axes is required (the axis of each input to multiply along)');
    const ok = (a: unknown) => Number.isInteger(a);
    if (!(ok(args.axes) || (Array.isArray(args.axes) && args.axes.length === 2 && args.axes.every(ok)))) {
      throw new Error(
        `ferrite: ${this.name}: axes must be an integer or two integers, got ${JSON.stringify(args.axes)}`,
      );
    }
    this.axes = Array.isArray(args.axes) ? [args.axes[0], args.axes[1]] : args.axes;
    this.normalize = args.normalize ?? false;
  }

  protected override inputCount(): [number, number] {
    return [2, 2];
  }

  /** The two contracted axes, non-negative, checked against the ranks. */
  private axesFor(ranks: number[]): [number, number] {
    const given = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    return given.map((a, i) => {
      const r = ranks[i];
      const axis = a < 0 ? a + r : a;
      if (axis < 1 || axis >= r) {
        throw new Error(
          `ferrite: ${this.name}: axis ${a} of input ${i} (rank ${r}) must be a non-batch axis, in [1, ${r}) or [-${r - 1}, -1]`,
        );
      }
      return axis;
    }) as [number, number];
  }

  protected outputShapeFor(shapes: SymbolicShape[]): SymbolicShape {
    const [a0, a1] = this.axesFor(shapes.map((s) => s.length));
    const [s0, s1] = shapes;
    if (s0[a0] !== null && s1[a1] !== null && s0[a0] !== s1[a1]) {
      throw new Error(
        `ferrite: ${this.name}: the dot product axes do not match: axis ${a0} of ${fmtSymbolicShape(s0)} has ${s0[a0]}, axis ${a1} of ${fmtSymbolicShape(s1)} has ${s1[a1]}`,
      );
    }
    const out = [...s0.slice(1, a0), ...s0.slice(a0 + 1), ...s1.slice(1, a1), ...s1.slice(a1 + 1)];
    return [batchOf(shapes), ...(out.length === 0 ? [1] : out)];
  }

  protected merge(inputs: Tensor[]): Tensor {
    let [x, y] = inputs;
    const [a0, a1] = this.axesFor([x.rank, y.rank]);
    if (this.normalize) {
      x = l2Normalize(x, a0);
      y = l2Normalize(y, a1);
    }
    // x -> [b, m, k] (axis a0 last), y -> [b, k, n] (axis a1 second): one batched GEMM.
    const b = x.shape[0];
    const k = x.shape[a0];
    const restX = x.shape.filter((_, i) => i !== 0 && i !== a0);
    const restY = y.shape.filter((_, i) => i !== 0 && i !== a1);
    const m = restX.reduce((p, d) => p * d, 1);
    const n = restY.reduce((p, d) => p * d, 1);
    const moveLast = (r: number, a: number) => [...Array(r).keys()].filter((i) => i !== a).concat([a]);
    const xs = a0 === x.rank - 1 ? x : transpose(x, moveLast(x.rank, a0));
    const ys = a1 === y.rank - 1 ? y : transpose(y, moveLast(y.rank, a1));
    // y has its contracted axis last: multiply by its transpose.
    const out = matMul(reshape(xs, [b, m, k]), reshape(ys, [b, n, k]), false, true);
    const shape = [b, ...restX, ...restY];
    return reshape(out, shape.length === 1 ? [b, 1] : shape);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axes: this.axes, normalize: this.normalize };
  }
}
registerClass(Dot);

/** x / sqrt(max(sum(x², axis), ε)), as TF.js's l2Normalize (ε = 1e-7). */
function l2Normalize(x: Tensor, axis: number): Tensor {
  return div(x, sqrt(maximumOp(sum(square(x), axis, true), EPSILON)));
}

// ---- factories: `add()` makes the layer, `add([a, b])` applies one to the inputs ----

type MergeInputs = SymbolicTensor[] | Tensor[];

function factory<L extends Merge, A>(make: (args: A) => L, defaults: A) {
  function f(inputs: SymbolicTensor[]): SymbolicTensor;
  function f(inputs: Tensor[]): Tensor;
  function f(args?: A): L;
  function f(arg?: A | MergeInputs): L | SymbolicTensor | Tensor {
    if (Array.isArray(arg)) return make(defaults).apply(arg as SymbolicTensor[]) as SymbolicTensor;
    return make(arg ?? defaults);
  }
  return f;
}

/**
 * Adds its inputs element-wise (same shapes). `add()` makes the layer; `add([a, b])` applies a new one to the inputs.
 *
 * @example
 * ```ts
 * fe.layers.add([fe.tensor1d([1, 2]), fe.tensor1d([10, 20])]); // [11, 22]
 * const a = fe.input({ shape: [8] });
 * const residual = fe.layers.add([a, fe.layers.dense({ units: 8 }).apply(a) as fe.SymbolicTensor]); // [null, 8]
 * ```
 */
export const add = factory((a: LayerArgs) => new Add(a), {});
/**
 * Subtracts the second input from the first. `subtract()` makes the layer; `subtract([a, b])` applies a new one.
 *
 * @example
 * ```ts
 * fe.layers.subtract([fe.tensor1d([5, 5]), fe.tensor1d([1, 2])]); // [4, 3]
 * ```
 */
export const subtract = factory((a: LayerArgs) => new Subtract(a), {});
/**
 * Multiplies its inputs element-wise. `multiply()` makes the layer; `multiply([a, b])` applies a new one.
 *
 * @example
 * ```ts
 * fe.layers.multiply([fe.tensor1d([2, 3]), fe.tensor1d([4, 5])]); // [8, 15]
 * ```
 */
export const multiply = factory((a: LayerArgs) => new Multiply(a), {});
/**
 * The element-wise mean of its inputs. `average()` makes the layer; `average([a, b])` applies a new one.
 *
 * @example
 * ```ts
 * fe.layers.average([fe.tensor1d([1, 3]), fe.tensor1d([3, 5])]); // [2, 4]
 * ```
 */
export const average = factory((a: LayerArgs) => new Average(a), {});
/**
 * The element-wise maximum of its inputs. `maximum()` makes the layer; `maximum([a, b])` applies a new one.
 *
 * @example
 * ```ts
 * fe.layers.maximum([fe.tensor1d([1, 6]), fe.tensor1d([3, 5])]); // [3, 6]
 * ```
 */
export const maximum = factory((a: LayerArgs) => new Maximum(a), {});
/**
 * The element-wise minimum of its inputs. `minimum()` makes the layer; `minimum([a, b])` applies a new one.
 *
 * @example
 * ```ts
 * fe.layers.minimum([fe.tensor1d([1, 6]), fe.tensor1d([3, 5])]); // [1, 5]
 * ```
 */
export const minimum = factory((a: LayerArgs) => new Minimum(a), {});
/**
 * Concatenates its inputs along `axis` (default -1). `concatenate({axis})` makes the layer; `concatenate([a, b])` applies a new one.
 *
 * @example
 * ```ts
 * const a = fe.input({ shape: [4] });
 * const b = fe.input({ shape: [6] });
 * const ab = fe.layers.concatenate().apply([a, b]) as fe.SymbolicTensor; // [null, 10]
 * ```
 */
export const concatenate = factory((a: ConcatenateArgs) => new Concatenate(a), {});

/**
 * `dot({axes})` makes the layer (Dot has no default axes, so it takes no bare list).
 *
 * @example
 * ```ts
 * fe.layers.dot({ axes: -1 }).apply([fe.tensor2d([[1, 2]]), fe.tensor2d([[3, 4]])]); // [[11]]
 * ```
 */
export const dot = (args: DotArgs): Dot => new Dot(args);
