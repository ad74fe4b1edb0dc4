// How a layer's weights start and what they add to the loss: the initializer and
// regularizer a layer's arguments name, resolved once in its constructor, the weight
// made from them in build(), and their entries in getConfig(). Dense and Conv2D own a
// kernel and a bias (KernelBiasSpec); BatchNormalization has four WeightSpecs.

import type { Shape, Variable } from '../tensor/tensor.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers/regularizer.js';
import type { SerializedObject } from '../serialization/registry.js';
import { getConstraint, type Constraint, type ConstraintIdentifier } from './constraints.js';
import type { Layer, LayerConfig } from './layer.js';
import { toSnakeCase } from './naming.js';

/** Initializer identifiers in configs: strings stay strings, instances become {className, config}. */
export function serializeInit(id: InitializerIdentifier): string | SerializedObject {
  return typeof id === 'string' ? id : 'serialize' in id ? id.serialize() : id;
}

/** One weight: its initializer and, if it is trained, its regularizer and constraint. */
export class WeightSpec {
  readonly regularizer: Regularizer | null;
  readonly constraint: Constraint | null;

  /**
   * `key` names the weight in the layer's arguments and config ('movingMean':
   * movingMeanInitializer) and, in snake_case, among its variables ('moving_mean').
   * Weights that are not trained (moving statistics) take no regularizer.
   */
  constructor(
    layer: string,
    private readonly key: string,
    readonly initializer: InitializerIdentifier,
    regularizer: RegularizerIdentifier | null | undefined,
    readonly trainable = true,
    constraint: ConstraintIdentifier | null = null,
  ) {
    this.regularizer = trainable ? getRegularizer(regularizer, `${layer}: ${key}Regularizer`) : null;
    this.constraint = trainable ? getConstraint(constraint, `${layer}: ${key}Constraint`) : null;
  }

  /** Makes the weight on `layer` (from its build()). */
  create(layer: Layer, shape: Shape): Variable {
    const name = toSnakeCase(this.key);
    return layer.addWeight(name, shape, 'float32', this.initializer, this.regularizer, this.trainable, this.constraint);
  }

  /** `{<key>Initializer, <key>Regularizer, <key>Constraint}` (the last two for trained weights) for the layer's config. */
  config(): LayerConfig {
    const config: LayerConfig = { [`${this.key}Initializer`]: serializeInit(this.initializer) };
    if (this.trainable) {
      config[`${this.key}Regularizer`] = this.regularizer?.serialize() ?? null;
      config[`${this.key}Constraint`] = this.constraint?.serialize() ?? null;
    }
    return config;
  }
}

/**
 * The arguments of a layer with a kernel and a bias (Dense, Conv2D), as in Keras.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 8, kernelInitializer: 'heUniform', biasInitializer: 'ones', kernelConstraint: fe.constraints.maxNorm({ maxValue: 2 }), useBias: true });
 * ```
 */
export interface KernelBiasArgs {
  /** Add a bias. Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the kernel added to the training loss (`regularizers.l2()`, 'l2', ...). */
  kernelRegularizer?: RegularizerIdentifier;
  /** Penalty on the bias added to the training loss. */
  biasRegularizer?: RegularizerIdentifier;
  /** Applied to the kernel after each optimizer step (`constraints.maxNorm()`, 'nonNeg', ...). */
  kernelConstraint?: ConstraintIdentifier;
  /** Applied to the bias after each optimizer step. */
  biasConstraint?: ConstraintIdentifier;
}

/** A kernel and an optional bias, as KernelBiasArgs configure them. */
export class KernelBiasSpec {
  readonly useBias: boolean;
  readonly kernel: WeightSpec;
  readonly bias: WeightSpec;

  constructor(layer: string, args: KernelBiasArgs) {
    this.useBias = args.useBias ?? true;
    const kernelInit = args.kernelInitializer ?? 'glorotUniform';
    this.kernel = new WeightSpec(layer, 'kernel', kernelInit, args.kernelRegularizer, true, args.kernelConstraint);
    const biasInit = args.biasInitializer ?? 'zeros';
    this.bias = new WeightSpec(layer, 'bias', biasInit, args.biasRegularizer, true, args.biasConstraint);
  }

  /** Makes the kernel, and the bias of `units` values unless useBias is false. */
  create(layer: Layer, kernelShape: Shape, units: number): { kernel: Variable; bias: Variable | null } {
    return {
      kernel: this.kernel.create(layer, kernelShape),
      bias: this.useBias ? this.bias.create(layer, [units]) : null,
    };
  }

  /** useBias, the initializers and the regularizers, for the layer's config. */
  config(): LayerConfig {
    return { useBias: this.useBias, ...this.kernel.config(), ...this.bias.config() };
  }
}
