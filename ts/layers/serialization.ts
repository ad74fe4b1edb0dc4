// A registry of serializable classes by `className`, like TF.js's
// `serialization.registerClass`: saved models name their layers, initializers and
// regularizers by class name and config, and loading looks the class up here.

/** What a registered class provides: a name and a way back from its config. */
export interface SerializableClass<T = unknown> {
  readonly className: string;
  fromConfig(config: Record<string, unknown>): T;
}

/** A class's name and config, the JSON form of layers, initializers, regularizers. */
export interface SerializedObject {
  className: string;
  config: Record<string, unknown>;
}

const registry = new Map<string, SerializableClass>();

/** Registers a class under its static `className` (the name saved in model.json). */
export function registerClass<T>(cls: SerializableClass<T>): void {
  if (typeof cls.className !== 'string' || cls.className.length === 0) {
    throw new Error('ferrite: registerClass: the class needs a static className');
  }
  registry.set(cls.className, cls as SerializableClass);
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
