// The base of every weight initializer, and the checks they share.

import type { DataType, Shape, Tensor } from '../tensor/tensor.js';
import { checkShape } from '../tensor/tensor.js';
import { Serializable, type SerializedObject } from '../serialization/registry.js';

/**
 * Makes the initial value of a weight of a given shape, like `tf.initializers.Initializer`.
 *
 * @example
 * ```ts
 * const init: fe.initializers.Initializer = fe.initializers.glorotUniform({ seed: 7 });
 * init.getClassName(); // 'GlorotUniform'
 * init.apply([2, 2]).shape; // [2, 2]
 * ```
 */
export abstract class Initializer extends Serializable {
  static override className = 'Initializer';

  /**
   * A new tensor of `shape` holding the initial values.
   *
   * @example
   * ```ts
   * fe.initializers.constant({ value: 3 }).apply([2], 'int32').print(); // int32 [3, 3]
   * ```
   */
  abstract apply(shape: Shape, dtype?: DataType): Tensor;
}

/**
 * An initializer: its name ('glorotUniform', 'zeros', 'heNormal', ...), an object, or a saved {className, config}.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, kernelInitializer: 'heNormal' }); // by name
 * fe.layers.dense({ units: 4, kernelInitializer: fe.initializers.heNormal({ seed: 3 }) }); // or an object
 * ```
 */
export type InitializerIdentifier = string | Initializer | SerializedObject;

/** Checks the shape an initializer is asked for, naming the initializer. */
export function checkInitShape(name: string, shape: Shape): void {
  checkShape(shape, `${name}: shape`);
}

/** Only zeros, ones, constant and identity can fill int32 weights. */
export function checkFloatInit(name: string, dtype: DataType | undefined): void {
  if (dtype !== undefined && dtype !== 'float32') {
    throw new Error(`ferrite: initializer ${name} makes float32 values, but the weight's dtype is ${dtype}`);
  }
}
