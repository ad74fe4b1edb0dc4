// The `Layer` users extend, as TF.js programs write custom layers:
//
//   class Scale extends tf.layers.Layer {
//     static className = 'Scale';
//     build(inputShape) { this.w = this.addWeight('w', [inputShape[inputShape.length - 1]], 'float32', tf.initializers.ones()); }
//     call(inputs, kwargs) { this.invokeCallHook(inputs, kwargs); return tf.mul(getOne(inputs), this.w.read()); }
//     computeOutputShape(inputShape) { return inputShape; }
//     getConfig() { return { ...super.getConfig(), factor: this.factor }; }
//   }
//   tf.serialization.registerClass(Scale);
//
// It is Ferrite's layer base with TF.js's defaults for code outside Ferrite: it accepts a
// list of inputs (the layer's call decides what to do with them), its call is the
// identity unless overridden.

import type { Tensor } from '../tensor/tensor.js';
import { Layer as LayerBase, type CallKwargs, type LayerArgs } from './layer.js';

/**
 * The base class of custom layers, as TF.js's `tf.layers.Layer`: override `build` (create
 * weights with `addWeight`), `call` and `computeOutputShape`, give the class a static
 * `className` and register it with `serialization.registerClass` to save and load it.
 * Its call is the identity unless overridden.
 *
 * @example
 * ```ts
 * class Scale extends fe.layers.Layer {
 *   static override className = 'Scale';
 *   w!: fe.Variable;
 *   override build(inputShape: (number | null)[]) {
 *     this.w = this.addWeight('w', [inputShape[inputShape.length - 1]!], 'float32', 'ones');
 *   }
 *   override call(inputs: fe.Tensor | fe.Tensor[]) {
 *     return fe.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.w);
 *   }
 * }
 * fe.serialization.registerClass(Scale);
 * ```
 */
export class Layer extends LayerBase {
  /** The class name saved in model.json; subclasses set their own. */
  static override className = 'Layer';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.acceptsMultipleInputs = true;
  }

  /** The computation; the identity unless a subclass overrides it. */
  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor | Tensor[] {
    return inputs;
  }
}
