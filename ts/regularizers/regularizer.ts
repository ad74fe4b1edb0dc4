// Weight regularizers: a penalty on a weight that training adds to the loss
// (l1 * sum|w| + l2 * sum w^2), and the resolution of the identifiers layers accept.

import type { Tensor } from '../tensor/tensor.js';
import { scalar } from '../tensor/creation.js';
import { abs, add, mul, square, sum } from '../ops/index.js';
import { deserialize, nameKey, registerClass, Serializable, type SerializedObject } from '../serialization/registry.js';

/**
 * A penalty on a weight, added to the training loss (TF.js's `Regularizer`). Make them with `regularizers.l1`, `l2`, `l1l2`.
 *
 * @example
 * ```ts
 * const reg = fe.regularizers.l2({ l2: 0.01 });
 * reg.apply(fe.tensor1d([1, 2])).print(); // 0.05: 0.01 · (1 + 4)
 * fe.layers.dense({ units: 8, kernelRegularizer: reg });
 * ```
 */
export abstract class Regularizer extends Serializable {
  static override className = 'Regularizer';

  /**
   * The penalty for weight `x`, a scalar.
   *
   * @example
   * ```ts
   * fe.regularizers.l1({ l1: 0.1 }).apply(fe.tensor1d([1, -2])).print(); // 0.3
   * ```
   */
  abstract apply(x: Tensor): Tensor;
}

/**
 * Arguments of `regularizers.l1l2` (and l1, l2).
 *
 * @example
 * ```ts
 * fe.regularizers.l1l2({ l1: 0.01, l2: 0.001 }).apply(fe.tensor1d([1, -2])).print(); // 0.035: 0.01 · 3 + 0.001 · 5
 * ```
 */
export interface L1L2Args {
  /** Factor of sum |w|. Default 0. */
  l1?: number;
  /** Factor of sum w^2. Default 0. */
  l2?: number;
}

export class L1L2 extends Regularizer {
  static override className = 'L1L2';
  readonly l1: number;
  readonly l2: number;

  constructor(args: L1L2Args = {}) {
    super();
    this.l1 = args.l1 ?? 0;
    this.l2 = args.l2 ?? 0;
    for (const [k, v] of [
      ['l1', this.l1],
      ['l2', this.l2],
    ] as const) {
      if (!(v >= 0) || !Number.isFinite(v))
        throw new Error(`ferrite: regularizers: ${k} must be a finite number >= 0, got ${v}`);
    }
  }

  apply(x: Tensor): Tensor {
    let penalty: Tensor | null = null;
    if (this.l1 > 0) penalty = mul(sum(abs(x)), scalar(this.l1));
    if (this.l2 > 0) {
      const p2 = mul(sum(square(x)), scalar(this.l2));
      penalty = penalty === null ? p2 : add(penalty, p2);
    }
    return penalty ?? scalar(0);
  }

  override getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}
registerClass(L1L2);

/**
 * Penalty l1 * sum|w| (Keras's default factor 0.01).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelRegularizer: fe.regularizers.l1() }); // 0.01 · Σ|w| added to the loss
 * ```
 */
export function l1(args: { l1?: number } = {}): Regularizer {
  return new L1L2({ l1: args.l1 ?? 0.01 });
}

/**
 * Penalty l2 * sum w^2 (Keras's default factor 0.01).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelRegularizer: fe.regularizers.l2({ l2: 1e-4 }) }); // weight decay
 * ```
 */
export function l2(args: { l2?: number } = {}): Regularizer {
  return new L1L2({ l2: args.l2 ?? 0.01 });
}

/**
 * Penalty l1 * sum|w| + l2 * sum w^2 (both default 0.01, as in Keras).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelRegularizer: fe.regularizers.l1l2() }); // both factors 0.01
 * ```
 */
export function l1l2(args: L1L2Args = {}): Regularizer {
  return new L1L2({ l1: args.l1 ?? 0.01, l2: args.l2 ?? 0.01 });
}

/**
 * A regularizer: an object, its name ('l1', 'l2', 'l1l2') or a saved {className, config}.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelRegularizer: 'l2' }); // by name, Keras's default factor 0.01
 * ```
 */
export type RegularizerIdentifier = Regularizer | 'l1' | 'l2' | 'l1l2' | 'l1_l2' | SerializedObject;

/** Resolves 'l1', 'l2', 'l1l2' (default factors), an instance or a serialized config. */
export function getRegularizer(id: RegularizerIdentifier | null | undefined, what = 'regularizer'): Regularizer | null {
  if (id === null || id === undefined) return null;
  if (id instanceof Regularizer) return id;
  if (typeof id === 'string') {
    switch (nameKey(id)) {
      case 'l1':
        return l1();
      case 'l2':
        return l2();
      case 'l1l2':
        return l1l2();
    }
    throw new Error(`ferrite: unknown ${what} '${id}' (known: l1, l2, l1l2, or regularizers.l2({l2}))`);
  }
  if (typeof id === 'object' && typeof (id as SerializedObject).className === 'string')
    return deserialize<Regularizer>(id, what);
  throw new Error(`ferrite: ${what} must be a Regularizer, 'l1', 'l2' or 'l1l2', got ${String(id)}`);
}
