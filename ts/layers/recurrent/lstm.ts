// LSTM: the TF.js layer over the fused sequence kernel (ts/ops/recurrent.ts).
// Weights as TF.js: kernel [inputDim, 4 units], recurrent_kernel [units, 4 units],
// bias [4 units], gates in the order i, f, c, o.

import { Tensor, type DataType } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/creation.js';
import { concat } from '../../ops/shape.js';
import { lstmSequence } from '../../ops/recurrent.js';
import type { LayerConfig } from '../layer.js';
import { registerClass } from '../../serialization/registry.js';
import { Initializer, type InitializerIdentifier } from '../../initializers/initializer.js';
import { getInitializer } from '../../initializers/resolve.js';
import type { Shape } from '../../tensor/tensor.js';
import { GatedRecurrentLayer, type GatedRecurrentArgs } from './base.js';

/**
 * The arguments of `layers.lstm`.
 *
 * @example
 * ```ts
 * fe.layers.lstm({ units: 128, returnSequences: true, unitForgetBias: true, dropout: 0.1, recurrentDropout: 0.1 });
 * ```
 */
export interface LSTMArgs extends GatedRecurrentArgs {
  /** Start the forget gate's bias at 1 (TF.js default false). */
  unitForgetBias?: boolean;
}

/** The bias initializer with unitForgetBias: [init(u), ones(u), init(2u)]. */
class ForgetBiasInit extends Initializer {
  static override className = 'ForgetBiasInit';
  constructor(
    private readonly base: Initializer,
    private readonly units: number,
  ) {
    super();
  }
  apply(shape: Shape, dtype: DataType = 'float32'): Tensor {
    const u = this.units;
    const parts = [this.base.apply([u], dtype), tensor(new Float32Array(u).fill(1)), this.base.apply([2 * u], dtype)];
    const out = concat(parts, 0);
    for (const p of parts) p.dispose();
    if (out.size !== shape.reduce((a, b) => a * b, 1)) throw new Error('ferrite: lstm: bias shape mismatch');
    return out;
  }
}

/**
 * The LSTM bias initializer with unitForgetBias (the layer's and lstmCell's): `base` for
 * the i, c and o blocks, ones for f.
 *
 * For example `forgetBiasInitializer('zeros', 3, 'lstm').apply([12])` gives [0,0,0, 1,1,1, 0,0,0, 0,0,0].
 */
export function forgetBiasInitializer(base: InitializerIdentifier, units: number, who: string): Initializer {
  return new ForgetBiasInit(getInitializer(base, `${who}: biasInitializer`), units);
}

/**
 * The layer `layers.lstm` makes: long short-term memory over [batch, time, features] (TF.js defaults: recurrentActivation 'hardSigmoid').
 *
 * @example
 * ```ts
 * const layer = fe.layers.lstm({ units: 8 });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 32], [8, 32], [32]]: kernel, recurrentKernel, bias (gates i, f, c, o)
 * ```
 */
export class LSTM extends GatedRecurrentLayer {
  static override className = 'LSTM';
  /** {@inheritDoc LSTMArgs.unitForgetBias} */
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args, 'lstm', 4);
    this.unitForgetBias = args.unitForgetBias ?? false;
  }

  protected override get stateCount(): number {
    return 2;
  }

  protected override biasInitializer(): InitializerIdentifier | Initializer {
    const init = this.specs.bias.initializer;
    return this.unitForgetBias ? forgetBiasInitializer(init, this.units, this.name) : init;
  }

  protected sequence(x: Tensor, [h0, c0]: Tensor[], mask: Tensor | null, recurrentMask: Tensor | null): Tensor[] {
    return lstmSequence(x, this.weightsForOps, [h0, c0], mask, { ...this.kernelOptions(), recurrentMask });
  }

  /** The layer's arguments, unitForgetBias included (what model.json saves). */
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}
registerClass(LSTM);
