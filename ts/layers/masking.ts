// Masking: marks the steps of [batch, steps, features] sequences whose features all equal
// maskValue as padding, as Keras's and TF.js's `masking` layer. The output is the input
// with those steps zeroed; computeMask gives the [batch, steps] mask (1 data, 0 padding)
// that recurrent layers skip steps by.

import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { mul } from '../ops/arithmetic.js';
import { reshape } from '../ops/shape.js';
import { tidy } from '../tensor/scope.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';

/**
 * The arguments of `layers.masking`.
 *
 * @example
 * ```ts
 * fe.layers.masking({ maskValue: -1 }); // steps whose features are all -1 are masked
 * ```
 */
export interface MaskingArgs extends LayerArgs {
  /** Steps whose every feature equals this value are masked (default 0). */
  maskValue?: number;
}

/**
 * 1 where any feature of a step differs from `value`, else 0: [batch, steps] for x of shape
 * [batch, steps, features] (x's shape without its last axis). A constant: no gradient.
 */
export function stepMask(x: Tensor, value: number): Tensor {
  const features = x.shape[x.rank - 1] ?? 1;
  const m = emptyTensor(x.shape.slice(0, -1), 'float32', x.engine);
  const xs = x.view();
  const ms = m.view();
  for (let s = 0; s < ms.length; s++) {
    let any = 0;
    for (let f = s * features, end = f + features; f < end; f++) {
      if (xs[f] !== value) {
        any = 1;
        break;
      }
    }
    ms[s] = any;
  }
  return m;
}

/**
 * The layer `layers.masking` makes: zeroes, and masks for recurrent layers, the steps whose features all equal maskValue.
 *
 * @example
 * ```ts
 * const layer = fe.layers.masking({ maskValue: 0 });
 * const x = fe.tensor3d([[[1], [0]]]);
 * layer.computeMask(x); // [[1, 0]]: the second step is masked
 * ```
 */
export class Masking extends Layer {
  static override className = 'Masking';
  /** {@inheritDoc MaskingArgs.maskValue} */
  readonly maskValue: number;

  constructor(args: MaskingArgs = {}) {
    super(args);
    this.maskValue = args.maskValue ?? 0;
    if (typeof this.maskValue !== 'number')
      throw new Error(`ferrite: ${this.name}: maskValue must be a number, got ${JSON.stringify(args.maskValue)}`);
    this.supportsMasking = true;
    this.inputSpec = [{ minNdim: 2 }];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    return tidy(() => mul(x, reshape(stepMask(x, this.maskValue), [...x.shape.slice(0, -1), 1])));
  }

  override computeMask(inputs: Tensor | Tensor[], _mask?: Tensor | (Tensor | null)[] | null): Tensor {
    return stepMask(singleFloat32(this.name, inputs), this.maskValue);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}
registerClass(Masking);
