// A registry of serializable classes by `className`, like TF.js's `serialization`:
// saved models name their layers, initializers, regularizers and optimizers by class
// name and config, and loading looks the class up here. Each class registers itself
// beside its definition (`registerClass(Dense)`).

/** What a registered class provides: a name and a way back from its config. */
export interface SerializableClass<T = unknown> {
  /** The name the class registers under and saved models use. */
  readonly className: string;
  /** Rebuilds an object from its config. */
  fromConfig(config: Record<string, unknown>): T;
}

/** A class's name and config, the JSON form of layers, initializers, regularizers, optimizers. */
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

/** Registers a class under its static `className` (the name saved in model.json). */
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
