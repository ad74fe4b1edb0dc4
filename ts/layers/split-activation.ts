// Layers that end with an activation can be run without it. Training uses this to
// compute softmax + cross-entropy from the logits in one fused, stable op (as Keras
// does), while predictions still go through softmax.

import type { Tensor } from '../tensor/tensor.js';
import type { CallKwargs, Layer } from './layer.js';

export interface SplitActivation {
  /** Name of the activation applied last ('softmax', 'linear', ...). */
  readonly activationName: string;
  /** The layer's output before its final activation. */
  callPreActivation(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor;
}

export function hasSplitActivation(layer: Layer): layer is Layer & SplitActivation {
  return (
    typeof (layer as Partial<SplitActivation>).callPreActivation === 'function' &&
    typeof (layer as Partial<SplitActivation>).activationName === 'string'
  );
}
