// Serialization, like `tf.serialization`: `registerClass(MyLayer)` makes a custom class
// (a static className, getConfig, and a constructor that takes that config) loadable
// where a model's config names it.

export { registerClass, type SerializableClass, type SerializedObject } from './registry.js';
