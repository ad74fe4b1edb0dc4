// Activation: applies an activation function as a layer of its own.

import type { Tensor } from '../tensor/tensor.js';
import { Layer, single, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { resolveActivation, type Activation as ActivationFn, type ActivationIdentifier } from './activations.js';
import { registerClass } from '../serialization/registry.js';
import type { SplitActivation } from './split-activation.js';

/**
 * The arguments of `layers.activation`.
 *
 * @example
 * ```ts
 * fe.layers.activation({ activation: 'tanh' });
 * ```
 */
export interface ActivationLayerArgs extends LayerArgs {
  /** The activation: a name ('relu', 'softmax', ...) or a function of a tensor. */
  activation: ActivationIdentifier;
}

/**
 * The layer `layers.activation` makes: applies an activation function.
 *
 * @example
 * ```ts
 * const layer = fe.layers.activation({ activation: 'sigmoid' });
 * layer.apply(fe.tensor1d([0])); // [0.5]
 * ```
 */
export class Activation extends Layer implements SplitActivation {
  static override className = 'Activation';
  /** The activation function applied. */
  readonly activation: ActivationFn;

  constructor(args: ActivationLayerArgs) {
    super(args);
    // Passes a sequence mask on, as TF.js's.
    this.supportsMasking = true;
    if (args?.activation === undefined) throw new Error(`ferrite: ${this.name}: needs {activation}`);
    this.activation = resolveActivation(args.activation, this.name);
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return this.activation.apply(single(this.name, inputs));
  }

  /** @internal */
  get activationName(): string {
    return this.activation.name;
  }

  /** @internal */
  callPreActivation(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return single(this.name, inputs);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}
registerClass(Activation);
