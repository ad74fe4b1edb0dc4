// Activation layers with options of their own, as TF.js's advanced_activations: ReLU
// (maxValue), LeakyReLU (alpha), PReLU (a trained alpha per feature), ELU (alpha),
// ThresholdedReLU (theta) and Softmax (axis). Names, options, defaults (LeakyReLU's alpha
// 0.3, PReLU's alpha starting at zero) and configs are TF.js's.

import type { Tensor, Variable } from '../tensor/tensor.js';
import { clipByValue } from '../ops/unary.js';
import { elu, leakyRelu, relu, thresholdedRelu } from '../ops/activations.js';
import { prelu } from '../ops/prelu.js';
import { softmax } from '../ops/softmax.js';
import { Layer, singleFloat32, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { WeightSpec } from './weight-spec.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';

function finiteNumber(layer: string, what: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    const range = min === -Infinity ? 'a finite number' : `a finite number >= ${min}`;
    throw new Error(`ferrite: ${layer}: ${what} must be ${range}, got ${String(v)}`);
  }
  return v;
}

/**
 * The arguments of `layers.reLU`.
 *
 * @example
 * ```ts
 * fe.layers.reLU({ maxValue: 6 }); // ReLU6
 * ```
 */
export interface ReLULayerArgs extends LayerArgs {
  /** Caps the output (relu6 is maxValue 6); null or absent: no cap. */
  maxValue?: number | null;
}

/**
 * The layer `layers.reLU` makes: max(x, 0), capped at maxValue when given.
 *
 * @example
 * ```ts
 * const layer = fe.layers.reLU({ maxValue: 1 });
 * layer.apply(fe.tensor1d([-1, 0.5, 2])); // [0, 0.5, 1]
 * ```
 */
export class ReLU extends Layer {
  static override className = 'ReLU';
  /** {@inheritDoc ReLULayerArgs.maxValue} */
  readonly maxValue: number | null;

  constructor(args: ReLULayerArgs = {}) {
    super(args);
    this.maxValue = args.maxValue == null ? null : finiteNumber(this.name, 'maxValue', args.maxValue, 0);
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    return this.maxValue === null ? relu(x) : clipByValue(x, 0, this.maxValue);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), maxValue: this.maxValue };
  }
}
registerClass(ReLU);

/**
 * The arguments of `layers.leakyReLU`.
 *
 * @example
 * ```ts
 * fe.layers.leakyReLU({ alpha: 0.2 });
 * ```
 */
export interface LeakyReLULayerArgs extends LayerArgs {
  /** The slope below zero; default 0.3 (TF.js's and Keras's). */
  alpha?: number;
}

/**
 * The layer `layers.leakyReLU` makes: x above zero, alpha * x below (alpha default 0.3).
 *
 * @example
 * ```ts
 * const layer = fe.layers.leakyReLU({ alpha: 0.1 });
 * layer.apply(fe.tensor1d([-10, 1])); // [-1, 1]
 * ```
 */
export class LeakyReLU extends Layer {
  static override className = 'LeakyReLU';
  /** {@inheritDoc LeakyReLULayerArgs.alpha} */
  readonly alpha: number;

  constructor(args: LeakyReLULayerArgs = {}) {
    super(args);
    this.alpha = finiteNumber(this.name, 'alpha', args.alpha ?? 0.3);
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return leakyRelu(singleFloat32(this.name, inputs), this.alpha);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
registerClass(LeakyReLU);

/**
 * The arguments of `layers.prelu`.
 *
 * @example
 * ```ts
 * fe.layers.prelu({ alphaInitializer: 'zeros', sharedAxes: [1, 2] });
 * ```
 */
export interface PReLULayerArgs extends LayerArgs {
  /** How alpha starts; default 'zeros'. */
  alphaInitializer?: InitializerIdentifier;
  /** Penalty on alpha added to the training loss. */
  alphaRegularizer?: RegularizerIdentifier;
  /** Axes (1-based, after the batch) along which one alpha is shared, e.g. [1, 2] for images. */
  sharedAxes?: number | number[] | null;
}

/**
 * y = x where x > 0, alpha * x elsewhere, with a trained alpha per feature (shared along `sharedAxes`).
 *
 * @example
 * ```ts
 * const layer = fe.layers.prelu({ sharedAxes: [1, 2] });
 * layer.apply(fe.ones([1, 4, 4, 8]));
 * layer.getWeights().map((w) => w.shape); // [[1, 1, 8]]: one trained slope per channel
 * ```
 */
export class PReLU extends Layer {
  static override className = 'PReLU';
  /**
   * How alpha starts and its regularizer.
   *
   * @internal
   */
  readonly alphaSpec: WeightSpec;
  /** {@inheritDoc PReLULayerArgs.sharedAxes} */
  readonly sharedAxes: number[] | null;
  /** The trained slopes, once built. */
  alpha: Variable | null = null;

  constructor(args: PReLULayerArgs = {}) {
    super(args);
    this.alphaSpec = new WeightSpec(this.name, 'alpha', args.alphaInitializer ?? 'zeros', args.alphaRegularizer);
    const axes = args.sharedAxes;
    this.sharedAxes = axes == null ? null : Array.isArray(axes) ? [...axes] : [axes];
    if (this.sharedAxes?.some((a) => !Number.isInteger(a) || a < 1)) {
      throw new Error(
        `ferrite: ${this.name}: sharedAxes must be axes after the batch (integers >= 1), got ${JSON.stringify(axes)}`,
      );
    }
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const alphaShape = shape.slice(1).map((d, i) => (this.sharedAxes?.includes(i + 1) ? 1 : d));
    if (this.sharedAxes?.some((a) => a >= shape.length)) {
      throw new Error(
        `ferrite: ${this.name}: sharedAxes ${JSON.stringify(this.sharedAxes)} out of range for input ${fmtSymbolicShape(shape)}`,
      );
    }
    if (alphaShape.some((d) => d === null || d === undefined)) {
      throw new Error(
        `ferrite: ${this.name}: every dimension after the batch must be known or shared (sharedAxes), got input ${fmtSymbolicShape(shape)}`,
      );
    }
    this.alpha = this.alphaSpec.create(this, alphaShape as number[]);
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    return prelu(x, this.alpha!);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), ...this.alphaSpec.config(), alphaConstraint: null, sharedAxes: this.sharedAxes };
  }
}
registerClass(PReLU);

/**
 * The arguments of `layers.elu`.
 *
 * @example
 * ```ts
 * fe.layers.elu({ alpha: 0.5 });
 * ```
 */
export interface ELULayerArgs extends LayerArgs {
  /** Scale of the negative part, alpha * (exp(x) - 1); default 1. */
  alpha?: number;
}

/**
 * The layer `layers.elu` makes: x above zero, alpha * (exp(x) - 1) below (alpha default 1).
 *
 * @example
 * ```ts
 * const layer = fe.layers.elu({ alpha: 0.5 });
 * layer.apply(fe.tensor1d([-10, 1])); // [-0.49998, 1]
 * ```
 */
export class ELU extends Layer {
  static override className = 'ELU';
  /** {@inheritDoc layers.ELULayerArgs.alpha} */
  readonly alpha: number;

  constructor(args: ELULayerArgs = {}) {
    super(args);
    this.alpha = finiteNumber(this.name, 'alpha', args.alpha ?? 1);
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return elu(singleFloat32(this.name, inputs), this.alpha);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
registerClass(ELU);

/**
 * The arguments of `layers.thresholdedReLU`.
 *
 * @example
 * ```ts
 * fe.layers.thresholdedReLU({ theta: 0.5 });
 * ```
 */
export interface ThresholdedReLULayerArgs extends LayerArgs {
  /** y = x where x > theta, 0 elsewhere; default 1. */
  theta?: number;
}

/**
 * The layer `layers.thresholdedReLU` makes: x where x > theta (default 1), else 0.
 *
 * @example
 * ```ts
 * const layer = fe.layers.thresholdedReLU({ theta: 0.5 });
 * layer.apply(fe.tensor1d([0.2, 0.7])); // [0, 0.7]
 * ```
 */
export class ThresholdedReLU extends Layer {
  static override className = 'ThresholdedReLU';
  /** {@inheritDoc ThresholdedReLULayerArgs.theta} */
  readonly theta: number;

  constructor(args: ThresholdedReLULayerArgs = {}) {
    super(args);
    this.theta = finiteNumber(this.name, 'theta', args.theta ?? 1, 0);
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = singleFloat32(this.name, inputs);
    return thresholdedRelu(x, this.theta);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), theta: this.theta };
  }
}
registerClass(ThresholdedReLU);

/**
 * The arguments of `layers.softmax`.
 *
 * @example
 * ```ts
 * fe.layers.softmax({ axis: 1 });
 * ```
 */
export interface SoftmaxLayerArgs extends LayerArgs {
  /** The axis normalized over; default -1. */
  axis?: number;
}

/**
 * The layer `layers.softmax` makes: softmax along `axis` (default -1).
 *
 * @example
 * ```ts
 * const layer = fe.layers.softmax({ axis: -1 });
 * layer.apply(fe.tensor2d([[0, Math.log(3)]])); // [[0.25, 0.75]]
 * ```
 */
export class Softmax extends Layer {
  static override className = 'Softmax';
  /** {@inheritDoc SoftmaxLayerArgs.axis} */
  readonly axis: number;

  constructor(args: SoftmaxLayerArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new Error(`ferrite: ${this.name}: axis must be an integer, got ${String(axis)}`);
    this.axis = axis;
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return softmax(singleFloat32(this.name, inputs), this.axis);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}
registerClass(Softmax);
