// A registry of serializable classes by `className`, like TF.js's `serialization`:
// saved models name their layers, initializers, regularizers and optimizers by class
// name and config, and loading looks the class up here. Each class registers itself
// beside its definition (`registerClass(Dense)`).

/**
 * What a registered class provides: a name and a way back from its config.
 *
 * @example
 * ```ts
 * class Scale extends fe.layers.Layer {
 *   static override className = 'Scale'; // the name model.json saves
 * }
 * fe.serialization.registerClass(Scale); // Scale is a SerializableClass: className and fromConfig
 * ```
 */
export interface SerializableClass<T = unknown> {
  /** The name the class registers under and saved models use. */
  readonly className: string;
  /**
   * Rebuilds an object from its config.
   *
   * @example
   * ```ts
   * const cls = fe.initializers.glorotUniform({ seed: 3 }).constructor as unknown as fe.serialization.SerializableClass;
   * cls.fromConfig({ seed: 3 }); // a GlorotUniform again
   * ```
   */
  fromConfig(config: Record<string, unknown>): T;
}

/**
 * A class's name and config, the JSON form of layers, initializers, regularizers, optimizers.
 *
 * @example
 * ```ts
 * const saved = fe.initializers.glorotUniform({ seed: 3 }).serialize();
 * saved; // { className: 'GlorotUniform', config: { seed: 3 } }
 * fe.layers.dense({ units: 2, kernelInitializer: saved }); // layers take it back
 * ```
 */
export interface SerializedObject {
  /** The registered class name. */
  className: string;
  /** The arguments that rebuild the object. */
  config: Record<string, unknown>;
}

/**
 * The base of what is saved as `{className, config}` (TF.js's `serialization.Serializable`):
 * subclasses set a static `className`, return their arguments from `getConfig()`, and take
 * that config back in their constructor (or override the static `fromConfig`).
 */
export abstract class Serializable {
  static className = 'Serializable';

  /** Rebuilds an object from `getConfig()`'s output. */
  static fromConfig<T extends Serializable>(
    this: abstract new (...args: never[]) => T,
    config: Record<string, unknown>,
  ): T {
    return new (this as unknown as new (c: Record<string, unknown>) => T)(config);
  }

  /** The arguments that rebuild this object (JSON-serializable). */
  getConfig(): Record<string, unknown> {
    return {};
  }

  /** The registered class name, as saved in model.json. */
  getClassName(): string {
    return (this.constructor as typeof Serializable).className;
  }

  /** `{className, config}`, the form saved in model.json. */
  serialize(): SerializedObject {
    return { className: this.getClassName(), config: this.getConfig() };
  }
}

/**
 * Names of losses, initializers and regularizers ignore case and underscores, as Keras's
 * and TF.js's spellings differ: 'mean_squared_error', 'meanSquaredError', 'MSE' (for mse).
 */
export function nameKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

const registry = new Map<string, SerializableClass>();

/**
 * Registers a class under its static `className` (the name saved in model.json).
 *
 * @example
 * ```ts
 * class Double extends fe.layers.Layer {
 *   static override className = 'Double';
 *   override call(inputs: fe.Tensor | fe.Tensor[]) { return (Array.isArray(inputs) ? inputs[0] : inputs).mul(2); }
 * }
 * fe.serialization.registerClass(Double); // loadLayersModel can now rebuild models that use it
 * ```
 */
export function registerClass<T>(cls: SerializableClass<T>): void {
  if (typeof cls.className !== 'string' || cls.className.length === 0) {
    throw new Error('ferrite: registerClass: the class needs a static className');
  }
  registry.set(cls.className, cls as SerializableClass);
}

/** Every registered class (what tests iterate to check that each one round-trips). */
export function registeredClasses(): SerializableClass[] {
  return [...registry.values()];
}

export function getRegisteredClass(className: string): SerializableClass | undefined {
  return registry.get(className);
}

/** Rebuilds an object from `{className, config}`; throws naming the unknown class. */
export function deserialize<T>(obj: SerializedObject, what = 'object'): T {
  const cls = registry.get(obj.className);
  if (!cls) {
    throw new Error(
      `ferrite: cannot deserialize ${what}: unknown class '${obj.className}' (registered: ${[...registry.keys()].sort().join(', ')})`,
    );
  }
  return cls.fromConfig(obj.config ?? {}) as T;
}
