// Flatten: [batch, d1, d2, ...] -> [batch, d1 * d2 * ...].

import type { Tensor } from '../tensor/tensor.js';
import { reshape } from '../ops/index.js';
import { Layer, single, type CallKwargs, type LayerArgs } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';

/**
 * The layer `layers.flatten` makes: flattens each sample to one dimension.
 *
 * @example
 * ```ts
 * const layer = fe.layers.flatten();
 * layer.computeOutputShape([null, 28, 28, 1]); // [null, 784]
 * ```
 */
export class Flatten extends Layer {
  static override className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.inputSpec = [{ minNdim: 1 }];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    let features = 1;
    for (let i = 1; i < x.rank; i++) features *= x.shape[i];
    if (x.rank === 2) return x;
    return reshape(x, [x.shape[0], features]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    let features = 1;
    for (let i = 1; i < shape.length; i++) {
      const d = shape[i];
      if (d === null) {
        throw new Error(
          `ferrite: ${this.name}: cannot flatten an input whose non-batch dimensions are not all known, got ${fmtSymbolicShape(shape)}`,
        );
      }
      features *= d;
    }
    return [shape[0], features];
  }
}
registerClass(Flatten);
