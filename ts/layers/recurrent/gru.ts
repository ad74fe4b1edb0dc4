// GRU: the TF.js layer over the fused sequence kernel (ts/ops/recurrent.ts). Weights as
// TF.js: kernel [inputDim, 3 units], recurrent_kernel [units, 3 units], bias [3 units],
// gates in the order z, r, h. `resetAfter: true` is Keras's form (its default, and what
// converted Keras models hold): the reset gate multiplies the recurrent projection, and
// the bias is [2, 3 units] (input bias, recurrent bias). TF.js has only resetAfter false.

import type { Tensor } from '../../tensor/tensor.js';
import { gruSequence } from '../../ops/recurrent.js';
import type { LayerConfig } from '../layer.js';
import { registerClass } from '../../serialization/registry.js';
import { GatedRecurrentLayer, type GatedRecurrentArgs } from './base.js';

/**
 * The arguments of `layers.gru`.
 *
 * @example
 * ```ts
 * fe.layers.gru({ units: 64, resetAfter: true, recurrentActivation: 'sigmoid' }); // Keras's GRU
 * ```
 */
export interface GRUArgs extends GatedRecurrentArgs {
  /** Keras's GRU form, with a [2, 3 units] bias (default false, TF.js's form). */
  resetAfter?: boolean;
}

/**
 * The layer `layers.gru` makes: gated recurrent unit, gates z, r, h (TF.js's form; `resetAfter: true` is Keras's).
 *
 * @example
 * ```ts
 * const layer = fe.layers.gru({ units: 8 });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 24], [8, 24], [24]]: kernel, recurrentKernel, bias (gates z, r, h)
 * ```
 */
export class GRU extends GatedRecurrentLayer {
  static override className = 'GRU';
  /** Keras's form: the reset gate applied after the recurrent projection. */
  readonly resetAfter: boolean;

  constructor(args: GRUArgs) {
    super(args, 'gru', 3);
    if (args.resetAfter !== undefined && typeof args.resetAfter !== 'boolean')
      throw new Error(`ferrite: ${this.name}: resetAfter must be a boolean, got ${JSON.stringify(args.resetAfter)}`);
    this.resetAfter = args.resetAfter ?? false;
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected sequence(x: Tensor, [h0]: Tensor[], mask: Tensor | null, recurrentMask: Tensor | null): Tensor[] {
    const opts = { ...this.kernelOptions(), resetAfter: this.resetAfter, recurrentMask };
    return gruSequence(x, this.weightsForOps, h0, mask, opts);
  }

  /** The layer's arguments, resetAfter included (what model.json saves). */
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }
}
registerClass(GRU);
