// What layers accept as an initializer: an instance, a name in any spelling
// ('glorotUniform', 'glorot_uniform', 'GlorotUniform'), or a saved `{className, config}`.

import { deserialize, nameKey, type SerializedObject } from '../serialization/registry.js';
import { Initializer, type InitializerIdentifier } from './initializer.js';
import * as initializers from './index.js';

/** Every factory that needs no arguments (not constant's value), and Keras's singular spellings. */
const BY_KEY = new Map<string, () => Initializer>([
  ...Object.entries(initializers)
    .filter(([name]) => name !== 'constant')
    .map(([name, make]) => [nameKey(name), make as () => Initializer] as const),
  ['zero', initializers.zeros],
  ['one', initializers.ones],
]);

/**
 * Resolves an initializer identifier: an instance is returned as is, a string names a
 * default-configured initializer, a `{className, config}` object is deserialized.
 */
export function getInitializer(id: InitializerIdentifier, what = 'initializer'): Initializer {
  if (id instanceof Initializer) return id;
  if (typeof id === 'string') {
    const make = BY_KEY.get(nameKey(id));
    if (!make) {
      const known = [...BY_KEY.keys()].sort().join(', ');
      throw new Error(`ferrite: unknown ${what} '${id}' (known: ${known})`);
    }
    return make();
  }
  if (id !== null && typeof id === 'object' && typeof (id as SerializedObject).className === 'string') {
    return deserialize<Initializer>(id as SerializedObject, what);
  }
  throw new Error(`ferrite: ${what} must be a string, an Initializer or {className, config}, got ${String(id)}`);
}
