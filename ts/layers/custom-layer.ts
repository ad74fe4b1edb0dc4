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

export class Layer extends LayerBase {
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
