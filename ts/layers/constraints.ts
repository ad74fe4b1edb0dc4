// Weight constraints, like `tf.constraints`: a projection applied to a weight after each
// optimizer step of fit (as Keras does), e.g. `kernelConstraint: constraints.maxNorm({maxValue: 3})`.
// TF.js's formulas, names, defaults (axis 0: for a Dense kernel [inputs, units], the
// norm of each unit's incoming weights) and serialisation ({className: 'MaxNorm', config}).

import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul } from '../ops/arithmetic.js';
import { relu } from '../ops/activations.js';
import { sum } from '../ops/reduce.js';
import { clipByValue, sqrt, square } from '../ops/unary.js';
import { tidy } from '../tensor/scope.js';
import { deserialize, nameKey, registerClass, Serializable, type SerializedObject } from '../serialization/registry.js';

/** TF.js's epsilon in the norm denominators. */
const EPSILON = 1e-7;

/**
 * A projection applied to a weight after each optimizer step (TF.js's `Constraint`): make them with `constraints.*` and pass them as a layer's `kernelConstraint`, ...
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelConstraint: fe.constraints.nonNeg(), biasConstraint: fe.constraints.maxNorm({ maxValue: 1 }) });
 * ```
 */
export abstract class Constraint extends Serializable {
  static override className = 'Constraint';
  /**
   * The projected weight (a new tensor; the caller assigns it).
   *
   * @example
   * ```ts
   * fe.constraints.nonNeg().apply(fe.tensor1d([-1, 2])).print(); // [0, 2]
   * ```
   */
  abstract apply(w: Tensor): Tensor;
}

/** The L2 norms of `w` along `axis`, kept as a size-1 axis. */
function l2Norms(w: Tensor, axis: number): Tensor {
  if (!Number.isInteger(axis) || axis < -w.rank || axis >= w.rank) {
    throw new Error(`ferrite: constraints: axis ${axis} is out of range for a weight of rank ${w.rank}`);
  }
  return sqrt(sum(square(w), axis, true));
}

function checkNumber(cls: string, name: string, v: number, lo = 0): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo)
    throw new Error(`ferrite: ${cls}: ${name} must be a finite number >= ${lo}, got ${String(v)}`);
}

/**
 * Rescales each slice along `axis` whose L2 norm exceeds maxValue (default 2) to that norm.
 *
 * @example
 * ```ts
 * fe.constraints.maxNorm({ maxValue: 1, axis: 0 }).apply(fe.tensor2d([[3], [4]])).print(); // [[0.6], [0.8]]
 * ```
 */
export class MaxNorm extends Constraint {
  static override className = 'MaxNorm';
  /** The largest norm allowed (default 2). */
  readonly maxValue: number;
  /** The axis along which norms are taken (default 0: each column of a Dense kernel). */
  readonly axis: number;
  constructor(args: { maxValue?: number; axis?: number } = {}) {
    super();
    this.maxValue = args.maxValue ?? 2;
    this.axis = args.axis ?? 0;
    checkNumber('MaxNorm', 'maxValue', this.maxValue);
  }
  apply(w: Tensor): Tensor {
    return tidy(() => {
      const norms = l2Norms(w, this.axis);
      return mul(w, div(clipByValue(norms, 0, this.maxValue), add(norms, EPSILON)));
    });
  }
  override getConfig(): Record<string, unknown> {
    return { maxValue: this.maxValue, axis: this.axis };
  }
}
registerClass(MaxNorm);

/**
 * Divides each slice along `axis` by its L2 norm.
 *
 * @example
 * ```ts
 * fe.constraints.unitNorm({ axis: 0 }).apply(fe.tensor2d([[3], [4]])).print(); // [[0.6], [0.8]]
 * ```
 */
export class UnitNorm extends Constraint {
  static override className = 'UnitNorm';
  /** The axis along which norms are taken (default 0). */
  readonly axis: number;
  constructor(args: { axis?: number } = {}) {
    super();
    this.axis = args.axis ?? 0;
  }
  apply(w: Tensor): Tensor {
    return tidy(() => div(w, add(l2Norms(w, this.axis), EPSILON)));
  }
  override getConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}
registerClass(UnitNorm);

/**
 * Sets negative weights to 0.
 *
 * @example
 * ```ts
 * fe.layers.conv2d({ filters: 4, kernelSize: 3, kernelConstraint: fe.constraints.nonNeg() });
 * ```
 */
export class NonNeg extends Constraint {
  static override className = 'NonNeg';
  apply(w: Tensor): Tensor {
    return relu(w);
  }
}
registerClass(NonNeg);

/**
 * Moves each slice's L2 norm into [minValue, maxValue] (defaults 0 and 1), by the
 * fraction `rate` (default 1: all the way) of the distance: norm' = rate clip(norm) + (1 - rate) norm.
 *
 * @example
 * ```ts
 * fe.constraints.minMaxNorm({ minValue: 0, maxValue: 1, rate: 1 }).apply(fe.tensor2d([[3], [4]])).print(); // [[0.6], [0.8]]
 * ```
 */
export class MinMaxNorm extends Constraint {
  static override className = 'MinMaxNorm';
  /** The smallest norm (default 0). */
  readonly minValue: number;
  /** The largest norm (default 1). */
  readonly maxValue: number;
  /** How far each norm moves into the range (default 1: all the way). */
  readonly rate: number;
  /** The axis along which norms are taken (default 0). */
  readonly axis: number;
  constructor(args: { minValue?: number; maxValue?: number; rate?: number; axis?: number } = {}) {
    super();
    this.minValue = args.minValue ?? 0;
    this.maxValue = args.maxValue ?? 1;
    this.rate = args.rate ?? 1;
    this.axis = args.axis ?? 0;
    checkNumber('MinMaxNorm', 'minValue', this.minValue);
    checkNumber('MinMaxNorm', 'maxValue', this.maxValue, this.minValue);
    checkNumber('MinMaxNorm', 'rate', this.rate);
  }
  apply(w: Tensor): Tensor {
    return tidy(() => {
      const norms = l2Norms(w, this.axis);
      const clipped = clipByValue(norms, this.minValue, this.maxValue);
      const desired = add(mul(clipped, this.rate), mul(norms, 1 - this.rate));
      return mul(w, div(desired, add(norms, EPSILON)));
    });
  }
  override getConfig(): Record<string, unknown> {
    return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
  }
}
registerClass(MinMaxNorm);

/**
 * Factories with TF.js's names (`tf.constraints.maxNorm({maxValue: 2})`).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 16, kernelConstraint: fe.constraints.maxNorm({ maxValue: 3 }) });
 * ```
 */
export const constraints = {
  /** Rescales slices whose L2 norm exceeds maxValue (default 2) to that norm (TF.js's `constraints.maxNorm`). */
  maxNorm: (args?: ConstructorParameters<typeof MaxNorm>[0]) => new MaxNorm(args),
  /** Rescales each slice to an L2 norm of 1 (TF.js's `constraints.unitNorm`). */
  unitNorm: (args?: ConstructorParameters<typeof UnitNorm>[0]) => new UnitNorm(args),
  /** Sets negative weights to 0 (TF.js's `constraints.nonNeg`). */
  nonNeg: () => new NonNeg(),
  /** Moves each slice's L2 norm into [minValue, maxValue] (TF.js's `constraints.minMaxNorm`). */
  minMaxNorm: (args?: ConstructorParameters<typeof MinMaxNorm>[0]) => new MinMaxNorm(args),
};

/**
 * A constraint: an object, its name ('maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm') or a saved {className, config}.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, kernelConstraint: 'nonNeg' }); // by name, with its defaults
 * ```
 */
export type ConstraintIdentifier = Constraint | string | SerializedObject;

const BY_NAME: Record<string, () => Constraint> = {
  maxnorm: () => new MaxNorm(),
  unitnorm: () => new UnitNorm(),
  nonneg: () => new NonNeg(),
  minmaxnorm: () => new MinMaxNorm(),
};

/** Resolves 'maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm' (any case, snake_case; defaults), an instance or a serialized config. */
export function getConstraint(id: ConstraintIdentifier | null | undefined, what = 'constraint'): Constraint | null {
  if (id === null || id === undefined) return null;
  if (id instanceof Constraint) return id;
  if (typeof id === 'string') {
    const make = BY_NAME[nameKey(id)];
    if (make) return make();
    throw new Error(`ferrite: unknown ${what} '${id}' (known: maxNorm, minMaxNorm, nonNeg, unitNorm)`);
  }
  if (typeof id === 'object' && typeof (id as SerializedObject).className === 'string')
    return deserialize<Constraint>(id, what);
  throw new Error(`ferrite: ${what} must be a Constraint or its name, got ${String(id)}`);
}
