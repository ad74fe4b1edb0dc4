// SimpleRNN: h = activation(x W + b + h_prev R), the TF.js layer over the fused sequence
// kernel (ts/ops/recurrent.ts). Weights as TF.js: kernel [inputDim, units],
// recurrent_kernel [units, units], bias [units].

import type { Tensor } from '../../tensor/tensor.js';
import { simpleRNNSequence } from '../../ops/recurrent.js';
import { registerClass } from '../../serialization/registry.js';
import { RecurrentLayer, type RecurrentArgs } from './base.js';

/**
 * The arguments of `layers.simpleRNN` (TF.js's SimpleRNNLayerArgs).
 *
 * @example
 * ```ts
 * fe.layers.simpleRNN({ units: 32, returnSequences: true });
 * ```
 */
export type SimpleRNNArgs = RecurrentArgs;

/**
 * The layer `layers.simpleRNN` makes: fully connected recurrent layer: h = activation(x W + b + h_prev R).
 *
 * @example
 * ```ts
 * const layer = fe.layers.simpleRNN({ units: 8 });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 8], [8, 8], [8]]
 * ```
 */
export class SimpleRNN extends RecurrentLayer {
  static override className = 'SimpleRNN';

  constructor(args: SimpleRNNArgs) {
    super(args, 'simpleRNN', 1);
  }

  protected sequence(x: Tensor, [h0]: Tensor[], mask: Tensor | null, recurrentMask: Tensor | null): Tensor[] {
    const opts = { activation: this.activationCode, goBackwards: this.goBackwards, recurrentMask };
    return simpleRNNSequence(x, this.weightsForOps, h0, mask, opts);
  }
}
registerClass(SimpleRNN);
