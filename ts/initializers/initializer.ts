// The base of every weight initializer, and resolution of identifiers
// ('glorotUniform', 'glorot_uniform', 'GlorotUniform', an instance or a config).

import type { DataType, Shape, Tensor } from '../tensor/tensor.js';
import { checkShape } from '../tensor/tensor.js';
import { deserialize, type SerializedObject } from '../layers/serialization.js';

/** Makes the initial value of a weight of a given shape, like `tf.initializers.Initializer`. */
export abstract class Initializer {
  static className = 'Initializer';

  /** Rebuilds an initializer from `getConfig()`'s output (each subclass takes its config). */
  static fromConfig(config: Record<string, unknown>): Initializer {
    return new (this as unknown as new (c: Record<string, unknown>) => Initializer)(config);
  }

  /** A new tensor of `shape` holding the initial values. */
  abstract apply(shape: Shape, dtype?: DataType): Tensor;

  /** The arguments that rebuild this initializer (JSON-serializable). */
  getConfig(): Record<string, unknown> {
    return {};
  }

  getClassName(): string {
    return (this.constructor as typeof Initializer).className;
  }

  /** `{className, config}`, the form saved in model.json. */
  serialize(): SerializedObject {
    return { className: this.getClassName(), config: this.getConfig() };
  }
}

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

// Filled in by index.ts (which knows every class) to avoid a cycle with the classes.
const factories = new Map<string, () => Initializer>();

/** Canonical key of an identifier: case and underscores do not matter. */
function keyOf(id: string): string {
  return id.replace(/_/g, '').toLowerCase();
}

/** Registers a string identifier (all spellings map to one key). */
export function registerInitializerName(id: string, make: () => Initializer): void {
  factories.set(keyOf(id), make);
}

/**
 * Resolves an initializer identifier: an instance is returned as is, a string names a
 * default-configured initializer ('glorotUniform' = 'glorot_uniform' = 'GlorotUniform'),
 * a `{className, config}` object is deserialized.
 */
export function getInitializer(id: InitializerIdentifier, what = 'initializer'): Initializer {
  if (id instanceof Initializer) return id;
  if (typeof id === 'string') {
    const make = factories.get(keyOf(id));
    if (!make) {
      const known = [...factories.keys()].sort().join(', ');
      throw new Error(`ferrite: unknown ${what} '${id}' (known: ${known})`);
    }
    return make();
  }
  if (id !== null && typeof id === 'object' && typeof (id as SerializedObject).className === 'string') {
    return deserialize<Initializer>(id as SerializedObject, what);
  }
  throw new Error(`ferrite: ${what} must be a string, an Initializer or {className, config}, got ${String(id)}`);
}
